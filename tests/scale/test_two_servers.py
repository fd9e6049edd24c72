"""Scale: two Rasa servers behind one address share conversations.

One action server, two Rasa servers (same model) with the tracker store in
PostgreSQL and the conversation locks in Redis. Twenty conversations run at
once, each sending its turns alternately to server A and server B. Every
conversation must get the replies the same script gets from a single server
(a reference run with its own sender ids), and its tracker, read over the HTTP
API from either server, must hold each user message and each bot reply exactly
once, in order.

Then twenty more conversations go through nginx (Debian's, running the
deployment's own template, deploy/nginx/callcentre.conf.template) in front of
both servers, and halfway through server B is restarted the way the template
tells operators to: taken out of nginx and drained, then stopped. Every message
must still get its reply and be stored exactly once. `make test-scale` runs it
(it installs Debian's postgresql, redis-server and nginx when missing); the
other targets do not collect it.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, Callable, Dict, Iterator, List, Tuple

import pytest
import requests
import yaml

from tests.e2e.servers import MODEL, ROOT, Bot
from tests.scale.services import Nginx, Postgres, Redis, ensure_packages

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
APP_NAME = {"a": "scale-a", "b": "scale-b"}  # PostgreSQL's application_name of each server

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

        # each server's PostgreSQL sessions carry its name (pg_stat_activity), so
        # the nginx test can see when server B is in the middle of a request
        def env(name: str) -> Dict[str, str]:
            return {"TRACKER_DB_URL": f"{postgres.url}?application_name={name}", "LOCK_STORE_URL": redis.url}

        a = Bot(workdir=workdir / "a", extra_env=env(APP_NAME["a"]), credentials=str(credentials_file))
        a.workdir.mkdir()
        servers.append(a)
        a.start_actions()
        b = Bot(
            workdir=workdir / "b",
            extra_env=env(APP_NAME["b"]),
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


@pytest.fixture(scope="module")
def balancer(stack: Tuple[Bot, Bot, Redis, Postgres]) -> Iterator[Nginx]:
    """nginx on a free loopback port in front of servers A and B."""
    a, b, _, _ = stack
    nginx = Nginx([f"127.0.0.1:{a.rasa_port}", f"127.0.0.1:{b.rasa_port}"])
    try:
        nginx.start()
        yield nginx
    finally:
        nginx.stop()


@pytest.fixture(scope="module")
def references() -> Dict[str, Replies]:
    """Script (as JSON) -> the replies one server gives it: filled by the first
    test's single-server run and reused by the nginx test, so the module runs it once."""
    return {}


def running(*servers: Bot) -> None:
    """The nginx test stops server B and comes last in the module; a test run on
    its own after it (pytest -k, a different order) gets B back here."""
    for server in servers:
        if server.rasa is None or server.rasa.poll() is not None:
            server.start_rasa()


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
    references: Dict[str, Replies],
) -> None:
    a, b, redis, postgres = stack
    running(a, b)
    locks_before = redis.commandstats()

    reference = run_all([a], "single")
    shared = run_all([a, b], "shared")

    # the same script gets the same replies from one server as from two
    by_script_reference = references
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


@contextlib.contextmanager
def events_table_locked(postgres: Postgres) -> Iterator[Callable[[str], None]]:
    """Hold an exclusive lock on Rasa's ``events`` table: every server that reads
    or writes a conversation waits (Rasa 3.6's SQL tracker store is synchronous,
    so its whole server waits), and a request it is handling stays in flight
    until the lock is released on leaving the block. Yields ``wait_for(name)``:
    returns once the server whose sessions are named ``name`` waits for the lock."""
    import sqlalchemy as sa

    engine = sa.create_engine(postgres.url)
    try:
        with engine.connect() as holder, engine.connect() as observer:
            with holder.begin():
                holder.execute(sa.text("SET LOCAL lock_timeout = '60s'"))
                holder.execute(sa.text("LOCK TABLE events IN ACCESS EXCLUSIVE MODE"))

                def wait_for(name: str) -> None:
                    deadline = time.monotonic() + 120
                    while True:
                        # a transaction of its own each time: pg_stat_activity is
                        # read once per transaction
                        with observer.begin():
                            waiting = observer.execute(
                                sa.text(
                                    "SELECT count(*) FROM pg_stat_activity "
                                    "WHERE application_name = :name AND wait_event_type = 'Lock'"
                                ),
                                {"name": name},
                            ).scalar()
                        if waiting:
                            return
                        assert time.monotonic() < deadline, f"{name} never waited for the events table"
                        time.sleep(0.05)

                yield wait_for
    finally:
        engine.dispose()


