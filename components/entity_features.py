"""Features for what a message *is*, beyond its characters.

"北京", "0.2亿" or "三个人" are answers (intent ``inform``) because of what they
are, not because of their characters, which the n-gram features see only when
the very same value was in the training data. And "有信息安全制度和应急预案"
(an answer) shares every n-gram with "要不要有应急预案？" (a question). This
featurizer gives every token a one-hot of the entity type covering it (money,
count, date, province, coverage) plus message-level cues from the same parser
the interview uses (``zhtext.replies``): the message is a question, a bare
yes/no (and which), an "I don't know". The sentence feature is the union over tokens.

The ruler also marks topics (``data/spacy/patterns.yml``): another licence (ICP,
IDC, 食品经营...), company admin (营业执照, 清税...) and the call-centre licence
itself. "IDC证办下来要多久" is worded exactly like a B24 question; what makes it
out of scope is that it names another licence and nothing of ours, so that
combination is one more message-level cue, ``outside_topic``.

The ruler matches character by character (spaCy's blank ``zh``), spaces
ignored, so a Latin pattern also matched inside English words: "edi" in
"based in" and "dedicated", "isp" in "i speak". A span with Latin letters
counts only as a whole word (``whole_word``).
"""

from __future__ import annotations

from typing import Any, Dict, List, Set, Text

import numpy as np
import scipy.sparse
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.constants import SPACY_DOCS, TOKENS_NAMES
from rasa.nlu.extractors.spacy_entity_extractor import SpacyEntityExtractor
from rasa.nlu.featurizers.sparse_featurizer.sparse_featurizer import SparseFeaturizer
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData
from spacy.util import filter_spans

from zhtext.replies import is_bare_yes_no, is_question, is_unknown, parse_yes_no

# Message-level cues, each computed by the interview's own parser.
CUES = {
    "question": is_question,
    "yes_no": lambda text: parse_yes_no(text) is not None,
    "yes": lambda text: parse_yes_no(text) is True,
    "no": lambda text: parse_yes_no(text) is False,
    # "没有" is deny, "没有场地" an answer with content (inform)
    "bare_yes_no": is_bare_yes_no,
    "unknown": is_unknown,
}


def _latin(char: str) -> bool:
    return char.isascii() and char.isalpha()


def whole_word(text: str, start: int, end: int) -> bool:
    """Whether ``text[start:end]``, a ruler match, stands on its own: a span with
    Latin letters must not touch a Latin letter on either side ("ICP证", "b24",
    "call center" yes; "ed i" in "based in", "edi" in "credit" no)."""
    span = text[start:end]
    if not any(_latin(char) for char in span):
        return True
    before = text[start - 1] if start > 0 else ""
    after = text[end] if end < len(text) else ""
    return not _latin(before) and not _latin(after)


def whole_word_entities(doc: Any) -> List[Any]:
    """The ruler's entities of a spaCy ``doc`` that stand on their own (``whole_word``).

    The choice is made among all the ruler's matches (``doc.spans["ruler"]``, see
    scripts/build_spacy.py), longest first: in "办ISP许可" the longer "SP许可"
    touches the "I" and is dropped, and "ISP" is kept. Without those spans (a
    pipeline built before them) the entity ruler's survivors are filtered instead."""
    spans = doc.spans["ruler"] if "ruler" in doc.spans else doc.ents
    kept = [s for s in spans if whole_word(doc.text, s.start_char, s.end_char)]
    return sorted(filter_spans(kept), key=lambda s: s.start)


@DefaultV1Recipe.register(
    DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR, is_trainable=False, model_from="SpacyNLP"
)
class WholeWordEntityExtractor(SpacyEntityExtractor):
    """Rasa's SpacyEntityExtractor over ``whole_word_entities``: the entities a message
    carries (what the actions and the decision read) are the ones its features saw, so
    "3 m" in "3 months" or "national" in "multinational" is none."""

    @staticmethod
    def _extract_entities(doc: Any) -> List[Dict[Text, Any]]:
        return [
            {
                "entity": span.label_,
                "value": span.text,
                "start": span.start_char,
                "confidence": None,
                "end": span.end_char,
            }
            for span in whole_word_entities(doc)
        ]


def names_only_outside(labels: Set[str], outside: Set[str], own: Set[str]) -> bool:
    """The message names another topic (``outside`` labels) and nothing of ours."""
    return bool(labels & outside) and not labels & own


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER, is_trainable=False)
class EntityTypeFeaturizer(SparseFeaturizer, GraphComponent):
    """Entity types per token and message-level cues (sequence and sentence)."""

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {
            **SparseFeaturizer.get_default_config(),
            "labels": ["money", "count", "date", "province", "coverage"],
            # labels naming something the bot does not cover, and the one naming
            # the call-centre licence; empty lists switch the outside_topic cue off
            "outside_labels": [],
            "own_labels": [],
        }

    @classmethod
    def validate_config(cls, config: Dict[Text, Any]) -> None:
        if not config.get("labels"):
            raise ValueError("EntityTypeFeaturizer needs a non-empty 'labels' list")

    def __init__(self, config: Dict[Text, Any], name: Text) -> None:
        super().__init__(name, config)
        self._labels: List[str] = list(config["labels"])
        self._outside = set(config.get("outside_labels") or [])
        self._own = set(config.get("own_labels") or [])

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> "EntityTypeFeaturizer":
        return cls(config, execution_context.node_name)

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        self.process(training_data.training_examples)
        return training_data

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            self._featurize(message)
        return messages

    def _featurize(self, message: Message) -> None:
        tokens = message.get(TOKENS_NAMES[TEXT])
        doc = message.get(SPACY_DOCS[TEXT])
        if not tokens or doc is None:
            return
        text = message.get(TEXT) or ""
        width = len(self._labels) + len(CUES) + 1
        sequence = np.zeros((len(tokens), width), dtype=np.float32)
        entities = whole_word_entities(doc)
        found = {entity.label_ for entity in entities}
        for entity in entities:
            if entity.label_ not in self._labels:
                continue
            column = self._labels.index(entity.label_)
            for row, token in enumerate(tokens):
                if token.start < entity.end_char and token.end > entity.start_char:
                    sequence[row, column] = 1.0
        for offset, cue in enumerate(CUES.values()):
            if cue(text):
                sequence[:, len(self._labels) + offset] = 1.0
        if names_only_outside(found, self._outside, self._own):
            sequence[:, width - 1] = 1.0
        sentence = sequence.max(axis=0, keepdims=True)
        self.add_features_to_message(
            sequence=scipy.sparse.coo_matrix(sequence),
            sentence=scipy.sparse.coo_matrix(sentence),
            attribute=TEXT,
            message=message,
        )
