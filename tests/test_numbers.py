"""kg.numbers: values as plans write them."""
from __future__ import annotations

import pytest

from kg.numbers import Bound, Quantity, parse_bound, parse_number, parse_quantity


@pytest.mark.parametrize(
    "text, value",
    [
        ("98", 98.0),
        ("13.5", 13.5),
        ("1,200", 1200.0),
        ("三百", 300.0),
        ("两百", 200.0),
        ("十二", 12.0),
        ("一百零五", 105.0),
        ("一千二百", 1200.0),
        ("1.5万", 15000.0),
        ("三万", 30000.0),
        ("4000亿", 4e11),
        ("二〇二五", 2025.0),
    ],
)
def test_parse_number(text: str, value: float) -> None:
    assert parse_number(text) == value


@pytest.mark.parametrize("text", ["第二", "前三", "完成", "/", "", "达到省指标", "十四五规划", "百花"])
def test_not_a_number(text: str) -> None:
    assert parse_number(text) is None


def test_quantity_keeps_the_scale_apart() -> None:
    assert parse_quantity("2万") == Quantity(2.0, "万")
    assert parse_quantity("1.5万") == Quantity(1.5, "万")
    assert parse_quantity("1.2万亿") == Quantity(1.2, "万亿")
    assert parse_quantity("三百") == Quantity(300.0, "")


@pytest.mark.parametrize(
    "text, value, comparator, cumulative",
    [
        ("不低于96", 96.0, "at_least", False),
        ("不低于99.5", 99.5, "at_least", False),
        ("≥25", 25.0, "at_least", False),
        ("90以上", 90.0, "at_least", False),
        ("达到90%以上", 90.0, "at_least", False),
        ("≤25", 25.0, "at_most", False),
        ("不超过5", 5.0, "at_most", False),
        ("约90", 90.0, "about", False),
        ("50左右", 50.0, "about", False),
        ("突破30", 30.0, "exceed", False),
        ("达到200", 200.0, "reach", False),
        # a level to get to, up or down (增加 alone states an increment, no level)
        ("提高到98", 98.0, "reach", False),
        ("降至0.3", 0.3, "reach", False),
        ("下降到26", 26.0, "reach", False),
        ("增加8", None, None, False),
        ("控制在0.3以内", 0.3, "at_most", False),
        ("4300", 4300.0, None, False),
        ("[56]", 56.0, None, True),
        ("[0]", 0.0, None, True),
        ("[\u00a03700 ]", 3700.0, None, True),
        ("/", None, None, False),
        ("完成", None, None, False),
        ("第二", None, None, False),
        ("前三", None, None, False),
        ("达到省均目标值", None, None, False),
    ],
)
def test_parse_bound(text: str, value, comparator, cumulative) -> None:
    b = parse_bound(text)
    assert (b.value, b.comparator, b.cumulative) == (value, comparator, cumulative)


def test_bound_of_scaled_cell() -> None:
    assert parse_bound("1.5万") == Bound(value=15000.0, comparator=None, cumulative=False, quantity=Quantity(1.5, "万"))
