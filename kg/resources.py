"""Find packaged data files (ontology, vocabularies, shapes, queries) with importlib.resources."""
from __future__ import annotations

from importlib import resources
from importlib.resources.abc import Traversable


def package_file(*parts: str) -> Traversable:
    """A file shipped inside the kg package (kg/ontology is the top-level ontology/ folder)."""
    node = resources.files("kg")
    for p in parts:
        node = node / p
    return node


def ontology_file(name: str) -> Traversable:
    return package_file("ontology", name)


def vocab_files() -> list[Traversable]:
    """Every SKOS vocabulary file, sorted by name so loading is deterministic."""
    folder = package_file("ontology", "vocab")
    return sorted((f for f in folder.iterdir() if f.name.endswith(".ttl")), key=lambda f: f.name)


def query_dir() -> Traversable:
    return package_file("queries")
