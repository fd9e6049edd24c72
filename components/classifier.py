"""Intent classifier that learns the FAQ's sub-topics as separate classes.

The retrieval intent ``faq`` holds about 30 kinds of question (capital, materials,
renewal...) and two thirds of all examples. As one class it is a large, incoherent
blob next to small intents such as ``out_of_scope`` or ``check_need``, and a linear
classifier (or DIET) pulls everything licence-flavoured into it. Trained on the
fine labels (``faq/capital`` ... plus the ordinary intents), each class is coherent
and about the same size; at prediction the sub-topic probabilities are summed back
into ``faq``, so the rest of Rasa sees the usual intents. Which FAQ answer to give
is still decided by the ResponseSelector.

Summing thirty sub-topics has its own bias: when a statement such as "我们有专门的
投诉处理流程" is unclear, many small FAQ probabilities add up to more than one
``inform``. A second regression, trained on the coarse intents, does not have it;
the intent reported is the average of the two (``coarse_weight``). Over 5-fold
cross-validation of all examples the mix made 0.5 points fewer errors than either
model alone.
"""

from __future__ import annotations

import copy
import logging
from collections import defaultdict
from typing import Any, Dict, List, Optional, Text, Tuple

import numpy as np

from rasa.engine.graph import ExecutionContext
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.logistic_regression_classifier import (
    LogisticRegressionClassifier,
)
from rasa.shared.constants import DEFAULT_NLU_FALLBACK_INTENT_NAME as NLU_FALLBACK_INTENT_NAME
from rasa.shared.nlu.constants import INTENT, INTENT_RESPONSE_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData
from scipy.sparse import csr_matrix, vstack

from components.sentence_embedding import embed
from licence.message_shape import last_question, question_clauses
from licence.context import FINE_INTENT, FINE_RANKING  # noqa: F401 (re-exported)

logger = logging.getLogger(__name__)

