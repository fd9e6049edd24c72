"""Tracker events -> conversations, turns and outcomes. Pure: no database, no Rasa.

An event is the JSON Rasa's SQLTrackerStore keeps in ``events.data`` (``{"event":
"user", "text": ..., "parse_data": ..., "input_channel": ...}``), plus the row's
``sender_id``. ``parse_rows`` turns stored rows into such dicts, skipping rows whose
JSON is not an object; everything else works on lists of them.

What counts as "not answered" is decided here and only here (the names come from
domain.yml): the fallback and out-of-scope intents, the responses that say "I did not
understand", a message that got no reply at all, and a confident-looking answer to a
message whose intent confidence was below ``LOW_CONFIDENCE``. A message sent while the
conversation was paused for a person (Rasa's ``pause`` event, the WeChat handoff) was
meant for that person: it counts as neither answered nor unanswered.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from typing import Any, Dict, Iterable, List, Mapping, Optional, Sequence

# The one place for the low-confidence threshold (config.yml's FallbackClassifier
# answers nlu_fallback below 0.3; between that and this the bot answered, unsure).
LOW_CONFIDENCE = 0.5
# Days are the call centre's days (China Standard Time).
CHINA = timezone(timedelta(hours=8), "CST")

FALLBACK_INTENTS = {"nlu_fallback": "fallback", "out_of_scope": "out_of_scope"}
HANDOFF_INTENT = "human_handoff"
HANDOFF_RESPONSE = "utter_human_handoff"
# domain.yml responses that answer nothing, and why
NO_ANSWER_RESPONSES = {
    "utter_default": "fallback",
    "utter_out_of_scope": "out_of_scope",
    "utter_followup_unclear": "unclear",
    "utter_invalid_not_understood": "unclear",
    "utter_action_unavailable": "error",
}
NO_REPLY = "no_reply"
LOW = "low_confidence"
FORM = "eligibility_form"
# The forms that ask for contact details: the widget's question for a contact
# (actions/handoff.py) and the lead form (actions/lead.py). Their answers are a
# name, a company or a phone, read by the form's validator, never "not
# understood": they stay out of 未解决的问题 and its export.
TICKET_FORM = "handoff_form"
LEAD_FORM = "lead_form"
CONTACT_FORMS = frozenset({TICKET_FORM, LEAD_FORM})
RESULT_SLOT = "eligibility_result"

# Conversation outcomes (a conversation can have several)
ANSWERED = "answered"
FALLBACK = "fallback"
HANDOFF = "handoff"
COMPLETED = "interview_completed"
ABANDONED = "interview_abandoned"
# the bot is paused now: a person has the conversation (its handoff, not yet resumed)
PAUSED = "paused"
OUTCOMES = (ANSWERED, FALLBACK, LOW, HANDOFF, PAUSED, COMPLETED, ABANDONED)
# Rasa's events that end a pause besides "resume": both reset the tracker
PAUSE_ENDS = {"resume", "restart", "session_started"}
UNANSWERED_REASONS = ("fallback", "out_of_scope", "unclear", "error", NO_REPLY, LOW)
# the bot event's metadata key that marks a staff member's reply (console.replies)
STAFF_REPLY = "staff_reply"
# the contact a widget visitor left for the handoff ticket (actions/handoff.py)
CONTACT_SLOT = "handoff_contact"


@dataclass
class Reply:
    text: str
    action: Optional[str]
    timestamp: float
    # written by a staff member from the console (STAFF_REPLY), not by the bot
    staff: bool = False


@dataclass
class Mark:
    """A pause or resume of the bot after a user message."""

    event: str  # "pause" or "resume"
    timestamp: float
    # how many of the turn's replies came before it
    after_replies: int


@dataclass
class Turn:
    """One user message and the bot's replies up to the next one."""

    index: int
    text: str
    timestamp: float
    intent: Optional[str]
    confidence: Optional[float]
    fine_intent: Optional[str] = None
    metadata: Optional[Dict[str, Any]] = None
    in_form: bool = False
    replies: List[Reply] = field(default_factory=list)
    # sent while the bot was paused for a person: not the bot's to answer
    paused: bool = False
    # an answer to a form's question for contact details (CONTACT_FORMS): not a question either
    for_contact: bool = False
    marks: List[Mark] = field(default_factory=list)

    @property
    def latency(self) -> Optional[float]:
        """Seconds from the message to the bot's first reply (None while paused:
        the reply came when the pause ended)."""
        return self.replies[0].timestamp - self.timestamp if self.replies and not self.paused else None

    @property
    def handoff(self) -> bool:
        return self.intent == HANDOFF_INTENT or any(r.action == HANDOFF_RESPONSE for r in self.replies)

    @property
    def reason(self) -> Optional[str]:
        """Why this message counts as not answered; None when it was answered
        (or was for the person who had the conversation)."""
        if self.paused or self.for_contact:
            return None
        if self.intent in FALLBACK_INTENTS:
            return FALLBACK_INTENTS[self.intent]
        for reply in self.replies:
            if reply.action in NO_ANSWER_RESPONSES:
                return NO_ANSWER_RESPONSES[reply.action]
        if not self.replies:
            return NO_REPLY
        if (
            not self.in_form
            and not self.handoff
            and self.confidence is not None
            and self.confidence < LOW_CONFIDENCE
        ):
            return LOW
        return None


