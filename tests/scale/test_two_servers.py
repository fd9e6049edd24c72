"""Scale: two Rasa servers behind one address share conversations.

One action server, two Rasa servers (same model) with the tracker store in
PostgreSQL and the conversation locks in Redis. Twenty conversations run at
once, each sending its turns alternately to server A and server B. Every
conversation must get the replies the same script gets from a single server
(a reference run with its own sender ids), and its tracker, read over the HTTP
API from either server, must hold each user message and each bot reply exactly
once, in order. `make test-scale` runs it (it installs Debian's postgresql and
redis-server when missing); the other targets do not collect it.
"""

from __future__ import annotations

import json
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, Dict, Iterator, List, Tuple

import pytest
import yaml

from tests.e2e.servers import MODEL, ROOT, Bot
from tests.scale.services import Postgres, Redis, ensure_packages

pytestmark = pytest.mark.scale

# Scripts that work turn by turn (see tests/e2e/test_rest.py): FAQ, interviews
# (eligible, ineligible, interrupted by an FAQ) and the need check.
SCRIPTS: List[List[str]] = [
    ["办个省内的呼叫中心证注册资金得多少钱", "有效期几年", "那全网呢？", "呼叫中心許可證要準備哪些材料"],
    [
        "我想看看我们公司能不能办呼叫中心许可证",
        "我们是深圳的有限公司，只做广东省内业务，注册资本五百万，没有外资",
        "没有",
        "没有",
        "有",
        "社保有4个人",
        "有",
        "有",
        "有",
    ],
    [
        "帮我评估一下",
        "全国",
        "是有限公司",
        "注册资本600万",
        "纯内资",
        "不在",
        "没有",
        "有",
        "2个",
        "有",
        "有",
        "有",
    ],
    ["帮我测测能不能办证", "地网", "北京", "分公司可以自己申请吗？", "有限公司", "300万", "没有外资"],
    [
        "我们是做电话客服外包的，需不需要办这个证",
        "地网注册资本要求多少",
        "ICP经营许可证怎么申请啊",
        "有效期几年",
    ],
]
CONVERSATIONS = 20

Replies = List[List[str]]  # per turn, the texts of the bot's messages


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Tuple[Bot, Bot, Redis, Postgres]]:
    if not MODEL.exists():
        pytest.fail(f"no trained model at {MODEL}: run `make train` first")
    ensure_packages()
    workdir = Path(tmp_path_factory.mktemp("scale"))
    # The REST channel apologises after reply_timeout (20 s); on a loaded machine
    # that would change a reply, and this test is about the stores, not speed.
    credentials = yaml.safe_load((ROOT / "credentials.yml").read_text())
    credentials["channels.rest.RestInput"]["reply_timeout"] = 300
    credentials_file = workdir / "credentials.yml"
    credentials_file.write_text(yaml.safe_dump(credentials, allow_unicode=True))

    postgres, redis = Postgres(), Redis()
    servers: List[Bot] = []
    try:
        postgres.start()
        redis.start()
        env = {"TRACKER_DB_URL": postgres.url, "LOCK_STORE_URL": redis.url}
        a = Bot(workdir=workdir / "a", extra_env=env, credentials=str(credentials_file))
        a.workdir.mkdir()
        servers.append(a)
        a.start_actions()
        b = Bot(
            workdir=workdir / "b",
            extra_env=env,
            credentials=str(credentials_file),
            actions_port=a.actions_port,
            token=a.token,
        )
        b.workdir.mkdir()
        servers.append(b)
        # one at a time: two servers creating the tables at once log errors
        a.start_rasa()
        b.start_rasa()
        yield a, b, redis, postgres
    finally:
        for server in reversed(servers):
            server.stop()
        redis.stop()
        postgres.stop()


def converse(servers: List[Bot], user: str, script: List[str], offset: int) -> Replies:
    """Say the script's turns, turn i to servers[(i + offset) % len(servers)]."""
    replies: Replies = []
    for turn, text in enumerate(script):
        server = servers[(turn + offset) % len(servers)]
        replies.append([m.get("text", "") for m in server.say(user, text)])
    return replies


def run_all(servers: List[Bot], prefix: str) -> Dict[str, Tuple[List[str], Replies]]:
    """All conversations at once (one thread each); sender -> (script, replies)."""
    plan = {
        f"{prefix}-{i:02d}-{uuid.uuid4().hex[:6]}": (i, SCRIPTS[i % len(SCRIPTS)])
        for i in range(CONVERSATIONS)
    }
    with ThreadPoolExecutor(max_workers=CONVERSATIONS) as pool:
        futures = {
            user: pool.submit(converse, servers, user, script, i) for user, (i, script) in plan.items()
        }
        return {user: (plan[user][1], future.result()) for user, future in futures.items()}


def server_errors(servers: List[Bot], limit: int = 80) -> str:
    """The error lines (and tracebacks) the servers logged, for a failure message:
    CI keeps only the test's output, not the temporary directory."""
    lines: List[str] = []
    for server in servers:
        for name in ("rasa.log", "actions.log"):
            path = server.workdir / name
            if not path.exists():
                continue
            log = path.read_text(errors="replace").splitlines()
            keep = [
                i
                for i, line in enumerate(log)
                if any(w in line for w in ("ERROR", "Traceback", "Exception", "Error:"))
            ]
            for i in keep:
                lines.extend(f"{server.workdir.name}/{name}: {l}" for l in log[i : i + 12])
    return "\n".join(lines[-limit:]) or "(no errors in the server logs)"


