"""Where the WeChat channel keeps its state: chosen by configuration, in this
process or in Redis, behind one interface (``channels/wechat/store.py``).

The Redis tests run on the tests' own redis-server (conftest: ``redis_url``).
"""

from __future__ import annotations

from typing import Any, Callable, List, Optional, Tuple

import pytest
import redis
from rasa.shared.exceptions import RasaException
from wechatpy.session.memorystorage import MemoryStorage
from wechatpy.session.redisstorage import RedisStorage

from channels.wechat import WeChatInput
from channels.wechat.config import redis_url_from_env
from channels.wechat.cache import Cache, TTLCache
from channels.wechat.redis_store import RedisTTLCache
from tests.channels.conftest import make_config
from tests.channels.fake_wechat import APPID, SECRET, FakeWeChatServer
from tests.e2e.servers import free_port

# --------------------------------------------------------------------------- #
# Which store: configuration
# --------------------------------------------------------------------------- #


@pytest.fixture
def no_redis_env(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    monkeypatch.delenv("REDIS_URL", raising=False)
    monkeypatch.delenv("LOCK_STORE_URL", raising=False)
    return monkeypatch


CREDENTIALS = {"token": "t", "appid": APPID, "secret": SECRET}


def test_without_redis_the_state_stays_in_the_process(no_redis_env: pytest.MonkeyPatch) -> None:
    channel = WeChatInput.from_credentials(CREDENTIALS)
    assert channel.config.redis_url == ""
    assert not channel.state.shared
    assert isinstance(channel.state.session(), MemoryStorage)
    assert isinstance(channel.state.cache("x", 10, 10), TTLCache)


@pytest.mark.parametrize("variable", ["REDIS_URL", "LOCK_STORE_URL"])
def test_redis_in_the_environment_shares_the_state(
    no_redis_env: pytest.MonkeyPatch, redis_url: str, variable: str
) -> None:
    no_redis_env.setenv(variable, redis_url)
    channel = WeChatInput.from_credentials(CREDENTIALS)
    assert channel.state.shared
    assert isinstance(channel.state.session(), RedisStorage)
    assert isinstance(channel.state.cache("x", 10, 10), RedisTTLCache)


def test_redis_url_comes_before_the_lock_stores() -> None:
    assert redis_url_from_env({}) == ""
    assert redis_url_from_env({"REDIS_URL": " ", "LOCK_STORE_URL": "redis://b/1"}) == "redis://b/1"
    assert redis_url_from_env({"REDIS_URL": "redis://a/2", "LOCK_STORE_URL": "redis://b/1"}) == "redis://a/2"


def test_a_redis_that_does_not_answer_stops_the_channel_without_showing_its_password(
    fake_wechat: FakeWeChatServer,
) -> None:
    url = f"redis://:pw-s3cret@127.0.0.1:{free_port()}/2"
    config = make_config(fake_wechat.base_url, redis_url=url)
    assert "pw-s3cret" not in repr(config)
    with pytest.raises(RasaException, match="no Redis answers at 127.0.0.1:[0-9]+ db 2") as refused:
        WeChatInput(config)
    assert "pw-s3cret" not in str(refused.value)


def test_a_channel_that_is_off_connects_to_no_redis(no_redis_env: pytest.MonkeyPatch) -> None:
    no_redis_env.setenv("LOCK_STORE_URL", f"redis://127.0.0.1:{free_port()}/1")  # nobody listens
    channel = WeChatInput.from_credentials({"token": ""})
    assert not channel.config.enabled
    assert not channel.state.shared


def test_a_url_that_is_not_redis_is_refused(fake_wechat: FakeWeChatServer) -> None:
    with pytest.raises(RasaException, match="not redis://"):
        WeChatInput(make_config(fake_wechat.base_url, redis_url="http://127.0.0.1:6379"))


# --------------------------------------------------------------------------- #
# The two stores behind one interface
# --------------------------------------------------------------------------- #


@pytest.fixture(params=["memory", "redis"])
def make_store(request: pytest.FixtureRequest) -> Callable[..., "Tuple[Cache[int], List[float]]"]:
    """``make_store(ttl=10)`` -> a store of either kind and the time it reads."""
    url = request.getfixturevalue("redis_url") if request.param == "redis" else ""

    def make(ttl: float = 10) -> "Tuple[Cache[int], List[float]]":
        now = [1_700_000_000.0]
        if not url:
            return TTLCache(ttl, 100, clock=lambda: now[0]), now
        return RedisTTLCache(redis.Redis.from_url(url), "test:store", ttl, clock=lambda: now[0]), now

    return make


def test_entries_expire_on_the_stores_clock(make_store: Callable[..., Any]) -> None:
    store, now = make_store(ttl=10)
    store.set("a", 1)
    now[0] += 9.9
    assert store.get("a") == 1
    now[0] += 0.1
    assert store.get("a") is None
    assert store.pop("a") is None


def test_add_only_where_nothing_lives(make_store: Callable[..., Any]) -> None:
    store, now = make_store(ttl=10)
    assert store.add("a", 1)
    assert not store.add("a", 2)
    assert store.get("a") == 1
    now[0] += 10  # expired: a message this old is a new one
    assert store.add("a", 3)
    assert store.pop("a") == 3
    assert store.get("a") is None


def test_update_keeps_the_expiry_and_can_delete(make_store: Callable[..., Any]) -> None:
    store, now = make_store(ttl=10)
    assert store.update("a", lambda old: 1 if old is None else old + 1) == (None, 1)
    now[0] += 5
    assert store.update("a", lambda old: 1 if old is None else old + 1) == (1, 2)
    now[0] += 5  # ten seconds after it was first set
    assert store.get("a") is None
    store.set("b", 7)
    assert store.update("b", lambda old: None) == (7, None)
    assert store.get("b") is None


def test_a_redis_update_runs_again_when_another_server_changed_the_value(redis_url: str) -> None:
    def clock() -> float:
        return 1_700_000_000.0

    mine = RedisTTLCache(redis.Redis.from_url(redis_url), "test:store", 10, clock=clock)
    theirs = RedisTTLCache(redis.Redis.from_url(redis_url), "test:store", 10, clock=clock)
    mine.set("n", 1)
    seen: List[Optional[int]] = []

    def increment(old: Optional[int]) -> Optional[int]:
        seen.append(old)
        if len(seen) == 1:
            theirs.set("n", 10)  # between our read and our write
        return (old or 0) + 1

    assert mine.update("n", increment) == (10, 11)
    assert seen == [1, 10]
    assert theirs.get("n") == 11
