"""Where the WeChat channel keeps its state: chosen by configuration, in this
process or in Redis, behind one interface (``channels/wechat/store.py``).

The Redis tests run on the tests' own redis-server (conftest: ``redis_url``).
"""

from __future__ import annotations

from typing import Any, Callable, List, Optional, Tuple

import pytest
import redis

from channels.wechat.config import redis_url_from_env
from channels.wechat.store import Cache, RedisTTLCache, TTLCache

# --------------------------------------------------------------------------- #
# Which store: configuration
# --------------------------------------------------------------------------- #


def test_redis_url_comes_before_the_lock_stores() -> None:
    assert redis_url_from_env({}) == ""
    assert redis_url_from_env({"REDIS_URL": " ", "LOCK_STORE_URL": "redis://b/1"}) == "redis://b/1"
    assert redis_url_from_env({"REDIS_URL": "redis://a/2", "LOCK_STORE_URL": "redis://b/1"}) == "redis://a/2"


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
