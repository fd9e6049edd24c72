"""Scale: the staff console reads the conversations the two servers wrote to
PostgreSQL, as it reads SQLite under `make run` (console/store.py, console/queries.py)."""

from __future__ import annotations

import uuid

import pytest

from console.queries import build_conversation, unanswered
from console.store import read_events
from tests.scale.conftest import Stack

pytestmark = pytest.mark.scale


def test_the_console_reads_a_conversation_two_servers_wrote_to_postgres(stack: Stack) -> None:
    sender = f"console-pg-{uuid.uuid4().hex[:8]}"
    # one question on each server, and one message the bot cannot answer
    stack.a.say(sender, "呼叫中心证有效期几年")
    stack.b.say(sender, "帮我订一张去上海的高铁票")
    url = stack.postgres.url

    events = read_events(url, sender)
    conversation = build_conversation(sender, events)
    texts = [turn.text for turn in conversation.turns]
    assert texts[-2:] == ["呼叫中心证有效期几年", "帮我订一张去上海的高铁票"]
    assert conversation.channel == "rest"
    question, off_topic = conversation.turns[-2:]
    assert question.fine_intent == "faq/validity" and question.reason is None
    assert question.replies, "the answer is in the transcript"
    assert off_topic.reason is not None

    # all senders at once, as the console's list and 未解决的问题 read them
    listed = [item for item in unanswered([conversation]) if item.sender_id == sender]
    assert [item.text for item in listed] == ["帮我订一张去上海的高铁票"]
    assert any(event["sender_id"] == sender for event in read_events(url))
