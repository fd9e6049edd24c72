"""Provinces named in text, their abbreviations in compound words, and coverage."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from zhtext import places
from zhtext.normalise import normalise
from zhtext.places import (
    find_provinces,
    is_mainland,
    parse_coverage,
    parse_province,
    province_full_name,
    province_mentions,
)
from zhtext.vocabulary import load_provinces, load_yaml


# --- provinces --------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "short"),
    [
        ("广东", "广东"),
        ("广东省", "广东"),
        ("粤", "广东"),
        ("沪", "上海"),
        ("京", "北京"),
        ("深圳", "广东"),
        ("我们在深圳", "广东"),
        ("苏州", "江苏"),
        ("青岛的公司", "山东"),
        ("厦门", "福建"),
        ("宁波", "浙江"),
        ("大连", "辽宁"),
        ("内蒙", "内蒙古"),
        ("内蒙古自治区", "内蒙古"),
        ("广西壮族自治区", "广西"),
        ("新疆", "新疆"),
        ("香港特别行政区", "香港"),
        ("乌鲁木齐", "新疆"),
        ("渐江", "浙江"),
        ("陜西", "陕西"),
        ("廣東", "广东"),
        ("不是北京,是上海", "上海"),
        ("广州北京路", "广东"),
    ],
)
def test_parse_province(text: str, short: str) -> None:
    assert parse_province(text) == short


@pytest.mark.parametrize("text", ["贵公司", "云呼叫中心", "新的系统", "有", "", "全国"])
def test_no_province(text: str) -> None:
    assert parse_province(text) is None


def test_all_provinces_have_full_names() -> None:
    entries = load_provinces()
    assert len(entries) == 34
    assert len({entry["short"] for entry in entries}) == 34
    for entry in entries:
        assert parse_province(entry["full"]) == entry["short"]
        assert parse_province(entry["short"]) == entry["short"]
        assert province_full_name(entry["short"]) == entry["full"]


def test_city_and_alias_names_are_unambiguous() -> None:
    owner: dict[str, str] = {}
    for entry in load_provinces():
        for name in [
            entry["short"],
            entry["full"],
            *(entry.get("aliases") or []),
            *(entry.get("cities") or []),
        ]:
            assert owner.setdefault(name, entry["short"]) == entry["short"], name


@pytest.mark.parametrize(
    ("short", "full"),
    [
        ("广东", "广东省"),
        ("北京", "北京市"),
        ("内蒙古", "内蒙古自治区"),
        ("宁夏", "宁夏回族自治区"),
        ("香港", "香港特别行政区"),
    ],
)
def test_province_full_name(short: str, full: str) -> None:
    assert province_full_name(short) == full


def test_province_full_name_rejects_unknown() -> None:
    with pytest.raises(ValueError, match="火星"):
        province_full_name("火星")


def test_mainland() -> None:
    assert is_mainland("广东")
    assert not is_mainland("香港")
    assert not is_mainland("台湾")


def test_find_provinces() -> None:
    assert find_provinces("北京、上海和深圳都有业务") == ["北京", "上海", "广东"]
    assert find_provinces("不在北京") == []


# One-character abbreviations in compound words (abbreviation_compounds in provinces.yml).


@pytest.mark.parametrize(
    ("text", "short"),
    [
        # <abbr><suffix>
        ("沪上", "上海"),
        ("沪上的公司,注册地浦东", "上海"),
        ("沪企", "上海"),
        ("我们是沪企", "上海"),
        ("我们沪企", "上海"),
        ("粤企,总部在天河", "广东"),
        ("作为粤企", "广东"),
        ("京企", "北京"),
        ("一家京企", "北京"),
        ("苏企", "江苏"),
        ("浙企", "浙江"),
        ("属于鲁企", "山东"),
        ("滬企", "上海"),  # traditional characters
        # <prefix><abbr>
        ("在沪", "上海"),
        ("驻沪", "上海"),
        ("落户沪", "上海"),
        ("来沪", "上海"),
        ("在沪上", "上海"),
        ("落户沪上", "上海"),
        ("公司在沪注册", "上海"),
        ("在京", "北京"),
        ("驻京", "北京"),
        ("驻京办", "北京"),
        ("进京", "北京"),
        ("我们在京,海淀区那边", "北京"),
        ("在京企业", "北京"),
        ("在浙", "浙江"),
        ("在渝有两个点", "重庆"),
        ("扎根川", "四川"),
        ("落户粤", "广东"),
        ("在津的公司", "天津"),
        ("在湘经营", "湖南"),
        ("在沪(浦东)", "上海"),
        # negated like a name: the other place wins
        ("不在京,在上海", "上海"),
        ("不是京企,是沪企", "上海"),
    ],
)
def test_abbreviation_in_a_compound(text: str, short: str) -> None:
    assert parse_province(text) == short
    assert find_provinces(text)[-1] == short


@pytest.mark.parametrize(
    "text",
    [
        # the words a careless reading of an abbreviation would get wrong
        "申请",
        "在申请",  # 申 = 上海, but never in a compound
        "正在申请呼叫中心许可证",
        "京东",
        "在京东上买的系统",
        "进驻京东",
        "津贴",
        "在津贴方面",
        "黑色",
        "黑名单",
        "进黑名单了",
        "吉利",
        "阿里云",
        "用的阿里云",
        "云呼叫中心",
        "在云上",
        "新公司",
        "在新注册的公司",
        "在贵公司",
        "川流不息",
        "在晋升",
        "有点鲁莽",
        "还在犹豫",
        "在豫园",
        "在京都",  # Kyoto
        "东京企业",  # 京企 inside 东京
        "复苏企业",
        "平台企业",
        "台企",  # Taiwan-invested: says who owns it, not where
        "港企",
        "澳企",
        "在苏格兰",
        "入驻苏宁",
        "在沪上市",  # listed on the Shanghai exchange
        "沪上市公司",
        "在沪市",
        "在沪A股",
        "沪深两市",
        "企图",
        "在京企图",
        # several regions at once
        "粤港澳",
        "在粤港澳大湾区",
        "京津冀企业",
        "在京津冀",
        "苏浙沪",
        "江浙沪企业",
        "客户分布在豫、冀、鲁三个省",
        "在京和沪",
        "在沪/京",
        # negated
        "我们不是沪企",
        "不在沪",
    ],
)
def test_abbreviation_outside_a_compound_is_no_province(text: str) -> None:
    assert parse_province(text) is None
    assert find_provinces(text) == []


def test_abbreviation_compounds_in_coverage() -> None:
    assert parse_coverage("只在沪做业务") == "地网"
    assert parse_coverage("在京本地") == "地网"


def test_abbreviation_in_a_compound_is_a_mention_of_the_abbreviation() -> None:
    text = normalise("我们是沪企,不在京")
    mentions = province_mentions(text)
    assert [(m.short, text[m.start : m.end], m.negated) for m in mentions] == [
        ("上海", "沪企", False),
        ("北京", "京", True),
    ]


def test_compound_abbreviations_are_a_closed_safe_set() -> None:
    spec = load_yaml("provinces.yml")["abbreviation_compounds"]
    owners = {str(a): e["short"] for e in load_provinces() for a in e.get("abbr") or []}
    allowed = {str(a) for a in spec["abbreviations"]}
    assert allowed <= set(owners)  # each is some province's abbreviation
    # ordinary characters in common words, or a place that is not where the licence is
    assert not allowed & set("申吉黑云新贵甘秦青藏宁蒙台港澳")


def test_ruler_patterns_hold_no_abbreviation() -> None:
    """The spaCy EntityRuler (scripts/build_spacy.py) cannot look at the characters
    around a pattern, so it gets no abbreviation, alone or in a compound: every
    province pattern it has is a name the parser reads the same way."""
    path = Path(__file__).resolve().parents[2] / "scripts" / "build_spacy.py"
    module_spec = importlib.util.spec_from_file_location("build_spacy", path)
    assert module_spec is not None and module_spec.loader is not None
    build_spacy = importlib.util.module_from_spec(module_spec)
    module_spec.loader.exec_module(build_spacy)
    provinces = [p["pattern"] for p in build_spacy.ruler_patterns() if p["label"] == "province"]
    assert provinces
    abbreviations = {str(a) for e in load_provinces() for a in e.get("abbr") or []}
    for pattern in provinces:
        assert len(pattern) > 1 and pattern not in abbreviations, pattern
        assert parse_province(pattern) is not None, pattern
        assert not places._compound_spans(normalise(pattern)), pattern


# --- coverage ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "coverage"),
    [
        ("全网", "全网"),
        ("全国", "全网"),
        ("全国的业务", "全网"),
        ("跨省", "全网"),
        ("跨地区", "全网"),
        ("全国性", "全网"),
        ("多个省", "全网"),
        ("好几个省", "全网"),
        ("地网", "地网"),
        ("省网", "地网"),
        ("本地网", "地网"),
        ("省内", "地网"),
        ("本省", "地网"),
        ("一个省", "地网"),
        ("只在广东", "地网"),
        ("只做上海本地业务", "地网"),
        ("上海本地", "地网"),
        ("不是全网", "地网"),
        ("不跨省", "地网"),
        ("不只在上海", "全网"),
        ("全網", "全网"),
    ],
)
def test_parse_coverage(text: str, coverage: str) -> None:
    assert parse_coverage(text) == coverage


@pytest.mark.parametrize("text", ["只做外包", "有", "广东", ""])
def test_no_coverage(text: str) -> None:
    assert parse_coverage(text) is None
