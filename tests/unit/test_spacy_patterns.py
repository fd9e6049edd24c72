"""The spaCy EntityRuler's patterns (scripts/build_spacy.py): one grammar with zhtext.

The ruler's province and coverage words are the words zhtext.places reads, and its
money, count and date patterns take their words from zhtext/data/vocabulary.yml.
The pipeline is built here in memory from the data, as `make assets` builds it; no
Rasa, no trained model.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from zhtext.normalise import normalise
from zhtext import places
from zhtext.places import parse_coverage, parse_province
from zhtext.vocabulary import vocabulary_words

ROOT = Path(__file__).resolve().parents[2]


def load_build_spacy() -> ModuleType:
    spec = importlib.util.spec_from_file_location("build_spacy", ROOT / "scripts" / "build_spacy.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


build_spacy = load_build_spacy()


@pytest.fixture(scope="module")
def ruler() -> Any:
    return build_spacy.pipeline()


def matched(ruler: Any, text: str) -> set[tuple[str, str]]:
    """(label, text) of every match of the ruler in ``text``, overlapping ones too."""
    doc = ruler(text)
    return {(span.label_, span.text) for span in doc.spans["ruler"]}


def coverage_words() -> list[str]:
    return list(vocabulary_words("coverage", "nationwide") + vocabulary_words("coverage", "single"))


def province_words() -> list[tuple[str, str]]:
    """Every name zhtext.places reads anywhere in a message, with its province: the
    parser's own index (names, aliases, cities; English names)."""
    index = places._province_index()
    return sorted({**index.by_name, **index.by_english}.items())


# --- the parsers' words are the ruler's ------------------------------------


@pytest.mark.parametrize("word", coverage_words())
def test_every_coverage_word_the_parser_reads_is_a_coverage_entity(word: str, ruler: Any) -> None:
    text = normalise(word)
    assert parse_coverage(text) is not None
    assert ("coverage", text) in {(label, found.lower()) for label, found in matched(ruler, text)}
    # and inside a sentence, as the NLU sees it
    assert ("coverage", text) in {
        (label, found.lower()) for label, found in matched(ruler, f"我们做{text} 的业务")
    }


@pytest.mark.parametrize(("name", "short"), province_words())
def test_every_province_name_the_parser_reads_is_a_province_entity(name: str, short: str, ruler: Any) -> None:
    text = normalise(name)
    assert parse_province(f"公司在 {text} ") == short
    assert ("province", text) in {(label, found.lower()) for label, found in matched(ruler, text)}
    assert ("province", text) in {
        (label, found.lower()) for label, found in matched(ruler, f"公司在 {text} 注册")
    }


def test_every_coverage_pattern_is_a_word_the_parser_reads() -> None:
    patterns = [p["pattern"] for p in build_spacy.ruler_patterns() if p["label"] == "coverage"]
    assert sorted(patterns) == sorted(set(coverage_words()))


# --- what the hand-written patterns found, the generated ones still find ---------
# Phrases from data/nlu and tests/unit with the entities the ruler built from the
# hand-written copies of the word lists found in them (main at aa90735). The generated
# ruler must find each again, with the same label, on the same or a longer span.

