"""The intent classifier: FAQ sub-topics learnt as classes, reported as intents,
mixed with a regression on the coarse intents, and saved and loaded whole."""

from __future__ import annotations

from pathlib import Path
from typing import List, Optional, Tuple

import numpy as np
import pytest
import scipy.sparse
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.constants import (
    FEATURE_TYPE_SENTENCE,
    INTENT,
    INTENT_RESPONSE_KEY,
    TEXT,
)
from rasa.shared.nlu.training_data.features import Features
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from components.classifier import FINE_INTENT, SubIntentLogisticRegression

# Feature columns: 0 money words, 1 time words, 2 "we have" statement,
# 3 thanks, 4 shared licence vocabulary.
WIDTH = 5
TRAINING: List[Tuple[List[int], str, Optional[str]]] = (
    [([0, 4], "faq", "faq/capital")] * 6
    + [([1, 4], "faq", "faq/timeline")] * 6
    + [([2, 4], "inform", None)] * 6
    + [([3], "thank", None)] * 6
)


def message(columns: List[int], intent: Optional[str] = None, key: Optional[str] = None) -> Message:
    data = {TEXT: "x"}
    if intent:
        data[INTENT] = intent
    if key:
        data[INTENT_RESPONSE_KEY] = key
    result = Message(data=data)
    row = np.zeros((1, WIDTH))
    row[0, columns] = 1.0
    result.add_features(Features(scipy.sparse.coo_matrix(row), FEATURE_TYPE_SENTENCE, TEXT, "test"))
    return result


def training_data() -> TrainingData:
    return TrainingData(training_examples=[message(c, i, k) for c, i, k in TRAINING])


@pytest.fixture
def storage(tmp_path: Path) -> LocalModelStorage:
    return LocalModelStorage(tmp_path)


def context() -> ExecutionContext:
    return ExecutionContext(GraphSchema({}), "test")


def trained(storage: LocalModelStorage, **config) -> Tuple[SubIntentLogisticRegression, Resource]:
    resource = Resource("intent_classifier")
    full = {**SubIntentLogisticRegression.get_default_config(), **config}
    classifier = SubIntentLogisticRegression.create(full, storage, resource, context())
    classifier.train(training_data())
    return classifier, resource


def predict(classifier: SubIntentLogisticRegression, columns: List[int]) -> Message:
    return classifier.process([message(columns)])[0]


def test_sub_topics_are_reported_as_their_intent_with_the_fine_label(storage) -> None:
    classifier, _ = trained(storage)
    result = predict(classifier, [0, 4])
    assert result.get(INTENT)["name"] == "faq"
    assert result.get(FINE_INTENT)["name"] == "faq/capital"
    names = [item["name"] for item in result.get("intent_ranking")]
    assert sorted(names) == ["faq", "inform", "thank"]
    total = sum(item["confidence"] for item in result.get("intent_ranking"))
    assert total == pytest.approx(1.0)


def test_a_statement_is_not_outvoted_by_the_sum_of_sub_topics(tmp_path: Path) -> None:
    # Only the shared licence vocabulary: each FAQ sub-topic is about as likely as
    # inform, so their sum is about twice inform; the coarse regression sees one
    # faq class the size of two and lowers that bias.
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    fine_only, _ = trained(LocalModelStorage(tmp_path / "a"), coarse_weight=0.0)
    mixed, _ = trained(LocalModelStorage(tmp_path / "b"), coarse_weight=0.5)

    def faq_share(classifier) -> float:
        ranking = predict(classifier, [4]).get("intent_ranking")
        return {item["name"]: item["confidence"] for item in ranking}["faq"]

    assert faq_share(mixed) < faq_share(fine_only)


def test_coarse_weight_one_reports_the_coarse_regression(storage) -> None:
    classifier, _ = trained(storage, coarse_weight=1.0)
    X = classifier._create_X([message([2, 4])])
    expected = classifier.coarse_clf.classes_[classifier.coarse_clf.predict_proba(X)[0].argmax()]
    assert predict(classifier, [2, 4]).get(INTENT)["name"] == expected == "inform"


def test_saved_and_loaded_classifier_predicts_the_same(storage) -> None:
    classifier, resource = trained(storage)
    loaded = SubIntentLogisticRegression.load(
        SubIntentLogisticRegression.get_default_config(), storage, resource, context()
    )
    assert loaded.coarse_clf is not None
    for columns in ([0, 4], [1, 4], [2, 4], [3], [4]):
        before = predict(classifier, columns).get("intent_ranking")
        after = predict(loaded, columns).get("intent_ranking")
        assert [i["name"] for i in before] == [i["name"] for i in after]
        assert [i["confidence"] for i in before] == pytest.approx([i["confidence"] for i in after])


def test_a_model_saved_without_the_coarse_regression_still_loads(storage) -> None:
    _, resource = trained(storage, coarse_weight=0.0)
    loaded = SubIntentLogisticRegression.load(
        {**SubIntentLogisticRegression.get_default_config(), "coarse_weight": 0.5},
        storage,
        resource,
        context(),
    )
    assert loaded.coarse_clf is None
    assert predict(loaded, [3]).get(INTENT)["name"] == "thank"


@pytest.mark.parametrize("weight", [-0.1, 1.5])
def test_a_coarse_weight_outside_zero_to_one_is_refused(weight: float) -> None:
    with pytest.raises(ValueError):
        SubIntentLogisticRegression.validate_config(
            {**SubIntentLogisticRegression.get_default_config(), "coarse_weight": weight}
        )
