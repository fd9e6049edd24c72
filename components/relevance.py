"""The training example nearest to a message in the sentence-embedding space.

A linear classifier always picks a label, and when a message is about none of
them ("番茄炒蛋先放蛋还是先放番茄", "translate thank you into Japanese") it picks
the one whose words it shares most: a no, a thanks, an FAQ topic. The nearest
example is a second opinion that reads meaning, not words: when the example
closest to the message is an out-of-scope one, the message most likely is too.
What to do with that opinion is decided with the other signals in
licence/decision.py (a message naming the licence or stating a fact is never
overruled by it); this component only measures.

The embeddings of the training examples (one row of 384 floats each) are kept
with the model; a message costs one matrix-vector product.
"""

from __future__ import annotations

import logging
from typing import Any, Dict, List, Optional, Text

import numpy as np
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import INTENT, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from licence.context import NEAREST_EXAMPLE

logger = logging.getLogger(__name__)

STATE_FILE = "nearest_examples.npz"


def sentence_vector(message: Message, featurizer: str) -> Optional[np.ndarray]:
    """The message's dense sentence feature from ``featurizer`` (its alias), unit length."""
    _, sentence = message.get_dense_features(TEXT, [featurizer])
    if sentence is None:
        return None
    vector = np.asarray(sentence.features, dtype=np.float32).reshape(-1)
    norm = float(np.linalg.norm(vector))
    return vector / norm if norm > 0 else None


def nearest(vector: np.ndarray, examples: np.ndarray, intents: List[str]) -> Dict[str, Any]:
    """The intent of the example most similar to ``vector``, and the cosine similarity."""
    similarities = examples @ vector
    best = int(np.argmax(similarities))
    return {"intent": intents[best], "similarity": round(float(similarities[best]), 4)}


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True)
class NearestExample(GraphComponent):
    """Writes the nearest training example's intent into the parse data."""

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        # the alias of the dense featurizer whose sentence vectors are compared
        return {"featurizer": "sentence_embedding"}

    def __init__(
        self,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        examples: Optional[np.ndarray] = None,
        intents: Optional[List[str]] = None,
    ) -> None:
        self._featurizer = str(config["featurizer"])
        self._storage = model_storage
        self._resource = resource
        self._examples = examples if examples is not None else np.zeros((0, 0), dtype=np.float32)
        self._intents = intents or []

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> "NearestExample":
        return cls({**cls.get_default_config(), **config}, model_storage, resource)

    def train(self, training_data: TrainingData) -> Resource:
        rows, intents = [], []
        for example in training_data.intent_examples:
            vector = sentence_vector(example, self._featurizer)
            if vector is not None and example.get(INTENT):
                rows.append(vector)
                intents.append(str(example.get(INTENT)))
        if not rows:
            logger.warning("NearestExample: no sentence vectors from %r; it adds nothing", self._featurizer)
            return self._resource
        self._examples = np.vstack(rows).astype(np.float32)
        self._intents = intents
        with self._storage.write_to(self._resource) as directory:
            np.savez(directory / STATE_FILE, examples=self._examples, intents=np.array(intents))
        return self._resource

    @classmethod
    def load(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> "NearestExample":
        config = {**cls.get_default_config(), **config}
        try:
            with model_storage.read_from(resource) as directory:
                with np.load(directory / STATE_FILE) as state:
                    return cls(config, model_storage, resource, state["examples"], state["intents"].tolist())
        except (ValueError, FileNotFoundError, OSError, KeyError):
            logger.warning("NearestExample: no trained state found; it adds nothing")
            return cls(config, model_storage, resource)

    def process(self, messages: List[Message]) -> List[Message]:
        if not self._intents:
            return messages
        for message in messages:
            vector = sentence_vector(message, self._featurizer)
            if vector is not None and vector.shape[0] == self._examples.shape[1]:
                message.set(
                    NEAREST_EXAMPLE, nearest(vector, self._examples, self._intents), add_to_output=True
                )
        return messages
