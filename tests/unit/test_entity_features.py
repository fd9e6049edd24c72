"""The entity-type featurizer: what it tells the intent classifier about a message."""

from __future__ import annotations

from pathlib import Path
from typing import List

import numpy as np
import pytest
from rasa.nlu.constants import SPACY_DOCS, TOKENS_NAMES
from rasa.nlu.tokenizers.tokenizer import Token
from rasa.nlu.utils.spacy_utils import SpacyModel
from rasa.shared.nlu.constants import ENTITIES, TEXT
from rasa.shared.nlu.training_data.message import Message
import yaml

from components.entity_features import (
    CUES,
    EntityTypeFeaturizer,
    WholeWordEntityExtractor,
    whole_word,
    whole_word_entities,
)

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def featurizer_config() -> dict:
    config = yaml.safe_load((ROOT / "config.yml").read_text(encoding="utf-8"))
    step = next(s for s in config["pipeline"] if s["name"].endswith("EntityTypeFeaturizer"))
    return {**EntityTypeFeaturizer.get_default_config(), **step}


def features(text: str, nlp, config: dict) -> List[float]:
    message = Message(data={TEXT: text})
    message.set(TOKENS_NAMES[TEXT], [Token(text, 0)])
    message.set(SPACY_DOCS[TEXT], nlp(text))
    EntityTypeFeaturizer(config, "entity_types").process([message])
    _, sentence = message.get_sparse_features(TEXT)
    return list(np.asarray(sentence.features.todense())[0])


def column(config: dict, name: str) -> int:
    labels = list(config["labels"])
    if name in labels:
        return labels.index(name)
    if name in CUES:
        return len(labels) + list(CUES).index(name)
    assert name == "outside_topic"
    return len(labels) + len(CUES)


@pytest.mark.parametrize(
    "text, outside",
    [
        ("IDC证办下来要多久", 1.0),
        ("公司注销前要先清税吗", 1.0),
        ("icp许可证注册资本多少", 1.0),  # lower case still names ICP
        ("ICP和呼叫中心证有什么区别", 0.0),  # names ours too: a B24 question
        ("营业执照上有呼叫中心这一项", 0.0),
        ("注册资本要多少", 0.0),  # names nothing: the bot's own topic
        ("we need an EDI licence too", 1.0),  # a whole word names EDI
        ("we're based in shenzhen", 0.0),  # not "ed i" across two words
        ("do we need a dedicated physical site", 0.0),  # not "edi" inside a word
        ("can i speak to one of your consultants pls", 0.0),  # not "i sp"
        ("办跨地区ISP许可要哪些条件", 1.0),  # "ISP", though the longer "SP许可" touches "I"
        ("sp许可证要多少钱", 1.0),  # the longer match, when it is a whole word
        ("短信群发要办什么证,SP吗", 1.0),
        ("a spa day", 0.0),  # not "sp" inside a word
        ("企业信用公示系统年报密码忘了咋办", 1.0),  # the company's annual report
        ("呼叫中心年报在哪个系统填", 0.0),
    ],
)
def test_naming_only_another_licence_or_company_admin_is_marked_outside(
    text: str, outside: float, nlp, featurizer_config: dict
) -> None:
    row = features(text, nlp, featurizer_config)
    assert row[column(featurizer_config, "outside_topic")] == outside


def test_a_bare_no_and_a_no_with_content_get_different_cues(nlp, featurizer_config: dict) -> None:
    bare = features("没有", nlp, featurizer_config)
    content = features("没有场地", nlp, featurizer_config)
    assert bare[column(featurizer_config, "no")] == content[column(featurizer_config, "no")] == 1.0
    assert bare[column(featurizer_config, "bare_yes_no")] == 1.0
    assert content[column(featurizer_config, "bare_yes_no")] == 0.0


