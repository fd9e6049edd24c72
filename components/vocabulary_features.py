"""Features that reach past the exact characters of the training data.

Two trainable sparse featurizers for the intent classifier:

``PinyinFeaturizer``: the toneless pinyin of the message, syllable n-grams up to
``max_ngram``. Users type Chinese through pinyin input methods, so their slips are
homophones: "在见" for 再见, "注测资本" for 注册资本, "蟹蟹", "米有", or pinyin itself
("zhuceziben"). Character n-grams miss all of these; their sounds match.

``DomainVocabularyFeaturizer``: how much of the message lies outside the
vocabulary of the bot's own topics. "茅台股价多少" shares 多少 with a dozen FAQ
questions, and nothing else: its other words never occur in any in-scope example.
The cue is the share of words (and characters) of the message that no in-scope
training example uses. During training each example is measured against the
others (leave one out): otherwise every training example would look fully
in-vocabulary and the classifier could not learn what the cue means.

Both give one row per token (as Rasa's other sparse featurizers do) and a sentence
row; the classifier uses the sentence row.
"""

from __future__ import annotations

import json
import logging
from collections import Counter
from typing import Any, Dict, Iterable, List, Optional, Text

import numpy as np
import scipy.sparse
from pypinyin import lazy_pinyin
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.constants import TOKENS_NAMES
from rasa.nlu.featurizers.sparse_featurizer.sparse_featurizer import SparseFeaturizer
from rasa.shared.nlu.constants import INTENT, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

logger = logging.getLogger(__name__)

STATE_FILE = "vocabulary.json"


def syllables(text: str) -> List[str]:
    """Toneless pinyin syllables of the Chinese characters of ``text``; other
    runs (Latin letters, digits) are kept as they are, lower-cased."""
    return [s.lower() for s in lazy_pinyin(text, errors="default") if s.strip()]


def syllable_ngrams(units: List[str], max_n: int) -> List[str]:
    grams: List[str] = []
    for n in range(1, max_n + 1):
        grams.extend("_".join(units[i : i + n]) for i in range(len(units) - n + 1))
    return grams


