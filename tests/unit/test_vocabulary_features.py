"""Pinyin and domain-vocabulary features: what they tell the intent classifier."""

from __future__ import annotations

from pathlib import Path
from typing import List, Optional

import jieba
import numpy as np
import pytest
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.nlu.constants import TOKENS_NAMES
from rasa.nlu.tokenizers.tokenizer import Token
from rasa.shared.nlu.constants import INTENT, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from components.vocabulary_features import (
    DomainVocabularyFeaturizer,
    PinyinFeaturizer,
    syllable_ngrams,
    syllables,
)


def message(text: str, intent: Optional[str] = None) -> Message:
    data = {TEXT: text}
    if intent:
        data[INTENT] = intent
    result = Message(data=data)
    tokens, start = [], 0
    for word in jieba.lcut(text):
        tokens.append(Token(word, start))
        start += len(word)
    result.set(TOKENS_NAMES[TEXT], [t for t in tokens if t.text.strip()])
    return result


def sentence(msg: Message) -> List[float]:
    _, features = msg.get_sparse_features(TEXT)
    assert features is not None, "no sentence features"
    return list(np.asarray(features.features.todense())[0])


def sequence_rows(msg: Message) -> int:
    features, _ = msg.get_sparse_features(TEXT)
    return features.features.shape[0]


@pytest.fixture
def storage(tmp_path: Path) -> LocalModelStorage:
    return LocalModelStorage(tmp_path)


def make(cls, storage: LocalModelStorage, name: str, **config):
    context = ExecutionContext(GraphSchema({}), "test")
    resource = Resource(name)
    return cls.create({**cls.get_default_config(), **config}, storage, resource, context), resource


def reload(cls, storage: LocalModelStorage, resource: Resource, **config):
    context = ExecutionContext(GraphSchema({}), "test")
    return cls.load({**cls.get_default_config(), **config}, storage, resource, context)


TRAINING = [
    ("再见", "goodbye"),
    ("注册资本要多少", "faq"),
    ("办证要多久", "faq"),
    ("我们公司在杭州", "inform"),
    ("茅台股价多少", "out_of_scope"),
    ("比特币怎么买", "out_of_scope"),
]


def training_data() -> TrainingData:
    return TrainingData(training_examples=[message(t, i) for t, i in TRAINING])


# --- pinyin ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "typed, meant",
    [("在见", "再见"), ("注测资本", "注册资本"), ("蟹蟹", "谢谢"), ("註冊資本", "注册资本")],
)
def test_homophone_slips_sound_the_same(typed: str, meant: str) -> None:
    assert syllables(typed) == syllables(meant)


def test_latin_and_digits_are_kept_lower_cased() -> None:
    assert syllables("B24多久") == ["b24", "duo", "jiu"]


def test_ngrams() -> None:
    assert syllable_ngrams(["zai", "jian", "la"], 2) == ["zai", "jian", "la", "zai_jian", "jian_la"]


def test_a_homophone_slip_gets_the_features_of_the_word_meant(storage) -> None:
    featurizer, resource = make(PinyinFeaturizer, storage, "pinyin")
    featurizer.train(training_data())
    loaded = reload(PinyinFeaturizer, storage, resource)
    typed, meant = message("在见"), message("再见")
    loaded.process([typed, meant])
    assert sentence(typed) == sentence(meant)
    assert sum(sentence(typed)) == 3.0  # zai, jian, zai_jian
    assert sequence_rows(typed) == len(typed.get(TOKENS_NAMES[TEXT]))


def test_pinyin_unseen_in_training_adds_nothing(storage) -> None:
    featurizer, resource = make(PinyinFeaturizer, storage, "pinyin")
    featurizer.train(training_data())
    loaded = reload(PinyinFeaturizer, storage, resource)
    msg = message("鳄鱼")
    loaded.process([msg])
    assert sum(sentence(msg)) == 0.0


def test_untrained_pinyin_featurizer_adds_no_features(storage) -> None:
    featurizer, _ = make(PinyinFeaturizer, storage, "pinyin")
    msg = message("再见")
    featurizer.process([msg])
    assert msg.get_sparse_features(TEXT) == (None, None)


# --- domain vocabulary ----------------------------------------------------------

WORDS_SHARE, WORDS_HALF, WORDS_ALL, CHARS_SHARE, CHARS_HALF, CHARS_ALL = range(6)


@pytest.fixture
def domain(storage) -> DomainVocabularyFeaturizer:
    featurizer, resource = make(DomainVocabularyFeaturizer, storage, "domain")
    featurizer.train(training_data())
    return reload(DomainVocabularyFeaturizer, storage, resource)


def test_off_topic_words_are_outside_the_bots_vocabulary(domain) -> None:
    off, on = message("茅台股价多少"), message("注册资本多少")
    domain.process([off, on])
    row = sentence(off)
    assert row[WORDS_SHARE] == pytest.approx(2 / 3)  # 茅台, 股价 unseen; 多少 seen
    assert row[WORDS_HALF] == 1.0 and row[WORDS_ALL] == 0.0
    assert sentence(on)[WORDS_SHARE] == 0.0


def test_out_of_scope_examples_do_not_define_the_vocabulary(domain) -> None:
    msg = message("比特币怎么买")
    domain.process([msg])
    assert sentence(msg)[WORDS_ALL] == 1.0


def test_training_examples_are_measured_leaving_themselves_out(domain) -> None:
    data = training_data()
    domain.process_training_data(data)
    rows = {m.get(TEXT): sentence(m) for m in data.training_examples}
    # "我们公司在杭州" is the only example using its words: unseen without itself
    assert rows["我们公司在杭州"][WORDS_ALL] == 1.0
    # "多少" is in 注册资本要多少 too, so this example keeps one seen word
    assert rows["注册资本要多少"][WORDS_SHARE] < 1.0
    # out-of-scope examples are measured against the whole in-scope vocabulary
    assert rows["茅台股价多少"][WORDS_SHARE] == pytest.approx(2 / 3)
    # at prediction time nothing is left out
    again = message("我们公司在杭州")
    domain.process([again])
    assert sentence(again)[WORDS_SHARE] == 0.0


def test_empty_message_gets_no_features(domain) -> None:
    msg = Message(data={TEXT: ""})
    domain.process([msg])
    assert msg.get_sparse_features(TEXT) == (None, None)
