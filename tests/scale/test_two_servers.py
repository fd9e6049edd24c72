"""Scale: two Rasa servers behind one address share conversations.

Conversations run at once, each sending its turns alternately to server A and
server B (PostgreSQL tracker store, Redis locks; tests/scale/conftest.py). Every
conversation must get the replies the same script gets from a single server,
and its tracker, read over the HTTP API from either server and counted in
PostgreSQL, must hold each user message and each bot reply exactly once, in
order. Two messages of one conversation sent at once to A and B must be stored
as two whole turns.
"""

from __future__ import annotations

import json
import uuid
from typing import Any, Dict, List

import pytest

from tests.e2e.servers import Bot
from tests.scale.conftest import Stack, running
from tests.scale.conversations import Replies, count, events_of, run_all, server_errors, stored_rows

pytestmark = pytest.mark.scale

CONVERSATIONS = 10


def test_conversations_alternating_between_two_servers(stack: Stack, references: Dict[str, Replies]) -> None:
    a, b, redis = stack.a, stack.b, stack.redis
    running(a, b)
    locks_before = redis.commandstats()
    shared = run_all([a, b], "shared", CONVERSATIONS)

    # the same script gets the same replies from one server as from two
    for user, (script, replies) in shared.items():
        assert all(replies), f"{user}: a turn without any reply: {replies}"
        assert replies == references[json.dumps(script)], f"{user}\n{server_errors([a, b])}"

    total = {"events": 0, "user": 0, "bot": 0}
    rows = stored_rows(stack.postgres, "shared-")
    for user, (script, replies) in shared.items():
        events = events_of(a, user)
        # both servers read the same store, one row per event
        assert events == events_of(b, user), user
        assert rows[user] == len(events), user
        user_texts = [e["text"] for e in events if e["event"] == "user"]
        bot_texts = [e.get("text") for e in events if e["event"] == "bot"]
        # every user message once, in order; every reply once, in order
        assert user_texts == script, user
        assert bot_texts == [text for turn in replies for text in turn], user
        for key, value in count(events).items():
            total[key] += value

    # and the locks went through Redis: at least one SET and one DEL per turn
    locks_after = redis.commandstats()
    turns = sum(len(script) for script, _ in shared.values())
    for command in ("cmdstat_set", "cmdstat_del"):
        calls = locks_after.get(command, 0) - locks_before.get(command, 0)
        assert calls >= turns, (command, calls, turns)

    print(
        f"\ntwo servers, alternating: {CONVERSATIONS} conversations, {turns} turns, {total['events']} events, "
        f"{total['user']} user, {total['bot']} bot; the replies of a single server"
    )
    print(
        "redis lock commands: "
        + ", ".join(
            f"{c.replace('cmdstat_', '')}={locks_after.get(c, 0) - locks_before.get(c, 0)}"
            for c in ("cmdstat_get", "cmdstat_set", "cmdstat_del")
        )
    )


def test_two_messages_of_one_conversation_at_once_on_two_servers_stay_whole_turns(
    stack: Stack,
) -> None:
    """With the locks shared, server B waits while A handles the same conversation:
    each message's turn is stored whole (user, its replies, action_listen) and
    never interleaved with the other's. B's message leaves 50 ms after A's,
    while A is still on it, but not in the same instant: Rasa's Redis lock store
    reads and then writes a ticket, two steps that are not atomic."""
    import threading
    import time

    a, b, redis = stack.a, stack.b, stack.redis
    running(a, b)
    before = redis.commandstats()
    questions = {"有效期几年": "5年", "地网注册资本要多少": "100万"}
    users = [f"together-{i:02d}-{uuid.uuid4().hex[:6]}" for i in range(6)]
    for user in users:
        results: Dict[str, List[str]] = {}

        def ask(server: Bot, text: str) -> None:
            results[text] = [m.get("text", "") for m in server.say(user, text)]

        threads = [
            threading.Thread(target=ask, args=(server, text)) for server, text in zip((a, b), questions)
        ]
        threads[0].start()
        time.sleep(0.05)
        threads[1].start()
        for thread in threads:
            thread.join(timeout=600)
        assert set(results) == set(questions), user

        events = events_of(b, user)
        turns: List[List[Dict[str, Any]]] = []
        for event in events:
            if event["event"] == "user":
                turns.append([event])
            elif turns:
                turns[-1].append(event)
        assert [turn[0]["text"] for turn in turns] in (list(questions), list(reversed(list(questions)))), user
        for turn in turns:
            text = turn[0]["text"]
            replies = [e.get("text") for e in turn if e["event"] == "bot"]
            assert replies == results[text], (user, text)
            assert questions[text] in "\n".join(replies), (user, text)
            actions = [e.get("name") for e in turn if e["event"] == "action"]
            assert actions[-1] == "action_listen", (user, text, actions)
            assert sum(e["event"] == "user" for e in turn) == 1
    # AtomicRedisLockStore reads a lock 3 times per message (ticket, acquire,
    # cleanup) and twice more each time a waiting server polls (once a second)
    gets = redis.commandstats().get("cmdstat_get", 0) - before.get("cmdstat_get", 0)
    messages = 2 * len(users)
    print(
        f"\nsame conversation on both servers at once: {messages} messages, "
        f"{gets} lock GETs in Redis, {(gets - 3 * messages) // 2} polls while waiting"
    )
