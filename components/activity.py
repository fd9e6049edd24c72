"""The business activity a message describes, read by meaning.

The need check asks what the business does and answers by activity
(licence/ruleset.yml, ``need_check.activities``). Word lists
(licence/topics.yml, ``activities``) catch the usual names; a description
in other words ("按坐席数收月租", "我们做云客服平台，客户自己配人用") has none of
them. This component compares the message's sentence embedding with short
descriptions of each activity (data/need/activities.yml) and writes the
nearest activity when it is near enough and clearly nearer than the next one
(``described_activity``), and, on lower terms, the likeliest one
(``likely_activity``), which only a reply to the need check's question counts.
What to do with them is the actions' business (actions/common.py): the clear
reading first, then the word lists, then, for a reply, the likely reading.

The descriptions are embedded at training time and kept with the model.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any, Dict, List, Optional, Text

import numpy as np
import yaml
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from components.relevance import sentence_vector
from components.sentence_embedding import embed
from licence.context import BUSINESS_ACTIVITY, LIKELY_ACTIVITY

logger = logging.getLogger(__name__)

STATE_FILE = "activities.npz"


def read_descriptions(path: Path) -> tuple[list[str], list[str]]:
    """(texts, activity ids) of the descriptions file: activity id -> list of texts."""
    data = yaml.safe_load(path.read_text("utf-8")) or {}
    texts: list[str] = []
    labels: list[str] = []
    for activity, examples in data.items():
        for text in examples or []:
            texts.append(str(text))
            labels.append(str(activity))
    return texts, labels


def nearest_activity(
    vector: np.ndarray, examples: np.ndarray, labels: List[str], min_similarity: float, min_margin: float
) -> Optional[Dict[str, Any]]:
    """The activity of the most similar description, when it is at least
    ``min_similarity`` and beats the best description of any other activity by
    ``min_margin``; else None."""
    return _pick(_ranked(vector, examples, labels), min_similarity, min_margin)


def _pick(
    ranked: List[tuple[str, float]], min_similarity: float, min_margin: float
) -> Optional[Dict[str, Any]]:
    """The first of ``ranked`` when it is near enough and far enough ahead."""
    if not ranked:
        return None
    name, top = ranked[0]
    runner_up = ranked[1][1] if len(ranked) > 1 else -1.0
    if top < min_similarity or top - runner_up < min_margin:
        return None
    return {"name": name, "similarity": round(top, 4), "margin": round(top - runner_up, 4)}


def _ranked(vector: np.ndarray, examples: np.ndarray, labels: List[str]) -> List[tuple[str, float]]:
    """Activities by their most similar description, most similar first."""
    similarities = examples @ vector
    best: Dict[str, float] = {}
    for label, similarity in zip(labels, similarities.tolist()):
        best[label] = max(best.get(label, -1.0), float(similarity))
    return sorted(best.items(), key=lambda item: item[1], reverse=True)


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True)
class BusinessActivityReader(GraphComponent):
    """Writes the business activity a message describes, when its meaning is clear."""

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {
            "featurizer": "sentence_embedding",
            "descriptions": "data/need/activities.yml",
            "min_similarity": 0.9,
            "min_margin": 0.015,
            # a reply to the need check's own question ("what does your business
            # do?") is a description whatever it looks like: its likeliest
            # activity counts on these lower terms (LIKELY_ACTIVITY)
            "reply_min_similarity": 0.85,
            "reply_min_margin": 0.005,
        }

    def __init__(
        self,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        examples: Optional[np.ndarray] = None,
        labels: Optional[List[str]] = None,
    ) -> None:
        self._config = config
        self._storage = model_storage
        self._resource = resource
        self._examples = examples if examples is not None else np.zeros((0, 0), dtype=np.float32)
        self._labels = labels or []

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> "BusinessActivityReader":
        return cls({**cls.get_default_config(), **config}, model_storage, resource)

    def train(self, training_data: TrainingData) -> Resource:
        texts, labels = read_descriptions(Path(self._config["descriptions"]))
        if not texts:
            logger.warning("BusinessActivityReader: no descriptions; it adds nothing")
            return self._resource
        self._examples = embed(texts)
        self._labels = labels
        with self._storage.write_to(self._resource) as directory:
            np.savez(directory / STATE_FILE, examples=self._examples, labels=np.array(labels))
        return self._resource

    @classmethod
    def load(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> "BusinessActivityReader":
        config = {**cls.get_default_config(), **config}
        try:
            with model_storage.read_from(resource) as directory:
                with np.load(directory / STATE_FILE) as state:
                    return cls(config, model_storage, resource, state["examples"], state["labels"].tolist())
        except (ValueError, FileNotFoundError, OSError, KeyError):
            logger.warning("BusinessActivityReader: no trained state found; it adds nothing")
            return cls(config, model_storage, resource)

    def process(self, messages: List[Message]) -> List[Message]:
        if not self._labels:
            return messages
        for message in messages:
            vector = sentence_vector(message, str(self._config["featurizer"]))
            if vector is None or vector.shape[0] != self._examples.shape[1]:
                continue
            ranked = _ranked(vector, self._examples, self._labels)
            for key, similarity, margin in (
                (BUSINESS_ACTIVITY, "min_similarity", "min_margin"),
                (LIKELY_ACTIVITY, "reply_min_similarity", "reply_min_margin"),
            ):
                found = _pick(ranked, float(self._config[similarity]), float(self._config[margin]))
                if found is not None:
                    message.set(key, found, add_to_output=True)
        return messages