# Parse-data keys of the most likely fine label (e.g. "faq/capital") and of the
# most likely few, best first: FINE_INTENT and FINE_RANKING (licence/context.py,
# which the server-side context reading shares).
FINE_RANKING_LENGTH = 8
# A message that asks two questions ("办哪种证，找谁办"): the fine label of each
QUESTION_PARTS = "question_parts"
# A long message that describes the company and then asks one thing: the
# fine ranking of that last question on its own ({"text", "ranking"})
LAST_QUESTION = "last_question"


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True)
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
            # share of the coarse-intent regression in the reported intent
            # (0: the summed fine labels only; 1: the coarse regression only)
            "coarse_weight": 0.5,
            # share of the semantic regression (over the dense sentence
            # embedding) in the fine labels' probabilities; 0 turns it off
            "semantic_weight": 0.5,
            "semantic_C": 10.0,
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
        self.coarse_weight = float(self.config["coarse_weight"])
        self.coarse_clf = copy.deepcopy(self.clf) if self.coarse_weight > 0 else None
        # set from the training data by the first _create_X (see there)
        self.column_scale: Optional[np.ndarray] = None
        self.semantic_weight = float(self.config["semantic_weight"])
        self.semantic_clf: Optional[Any] = None
        if self.semantic_weight > 0:
            self.semantic_clf = copy.deepcopy(self.clf)
            self.semantic_clf.C = float(self.config["semantic_C"])

    @classmethod
    def validate_config(cls, config: Dict[Text, Any]) -> None:
        super().validate_config(config)
        for key in ("coarse_weight", "semantic_weight"):
            weight = config.get(key, 0.5)
            if not 0.0 <= float(weight) <= 1.0:
                raise ValueError(f"{key} must be between 0 and 1, not {weight}")

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> "SubIntentLogisticRegression":
        return cls(config, execution_context.node_name, model_storage, resource)

    def _create_training_matrix(self, training_data: TrainingData) -> Tuple[csr_matrix, List[str]]:
        examples = [e for e in training_data.intent_examples if e.get(INTENT) and e.get(TEXT)]
        labels = [e.get(INTENT_RESPONSE_KEY) or e.get(INTENT) for e in examples]
        return self._create_X(examples), labels

    def _create_X(self, messages: List[Message]) -> csr_matrix:
        """The sparse features only (dense ones go to the semantic regression),
        each column divided by its largest value in the training data: large
        counts beside 0/1 features slowed the solver's convergence many times
        over for no gain in accuracy (figures in the session's closing note)."""
        rows = []
        for message in messages:
            sparse = message.get_sparse_features(attribute=TEXT)[1]
            rows.append(csr_matrix(sparse.features if sparse else []))
        X = vstack(rows).tocsr()
        if self.column_scale is None:
            return X
        return csr_matrix(X.multiply(self.column_scale.reshape(1, -1)))

    @staticmethod
    def _dense_X(messages: List[Message]) -> Optional[np.ndarray]:
        """The dense sentence features, one row per message (None without any)."""
        rows = []
        for message in messages:
            dense = message.get_dense_features(attribute=TEXT)[1]
            if dense is None:
                return None
            rows.append(np.asarray(dense.features, dtype=np.float32).reshape(-1))
        return np.vstack(rows) if rows else None

    def train(self, training_data: TrainingData) -> Resource:
        examples = [e for e in training_data.intent_examples if e.get(INTENT) and e.get(TEXT)]
        self.column_scale = None
        X, y = self._create_training_matrix(training_data)
        if X.shape[0] == 0:
            return self._resource
        peak = np.asarray(abs(X).max(axis=0).todense()).ravel()
        self.column_scale = np.where(peak > 0, 1.0 / np.maximum(peak, 1e-12), 1.0)
        X = csr_matrix(X.multiply(self.column_scale.reshape(1, -1)))
        self.clf.fit(X, y)
        if self.coarse_clf is not None:
            self.coarse_clf.fit(X, [label.split("/", 1)[0] for label in y])
        dense = self._dense_X(examples) if self.semantic_clf is not None else None
        if dense is None:
            self.semantic_clf = None
        else:
            self.semantic_clf.fit(dense, y)
        self.persist()
        return self._resource

    def persist(self) -> None:
        super().persist()
        import skops.io as sio

        with self._model_storage.write_to(self._resource) as model_dir:
            if self.column_scale is not None:
                np.save(model_dir / f"{self._resource.name}.scale.npy", self.column_scale)
            for suffix, model in (("coarse", self.coarse_clf), ("semantic", self.semantic_clf)):
                if model is not None:
                    sio.dump(model, model_dir / f"{self._resource.name}.{suffix}.skops")

    @classmethod
    def load(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> "SubIntentLogisticRegression":
        component = super().load(config, model_storage, resource, execution_context, **kwargs)
        with model_storage.read_from(resource) as model_dir:
            scale = model_dir / f"{resource.name}.scale.npy"
            if scale.exists():
                component.column_scale = np.load(scale)
        component.coarse_clf = cls._load_part(model_storage, resource, "coarse", component.coarse_clf)
        component.semantic_clf = cls._load_part(model_storage, resource, "semantic", component.semantic_clf)
        return component

    @staticmethod
    def _load_part(model_storage: ModelStorage, resource: Resource, suffix: str, configured: Any) -> Any:
        """One of the extra regressions, or None when it is off or was not trained."""
        if configured is None:
            return None
        import skops.io as sio

        try:
            with model_storage.read_from(resource) as model_dir:
                path = model_dir / f"{resource.name}.{suffix}.skops"
                untrusted = sio.get_untrusted_types(file=path)
                if untrusted:
                    raise ValueError(f"untrusted types {untrusted} in {path}")
                return sio.load(path, trusted=untrusted)
        except (ValueError, FileNotFoundError) as error:
            logger.debug("no %s intent regression (%s)", suffix, error)
            return None

    def _coarse_totals(self, fine: Any, X: csr_matrix) -> List[Dict[str, float]]:
        """Per message: intent -> probability, the fine labels' probabilities
        (``fine``) summed and mixed with the coarse regression's."""
        rows: List[Dict[str, float]] = []
        for row in fine:
            totals: Dict[str, float] = defaultdict(float)
            for label, probability in zip(self.clf.classes_, row):
                totals[str(label).split("/", 1)[0]] += float(probability)
            rows.append(totals)
        if self.coarse_clf is None or not hasattr(self.coarse_clf, "classes_"):
            return rows
        coarse = self.coarse_clf.predict_proba(X)
        w = self.coarse_weight
        mixed = []
        for totals, row in zip(rows, coarse):
            merged: Dict[str, float] = defaultdict(float)
            for name, value in totals.items():
                merged[name] += (1.0 - w) * value
            for label, probability in zip(self.coarse_clf.classes_, row):
                merged[str(label)] += w * float(probability)
            mixed.append(merged)
        return mixed

    def process(self, messages: List[Message]) -> List[Message]:
        # A blank message has no features to classify ("" or only spaces or
        # emoji-free punctuation stripped by the normaliser): it is unclear, and
        # action_unclear prompts the user to type a question.
        blank = [m for m in messages if not (m.get(TEXT) or "").strip()]
        for message in blank:
            unclear = {"name": NLU_FALLBACK_INTENT_NAME, "confidence": 1.0}
            message.set(INTENT, unclear, add_to_output=True)
            message.set("intent_ranking", [unclear], add_to_output=True)
        texts = [m for m in messages if (m.get(TEXT) or "").strip()]
        if not texts:
            return messages
        X = self._create_X(texts)
        probabilities = self.clf.predict_proba(X)
        dense = self._dense_X(texts) if self.semantic_clf is not None else None
        if dense is not None:
            w = self.semantic_weight
            probabilities = (1.0 - w) * probabilities + w * self.semantic_clf.predict_proba(dense)
        for message, row, totals in zip(texts, probabilities, self._coarse_totals(probabilities, X)):
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
            # the runners-up too: the dialogue weighs them with the conversation's
            # topic (a follow-up such as "最晚提前几天" leaves the topic out)
            top = np.argsort(-row)[:FINE_RANKING_LENGTH]
            message.set(
                FINE_RANKING,
                [{"name": str(self.clf.classes_[i]), "confidence": float(row[i])} for i in top],
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
            message.set("intent_ranking", ranking[:length] if length > 0 else ranking, add_to_output=True)
            self._label_question_parts(message)
            self._label_last_question(message)
        return messages

    def _scaled_embedding(self, message: Message, texts: List[str]) -> np.ndarray:
        """The sentence embeddings of ``texts``, scaled as the message's own is."""
        own = message.get_dense_features(attribute=TEXT)[1]
        scale = float(np.linalg.norm(own.features)) if own is not None else 1.0
        return embed(texts) * scale

    def _label_last_question(self, message: Message) -> None:
        """The fine ranking of the question a long message ends in. The words
        that describe the company ("我们是做金融客服外包的，注册资本、社保都准备好了")
        pull the whole message towards the need check or the assessment; the
        question alone says what is asked ("从递交材料到拿证要多久")."""
        if self.semantic_clf is None:
            return
        question = last_question(message.get(TEXT) or "")
        if not question:
            return
        row = self.semantic_clf.predict_proba(self._scaled_embedding(message, [question]))[0]
        top = np.argsort(-row)[:FINE_RANKING_LENGTH]
        ranking = [{"name": str(self.semantic_clf.classes_[i]), "confidence": float(row[i])} for i in top]
        message.set(LAST_QUESTION, {"text": question, "ranking": ranking}, add_to_output=True)

    def _label_question_parts(self, message: Message) -> None:
        """The fine label of each question of a message that asks several.
        Features exist for the whole message only, so each clause is labelled by
        the regression over its sentence embedding alone (scaled as the
        message's own embedding is)."""
        if self.semantic_clf is None:
            return
        clauses = question_clauses(message.get(TEXT) or "")
        if not clauses:
            return
        rows = self.semantic_clf.predict_proba(self._scaled_embedding(message, clauses))
        parts = []
        for clause, row in zip(clauses, rows):
            best = int(row.argmax())
            parts.append(
                {
                    "text": clause,
                    "name": str(self.semantic_clf.classes_[best]),
                    "confidence": float(row[best]),
                }
            )
        message.set(QUESTION_PARTS, parts, add_to_output=True)
