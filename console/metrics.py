"""Figures over conversations: per day and channel, answered share, fallback and
handoff rates, the eligibility interview, the slowest turns. Pure."""

from __future__ import annotations

from typing import Any, Dict, List, Sequence

from console.queries import (
    ANSWERED,
    FALLBACK,
    HANDOFF,
    LOW,
    Conversation,
)

SLOWEST = 10


def _share(part: int, whole: int) -> float:
    return round(part / whole, 4) if whole else 0.0


def per_day(found: Sequence[Conversation]) -> Dict[str, Dict[str, int]]:
    """{"2026-12-01": {"rest": 3, "wechat": 1}, ...}, days in order."""
    days: Dict[str, Dict[str, int]] = {}
    for conversation in sorted(found, key=lambda c: c.started):
        counts = days.setdefault(conversation.day.isoformat(), {})
        counts[conversation.channel] = counts.get(conversation.channel, 0) + 1
    return days


def slowest_turns(found: Sequence[Conversation], limit: int = SLOWEST) -> List[Dict[str, Any]]:
    """The turns with the longest time from the user's message to the bot's first reply."""
    timed = [
        (turn.latency, conversation, turn)
        for conversation in found
        for turn in conversation.turns
        if turn.latency is not None
    ]
    timed.sort(key=lambda x: -x[0])
    return [
        {
            "sender_id": conversation.sender_id,
            "channel": conversation.channel,
            "text": turn.text,
            "timestamp": turn.timestamp,
            "seconds": round(latency, 3),
            "intent": turn.intent,
        }
        for latency, conversation, turn in timed[:limit]
    ]


def summary(found: Sequence[Conversation]) -> Dict[str, Any]:
    """The metrics page's numbers (sender ids in ``slowest`` are raw: the API masks)."""
    talked = [c for c in found if c.turns]
    turns = [t for c in talked for t in c.turns]
    reasons: Dict[str, int] = {}
    for turn in turns:
        if turn.reason is not None:
            reasons[turn.reason] = reasons.get(turn.reason, 0) + 1
    verdicts: Dict[str, int] = {}
    for conversation in found:
        for verdict in conversation.verdicts:
            verdicts[verdict] = verdicts.get(verdict, 0) + 1
    completed = sum(1 for c in found if c.completed)
    abandoned = sum(1 for c in found if c.abandoned)
    channels: Dict[str, int] = {}
    for conversation in found:
        channels[conversation.channel] = channels.get(conversation.channel, 0) + 1

    def with_outcome(outcome: str) -> int:
        return sum(1 for c in talked if outcome in c.outcomes)

    return {
        "conversations": len(found),
        "with_messages": len(talked),
        "messages": len(turns),
        "channels": channels,
        "per_day": per_day(found),
        "answered_share": _share(with_outcome(ANSWERED), len(talked)),
        "messages_answered_share": _share(sum(1 for t in turns if t.reason is None), len(turns)),
        "fallback_rate": _share(with_outcome(FALLBACK), len(talked)),
        "low_confidence_rate": _share(with_outcome(LOW), len(talked)),
        "handoff_rate": _share(with_outcome(HANDOFF), len(talked)),
        "unanswered_reasons": reasons,
        "interview": {
            "completed": completed,
            "abandoned": abandoned,
            "completion_rate": _share(completed, completed + abandoned),
            "verdicts": verdicts,
        },
        "slowest": slowest_turns(found),
    }
