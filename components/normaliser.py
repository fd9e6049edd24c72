"""Normalise user text before any other NLU component sees it.

Full-width to half-width, traditional to simplified Chinese, control characters and
stray whitespace removed, and very long messages cut to a bounded length, so that
tokenizer, spaCy and the classifiers all see the same canonical text that the
training data was turned into. The rules live in ``zhtext.normalise.normalise``,
shared with the action server.
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional, Text

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from zhtext.normalise import normalise


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER, is_trainable=False)
class ChineseNormaliser(GraphComponent):
    """Rewrites the message text into its canonical form (see module docstring)."""

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        # Longer messages are cut: nobody asks a licence question in 500 characters,
        # and a 10,000-character paste must not cost seconds in the classifiers.
        return {"max_chars": 500}

    def __init__(self, config: Dict[Text, Any]) -> None:
        self._max_chars = int(config["max_chars"])

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> "ChineseNormaliser":
        return cls(config)

    def _normalise(self, message: Message) -> None:
        text: Optional[str] = message.get(TEXT)
        if not text:
            return
        message.set(TEXT, normalise(text)[: self._max_chars])

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        for message in training_data.training_examples:
            self._normalise(message)
        return training_data

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            self._normalise(message)
        return messages
