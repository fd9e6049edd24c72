"""The NLU's adapter for licence/decision.py: overrule the classifier's label where
the text says otherwise (unreadable text, another licence named, a message
nearest in meaning to an out-of-scope example, a question that carries the
company's facts). The rules themselves and their table of
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

from components.classifier import FINE_INTENT, FINE_RANKING, LAST_QUESTION
from components.entity_features import names_only_outside, whole_word_entities
from components.relevance import NEAREST_EXAMPLE
from licence.context import DECIDED
from licence.decision import FAQ, Signals, decide_intent
from licence.reading import answers_in

# how many of the whole message's fine labels may agree with its last question's
TOP_FINE_LABELS = 3
# rules whose decision stands whatever the classifier's confidence (the
# fallback would otherwise turn a certain decision into "please rephrase")
CERTAIN_RULES = frozenset(
    {
        "unreadable",
        "another_licence",
        "facet_question",
        "person_request",
        "near_domain",
        "unrelated",
        "off_topic",
        "described_assessment",
    }
)


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
            # ...and the question a long message ends in, on its own, about one
            # topic (the regression over the embedding alone is less sure than
            # the whole classifier: a clear lead counts too)
            "min_last_question_confidence": 0.25,
            "min_last_question_margin": 0.1,
        }

    def __init__(self, config: Dict[Text, Any]) -> None:
        self._outside = set(config["outside_labels"])
        self._own = set(config["own_labels"])
        self._facts = set(config["fact_entities"])
        self._min_topic = float(config["min_topic_confidence"])
        self._min_last = float(config["min_last_question_confidence"])
        self._min_margin = float(config["min_last_question_margin"])

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
        labels = self._ruler_labels(message)
        last = message.get(LAST_QUESTION) or {}
        return Signals(
            last_question=str(last.get("text") or ""),
            last_question_topic=self._sure_faq_label(last.get("ranking") or []),
            top_fine_labels=tuple(
                str(item.get("name")) for item in (message.get(FINE_RANKING) or [])[:TOP_FINE_LABELS]
            ),
            text=message.get(TEXT) or "",
            intent=str(intent.get("name") or ""),
            names_only_another_licence=names_only_outside(labels, self._outside, self._own),
            names_own_licence=bool(labels & self._own),
            nearest_intent=str((message.get(NEAREST_EXAMPLE) or {}).get("intent") or ""),
            states_fact=any(e.get("entity") in self._facts for e in message.get(ENTITIES) or []),
            # the reader of licence/reading.py, as the actions read it
            stated_answers=len(answers_in({ENTITIES: message.get(ENTITIES) or []}).values),
            likely_faq_topic=any(
                str(item.get("name", "")).startswith(f"{FAQ}/")
                and float(item.get("confidence") or 0.0) >= self._min_topic
                for item in message.get(FINE_RANKING) or []
            ),
        )

    def _sure_faq_label(self, ranking: List[Dict[str, Any]]) -> str:
        confidences = [float(item.get("confidence") or 0.0) for item in ranking[:2]] + [0.0, 0.0]
        name = str(ranking[0].get("name") or "") if ranking else ""
        sure = confidences[0] >= self._min_last and confidences[0] - confidences[1] >= self._min_margin
        return name if sure and name.startswith(f"{FAQ}/") else ""

    @staticmethod
    def _ruler_labels(message: Message) -> set[str]:
        doc = message.get(SPACY_DOCS[TEXT])
        if doc is None:
            return set()
        return {entity.label_ for entity in whole_word_entities(doc)}

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            signals = self.signals(message)
            if not signals.intent:
                continue
            decided = decide_intent(signals)
            if decided.rule == "described_question":
                # the answer is chosen by the question, not the description
                ranking = (message.get(LAST_QUESTION) or {}).get("ranking") or []
                message.set(FINE_RANKING, ranking, add_to_output=True)
                message.set(FINE_INTENT, ranking[0], add_to_output=True)
            certain = decided.rule in CERTAIN_RULES
            if certain:
                relabel(message, decided.intent, confidence=1.0)
            elif decided.intent != signals.intent:
                relabel(message, decided.intent)
            if decided.rule:
                message.set(DECIDED, {"rule": decided.rule, "certain": certain}, add_to_output=True)
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