def events_of(server: Bot, user: str) -> List[Dict[str, Any]]:
    return server.tracker(user)["events"]


def count(events: List[Dict[str, Any]]) -> Dict[str, int]:
    return {
        "events": len(events),
        "user": sum(e["event"] == "user" for e in events),
        "bot": sum(e["event"] == "bot" for e in events),
    }


def test_twenty_conversations_alternating_between_two_servers(
    stack: Tuple[Bot, Bot, Redis, Postgres],
) -> None:
    a, b, redis, postgres = stack
    locks_before = redis.commandstats()

    reference = run_all([a], "single")
    shared = run_all([a, b], "shared")

    # the same script gets the same replies from one server as from two
    by_script_reference = {}
    for script, replies in reference.values():
        by_script_reference.setdefault(json.dumps(script), replies)
    for user, (script, replies) in shared.items():
        assert all(replies), f"{user}: a turn without any reply: {replies}"
        assert replies == by_script_reference[json.dumps(script)], f"{user}\n{server_errors([a, b])}"

    totals: Dict[str, Dict[str, int]] = {}
    for name, run in (("single server", reference), ("two servers", shared)):
        total = {"events": 0, "user": 0, "bot": 0}
        for user, (script, replies) in run.items():
            events = events_of(a, user)
            # both servers read the same store
            assert events == events_of(b, user), user
            user_texts = [e["text"] for e in events if e["event"] == "user"]
            bot_texts = [e.get("text") for e in events if e["event"] == "bot"]
            # every user message once, in order; every reply once, in order
            assert user_texts == script, user
            assert bot_texts == [text for turn in replies for text in turn], user
            for key, value in count(events).items():
                total[key] += value
        totals[name] = total

    # the two runs stored the same conversations
    assert totals["two servers"] == totals["single server"]

    # the tracker store is PostgreSQL, one row per event, nothing duplicated
    import sqlalchemy as sa

    engine = sa.create_engine(postgres.url)
    try:
        with engine.connect() as connection:
            rows = dict(
                connection.execute(
                    sa.text("SELECT sender_id, count(*) FROM events GROUP BY sender_id")
                ).fetchall()
            )
    finally:
        engine.dispose()
    for user in shared:
        assert rows[user] == len(events_of(b, user)), user

    # and the locks went through Redis: at least one SET and one DEL per turn
    locks_after = redis.commandstats()
    turns = sum(len(script) for script, _ in shared.values()) + sum(
        len(script) for script, _ in reference.values()
    )
    for command in ("cmdstat_set", "cmdstat_del"):
        calls = locks_after.get(command, 0) - locks_before.get(command, 0)
        assert calls >= turns, (command, calls, turns)

    print()
    for name, total in totals.items():
        print(
            f"{name}: {CONVERSATIONS} conversations, {total['events']} events, "
            f"{total['user']} user, {total['bot']} bot"
        )
    print(
        "redis lock commands: "
        + ", ".join(
            f"{c.replace('cmdstat_', '')}={locks_after.get(c, 0) - locks_before.get(c, 0)}"
            for c in ("cmdstat_get", "cmdstat_set", "cmdstat_del")
        )
    )


def test_the_redis_lock_store_lets_one_holder_in_at_a_time(
    stack: Tuple[Bot, Bot, Redis, Postgres],
) -> None:
    """Four stores (as in four servers) take one conversation's lock 40 times
    each, as fast as they can; inside, a read-sleep-write counter in Redis
    loses increments unless the holders really take turns."""
    import asyncio
    import threading

    import redis as redis_client

    from stores.lock_store import AtomicRedisLockStore, lock_store_from_env

    _, _, redis, _ = stack
    conversation, counter = f"race-{uuid.uuid4().hex[:6]}", f"counter-{uuid.uuid4().hex[:6]}"
    errors: List[BaseException] = []
    keys: List[str] = []

    def holder() -> None:
        store = lock_store_from_env({"LOCK_STORE_URL": redis.url})
        assert isinstance(store, AtomicRedisLockStore)
        client = redis_client.Redis(host="127.0.0.1", port=redis.port)
        keys.append(store.key_prefix + conversation)

        async def take_turns() -> None:
            for _ in range(40):
                async with store.lock(conversation, wait_time_in_seconds=0.005):
                    value = int(client.get(counter) or 0)
                    await asyncio.sleep(0.002)
                    client.set(counter, value + 1)

        try:
            asyncio.run(take_turns())
        except BaseException as error:  # noqa: BLE001 - reported below
            errors.append(error)

    threads = [threading.Thread(target=holder) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=600)
    assert not errors, errors
    client = redis_client.Redis(host="127.0.0.1", port=redis.port)
    assert int(client.get(counter) or 0) == 160
    assert client.get(keys[0]) is None  # the last holder deleted the lock


def test_two_messages_of_one_conversation_at_once_on_two_servers_stay_whole_turns(
    stack: Tuple[Bot, Bot, Redis, Postgres],
) -> None:
    """With the locks shared, server B waits while A handles the same conversation:
    each message's turn is stored whole (user, its replies, action_listen) and
    never interleaved with the other's. B's message leaves 50 ms after A's,
    while A is still on it, but not in the same instant: Rasa's Redis lock store
    reads and then writes a ticket, two steps that are not atomic."""
    import threading
    import time

    a, b, redis, _ = stack
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
