"""Scale: the Redis lock store (stores/lock_store.py) lets one holder in at a time,
however many servers race for one conversation's lock."""

from __future__ import annotations

import uuid
from typing import List

import pytest

from tests.scale.conftest import Stack

pytestmark = pytest.mark.scale


def test_the_redis_lock_store_lets_one_holder_in_at_a_time(
    stack: Stack,
) -> None:
    """Four stores (as in four servers) take one conversation's lock 40 times
    each, as fast as they can; inside, a read-sleep-write counter in Redis
    loses increments unless the holders really take turns."""
    import asyncio
    import threading

    import redis as redis_client

    from stores.lock_store import AtomicRedisLockStore, lock_store_from_env

    redis = stack.redis
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