@dataclass
class Conversation:
    sender_id: str
    channel: str
    started: float
    last: float
    turns: List[Turn]
    verdicts: List[str]
    completed: bool
    abandoned: bool
    # when the bot was paused for a person, if it still is
    paused_since: Optional[float] = None
    # the contact left for the latest handoff ticket, if any
    contact: Optional[str] = None

    @property
    def outcomes(self) -> List[str]:
        reasons = {t.reason for t in self.turns}
        found = []
        if self.turns and reasons == {None}:
            found.append(ANSWERED)
        if reasons & (set(UNANSWERED_REASONS) - {LOW}):
            found.append(FALLBACK)
        if LOW in reasons:
            found.append(LOW)
        if any(t.handoff for t in self.turns):
            found.append(HANDOFF)
        if self.paused_since is not None:
            found.append(PAUSED)
        if self.completed:
            found.append(COMPLETED)
        if self.abandoned:
            found.append(ABANDONED)
        return found

    @property
    def day(self) -> date:
        return day_of(self.started)


def day_of(timestamp: float) -> date:
    return datetime.fromtimestamp(timestamp, CHINA).date()


def parse_rows(rows: Iterable[Mapping[str, Any]]) -> List[Dict[str, Any]]:
    """Stored rows (sender_id, timestamp, data) -> event dicts; odd rows are skipped."""
    events = []
    for row in rows:
        try:
            event = json.loads(row["data"])
        except (TypeError, ValueError, KeyError):
            continue
        if not isinstance(event, dict) or not isinstance(row.get("sender_id"), str):
            continue
        if not _is_number(event.get("timestamp")):
            if not _is_number(row.get("timestamp")):
                continue
            event["timestamp"] = float(row["timestamp"])
        event["sender_id"] = row["sender_id"]
        events.append(event)
    return events


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and value == value


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


# what Rasa adds to every message's metadata itself: nothing the channel or the user sent
RASA_OWN_METADATA = frozenset({"model_id", "assistant_id"})


def _dict(value: Any) -> Dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _user_turn(event: Mapping[str, Any], index: int, in_form: bool, paused: bool) -> Turn:
    parse = _dict(event.get("parse_data"))
    intent = _dict(parse.get("intent"))
    confidence = intent.get("confidence")
    fine = _dict(parse.get("fine_intent")).get("name")
    metadata = {
        key: value
        for key, value in _dict(parse.get("metadata") or event.get("metadata")).items()
        if key not in RASA_OWN_METADATA
    }
    return Turn(
        index=index,
        text=_text(event.get("text")),
        timestamp=float(event["timestamp"]),
        intent=intent.get("name") if isinstance(intent.get("name"), str) else None,
        confidence=float(confidence) if _is_number(confidence) else None,
        fine_intent=fine if isinstance(fine, str) else None,
        metadata=metadata or None,
        in_form=in_form,
        paused=paused,
    )


def verdict_of(value: Any) -> str:
    """``eligibility_result``'s value (Decision.as_slot()) -> its verdict."""
    if isinstance(value, dict):
        eligible = value.get("eligible")
        return "undetermined" if eligible is None else ("eligible" if eligible else "ineligible")
    return str(value)


@dataclass
class _Interview:
    closed: bool = False
    result: bool = False


