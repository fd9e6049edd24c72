"""End-to-end: what users send is stored as sent and cannot harm the store,
oversized bodies are refused with 413, the lock store follows LOCK_STORE_URL (else REDIS_URL),
and a conversation survives stopping and starting `make run` (scripts/run.sh)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
import uuid
from pathlib import Path
from typing import Dict, Iterator, List, Set

import pytest
import requests
from rasa.core.lock_store import InMemoryLockStore

from stores.lock_store import lock_store_from_env, redis_kwargs
from tests.e2e.servers import ROOT, Bot, free_port

HOSTILE = [
    "'; DROP TABLE events; --",
    "<script>alert(1)</script>",
    "{{7*7}}",
    "${jndi:ldap://x}",
]


def sender(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


# --- lock store selection (no server needed) ----------------------------------


def test_locks_are_in_memory_without_lock_store_url() -> None:
    assert isinstance(lock_store_from_env({}), InMemoryLockStore)
    assert isinstance(lock_store_from_env({"LOCK_STORE_URL": "  "}), InMemoryLockStore)


def test_a_redis_url_gives_rasas_redis_lock_store_settings() -> None:
    assert redis_kwargs("redis://:s%40cret@10.0.0.5:6380/4") == {
        "host": "10.0.0.5",
        "port": 6380,
        "db": 4,
        "username": None,
        "password": "s@cret",
        "use_ssl": False,
    }
    assert redis_kwargs("rediss://cache.internal")["use_ssl"] is True
    assert redis_kwargs("redis://cache.internal")["db"] == 1


@pytest.mark.parametrize("url", ["memcached://x:1", "127.0.0.1:6379", "redis://h/zero"])
def test_a_wrong_lock_store_url_is_refused_with_a_message(url: str) -> None:
    with pytest.raises(ValueError, match="LOCK_STORE_URL"):
        lock_store_from_env({"LOCK_STORE_URL": url})


def test_an_unreachable_redis_is_reported_when_the_store_is_built() -> None:
    with pytest.raises(ConnectionError, match="no Redis"):
        lock_store_from_env({"LOCK_STORE_URL": f"redis://127.0.0.1:{free_port()}/0"})


def test_the_lock_store_defaults_to_redis_url() -> None:
    with pytest.raises(ConnectionError, match="no Redis"):
        lock_store_from_env({"REDIS_URL": f"redis://127.0.0.1:{free_port()}/0"})
    with pytest.raises(ValueError, match="REDIS_URL"):
        lock_store_from_env({"REDIS_URL": "memcached://x:1"})
    # LOCK_STORE_URL, when set, is the lock store's
    with pytest.raises(ValueError, match="LOCK_STORE_URL"):
        lock_store_from_env({"LOCK_STORE_URL": "memcached://x:1", "REDIS_URL": "redis://h:1/1"})
    assert isinstance(lock_store_from_env({"REDIS_URL": " ", "LOCK_STORE_URL": ""}), InMemoryLockStore)


@pytest.mark.e2e
def test_the_rasa_server_does_not_start_without_its_redis(tmp_path: Path) -> None:
    port = free_port()
    server = Bot(workdir=tmp_path, extra_env={"LOCK_STORE_URL": f"redis://127.0.0.1:{port}/0"})
    try:
        with pytest.raises(RuntimeError, match="exited"):
            server.start_rasa()  # no action server needed: it fails before
        assert server.rasa is not None and server.rasa.returncode != 0
        assert f"no Redis at 127.0.0.1:{port}" in (tmp_path / "rasa.log").read_text()
    finally:
        server.stop()


# --- request size ---------------------------------------------------------------


@pytest.mark.e2e
def test_a_one_megabyte_body_gets_413_and_the_bot_still_answers(bot: Bot) -> None:
    user = sender("big")
    body = json.dumps({"sender": user, "message": "啊" * 10 + "x" * 1_000_000}).encode()
    assert len(body) > 1_000_000
    response = requests.post(
        f"{bot.url}/webhooks/rest/webhook",
        data=body,
        headers={"Content-Type": "application/json"},
        timeout=60,
    )
    assert response.status_code == 413
    # the HTTP API is behind the same limit
    response = requests.post(
        f"{bot.url}/model/parse",
        params={"token": bot.token},
        data=json.dumps({"text": "x" * 200_000}).encode(),
        headers={"Content-Type": "application/json"},
        timeout=60,
    )
    assert response.status_code == 413
    # under the limit is fine (the normaliser cuts the message to 500 characters)
    body = json.dumps({"sender": user, "message": "有效期几年" + "。" * 15_000}, ensure_ascii=False).encode()
    assert 40_000 < len(body) < 64 * 1024
    response = requests.post(
        f"{bot.url}/webhooks/rest/webhook",
        data=body,
        headers={"Content-Type": "application/json"},
        timeout=60,
    )
    assert response.status_code == 200 and response.json()
    assert "5年" in bot.texts(user, "有效期几年")


# --- stored verbatim, harmless ------------------------------------------------------


@pytest.mark.e2e
def test_hostile_strings_are_stored_verbatim_and_harm_nothing(bot: Bot) -> None:
    user = sender("verbatim")
    replies: List[str] = []
    for text in HOSTILE:
        response = requests.post(
            f"{bot.url}/webhooks/rest/webhook",
            json={"sender": user, "message": text},
            timeout=60,
        )
        assert response.status_code == 200
        replies += [m.get("text", "") for m in response.json()]
    assert replies, "the bot must answer something"
    assert not any("<script" in reply.lower() for reply in replies)

    events = bot.tracker(user)["events"]
    user_texts = [e["text"] for e in events if e["event"] == "user"]
    assert user_texts == HOSTILE
    bot_texts = [e.get("text") or "" for e in events if e["event"] == "bot"]
    assert not any("<script" in t.lower() for t in bot_texts)

    # the events table is still there: this conversation and a new one go on
    assert "5年" in bot.texts(user, "有效期几年")
    other = sender("after")
    assert "100万" in bot.texts(other, "地网注册资本要多少")
    assert [e["text"] for e in bot.tracker(user)["events"] if e["event"] == "user"] == (
        HOSTILE + ["有效期几年"]
    )


# --- `make run` stopped and started again ----------------------------------------------


def descendants(pid: int) -> Set[int]:
    """All processes below `pid`, from /proc."""
    children: Dict[int, List[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        children.setdefault(ppid, []).append(int(entry.name))
    found: Set[int] = set()
    todo = [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            if child not in found:
                found.add(child)
                todo.append(child)
    return found


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


class RunScript:
    """scripts/run.sh on free ports with its own SQLite tracker file."""

    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir
        self.token = uuid.uuid4().hex
        self.rasa_port, self.actions_port, self.web_port = free_port(), free_port(), free_port()
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.rasa_port}"

    def env(self) -> Dict[str, str]:
        env = dict(os.environ)
        env.update(
            RASA_PORT=str(self.rasa_port),
            ACTIONS_PORT=str(self.actions_port),
            WEB_PORT=str(self.web_port),
            TRACKER_DB_URL=f"sqlite:///{self.workdir / 'tracker.db'}",
            RASA_AUTH_TOKEN=self.token,
            LOCK_STORE_URL="",
            HANDOFF_PHONE="400-123-4567",
            HANDOFF_WECHAT="cc-licence-test",
            HANDOFF_HOURS="工作日 9:00-18:00",
            WECHAT_TOKEN="",
            WECHAT_APPID="",
            WECHAT_SECRET="",
            WECHAT_AES_KEY="",
            WECHAT_API_BASE="http://127.0.0.1:9",
        )
        return env

    def start(self) -> None:
        with open(self.workdir / "run.log", "ab") as log:
            self.process = subprocess.Popen(
                ["bash", str(ROOT / "scripts" / "run.sh")],
                cwd=ROOT,
                env=self.env(),
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
            )
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline:
            assert self.process.poll() is None, self.log()
            try:
                status = requests.get(f"{self.url}/status", params={"token": self.token}, timeout=5)
                health = requests.get(f"http://127.0.0.1:{self.actions_port}/health", timeout=5)
                if status.status_code == 200 and health.status_code == 200:
                    return
            except requests.RequestException:
                pass
            time.sleep(1)
        raise TimeoutError(f"run.sh did not come up in 300 s\n{self.log()}")

    def stop(self, sig: int = signal.SIGTERM) -> Set[int]:
        """Signal run.sh only; return the processes it had started."""
        assert self.process is not None
        children = descendants(self.process.pid)
        self.process.send_signal(sig)
        self.process.wait(timeout=90)
        return children

    def kill_leftovers(self) -> None:
        if self.process is not None:
            try:
                os.killpg(self.process.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            if self.process.poll() is None:
                self.process.wait(timeout=10)

    def log(self) -> str:
        path = self.workdir / "run.log"
        return path.read_text(errors="replace")[-3000:] if path.exists() else ""

    def say(self, user: str, text: str) -> str:
        response = requests.post(
            f"{self.url}/webhooks/rest/webhook", json={"sender": user, "message": text}, timeout=60
        )
        response.raise_for_status()
        return "\n".join(m.get("text", "") for m in response.json())

    def slots(self, user: str) -> Dict[str, object]:
        response = requests.get(
            f"{self.url}/conversations/{user}/tracker", params={"token": self.token}, timeout=30
        )
        response.raise_for_status()
        return response.json()["slots"]


@pytest.fixture
def run_script(tmp_path: Path) -> Iterator[RunScript]:
    script = RunScript(tmp_path)
    try:
        yield script
    finally:
        script.kill_leftovers()


def wait_gone(pids: Set[int], timeout: float = 60) -> Set[int]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        left = {pid for pid in pids if alive(pid)}
        if not left:
            return left
        time.sleep(0.5)
    return {pid for pid in pids if alive(pid)}


@pytest.mark.e2e
def test_an_interview_survives_stopping_and_starting_make_run(run_script: RunScript) -> None:
    user = sender("make-run")
    run_script.start()
    run_script.say(user, "帮我评估一下能不能办")
    run_script.say(user, "只做北京的业务")
    run_script.say(user, "有限公司")
    before = run_script.slots(user)
    assert before["requested_slot"] == "registered_capital"

    children = run_script.stop(signal.SIGINT)  # what Ctrl-C sends
    assert len(children) >= 3, "run.sh starts the action server, Rasa and the web page"
    assert wait_gone(children) == set(), "run.sh left processes running"
    assert run_script.process is not None and run_script.process.returncode is not None

    run_script.start()
    after = run_script.slots(user)
    assert after["coverage"] == "地网" and after["province"] == "北京"
    assert after["is_company"] is True
    assert after["requested_slot"] == "registered_capital"
    run_script.say(user, "300万")
    slots = run_script.slots(user)
    assert slots["registered_capital"] == 300
    assert slots["requested_slot"] == "foreign_investment"
    assert wait_gone(run_script.stop(signal.SIGTERM)) == set()
