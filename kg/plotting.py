"""Matplotlib with a font that renders Chinese (for the notebooks).

Matplotlib's default DejaVu Sans has no CJK glyphs: labels such as 湖州市 come out as boxes
with a "Glyph … missing from font(s)" warning. `use_cjk_font()` puts an installed CJK font
first in the sans-serif list. `.ci/run` installs Debian's fonts-wqy-microhei; Noto CJK and
the usual desktop fonts are accepted too.
"""
from __future__ import annotations

from pathlib import Path

from .errors import KgError

#: Families tried in order; the first one matplotlib can find wins.
CJK_FAMILIES: tuple[str, ...] = (
    "WenQuanYi Micro Hei",
    "Noto Sans CJK SC",
    "Noto Sans SC",
    "Source Han Sans SC",
    "WenQuanYi Zen Hei",
    "Microsoft YaHei",
    "SimHei",
    "PingFang SC",
    "Heiti SC",
)


class FontNotFoundError(KgError):
    """No installed font renders Chinese."""

    exit_code = 2


#: File-name fragments of CJK fonts, to register a font installed after matplotlib cached its font list.
_CJK_FILES = ("wqy-microhei", "wqy-zenhei", "NotoSansCJK", "NotoSansSC", "SourceHanSans", "msyh", "simhei", "PingFang")


def find_cjk_font() -> str | None:
    """The family name of the first installed CJK font of `CJK_FAMILIES`, or None."""
    from matplotlib import font_manager

    def known() -> str | None:
        installed = {f.name for f in font_manager.fontManager.ttflist}
        return next((name for name in CJK_FAMILIES if name in installed), None)

    found = known()
    if found is None:
        # matplotlib's font list is cached once per version: a font apt installed later is not in it
        for path in sorted(font_manager.findSystemFonts()):
            if any(part.lower() in Path(path).name.lower() for part in _CJK_FILES):
                font_manager.fontManager.addfont(path)
        found = known()
    return found


def use_cjk_font(path: str | Path | None = None) -> str:
    """Make matplotlib draw Chinese: register `path` if given, else pick an installed CJK font.

    Returns the family name. Raises FontNotFoundError with the fix when there is none.
    """
    import matplotlib as mpl
    from matplotlib import font_manager

    if path is not None:
        p = Path(path)
        if not p.is_file():
            raise FontNotFoundError(f"{p}: font file not found (give a .ttf/.otf/.ttc path)")
        font_manager.fontManager.addfont(str(p))
        family = font_manager.FontProperties(fname=str(p)).get_name()
    else:
        found = find_cjk_font()
        if found is None:
            raise FontNotFoundError(
                "no font that renders Chinese is installed "
                "(apt-get install fonts-wqy-microhei or fonts-noto-cjk, or call use_cjk_font(path=FONT_FILE))"
            )
        family = found
    sans = [f for f in mpl.rcParams["font.sans-serif"] if f != family]
    mpl.rcParams["font.family"] = ["sans-serif"]
    mpl.rcParams["font.sans-serif"] = [family, *sans]
    # CJK fonts often lack U+2212 MINUS SIGN; use the ASCII hyphen on axes
    mpl.rcParams["axes.unicode_minus"] = False
    return family