def test_money_and_question_cues_are_set(nlp, featurizer_config: dict) -> None:
    row = features("注册资本500万够吗", nlp, featurizer_config)
    assert row[column(featurizer_config, "money")] == 1.0
    assert row[column(featurizer_config, "question")] == 1.0
    statement = features("注册资本500万", nlp, featurizer_config)
    assert statement[column(featurizer_config, "question")] == 0.0


@pytest.mark.parametrize(
    "text, yes, no",
    [("有的", 1.0, 0.0), ("是的", 1.0, 0.0), ("没有", 0.0, 1.0), ("木有", 0.0, 1.0), ("不清楚", 0.0, 0.0)],
)
def test_which_way_a_yes_no_answer_goes_is_a_cue(
    text: str, yes: float, no: float, nlp, featurizer_config: dict
) -> None:
    row = features(text, nlp, featurizer_config)
    assert (row[column(featurizer_config, "yes")], row[column(featurizer_config, "no")]) == (yes, no)


@pytest.mark.parametrize(
    "text, start, end, expected",
    [
        ("ICP证要多久", 0, 3, True),
        ("办个icp", 2, 5, True),
        ("B24是什么", 0, 3, True),
        ("based in", 3, 8, False),  # "ed i" starts inside "based"
        ("a call center", 2, 13, True),  # a space inside is fine
        ("the difference", 2, 6, False),  # "e di"
        ("credit", 2, 5, False),  # "edi" inside a word
        ("注册资本", 0, 4, True),  # no Latin letters: always whole
    ],
)
def test_a_latin_match_counts_only_as_a_whole_word(text: str, start: int, end: int, expected: bool) -> None:
    assert whole_word(text, start, end) is expected


def test_the_whole_word_choice_is_made_among_all_matches(nlp) -> None:
    picked = [(e.text, e.label_) for e in whole_word_entities(nlp("办跨地区ISP许可"))]
    assert picked == [("跨地区", "coverage"), ("ISP", "other_licence")]


@pytest.mark.parametrize("text", ["注册资本5kw", "资本1.5KW", "500万够吗", "五百万", "0.5亿"])
def test_the_ruler_marks_amounts_in_every_notation(text: str, nlp) -> None:
    assert "money" in {entity.label_ for entity in nlp(text).ents}


@pytest.fixture(scope="module")
def extractor() -> WholeWordEntityExtractor:
    config = yaml.safe_load((ROOT / "config.yml").read_text(encoding="utf-8"))
    step = next(s for s in config["pipeline"] if s["name"].endswith("WholeWordEntityExtractor"))
    return WholeWordEntityExtractor({**WholeWordEntityExtractor.get_default_config(), **step})


@pytest.mark.parametrize(
    "text, expected",
    [
        ("800w够不够", [("money", "800w")]),
        ("1kw注册资本够不够全网门槛", [("money", "1kw"), ("coverage", "全网")]),
        ("when does the 2026 world cup start", []),  # not "2026 w"
        ("邮箱zhang.wei@163.com", []),  # not ".w"
        ("深圳公司注册资本500万，全国都做", [("province", "深圳"), ("money", "500万"), ("coverage", "全国")]),
        # the parsers' Latin words (scripts/build_spacy.py), as whole words only
        ("capital is 5m rmb", [("money", "5m")]),
        ("does social insurance have to be paid for 3 months", []),  # not "3 m"
        ("Our licence expires on 15 May 2026", []),  # not "15 M"
        ("several multinational clients", []),  # not "national"
        ("we're in shenzhen, clients nationwide", [("province", "shenzhen"), ("coverage", "nationwide")]),
        ("IDC证要多久", []),  # a topic marker is a feature, not an entity
    ],
)
def test_a_message_carries_the_whole_word_entities_its_features_saw(
    text: str, expected: list, nlp, extractor: WholeWordEntityExtractor
) -> None:
    message = Message(data={TEXT: text})
    extractor.process([message], SpacyModel(model=nlp, model_name="spacy_zh"))
    assert [(e["entity"], e["value"]) for e in message.get(ENTITIES)] == expected
