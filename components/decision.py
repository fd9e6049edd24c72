"""The NLU's adapter for licence/decision.py: overrule the classifier's label where
the text says otherwise (unreadable text, another licence named, a question
that carries the company's facts). The rules themselves and their table of
tests live with the decision; this component only gathers the signals from the
message (the EntityRuler's entities, the classifier's fine ranking) and writes
the decided intent back, swapping confidences so that the ranking stays a
ranking and the fallback's ambiguity check sees the same margin as before."""

from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.constants import SPACY_DOCS
from rasa.shared.nlu.constants import ENTITIES, INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message

from components.classifier import FINE_RANKING
from components.entity_features import names_only_outside, whole_word_entities
from licence.decision import FAQ, Signals, decide_intent

# rules whose decision stands whatever the classifier's confidence (the
# fallback would otherwise turn a certain decision into "please rephrase")
CERTAIN_RULES = frozenset({"unreadable", "facet_question", "person_request"})


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=False)
class MessageDecision(GraphComponent):
    """Applies licence.decision.decide_intent after the classifier."""

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {
            # EntityRuler labels: another licence, and words of the call-centre licence
            "outside_labels": ["other_licence"],
            "own_labels": ["b24"],
            # entities that state the company's facts
            "fact_entities": ["money", "count", "province", "coverage"],
            # an FAQ fine label at least this likely makes a question specific
            "min_topic_confidence": 0.15,
        }

    def __init__(self, config: Dict[Text, Any]) -> None:
        self._outside = set(config["outside_labels"])
        self._own = set(config["own_labels"])
        self._facts = set(config["fact_entities"])
        self._min_topic = float(config["min_topic_confidence"])

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> "MessageDecision":
        return cls({**cls.get_default_config(), **config})

    def signals(self, message: Message) -> Signals:
        intent = message.get(INTENT) or {}
        return Signals(
            text=message.get(TEXT) or "",
            intent=str(intent.get("name") or ""),
            names_only_another_licence=self._names_only_another_licence(message),
            states_fact=any(e.get("entity") in self._facts for e in message.get(ENTITIES) or []),
            likely_faq_topic=any(
                str(item.get("name", "")).startswith(f"{FAQ}/")
                and float(item.get("confidence") or 0.0) >= self._min_topic
                for item in message.get(FINE_RANKING) or []
            ),
        )

    def _names_only_another_licence(self, message: Message) -> bool:
        doc = message.get(SPACY_DOCS[TEXT])
        if doc is None:
            return False
        labels = {entity.label_ for entity in whole_word_entities(doc)}
        return names_only_outside(labels, self._outside, self._own)

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            signals = self.signals(message)
            if not signals.intent:
                continue
            decided = decide_intent(signals)
            if decided.rule in CERTAIN_RULES:
                relabel(message, decided.intent, confidence=1.0)
            elif decided.intent != signals.intent:
                relabel(message, decided.intent)
        return messages


def relabel(message: Message, target: str, confidence: float | None = None) -> None:
    """Make ``target`` the message's intent; the two intents swap confidences
    (unless ``confidence`` is given: a certain decision)."""
    intent = message.get(INTENT) or {}
    previous = intent.get("name")
    if confidence is None:
        confidence = float(intent.get("confidence") or 0.0)
    ranking = message.get(INTENT_RANKING_KEY) or []
    demoted = next(
        (float(item["confidence"]) for item in ranking if item.get("name") == target),
        0.0,
    )
    swapped = []
    for item in ranking:
        if item.get("name") == previous:
            item = {**item, "name": target, "confidence": confidence}
        elif item.get("name") == target:
            item = {**item, "name": previous}
        swapped.append(item)
    if not any(item.get("name") == previous for item in swapped):
        swapped.append({"name": previous, "confidence": demoted})
    message.set(INTENT, {"name": target, "confidence": confidence}, add_to_output=True)
    message.set(INTENT_RANKING_KEY, swapped, add_to_output=True)
