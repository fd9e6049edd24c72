"""A question that carries the company's facts is answered, not turned into an interview.

"注册资本才80万，办省内的够吗" or "我们是分公司能申请吗" read a lot like a request to
be assessed (``check_eligibility``), and the classifier often says so; but the
user asked one thing and should get that answer first, computed from the facts
given, with the assessment offered after it (actions/faq.py). This component
applies that as a rule after the classifier: a ``check_eligibility`` message
that is a question (``licence.parsing.is_question``), does not ask to be
assessed in so many words (``assessment_request`` in licence/data/vocabulary.yml:
评估, 帮我看看, qualify...), and either states a fact (an amount, a head count, a
province or a scope the EntityRuler found) or has an FAQ topic as a likely fine
label, becomes ``faq``; the FAQ action then answers the best topic.
"""

from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import ENTITIES, INTENT, TEXT
from rasa.shared.nlu.training_data.message import Message

from components.classifier import FINE_RANKING
from components.outside_topic import relabel
from licence.parsing import is_question, vocabulary_words, word_pattern


@DefaultV1Recipe.register(
    DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=False
)
class AnswerFirstRule(GraphComponent):
    """Re-labels fact-carrying questions from check_eligibility to faq (see module)."""

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {
            "from_intent": "check_eligibility",
            "to_intent": "faq",
            "fact_entities": ["money", "count", "province", "coverage"],
            # an FAQ fine label at least this likely counts as a specific question
            "min_topic_confidence": 0.25,
        }

    def __init__(self, config: Dict[Text, Any]) -> None:
        self._from = str(config["from_intent"])
        self._to = str(config["to_intent"])
        self._facts = set(config["fact_entities"])
        self._min_topic = float(config["min_topic_confidence"])

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> "AnswerFirstRule":
        return cls({**cls.get_default_config(), **config})

    def answers_first(self, message: Message) -> bool:
        intent = message.get(INTENT) or {}
        text = message.get(TEXT) or ""
        if intent.get("name") != self._from or not is_question(text):
            return False
        if word_pattern(vocabulary_words("assessment_request")).search(text.lower()):
            return False
        if any(e.get("entity") in self._facts for e in message.get(ENTITIES) or []):
            return True
        prefix = f"{self._to}/"
        return any(
            str(item.get("name", "")).startswith(prefix)
            and float(item.get("confidence") or 0.0) >= self._min_topic
            for item in message.get(FINE_RANKING) or []
        )

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            if self.answers_first(message):
                relabel(message, self._to)
        return messages
