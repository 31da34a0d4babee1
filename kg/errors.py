"""The error hierarchy (a leaf module). Messages name the file and say how to fix it."""
from __future__ import annotations


class KgError(Exception):
    """Base class of every error qpkg raises on purpose."""

    exit_code = 1


class InputError(KgError):
    """A source file cannot be read as a document."""

    def __init__(self, path: str, problem: str, fix: str = "") -> None:
        self.path = path
        self.problem = problem
        self.fix = fix
        msg = f"{path}: {problem}"
        if fix:
            msg += f" ({fix})"
        super().__init__(msg)


class EmptyFileError(InputError):
    """The file has no content."""


class BinaryFileError(InputError):
    """The file looks like binary data, not text."""


class DecodeError(InputError):
    """No supported encoding decodes the file sensibly."""


class FileTooLargeError(InputError):
    """The file is over the configured size limit."""


class UsageError(KgError):
    """The command line or API call is malformed."""

    exit_code = 2


class QueryNotFoundError(KgError):
    """No named query has that name."""

    exit_code = 2


class QueryParameterError(KgError):
    """A query parameter is missing, unknown or cannot be resolved to an RDF term."""

    exit_code = 2


class StoreError(KgError):
    """The triple store cannot be opened, read or written."""

    exit_code = 2


class GraphNotFoundError(StoreError):
    """There is no built graph where one was expected."""


class ValidationLoadError(KgError):
    """The graph or the shapes cannot be loaded for validation."""

    exit_code = 2


class ViewError(KgError):
    """A view cannot be rendered (unknown view, unknown node)."""

    exit_code = 2


class ServerError(KgError):
    """The SPARQL server cannot be started or reached."""

    exit_code = 2


class GoldFileError(KgError):
    """The gold file for `kg eval` cannot be read or has the wrong shape."""

    exit_code = 2