def build_conversation(sender_id: str, events: Sequence[Mapping[str, Any]]) -> Conversation:
    """One sender's events, in stored order -> its conversation."""
    turns: List[Turn] = []
    verdicts: List[str] = []
    interviews: List[_Interview] = []
    channel: Optional[str] = None
    form_active = False
    contact_form = False
    paused_since: Optional[float] = None
    contact: Optional[str] = None
    for event in events:
        kind = event.get("event")
        if kind == "pause":
            paused_since = float(event["timestamp"])
            if turns:
                turns[-1].marks.append(Mark("pause", paused_since, len(turns[-1].replies)))
        elif kind in PAUSE_ENDS and paused_since is not None:
            paused_since = None
            if turns:
                turns[-1].marks.append(Mark("resume", float(event["timestamp"]), len(turns[-1].replies)))
        if kind == "user":
            turns.append(_user_turn(event, len(turns), form_active, paused_since is not None))
            turns[-1].for_contact = contact_form
            if channel is None and isinstance(event.get("input_channel"), str):
                channel = event["input_channel"]
        elif kind == "bot" and turns:
            metadata = _dict(event.get("metadata"))
            action = metadata.get("utter_action")
            turns[-1].replies.append(
                Reply(
                    _text(event.get("text")),
                    action if isinstance(action, str) else None,
                    float(event["timestamp"]),
                    staff=metadata.get(STAFF_REPLY) is True,
                )
            )
        elif kind == "slot" and event.get("name") == CONTACT_SLOT:
            contact = event.get("value") if isinstance(event.get("value"), str) else None
        elif kind == "active_loop":
            contact_form = event.get("name") in CONTACT_FORMS
            if event.get("name") == FORM:
                form_active = True
                if not interviews or interviews[-1].closed or interviews[-1].result:
                    interviews.append(_Interview())
            elif event.get("name") is None and form_active:
                form_active = False
                if interviews:
                    interviews[-1].closed = True
        elif kind == "slot" and event.get("name") == RESULT_SLOT and event.get("value") not in (None, "", {}):
            if not interviews:
                interviews.append(_Interview(closed=True))
            interviews[-1].result = True
            verdicts.append(verdict_of(event.get("value")))
        elif kind == "restart":
            form_active = contact_form = False
            if interviews:
                interviews[-1].closed = True
    stamps = [float(e["timestamp"]) for e in events]
    return Conversation(
        sender_id=sender_id,
        channel=channel or "unknown",
        started=min(stamps, default=0.0),
        last=max(stamps, default=0.0),
        turns=turns,
        verdicts=verdicts,
        completed=any(i.result for i in interviews),
        abandoned=any(i.closed and not i.result for i in interviews),
        paused_since=paused_since,
        contact=contact or None,
    )


def conversations(events: Iterable[Mapping[str, Any]]) -> List[Conversation]:
    """All senders' conversations, the most recently active first."""
    by_sender: Dict[str, List[Mapping[str, Any]]] = {}
    for event in events:
        by_sender.setdefault(event["sender_id"], []).append(event)
    found = [build_conversation(sender, evs) for sender, evs in by_sender.items()]
    return sorted(found, key=lambda c: (-c.last, c.sender_id))


@dataclass(frozen=True)
class Filters:
    channel: Optional[str] = None
    since: Optional[date] = None
    until: Optional[date] = None
    outcome: Optional[str] = None

    def keeps(self, conversation: Conversation) -> bool:
        if self.channel and conversation.channel != self.channel:
            return False
        if self.since and conversation.day < self.since:
            return False
        if self.until and conversation.day > self.until:
            return False
        return not self.outcome or self.outcome in conversation.outcomes


def select(found: Iterable[Conversation], filters: Filters) -> List[Conversation]:
    return [c for c in found if filters.keeps(c)]


@dataclass(frozen=True)
class Unanswered:
    sender_id: str
    channel: str
    text: str
    timestamp: float
    reason: str
    intent: Optional[str]
    confidence: Optional[float]


def unanswered(found: Iterable[Conversation]) -> List[Unanswered]:
    """Every user message the bot did not answer, newest first."""
    items = [
        Unanswered(c.sender_id, c.channel, t.text, t.timestamp, t.reason, t.intent, t.confidence)
        for c in found
        for t in c.turns
        if t.reason is not None and t.text.strip()
    ]
    return sorted(items, key=lambda u: -u.timestamp)