class _PersistedFeaturizer(SparseFeaturizer, GraphComponent):
    """Shared plumbing: a JSON state persisted in the model storage."""

    def __init__(
        self,
        config: Dict[Text, Any],
        name: Text,
        model_storage: ModelStorage,
        resource: Resource,
        state: Optional[Dict[str, Any]] = None,
    ) -> None:
        super().__init__(name, config)
        self._model_storage = model_storage
        self._resource = resource
        self._state: Dict[str, Any] = state or {}

    @classmethod
    def validate_config(cls, config: Dict[Text, Any]) -> None:
        """Nothing to check beyond the defaults."""

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> "_PersistedFeaturizer":
        return cls(config, execution_context.node_name, model_storage, resource)

    @classmethod
    def load(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> "_PersistedFeaturizer":
        try:
            with model_storage.read_from(resource) as directory:
                state = json.loads((directory / STATE_FILE).read_text(encoding="utf-8"))
        except (ValueError, FileNotFoundError):
            logger.warning("%s: no trained state found; it adds no features", cls.__name__)
            state = {}
        return cls(config, execution_context.node_name, model_storage, resource, state)

    def _persist(self) -> None:
        with self._model_storage.write_to(self._resource) as directory:
            (directory / STATE_FILE).write_text(json.dumps(self._state, ensure_ascii=False), encoding="utf-8")

    def _add(self, message: Message, sequence: Any, sentence: Any) -> None:
        self.add_features_to_message(
            sequence=scipy.sparse.coo_matrix(sequence),
            sentence=scipy.sparse.coo_matrix(sentence),
            attribute=TEXT,
            message=message,
        )


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER, is_trainable=True)
class PinyinFeaturizer(_PersistedFeaturizer):
    """Counts of pinyin syllable n-grams (sequence: per token; sentence: whole text)."""

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {**SparseFeaturizer.get_default_config(), "max_ngram": 2}

    def _grams(self, text: str) -> List[str]:
        return syllable_ngrams(syllables(text), int(self._config["max_ngram"]))

    def train(self, training_data: TrainingData) -> Resource:
        vocabulary: Dict[str, int] = {}
        for example in training_data.training_examples:
            if example.get(TEXT) and example.get(TOKENS_NAMES[TEXT]):
                for gram in self._grams(example.get(TEXT)):
                    vocabulary.setdefault(gram, len(vocabulary))
        self._state = {"vocabulary": vocabulary}
        self._persist()
        return self._resource

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        self.process(training_data.training_examples)
        return training_data

    def process(self, messages: List[Message]) -> List[Message]:
        vocabulary: Dict[str, int] = self._state.get("vocabulary") or {}
        if not vocabulary:
            return messages
        for message in messages:
            tokens = message.get(TOKENS_NAMES[TEXT])
            text = message.get(TEXT)
            if not tokens or not text:
                continue
            width = len(vocabulary)
            rows: List[int] = []
            columns: List[int] = []
            for row, token in enumerate(tokens):
                for gram in self._grams(token.text):
                    if gram in vocabulary:
                        rows.append(row)
                        columns.append(vocabulary[gram])
            sequence = scipy.sparse.coo_matrix(
                (np.ones(len(rows), dtype=np.float32), (rows, columns)),
                shape=(len(tokens), width),
            )
            known = [vocabulary[g] for g in self._grams(text) if g in vocabulary]
            sentence = scipy.sparse.coo_matrix(
                (np.ones(len(known), dtype=np.float32), ([0] * len(known), known)),
                shape=(1, width),
            )
            sequence.sum_duplicates()
            sentence.sum_duplicates()
            self._add(message, sequence, sentence)
        return messages


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER, is_trainable=True)
class DomainVocabularyFeaturizer(_PersistedFeaturizer):
    """Share of the message's words and characters unseen in in-scope examples."""

    # per unit (word, character): the unseen share, "at least half unseen", "all unseen"
    WIDTH = 6

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {
            **SparseFeaturizer.get_default_config(),
            # intents whose examples do not define the bot's vocabulary
            "outside_intents": ["out_of_scope"],
        }

    @staticmethod
    def _words(message: Message) -> set:
        return {t.text.lower() for t in message.get(TOKENS_NAMES[TEXT]) or [] if t.text.strip()}

    @staticmethod
    def _chars(message: Message) -> set:
        return {c for c in (message.get(TEXT) or "").lower() if not c.isspace()}

    def _in_scope(self, message: Message) -> bool:
        intent = message.get(INTENT)
        return bool(intent) and intent not in set(self._config["outside_intents"])

    def _counts(self, examples: Iterable[Message]) -> Dict[str, Counter]:
        words: Counter = Counter()
        chars: Counter = Counter()
        for example in examples:
            if example.get(TEXT) and self._in_scope(example):
                words.update(self._words(example))
                chars.update(self._chars(example))
        return {"words": words, "chars": chars}

    def train(self, training_data: TrainingData) -> Resource:
        counts = self._counts(training_data.training_examples)
        self._state = {key: dict(value) for key, value in counts.items()}
        self._persist()
        return self._resource

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        # Leave one out: an in-scope example's own words do not count as seen.
        for message in training_data.training_examples:
            self._featurize(message, leave_out=self._in_scope(message))
        return training_data

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            self._featurize(message, leave_out=False)
        return messages

    @staticmethod
    def _unseen_share(units: set, seen: Dict[str, int], leave_out: bool) -> float:
        if not units:
            return 0.0
        threshold = 1 if leave_out else 0
        return sum(1 for unit in units if seen.get(unit, 0) <= threshold) / len(units)

    def _featurize(self, message: Message, leave_out: bool) -> None:
        tokens = message.get(TOKENS_NAMES[TEXT])
        if not tokens or not message.get(TEXT) or not self._state:
            return
        values: List[float] = []
        for units, seen in (
            (self._words(message), self._state["words"]),
            (self._chars(message), self._state["chars"]),
        ):
            share = self._unseen_share(units, seen, leave_out)
            values += [share, float(share >= 0.5), float(units != set() and share == 1.0)]
        sentence = np.asarray([values], dtype=np.float32)
        sequence = np.repeat(sentence, len(tokens), axis=0)
        self._add(message, sequence, sentence)
