"""Questions about another licence are out of scope, however they are worded.

"我们做网店的，需要办EDI证吗" has the shape of a ``check_need`` question and
"EDI证注册资本是认缴还是实缴" the words of ``faq/capital``; what makes both out
of scope is the licence they name. The classifier has that as one feature among
thousands (``outside_topic``, components/entity_features.py) and the wording
sometimes outweighs it. This component applies the definition of
``out_of_scope`` (data/nlu/out_of_scope.yml) as a rule: when a message names
another licence (the EntityRuler's ``other_licence``, a whole word) and nothing
of the call-centre licence (``b24``: 呼叫中心, B24, 增值电信, 坐席...), and the
classifier took it for a question about the licence (``check_need``,
``check_eligibility``, ``faq``, ``followup``), the intent becomes
``out_of_scope`` with the same confidence. Statements ("我们已经有ICP证了",
``inform``) and short replies are left alone.
"""

from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.constants import SPACY_DOCS
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message

from components.entity_features import names_only_outside, whole_word_entities


@DefaultV1Recipe.register(
    DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=False
)
class OutsideTopicRule(GraphComponent):
    """Re-labels licence questions that name only another licence (see module)."""

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {
            "outside_labels": ["other_licence"],
            "own_labels": ["b24"],
            "intents": ["check_need", "check_eligibility", "faq", "followup"],
            "target": "out_of_scope",
        }

    def __init__(self, config: Dict[Text, Any]) -> None:
        self._outside = set(config["outside_labels"])
        self._own = set(config["own_labels"])
        self._intents = set(config["intents"])
        self._target = str(config["target"])

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> "OutsideTopicRule":
        return cls({**cls.get_default_config(), **config})

    def names_only_another_licence(self, message: Message) -> bool:
        doc = message.get(SPACY_DOCS[TEXT])
        if doc is None:
            return False
        labels = {entity.label_ for entity in whole_word_entities(doc)}
        return names_only_outside(labels, self._outside, self._own)

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            intent = message.get(INTENT) or {}
            if intent.get("name") not in self._intents:
                continue
            if not self.names_only_another_licence(message):
                continue
            relabel(message, self._target)
        return messages


def relabel(message: Message, target: str) -> None:
    """Make ``target`` the message's intent. The two intents swap confidences,
    so the ranking stays a ranking and the fallback's ambiguity check sees the
    same margin as before. Shared by the rules that re-label after the classifier."""
    intent = message.get(INTENT) or {}
    previous = intent.get("name")
    confidence = float(intent.get("confidence") or 0.0)
    ranking = message.get(INTENT_RANKING_KEY) or []
    demoted = next(
        (float(item["confidence"]) for item in ranking if item.get("name") == target),
        0.0,
    )
    swapped = []
    for item in ranking:
        if item.get("name") == previous:
            item = {**item, "name": target}
        elif item.get("name") == target:
            item = {**item, "name": previous}
        swapped.append(item)
    if not any(item.get("name") == previous for item in swapped):
        swapped.append({"name": previous, "confidence": demoted})
    message.set(INTENT, {"name": target, "confidence": confidence}, add_to_output=True)
    message.set(INTENT_RANKING_KEY, swapped, add_to_output=True)
