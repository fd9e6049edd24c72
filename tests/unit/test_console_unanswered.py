"""console.unanswered: grouping similar messages; the NLU YAML export."""

from __future__ import annotations

import pytest
import yaml

from console.queries import Unanswered
from console.unanswered import ExportError, export_yaml, group, key_of, similarity


def item(text: str, t: float, sender: str = "s") -> Unanswered:
    return Unanswered(sender, "rest", text, t, "fallback", "nlu_fallback", 0.3)


def test_the_key_is_the_canonical_text_without_punctuation_or_spaces() -> None:
    assert key_of("你们卖保险吗？") == key_of("你们卖保险吗") == key_of(" 你們賣保險嗎 ?")
    assert key_of("注测资本要多少") == key_of("注册资本要多少")  # the normaliser's pinyin slips
    assert key_of("？！") == ""


def test_similarity_is_the_bigram_jaccard() -> None:
    assert similarity("注册资本要多少", "注册资本要多少") == 1.0
    assert similarity("注册资本要多少", "火星能办吗") == 0.0
    assert 0.6 <= similarity("注册资本要多少钱", "注册资本要多少") < 1.0


def test_groups_merge_equal_and_near_duplicate_texts_newest_first() -> None:
    items = [
        item("你们卖保险吗", 1, "a"),
        item("火星上能办吗", 2, "b"),
        item("你们卖保险吗？", 3, "c"),
        item("注册资本要多少钱", 4, "d"),
        item("注册资本要多少", 5, "e"),
        item("/greet", 6, "f"),
        item("？？", 7, "g"),
    ]
    groups = group(items)
    assert [(g.text, g.count) for g in groups] == [
        ("注册资本要多少", 2),
        ("你们卖保险吗？", 2),
        ("火星上能办吗", 1),
    ]
    assert groups[1].texts == ["你们卖保险吗？", "你们卖保险吗"]
    assert groups[0].latest == 5 and groups[0].reasons == {"fallback": 2}


def test_the_export_is_rasa_nlu_yaml_with_the_chosen_intent_and_only_the_texts() -> None:
    text = export_yaml(
        ["你们卖保险吗", "你们卖保险吗", "卖不卖车险\n啊", "  "],
        "out_of_scope",
        ["out_of_scope", "faq/capital"],
    )
    data = yaml.safe_load(text)
    assert data["version"] == "3.1"
    assert data["nlu"] == [{"intent": "out_of_scope", "examples": "- 你们卖保险吗\n- 卖不卖车险 啊\n"}]
    assert text.startswith('version: "3.1"\nnlu:\n- intent: out_of_scope\n  examples: |\n')


def test_a_retrieval_cell_is_a_valid_intent() -> None:
    data = yaml.safe_load(export_yaml(["资本金多少"], "faq/capital", ["faq/capital"]))
    assert data["nlu"][0]["intent"] == "faq/capital"


@pytest.mark.parametrize(
    "texts, intent, message",
    [
        (["x"], "not_in_domain", "unknown intent"),
        (["x"], "bad intent: x", "intent must be"),
        (["x"], None, "intent must be"),
        ([], "greet", "no example"),
        ([" "], "greet", "no example"),
        ([5], "greet", "every item must be a text"),
    ],
)
def test_an_export_that_cannot_be_made_says_why(texts, intent, message: str) -> None:
    with pytest.raises(ExportError, match=message):
        export_yaml(texts, intent, ["greet", "faq/capital"])
