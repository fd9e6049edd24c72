"""The word families of data/nlu/concepts.yml, as RegexFeaturizer matches them
(on normalised text, ignoring case, no word boundaries)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Dict

import pytest
from rasa.shared.nlu.training_data.loading import load_data

from zhtext.normalise import normalise

CONCEPTS = Path(__file__).resolve().parents[2] / "data" / "nlu" / "concepts.yml"


def families() -> Dict[str, re.Pattern]:
    data = load_data(str(CONCEPTS))
    result: Dict[str, re.Pattern] = {}
    for regex in data.regex_features:
        assert regex["name"] not in result, f"{regex['name']} defined twice"
        result[regex["name"]] = re.compile(regex["pattern"], re.IGNORECASE)
    return result


FAMILIES = families()


def fired(text: str) -> set:
    prepared = normalise(text)
    return {name for name, pattern in FAMILIES.items() if pattern.search(prepared)}


def test_the_file_holds_only_families_and_no_training_examples() -> None:
    data = load_data(str(CONCEPTS))
    assert not data.training_examples
    replies = {
        "thanks",
        "farewell",
        "stop",
        "human",
        "restart",
        "why",
        "unsure",
        "greeting",
        "bot_identity",
        "what_about",
    }
    topics = {name for name in FAMILIES if name.startswith("topic_")}
    assert set(FAMILIES) == replies | topics
    assert len(topics) >= 15


@pytest.mark.parametrize(
    "text, family",
    [
        ("多謝晒", "thanks"),
        ("辛苦啦", "thanks"),
        ("THX!", "thanks"),
        ("帮大忙了", "thanks"),
        ("那我先撤了", "farewell"),
        ("改日再聊", "farewell"),
        ("Bye bye", "farewell"),
        ("886", "farewell"),
        ("不测了", "stop"),
        ("别再问了", "stop"),
        ("quit", "stop"),
        ("给我转真人", "human"),
        ("能不能来个人跟我说", "human"),
        ("为神马", "why"),
        ("把记录全清了", "restart"),
        ("唔记得咗", "unsure"),
        ("not certain, finance would know", "unsure"),
        ("留个微信", "human"),
        ("talk to an agent", "human"),
        ("从头再来", "restart"),
        ("start over", "restart"),
        ("凭啥不行", "why"),
        ("差在哪", "why"),
        ("Why?", "why"),
        ("这个我不晓得", "unsure"),
        ("得问问财务", "unsure"),
        ("not sure", "unsure"),
        ("哈囉", "greeting"),
        ("在么", "greeting"),
        ("你是機器人吗", "bot_identity"),
        ("are you real", "bot_identity"),
        ("點解唔得", "why"),
        ("晓不得", "unsure"),
        ("那北京又怎样", "what_about"),
        ("如果是外资控股的话", "what_about"),
        ("年报呢？", "what_about"),
        ("What about nationwide?", "what_about"),
    ],
)
def test_a_family_fires_on_words_of_its_kind(text: str, family: str) -> None:
    assert family in fired(text)


@pytest.mark.parametrize(
    "text, family",
    [
        ("city call center", "thanks"),  # ty inside a word
        ("注册资本要多少", "thanks"),
        ("availability", "human"),  # ai inside a word
        ("20来个人", "human"),  # a head count, not "来个人" (send someone)
        ("十来个人交社保", "human"),
        ("注册资本要多少", "farewell"),
        ("办证要多久", "stop"),
        ("注册资本要多少", "why"),
        ("we are in Shanghai", "why"),
        ("北京", "unsure"),
        ("maintain", "bot_identity"),
        ("注册资本要多少呢，我们只有五十万", "what_about"),  # a full question, not a fragment
        ("somewhat about it", "what_about"),
    ],
)
def test_a_family_stays_quiet_on_other_words(text: str, family: str) -> None:
    assert family not in fired(text)


@pytest.mark.parametrize(
    "chinese, english, family",
    [
        ("注册资本最少多少", "minimum registered capital?", "topic_capital"),
        ("年报几月份交", "when is the annual report due", "topic_annual_report"),
        ("证快到期了怎么续", "how do we renew before it expires", "topic_renewal"),
        ("外资能办吗", "can a WFOE apply", "topic_foreign"),
        ("没证做外包被抓了罚多少", "what if we get caught without a licence", "topic_penalty"),
        ("招标要求有这个证", "the tender requires it", "topic_tender"),
        ("要准备哪些材料", "what documents do we need", "topic_materials"),
        ("办下来要多久", "how long does it take", "topic_time"),
        ("代办费多少钱", "how much are the fees", "topic_cost"),
        ("外呼要注意什么", "rules for outbound calls", "topic_outbound"),
    ],
)
def test_a_topic_family_fires_in_both_languages(chinese: str, english: str, family: str) -> None:
    assert family in fired(chinese)
    assert family in fired(english)


@pytest.mark.parametrize(
    "text, family",
    [
        ("capitalize the title", "topic_capital"),
        ("we moved on", "topic_renewal"),
        ("forward it to me", "topic_foreign"),
        ("finest restaurants", "topic_penalty"),
    ],
)
def test_a_topic_family_stays_quiet_inside_other_english_words(text: str, family: str) -> None:
    assert family not in fired(text)
