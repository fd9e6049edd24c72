"""The console's data as JSON-ready dicts: parameters checked, ids masked.

Both the JSON API (/staff/api/...) and the HTML pages read through ``Console``, so
what the pages show and what the API returns are the same figures. WeChat sender
ids leave this module only masked (``console.masking``); a WeChat conversation is
named by its public id.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any, Dict, List, Mapping, Optional, Sequence, Tuple
from urllib.parse import quote

import yaml

from console import masking, metrics, queries, store
from console.queries import Conversation, Filters, Turn
from console.rasa_api import RasaApi
from console.replies import MAX_REPLY_CHARS, REPLY_CHANNELS, WeChatApi, send_reply
from console.unanswered import group

ROOT = Path(__file__).resolve().parents[1]
DOMAIN = ROOT / "domain.yml"
CHANNEL = re.compile(r"^[a-z][a-z0-9_]{0,31}$")
PARAMETERS = {"channel", "since", "until", "outcome", "reason", "limit", "offset"}
DEFAULT_LIMIT = 200
MAX_LIMIT = 1000
# intents no one trains examples for
NOT_TRAINABLE = {"nlu_fallback", "faq"}


class BadRequest(ValueError):
    """A parameter the console cannot use; the message says which and why (HTTP 400)."""


class NotPaused(ValueError):
    """A resume or reply in a conversation whose bot is not paused (HTTP 409)."""


class CannotReply(ValueError):
    """A reply that cannot reach the user now (HTTP 409); the message says why."""


@lru_cache(maxsize=4)
def labels(domain: Path = DOMAIN) -> Tuple[str, ...]:
    """The intents (and faq/<topic> retrieval cells) an exported example may get."""
    try:
        data = yaml.safe_load(domain.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError):
        return ()
    intents = [i if isinstance(i, str) else next(iter(i)) for i in data.get("intents") or []]
    cells = sorted(
        name[len("utter_") :] for name in (data.get("responses") or {}) if name.startswith("utter_faq/")
    )
    return tuple([i for i in intents if i not in NOT_TRAINABLE] + cells)


@dataclass(frozen=True)
class Query:
    filters: Filters
    reason: Optional[str]
    limit: int
    offset: int


def _one(query: Mapping[str, Sequence[str]], name: str) -> Optional[str]:
    values = query.get(name) or []
    if len(values) > 1:
        raise BadRequest(f"{name} is given {len(values)} times; give it once")
    value = values[0].strip() if values else ""
    return value or None


def _day(query: Mapping[str, Sequence[str]], name: str) -> Optional[date]:
    value = _one(query, name)
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise BadRequest(f"{name} must be a date like 2026-12-01, got {value!r}") from None


def _int(query: Mapping[str, Sequence[str]], name: str, default: int, low: int, high: int) -> int:
    value = _one(query, name)
    if value is None:
        return default
    if not value.isdigit() or not low <= int(value) <= high:
        raise BadRequest(f"{name} must be a whole number from {low} to {high}, got {value!r}")
    return int(value)


def parse_query(query: Mapping[str, Sequence[str]]) -> Query:
    unknown = sorted(set(query) - PARAMETERS)
    if unknown:
        raise BadRequest(f"unknown parameter {unknown[0]!r}; known: {', '.join(sorted(PARAMETERS))}")
    channel = _one(query, "channel")
    if channel is not None and not CHANNEL.match(channel):
        raise BadRequest(f"channel must be a channel name such as rest, socketio, wechat, got {channel!r}")
    since, until = _day(query, "since"), _day(query, "until")
    if since and until and since > until:
        raise BadRequest("since must not be after until")
    outcome = _one(query, "outcome")
    if outcome is not None and outcome not in queries.OUTCOMES:
        raise BadRequest(f"outcome must be one of {', '.join(queries.OUTCOMES)}, got {outcome!r}")
    reason = _one(query, "reason")
    if reason is not None and reason not in queries.UNANSWERED_REASONS:
        raise BadRequest(f"reason must be one of {', '.join(queries.UNANSWERED_REASONS)}, got {reason!r}")
    return Query(
        Filters(channel, since, until, outcome),
        reason,
        _int(query, "limit", DEFAULT_LIMIT, 1, MAX_LIMIT),
        _int(query, "offset", 0, 0, 10**9),
    )


def iso(timestamp: float) -> str:
    return datetime.fromtimestamp(timestamp, queries.CHINA).isoformat(timespec="seconds")


class Console:
    """The tracker store at ``db_url``, seen by staff."""

    def __init__(
        self, db_url: str, id_key: bytes, rasa: Optional[RasaApi] = None, wechat: Optional[WeChatApi] = None
    ) -> None:
        self.db_url = db_url
        self.id_key = id_key
        self.rasa = rasa or RasaApi()
        self.wechat = wechat or WeChatApi()

    # --- reading -------------------------------------------------------------

    def all(self) -> List[Conversation]:
        return queries.conversations(store.read_events(self.db_url))

    def find(self, conversation_id: str) -> Optional[Conversation]:
        """A conversation by its public id (a WeChat one only by that, or its OpenID)."""
        if not conversation_id.startswith(masking.PUBLIC_PREFIX):
            events = store.read_events(self.db_url, conversation_id)
            return queries.build_conversation(conversation_id, events) if events else None
        return next((c for c in self.all() if self.public_id(c) == conversation_id), None)

    # --- shaping -------------------------------------------------------------

    def public_id(self, conversation: Conversation) -> str:
        return masking.public_id(conversation.sender_id, conversation.channel, self.id_key)

    def _scrub(self, conversation: Conversation, text: str) -> str:
        return masking.scrub(text, conversation.sender_id, conversation.channel)

    def summary(self, conversation: Conversation) -> Dict[str, Any]:
        return {
            "id": self.public_id(conversation),
            "sender_id": masking.shown_sender(conversation.sender_id, conversation.channel),
            "channel": conversation.channel,
            "started": iso(conversation.started),
            "last": iso(conversation.last),
            "messages": len(conversation.turns),
            "outcomes": conversation.outcomes,
            "verdicts": conversation.verdicts,
            "paused_since": None if conversation.paused_since is None else iso(conversation.paused_since),
            "contact": conversation.contact,
        }

    def turn(self, conversation: Conversation, turn: Turn) -> Dict[str, Any]:
        metadata = None
        if turn.metadata is not None:
            metadata = json.loads(self._scrub(conversation, json.dumps(turn.metadata, ensure_ascii=False)))
        return {
            "text": self._scrub(conversation, turn.text),
            "timestamp": iso(turn.timestamp),
            "intent": turn.intent,
            "confidence": turn.confidence,
            "fine_intent": turn.fine_intent,
            "metadata": metadata,
            "reason": turn.reason,
            "handoff": turn.handoff,
            "paused": turn.paused,
            "seconds_to_reply": None if turn.latency is None else round(turn.latency, 3),
            "replies": [
                {
                    "text": self._scrub(conversation, r.text),
                    "action": r.action,
                    "timestamp": iso(r.timestamp),
                    "staff": r.staff,
                }
                for r in turn.replies
            ],
            # the bot paused ("pause") or resumed ("resume") after the first `after_replies` replies
            "marks": [
                {"event": m.event, "timestamp": iso(m.timestamp), "after_replies": m.after_replies}
                for m in turn.marks
            ],
        }

    def detail(self, conversation: Conversation) -> Dict[str, Any]:
        return {
            **self.summary(conversation),
            "turns": [self.turn(conversation, t) for t in conversation.turns],
        }

    # --- the one write -------------------------------------------------------

    def resume(self, conversation: Conversation) -> Dict[str, Any]:
        """Hands a paused conversation back to the bot (through Rasa's HTTP API)."""
        if conversation.paused_since is None:
            raise NotPaused("the bot is not paused in this conversation")
        self.rasa.resume(conversation.sender_id)
        return {
            "id": self.public_id(conversation),
            "sender_id": masking.shown_sender(conversation.sender_id, conversation.channel),
            "resumed": True,
        }

    def reply(self, conversation: Conversation, text: Any) -> Dict[str, Any]:
        """Sends a staff member's ``text`` to a paused conversation's user; the bot stays paused."""
        if not isinstance(text, str) or not text.strip():
            raise BadRequest('the reply needs a text: {"text": "..."}')
        if len(text) > MAX_REPLY_CHARS:
            raise BadRequest(f"the reply is {len(text)} characters long; at most {MAX_REPLY_CHARS}")
        if conversation.paused_since is None:
            raise NotPaused(
                "the bot is not paused in this conversation: staff reply only to handed-off users"
            )
        if conversation.channel not in REPLY_CHANNELS:
            raise CannotReply(
                f"a {conversation.channel} user cannot be sent a reply; replies reach the widget (socketio) and WeChat only"
            )
        send_reply(self.rasa, self.wechat, conversation.sender_id, conversation.channel, text.strip())
        return {
            "id": self.public_id(conversation),
            "sender_id": masking.shown_sender(conversation.sender_id, conversation.channel),
            "channel": conversation.channel,
            "sent": True,
        }

    # --- the API's answers ---------------------------------------------------

    def tickets(self) -> Dict[str, Any]:
        """The paused conversations (handed to a person, not yet resumed), oldest first:
        who, where, since when, the contact left, and the transcript's address."""
        paused = [c for c in self.all() if c.paused_since is not None]
        paused.sort(key=lambda c: (c.paused_since or 0.0, c.sender_id))
        return {
            "total": len(paused),
            "tickets": [
                {
                    "id": self.public_id(c),
                    "sender_id": masking.shown_sender(c.sender_id, c.channel),
                    "channel": c.channel,
                    "since": iso(c.paused_since or 0.0),
                    "contact": c.contact,
                    "can_reply": c.channel in REPLY_CHANNELS,
                    "transcript": "/staff/conversations/" + quote(self.public_id(c), safe=""),
                }
                for c in paused
            ],
        }

    def conversations(self, query: Query) -> Dict[str, Any]:
        found = queries.select(self.all(), query.filters)
        page = found[query.offset : query.offset + query.limit]
        return {
            "total": len(found),
            "offset": query.offset,
            "limit": query.limit,
            "conversations": [self.summary(c) for c in page],
        }

    def unanswered(self, query: Query) -> Dict[str, Any]:
        found = queries.select(self.all(), query.filters)
        by_sender = {c.sender_id: c for c in found}
        items = [u for u in queries.unanswered(found) if query.reason is None or u.reason == query.reason]

        def item(u: queries.Unanswered) -> Dict[str, Any]:
            conversation = by_sender[u.sender_id]
            return {
                "sender_id": masking.shown_sender(u.sender_id, u.channel),
                "conversation": self.public_id(conversation),
                "channel": u.channel,
                "text": self._scrub(conversation, u.text),
                "timestamp": iso(u.timestamp),
                "reason": u.reason,
                "intent": u.intent,
                "confidence": u.confidence,
            }

        groups = group(items)
        return {
            "total": len(items),
            "items": [item(u) for u in items[query.offset : query.offset + query.limit]],
            "groups": [
                {
                    "text": self._scrub(by_sender[g.items[0].sender_id], g.text),
                    "count": g.count,
                    "latest": iso(g.latest),
                    "reasons": g.reasons,
                    "texts": self._wordings(by_sender, g.items),
                }
                for g in groups[: query.limit]
            ],
        }

    def _wordings(self, by_sender: Dict[str, Conversation], items: Sequence[queries.Unanswered]) -> List[str]:
        """A group's distinct wordings, newest first."""
        seen: Dict[str, str] = {}
        for u in items:
            seen.setdefault(u.text, self._scrub(by_sender[u.sender_id], u.text))
        return list(seen.values())

    def metrics(self, query: Query) -> Dict[str, Any]:
        found = queries.select(self.all(), query.filters)
        figures = metrics.summary(found)
        for row in figures["slowest"]:
            row["text"] = masking.scrub(row["text"], row["sender_id"], row["channel"])
            row["sender_id"] = masking.shown_sender(row["sender_id"], row["channel"])
            row["timestamp"] = iso(row["timestamp"])
        figures["low_confidence_threshold"] = queries.LOW_CONFIDENCE
        return figures
