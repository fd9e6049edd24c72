"""The NLU's adapter for licence/reading.py: what a message says (the interview
answers it gives, as stated and as the reply to each question, and the facts
the FAQ answers compute from) is read here, once, from the normalised text,
and stored on the message; the actions read it back from the tracker
(actions/common.py) instead of parsing the text again. The names, roles and
keys written are defined in licence/reading.py."""

from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import ENTITIES, TEXT
from rasa.shared.nlu.training_data.message import Message

from licence.reading import READER, REPLIES, read_message


# Nothing to train, and nothing the classifier needs: it runs on messages
# being parsed, not on the training data.
@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR, is_trainable=False)
class MessageReader(GraphComponent):
    """Adds ``licence.reading.read_message`` of the text to the message."""

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> "MessageReader":
        return cls()

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            text = message.get(TEXT) or ""
            if not text:
                continue
            reading = read_message(text)
            # the ruler's entities stay as they are, before the reading's
            entities = [e for e in message.get(ENTITIES) or [] if e.get("extractor") != READER]
            message.set(ENTITIES, entities + reading.entities, add_to_output=True)
            if reading.replies:
                message.set(REPLIES, reading.replies, add_to_output=True)
        return messages
