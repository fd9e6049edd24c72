"""Intent classifier that learns the FAQ's sub-topics as separate classes.

The retrieval intent ``faq`` holds about 30 kinds of question (capital, materials,
renewal...) and two thirds of all examples. As one class it is a large, incoherent
blob next to small intents such as ``out_of_scope`` or ``check_need``, and a linear
classifier (or DIET) pulls everything licence-flavoured into it. Trained on the
fine labels (``faq/capital`` ... plus the ordinary intents), each class is coherent
and about the same size; at prediction the sub-topic probabilities are summed back
into ``faq``, so the rest of Rasa sees the usual intents. Which FAQ answer to give
is still decided by the ResponseSelector.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from typing import Any, Dict, List, Text, Tuple

from rasa.engine.graph import ExecutionContext
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.logistic_regression_classifier import (
    LogisticRegressionClassifier,
)
from rasa.shared.nlu.constants import INTENT, INTENT_RESPONSE_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData
from scipy.sparse import csr_matrix

logger = logging.getLogger(__name__)

# Parse-data key of the most likely fine label (e.g. "faq/capital").
FINE_INTENT = "fine_intent"


@DefaultV1Recipe.register(
    DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True
)
class SubIntentLogisticRegression(LogisticRegressionClassifier):
    """Class-balanced logistic regression over fine labels, reported as intents."""

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {
            **LogisticRegressionClassifier.get_default_config(),
            "C": 1.0,
            # "balanced" (Rasa's choice) or null: with fine labels the classes are
            # already of similar size, and balancing made short chit-chat intents
            # swallow every short unknown message.
            "class_weight": "balanced",
        }

    def __init__(
        self,
        config: Dict[Text, Any],
        name: Text,
        model_storage: ModelStorage,
        resource: Resource,
    ) -> None:
        super().__init__(config, name, model_storage, resource)
        self.clf.C = float(self.config["C"])
        self.clf.class_weight = self.config["class_weight"]

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> "SubIntentLogisticRegression":
        return cls(config, execution_context.node_name, model_storage, resource)

    def _create_training_matrix(
        self, training_data: TrainingData
    ) -> Tuple[csr_matrix, List[str]]:
        examples = [
            e for e in training_data.intent_examples if e.get(INTENT) and e.get(TEXT)
        ]
        labels = [e.get(INTENT_RESPONSE_KEY) or e.get(INTENT) for e in examples]
        return self._create_X(examples), labels

    def process(self, messages: List[Message]) -> List[Message]:
        if not messages:
            return messages
        probabilities = self.clf.predict_proba(self._create_X(messages))
        for message, row in zip(messages, probabilities):
            totals: Dict[str, float] = defaultdict(float)
            for label, probability in zip(self.clf.classes_, row):
                totals[str(label).split("/", 1)[0]] += float(probability)
            ranking = sorted(
                ({"name": k, "confidence": v} for k, v in totals.items()),
                key=lambda item: -item["confidence"],
            )
            message.set(INTENT, ranking[0], add_to_output=True)
            best = int(row.argmax())
            message.set(
                FINE_INTENT,
                {"name": str(self.clf.classes_[best]), "confidence": float(row[best])},
                add_to_output=True,
            )
            logger.debug(
                "intent %s %.2f (%s %.2f) <- %r",
                ranking[0]["name"],
                ranking[0]["confidence"],
                self.clf.classes_[best],
                row[best],
                message.get(TEXT),
            )
            length = self.config["ranking_length"]
            message.set(
                "intent_ranking", ranking[:length] if length > 0 else ranking, add_to_output=True
            )
        return messages