BEFORE = [
    ("sorry i meant 50万 not 500万", [("money", "50万"), ("money", "500万")]),
    ("注册资金五十万能办呼叫中心证吗", [("money", "五十万")]),
    ("1kw注册资本够不够全网门槛", [("money", "1kw"), ("coverage", "全网")]),
    ("1.5kw", [("money", "1.5kw")]),
    ("3百万", [("money", "3百万")]),
    ("两百五十万元", [("money", "两百五十万元")]),
    ("10,000,000元", [("money", "000元")]),
    ("注册资金150万元整", [("money", "150万元")]),
    ("0.2億", [("money", "0.2亿")]),
    ("800w", [("money", "800w")]),
    ("我们是上市公司子公司，注册资本3个亿，办全网应该没问题吧", [("money", "3个亿"), ("coverage", "全网")]),
    ("一个亿", [("money", "一个亿")]),
    ("5万块买国债一年利息多少", [("money", "5万块")]),
    ("资本金1.2千万", [("money", "1.2千万")]),
    ("去年营业额两千多万", [("money", "两千多万")]),
    ("一点五亿", [("money", "一点五亿")]),
    ("100 万", [("money", "100 万")]),
    ("一百来万", [("money", "一百来万")]),
    ("99.99万元", [("money", "99.99万元")]),
    ("一共15个人，社保交了10个", [("count", "15个人"), ("count", "10个")]),
    ("3个员工都有社保，连续交了半年", [("count", "3个员")]),
    ("五十多名坐席，社保都在公司交", [("count", "五十多名")]),
    ("员工挺多的，八十来个，大部分都参保", [("count", "八十来个")]),
    ("技术人员3名", [("count", "3名")]),
    ("社保人數8人", [("count", "8人")]),
    ("团队十几个人，社保还没开始交", [("count", "十几个人")]),
    ("公司在成都，做电商客服外包，员工四十多人", [("province", "成都"), ("count", "四十多人")]),
    ("八名员工", [("count", "八名员")]),
    ("大概二十来个人交社保", [("count", "二十来个人")]),
    ("有12位员工交社保", [("count", "12位员")]),
    ("50余名员工", [("count", "50余名员")]),
    ("2.5个", [("count", "2.5个")]),
    ("我们11月20号交的材料，什么时候能受理", [("date", "11月20号")]),
    ("2024年3月1日提交的，几号能受理", [("date", "2024年3月1日")]),
    ("二零二四年十二月二号交的申请，什么时候受理", [("date", "二零二四年十二月二号")]),
    ("2025/1/20递交的材料，春节前能受理吗", [("date", "2025/1/20")]),
    ("我们的证2026-03-15到期，啥时候开始办续期", [("date", "2026-03-15")]),
    ("到期日2025.11.30，续期最迟哪天递交", [("date", "2025.11.30")]),
    ("明年6月底到期要什么时候申请延续", [("date", "明年6月底")]),
    ("证明年3月8号到期，建议什么时候开始弄延续", [("date", "明年3月8号")]),
    ("今年10月到期 什么时候开始准备续证", [("date", "今年10月")]),
    ("去年十一月拿的证", [("date", "去年十一月")]),
    ("有效期至二〇二八年十二月", [("date", "二〇二八年十二月")]),
    ("呼叫中心证2026年4月到期 现在准备续期来得及吗", [("date", "2026年4月")]),
    ("今年年底", [("date", "今年年底")]),
    ("下个月十五号", [("date", "下个月十五号")]),
    ("明年3月中旬", [("date", "明年3月中")]),
    ("后年2月底", [("date", "后年2月底")]),
    ("北京的地网呼叫中心证去哪办", [("province", "北京"), ("coverage", "地网")]),
    ("广东省内的呼叫中心证找谁办", [("province", "广东省")]),
    ("浙江省通信管理局能批全网的证吗", [("province", "浙江省"), ("coverage", "全网")]),
    ("注册地是天津滨海新区", [("province", "天津"), ("province", "滨海新区")]),
    ("內蒙古自治區", [("province", "内蒙古自治区")]),
    ("我们注册在雄安，资本两百万，想做河北省内，能办下来吗", [("province", "雄安"), ("money", "两百万")]),
    ("全国都做", [("coverage", "全国")]),
    ("跨省的要去工信部办吗", [("coverage", "跨省")]),
    ("跨地区增值电信业务经营许可证", [("coverage", "跨地区")]),
    ("本地网和省网有啥区别", [("coverage", "本地网"), ("coverage", "省网")]),
    ("只做本省的业务", [("coverage", "本省")]),
]


def span_of(text: str, value: str) -> tuple[int, int]:
    start = text.index(value)
    return start, start + len(value)


@pytest.mark.parametrize(("text", "entities"), BEFORE)
def test_the_generated_ruler_finds_what_the_hand_written_one_found(
    text: str, entities: list[tuple[str, str]], ruler: Any
) -> None:
    prepared = normalise(text)
    found = [(e.label_, e.start_char, e.end_char) for e in ruler(prepared).ents]
    for label, value in entities:
        start, end = span_of(prepared, value)
        assert any(lab == label and s <= start and end <= e for lab, s, e in found), (label, value, found)


@pytest.mark.parametrize(
    ("text", "entity"),
    [
        ("只在一个省做", ("coverage", "一个省")),  # not the head count 一个: parse_count agrees
        ("业务在好几个省", ("coverage", "好几个省")),
        ("nationwide, clients in like 20 provinces", ("coverage", "nationwide")),
        ("we're a domestic llc in nanjing, 3m capital", ("money", "3m")),
        ("our registered capital is 5 million RMB", ("money", "5 million")),
        ("贰佰万元", ("money", "贰佰万元")),
        ("两百来号人", ("count", "两百来号人")),
        ("12 employees", ("count", "12 employees")),
        ("前年八月", ("date", "前年八月")),
        ("上个月20号", ("date", "上个月20号")),
    ],
)
def test_the_ruler_reads_the_words_the_parsers_read(text: str, entity: tuple[str, str], ruler: Any) -> None:
    """Words the hand-written copies had left out, from the same data as the parsers."""
    assert entity in {(e.label_, e.text.lower()) for e in ruler(normalise(text)).ents}


# --- the pattern language of patterns.yml --------------------------------------


def test_a_word_list_becomes_one_token_of_its_characters_and_a_sequence_per_longer_word() -> None:
    alternatives = build_spacy.expand({"WORDS": "money.yuan"})
    assert set(alternatives[0][0]["LOWER"]["IN"]) == {"元", "块", "圆"}
    assert [{"LOWER": "r"}, {"LOWER": "m"}, {"LOWER": "b"}] in alternatives
    assert [{"LOWER": "人"}, {"LOWER": "民"}, {"LOWER": "币"}] in alternatives


def test_an_optional_word_list_may_be_left_out() -> None:
    assert build_spacy.expand({"WORDS": "count.approximate_suffixes", "OP": "?"})[0] == []


def test_only_single_characters_repeat() -> None:
    with pytest.raises(ValueError, match="several characters"):
        build_spacy.expand({"WORDS": "money.yuan", "OP": "+"})


def test_an_unknown_word_list_is_an_error() -> None:
    with pytest.raises(KeyError, match="coverage.everywhere"):
        build_spacy.expand({"WORDS": "coverage.everywhere"})