def test_twenty_conversations_through_nginx_while_one_server_is_drained_and_stopped(
    stack: Tuple[Bot, Bot, Redis, Postgres],
    balancer: Nginx,
    references: Dict[str, Replies],
) -> None:
    """Last in the module: it stops server B. All REST traffic goes through nginx.
    Once half the turns are answered, B is restarted the way the template's
    header tells operators to: marked down and nginx reloaded (new requests go to
    A; nginx's old workers finish what they had sent B), the old workers waited
    for, then SIGTERM and B's exit waited for. To be sure a request is in flight
    on B when it is taken out, the events table is locked first and B is seen
    waiting for it (in the middle of a message); the lock is released once the
    reload is in force. Every conversation's last turn is sent after B has
    exited, so each one ends on A alone."""
    a, b, _, postgres = stack
    running(a, b)
    if not references:  # run on its own: the replies one server gives each script
        for script, replies in run_all([a], "single").values():
            references.setdefault(json.dumps(script), replies)
    a_address, b_address = balancer.upstreams

    plan = {f"nginx-{i:02d}-{uuid.uuid4().hex[:6]}": SCRIPTS[i % len(SCRIPTS)] for i in range(CONVERSATIONS)}
    total = sum(len(script) for script in plan.values())
    counter_lock = threading.Lock()
    answered = [0]
    half, b_gone = threading.Event(), threading.Event()

    def converse_through(user: str, script: List[str]) -> Replies:
        replies: Replies = []
        for turn, text in enumerate(script):
            if turn == len(script) - 1:
                assert b_gone.wait(timeout=900), f"{user}: server B was never stopped"
            response = requests.post(
                f"{balancer.url}/webhooks/rest/webhook", json={"sender": user, "message": text}, timeout=300
            )
            # no retry of any kind: a drained server loses nothing, so anything
            # but 200 is a failure
            assert response.status_code == 200, (user, turn, response.status_code, response.text[:300])
            replies.append([m.get("text", "") for m in response.json()])
            with counter_lock:
                answered[0] += 1
                if answered[0] >= total // 2:
                    half.set()
        return replies

    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=CONVERSATIONS) as pool:
        futures = {user: pool.submit(converse_through, user, script) for user, script in plan.items()}
        try:
            # every conversation holds back its last turn, so more than half the
            # turns are always sent before B stops: half is reached
            while not half.wait(timeout=1):
                failed = [f.exception() for f in futures.values() if f.done() and f.exception()]
                assert not failed, failed
            stop_at = answered[0]
            began = time.monotonic()
            with events_table_locked(postgres) as wait_for:
                wait_for(APP_NAME["b"])  # B is in the middle of a message
                mid_message = time.monotonic()
                mark = balancer.log_size()
                # 1. take B out; returns when no new request can reach B
                old_workers = balancer.take_out(b_address)
                reloaded = time.monotonic()
            released = time.monotonic()
            # 2. the old workers finish B's requests (and A's), then exit
            balancer.wait_exited(old_workers)
            drained = time.monotonic()
            # 3. stop B, by its PID, and wait for it to exit on its own
            assert b.rasa is not None
            os.kill(b.rasa.pid, signal.SIGTERM)
            try:
                b_code = b.rasa.wait(timeout=60)
            except subprocess.TimeoutExpired:
                b.stop_rasa()  # SIGKILL after SIGTERM, so that the module can end
                raise AssertionError(f"server B did not exit within 60 s of SIGTERM\n{server_errors([b])}")
            exited = time.monotonic()
            timings = {
                "B seen mid-message": mid_message - began,
                "reload in force": reloaded - mid_message,
                "lock released": released - reloaded,
                "old workers gone": drained - released,
                "B exited after SIGTERM": exited - drained,
            }
            stopped_at = answered[0]
        finally:
            b_gone.set()  # let the last turns go, whatever happened above
        results = {user: future.result() for user, future in futures.items()}
    elapsed = time.monotonic() - started
    assert b_code == 0, f"server B exited with {b_code}\n{server_errors([b])}"

    # every message got its reply, the one a single server gives
    for user, script in plan.items():
        replies = results[user]
        assert len(replies) == len(script) and all(replies), f"{user}: a turn without any reply: {replies}"
        assert replies == references[json.dumps(script)], f"{user}\n{server_errors([a, b])}"

    # and the store holds each user message once, in order, with its replies once
    total_counts = {"events": 0, "user": 0, "bot": 0}
    for user, script in plan.items():
        events = events_of(a, user)
        user_texts = [e["text"] for e in events if e["event"] == "user"]
        bot_texts = [e.get("text") for e in events if e["event"] == "bot"]
        assert user_texts == script, user
        assert bot_texts == [text for turn in results[user] for text in turn], user
        for key, value in count(events).items():
            total_counts[key] += value
    assert total_counts["user"] == total

    import sqlalchemy as sa

    engine = sa.create_engine(postgres.url)
    try:
        with engine.connect() as connection:
            rows = dict(
                connection.execute(
                    sa.text(
                        "SELECT sender_id, count(*) FROM events WHERE sender_id LIKE 'nginx-%' GROUP BY sender_id"
                    )
                ).fetchall()
            )
    finally:
        engine.dispose()
    for user in plan:
        assert rows[user] == len(events_of(a, user)), user

    # nginx sent each message once, to one server, and got 200 every time
    def posts(lines: List[str]) -> List[Tuple[int, List[str]]]:
        found = []
        for line in lines:
            if '"POST /webhooks/rest/webhook" ' in line:
                status = int(line.split('" ', 1)[1].split()[0])
                found.append((status, line.split(" upstream=", 1)[1].split(", ")))
        return found

    every = posts(balancer.access_log())
    assert len(every) == total, (len(every), total)
    assert all(status == 200 and len(addresses) == 1 for status, addresses in every), balancer.tail()
    by_b = sum(addresses == [b_address] for _, addresses in every)
    # B served its share before the drain; what nginx logged as answered by B
    # after B was seen mid-message was in flight on B when it was taken out (at
    # least the message it was waiting on), and came back whole
    while_drained = sum(addresses == [b_address] for _, addresses in posts(balancer.access_log(since=mark)))
    assert by_b > 0 and while_drained > 0, (by_b, while_drained)
    assert not balancer.errors(), "\n".join(balancer.errors())

    print(
        f"\nthrough nginx: {CONVERSATIONS} conversations, {total} turns in {elapsed:.0f}s; "
        f"B taken out after {stop_at} answered turns, exited (code {b_code}) after {stopped_at}; "
        f"{total - stopped_at} turns after that, on A alone"
    )
    print("restart of B: " + ", ".join(f"{name} +{seconds:.1f}s" for name, seconds in timings.items()))
    print(
        f"nginx: {len(every)} REST requests, each sent once and answered 200: by A {len(every) - by_b}, "
        f"by B {by_b} ({while_drained} of them while it was drained: in flight when it was taken out)"
    )
    print(
        f"stored: {total_counts['events']} events, {total_counts['user']} user "
        f"(= {total} messages sent, each once, in order), {total_counts['bot']} bot"
    )
