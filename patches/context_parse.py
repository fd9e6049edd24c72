"""A short follow-up is parsed a second time with the user's previous words in
front of it, and read on the topic just answered when that reading says so
(licence/context.py decides; this module only gathers what it needs).

Why here: Rasa's NLU components see one message, and rules and policies can
only test slots. ``MessageProcessor._parse_message_with_graph`` is the one place
where the message and the conversation's tracker meet before the intent is
logged, so the decided intent is the one every policy, rule and action sees.
The second parse goes through the same graph (and the parse cache,
patches/nlu_cache.py, which this wraps), only for a short message right after
an answer, with no form open; one that names a topic's word is read on the last
topic only on stricter terms (licence/context.py, ``reread_named``).

The parse data says what happened (``context``: the text read in front, the
topic), so the tracker shows why a message was answered as it was.
"""

from __future__ import annotations

import logging
from typing import Any, Callable, Dict, List, Optional, Text, Tuple

from rasa.core.channels.channel import UserMessage
from rasa.core.processor import MessageProcessor
from rasa.shared.core.events import ActionExecuted, BotUttered, SessionStarted, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from licence.context import (
    CONTEXT_READING,
    DECIDED,
    FAQ_PREFIX,
    FINE_INTENT,
    FINE_RANKING,
    LAST_TOPIC,
    MAX_PREVIOUS,
    NEAREST_EXAMPLE,
    NOT_FAQ_TOPICS,
    answered_by,
    context_text,
    decision_stands,
    NAMED,
    SAME,
    continuation,
    off_topic_on_its_own,
    reread,
    reread_named,
    reread_same,
)

logger = logging.getLogger(__name__)

CONTEXT = CONTEXT_READING
_FAQ = FAQ_PREFIX.rstrip("/")
_MARK = "_callcentre_context_parse"

Parse = Callable[[MessageProcessor, UserMessage, DialogueStateTracker, bool], Dict[Text, Any]]
_inner: Optional[Parse] = None


def last_turn(tracker: DialogueStateTracker, previous: int) -> Tuple[List[Dict[str, Any]], List[str]]:
    """The events of the bot's last turn (as dicts) and the texts of the user's
    last ``previous`` messages, newest first, within the current session."""
    turn: List[Dict[str, Any]] = []
    texts: List[str] = []
    for event in reversed(tracker.events):
        if isinstance(event, SessionStarted):
            break
        if isinstance(event, UserUttered):
            texts.append(event.text or "")
            if len(texts) >= previous:
                break
        elif not texts and isinstance(event, (ActionExecuted, BotUttered)):
            turn.append(event.as_dict())
    return turn, texts


def read_in_context(
    parse: Callable[[str], Dict[Text, Any]],
    text: str,
    parse_data: Dict[Text, Any],
    tracker: DialogueStateTracker,
) -> Dict[Text, Any]:
    """``parse_data`` of ``text``, on the last topic when licence.context says so."""
    topic = tracker.get_slot(LAST_TOPIC)
    if not topic or topic in NOT_FAQ_TOPICS or tracker.active_loop_name:
        return parse_data
    if decision_stands(parse_data.get(DECIDED) or {}):
        return parse_data
    intent = (parse_data.get("intent") or {}).get("name")
    kind = continuation(text, intent, str(topic))
    if kind is None:
        return parse_data
    nearest = (parse_data.get(NEAREST_EXAMPLE) or {}).get("intent")
    if off_topic_on_its_own(intent, nearest, parse_data.get(FINE_RANKING) or []):
        return parse_data
    turn, previous = last_turn(tracker, MAX_PREVIOUS)
    if not answered_by(turn):
        return parse_data
    context = context_text(previous)
    if not context:
        return parse_data
    in_context = parse(f"{context} {text}")
    read = {NAMED: reread_named, SAME: reread_same}.get(kind, reread)
    found = read(parse_data.get(FINE_RANKING) or [], in_context.get(FINE_RANKING) or [], str(topic))
    if found is None:
        return parse_data
    return on_topic(parse_data, found.topic, found.confidence, context)


def on_topic(parse_data: Dict[Text, Any], topic: str, confidence: float, context: str) -> Dict[Text, Any]:
    """The parse data with ``faq`` as its intent and ``faq/<topic>`` first among
    the fine labels, at the confidence of the reading in context."""
    label = f"{FAQ_PREFIX}{topic}"
    fine = [item for item in parse_data.get(FINE_RANKING) or [] if item.get("name") != label]
    parse_data[FINE_RANKING] = [{"name": label, "confidence": confidence}] + fine
    parse_data[FINE_INTENT] = {"name": label, "confidence": confidence}
    previous = parse_data.get("intent") or {}
    if previous.get("name") != _FAQ:
        ranking = [item for item in parse_data.get("intent_ranking") or [] if item.get("name") != _FAQ]
        parse_data["intent_ranking"] = [{"name": _FAQ, "confidence": confidence}] + ranking
        parse_data["intent"] = {"name": _FAQ, "confidence": confidence}
    parse_data[CONTEXT] = {"text": context, "topic": topic, "intent": previous.get("name")}
    return parse_data


def _parse_message_with_graph(
    self: MessageProcessor,
    message: UserMessage,
    tracker: DialogueStateTracker,
    only_output_properties: bool = True,
) -> Dict[Text, Any]:
    assert _inner is not None
    parse_data = _inner(self, message, tracker, only_output_properties)
    if tracker is None or not message.text:
        return parse_data

    def parse(text: str) -> Dict[Text, Any]:
        return _inner(self, UserMessage(text, sender_id=message.sender_id), tracker, only_output_properties)

    try:
        return read_in_context(parse, message.text, parse_data, tracker)
    except Exception:  # the message's own reading stands; the reason is logged
        logger.exception("reading the message in context failed; its own parse stands")
        return parse_data


def apply() -> None:
    """Wrap the parse (after patches/nlu_cache.py, so both parses are cached)."""
    global _inner
    current = MessageProcessor._parse_message_with_graph
    if getattr(current, _MARK, False):
        return
    _inner = current
    setattr(_parse_message_with_graph, _MARK, True)
    MessageProcessor._parse_message_with_graph = _parse_message_with_graph  # type: ignore[method-assign]


def restore() -> None:
    global _inner
    if _inner is not None:
        MessageProcessor._parse_message_with_graph = _inner  # type: ignore[method-assign]
        _inner = None
