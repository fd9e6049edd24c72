"""What the scale tests say to the bot and how they read back what was stored.

Scripts that work turn by turn (see tests/e2e/test_rest.py): FAQ, interviews
(eligible, ineligible, interrupted by an FAQ) and the need check. A script's
replies from a single server are the reference every other run is held to.
"""

from __future__ import annotations

import contextlib
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Callable, Dict, Iterable, Iterator, List, Tuple

from tests.e2e.servers import Bot
from tests.scale.services import Postgres

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

Replies = List[List[str]]  # per turn, the texts of the bot's messages


def converse(servers: List[Bot], user: str, script: List[str], offset: int) -> Replies:
    """Say the script's turns, turn i to servers[(i + offset) % len(servers)]."""
    replies: Replies = []
    for turn, text in enumerate(script):
        server = servers[(turn + offset) % len(servers)]
        replies.append([m.get("text", "") for m in server.say(user, text)])
    return replies


def run_all(servers: List[Bot], prefix: str, conversations: int) -> Dict[str, Tuple[List[str], Replies]]:
    """``conversations`` conversations at once (one thread each); sender -> (script, replies)."""
    plan = {
        f"{prefix}-{i:02d}-{uuid.uuid4().hex[:6]}": (i, SCRIPTS[i % len(SCRIPTS)])
        for i in range(conversations)
    }
    with ThreadPoolExecutor(max_workers=conversations) as pool:
        futures = {
            user: pool.submit(converse, servers, user, script, i) for user, (i, script) in plan.items()
        }
        return {user: (plan[user][1], future.result()) for user, future in futures.items()}


def server_errors(servers: Iterable[Bot], limit: int = 80) -> str:
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
    """The conversation's events, over the HTTP API."""
    return list(server.tracker(user)["events"])


def count(events: List[Dict[str, Any]]) -> Dict[str, int]:
    return {
        "events": len(events),
        "user": sum(e["event"] == "user" for e in events),
        "bot": sum(e["event"] == "bot" for e in events),
    }


def stored_rows(postgres: Postgres, prefix: str) -> Dict[str, int]:
    """sender_id -> rows in PostgreSQL's ``events`` table, for senders starting with ``prefix``."""
    import sqlalchemy as sa

    engine = sa.create_engine(postgres.url)
    try:
        with engine.connect() as connection:
            query = sa.text(
                "SELECT sender_id, count(*) FROM events WHERE sender_id LIKE :p GROUP BY sender_id"
            )
            return {str(k): int(v) for k, v in connection.execute(query, {"p": f"{prefix}%"}).fetchall()}
    finally:
        engine.dispose()


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
