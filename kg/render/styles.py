"""How views look: a style per class of node, the order in which types decide the class, tooltip fields."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Style:
    """How one class of node is drawn, and its legend entry."""

    key: str
    legend: str  # 中文 English
    color: str
    shape: str  # a vis-network shape whose size follows `size`


STYLES: dict[str, Style] = {
    s.key: s
    for s in (
        Style("Plan", "规划 Plan", "#4C78A8", "square"),
        Style("Article", "报道 Article", "#72B7B2", "square"),
        Style("Document", "文件 Document", "#5F7C99", "square"),
        Style("CitedPlan", "引用规划 Cited plan", "#A7C4E5", "square"),
        Style("City", "城市 City", "#F58518", "dot"),
        Style("County", "区县 County", "#FFBF79", "dot"),
        Style("Province", "省 Province", "#B85C00", "dot"),
        Style("Area", "地区 Area", "#D9A066", "dot"),
        Style("CertificationScheme", "认证 Scheme", "#54A24B", "diamond"),
        Style("Award", "奖项 Award", "#E45756", "star"),
        Style("Initiative", "倡议 Initiative", "#B279A2", "triangle"),
        Style("Organization", "机构 Organization", "#9D755D", "hexagon"),
        Style("Target", "指标 Target", "#D4A608", "triangleDown"),
        Style("Program", "项目 Programme", "#FF9DA6", "dot"),
        Style("Category", "类别 Category", "#8C8C8C", "square"),
        Style("Concept", "概念 Concept", "#BAB0AC", "dot"),
        Style("Other", "其他 Other", "#888888", "dot"),
    )
}

# rdf:type -> style key, most specific first (a plan is also a qp:Document, a city also a skos:Concept).
TYPE_ORDER: tuple[tuple[str, str], ...] = (
    ("qp:Target", "Target"),
    ("qp:Program", "Program"),
    ("qp:Article", "Article"),
    ("qp:Plan", "Plan"),
    ("qp:Document", "Document"),
    ("qp:City", "City"),
    ("qp:County", "County"),
    ("qp:Province", "Province"),
    ("qp:AdministrativeArea", "Area"),
    ("qp:CertificationScheme", "CertificationScheme"),
    ("qp:Award", "Award"),
    ("qp:Initiative", "Initiative"),
    ("org:Organization", "Organization"),
    ("qp:TargetCategory", "Category"),
    ("qp:ProgramKind", "Category"),
    ("skos:Concept", "Concept"),
)

# Key properties shown in tooltips, in this order (label properties are the tooltip's first line).
PROPS: tuple[tuple[str, str], ...] = (
    ("qp:sourceFile", "文件 file"),
    ("dcterms:issued", "日期 issued"),
    ("qp:docNumber", "文号 number"),
    ("qp:periodStart", "起 from"),
    ("qp:periodEnd", "止 to"),
    ("qp:isFragment", "片段 fragment"),
    ("qp:issuer", "发布 issuer"),
    ("qp:jurisdiction", "辖区 jurisdiction"),
    ("qp:adminCode", "代码 code"),
    ("qp:divisionType", "级别 level"),
    ("qp:partOf", "上级 part of"),
    ("qp:category", "类别 category"),
    ("qp:categoryLabel", "类别 category"),
    ("qp:targetText", "目标 target"),
    ("qp:unit", "单位 unit"),
    ("qp:targetYear", "目标年 year"),
    ("qp:comparator", "比较 comparator"),
    ("qp:baselineText", "基期 baseline"),
    ("qp:baselineYear", "基期年 baseline year"),
    ("qp:binding", "约束性 binding"),
    ("qp:cumulative", "累计 cumulative"),
    ("qp:programKind", "类型 kind"),
    ("qp:ordinal", "序号 no."),
    ("qp:orgKind", "类型 kind"),
    ("qp:seatedIn", "所在地 seat"),
)
REL_NAMES = {
    "qp:jurisdiction": "辖区 jurisdiction",
    "qp:mentions": "提及 mentions",
    "qp:issuer": "发布 issuer",
    "qp:hasTarget": "指标 has target",
    "qp:hasProgram": "项目 has programme",
    "qp:category": "类别 category",
    "qp:programKind": "类型 kind",
    "qp:basedOn": "依据 based on",
    "qp:succeeds": "接续 succeeds",
    "qp:partOf": "隶属 part of",
}
LABEL_CHARS = 16  # longer labels are cut on the canvas (the tooltip has them whole)
QUOTE_CHARS = 80
MAX_QUOTES = 3
