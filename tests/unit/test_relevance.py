"""components/relevance.py: the nearest training example, trained, stored and read back."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.constants import INTENT, TEXT
from rasa.shared.nlu.training_data.features import Features
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from components.relevance import NEAREST_EXAMPLE, NearestExample

ALIAS = "sentence_embedding"


def message(text: str, vector: list, intent: str | None = None, origin: str = ALIAS) -> Message:
    data = {TEXT: text, **({INTENT: intent} if intent else {})}
    result = Message(data=data)
    result.add_features(Features(np.array([vector], dtype=np.float32), "sentence", TEXT, origin))
    return result


def examples() -> TrainingData:
    return TrainingData(
        [
            message("注册资本要多少", [1.0, 0.0, 0.0], "faq"),
            message("你好", [0.0, 1.0, 0.0], "greet"),
            message("今天天气怎么样", [0.0, 0.0, 1.0], "out_of_scope"),
        ]
    )


@pytest.fixture
def storage(tmp_path: Path) -> LocalModelStorage:
    return LocalModelStorage(tmp_path)


def context() -> ExecutionContext:
    return ExecutionContext(GraphSchema({}), "test")


def trained(storage: LocalModelStorage) -> Resource:
    resource = Resource("nearest")
    component = NearestExample.create(NearestExample.get_default_config(), storage, resource, context())
    return component.train(examples())


def test_the_nearest_example_is_found_by_meaning_not_by_scale(storage: LocalModelStorage) -> None:
    resource = trained(storage)
    loaded = NearestExample.load(NearestExample.get_default_config(), storage, resource, context())
    # a long vector in the out-of-scope direction: the cosine decides, not the length
    near_weather = loaded.process([message("明天会下雨吗", [0.1, 0.2, 5.0])])[0]
    assert near_weather.get(NEAREST_EXAMPLE)["intent"] == "out_of_scope"
    assert near_weather.get(NEAREST_EXAMPLE)["similarity"] == pytest.approx(
        5.0 / np.linalg.norm([0.1, 0.2, 5.0]), abs=1e-3
    )
    near_capital = loaded.process([message("资本金多少", [0.9, 0.1, 0.0])])[0]
    assert near_capital.get(NEAREST_EXAMPLE)["intent"] == "faq"


def test_only_the_named_featurizer_is_read(storage: LocalModelStorage) -> None:
    loaded = NearestExample.load(NearestExample.get_default_config(), storage, trained(storage), context())
    other = loaded.process([message("明天会下雨吗", [0.0, 0.0, 1.0], origin="another")])[0]
    assert other.get(NEAREST_EXAMPLE) is None


def test_an_untrained_component_adds_nothing(storage: LocalModelStorage) -> None:
    loaded = NearestExample.load(NearestExample.get_default_config(), storage, Resource("missing"), context())
    assert loaded.process([message("你好", [0.0, 1.0, 0.0])])[0].get(NEAREST_EXAMPLE) is None


def test_a_blank_message_has_no_nearest_example(storage: LocalModelStorage) -> None:
    loaded = NearestExample.load(NearestExample.get_default_config(), storage, trained(storage), context())
    assert loaded.process([message("", [0.0, 0.0, 0.0])])[0].get(NEAREST_EXAMPLE) is None
