"""The Redis side of the channel's state (channels/wechat/store.py): a TTL cache
with the in-process one's interface, and a lock for fetches all servers share."""

from __future__ import annotations

import hashlib
import json
import logging
import math
import time
from typing import Any, Callable, Generic, Optional, Tuple

import redis
from redis.exceptions import LockError

from channels.wechat.cache import Change, V, identity

logger = logging.getLogger(__name__)


class RedisTTLCache(Generic[V]):
    """``TTLCache``'s interface over Redis, shared by every server using it.

    Values are stored as JSON (``encode`` turns a value into something JSON can
    hold, ``decode`` turns it back) together with their expiry on ``clock``
    (wall time). Keys are hashed: a key may hold an OpenID, which Redis need
    not show to whoever lists its keys. ``add`` and ``update`` run in a Redis
    transaction (WATCH, read, MULTI, write, EXEC; redis-py runs it again when
    another client changed the key in between), as the project's lock store does.
    There is no size bound: every key expires, and Redis's ``maxmemory`` is the
    operator's.
    """

    def __init__(
        self,
        red: "redis.Redis",
        namespace: str,
        ttl: float,
        clock: Callable[[], float] = time.time,
        encode: Callable[[V], Any] = identity,
        decode: Callable[[Any], V] = identity,
    ) -> None:
        if ttl <= 0:
            raise ValueError("ttl must be positive")
        self._red = red
        self._namespace = namespace
        self._ttl = ttl
        self._clock = clock
        self._encode = encode
        self._decode = decode

    def key(self, key: str) -> str:
        """The Redis key of ``key``."""
        return f"{self._namespace}:{hashlib.sha256(key.encode('utf-8')).hexdigest()[:32]}"

    def get(self, key: str) -> Optional[V]:
        return self._load(self._red.get(self.key(key)))[1]

    def set(self, key: str, value: V) -> None:
        expires_at = self._clock() + self._ttl
        self._red.set(self.key(key), self._dump(expires_at, value), px=self._px(expires_at))

    def pop(self, key: str) -> Optional[V]:
        return self._load(self._red.getdel(self.key(key)))[1]

    def add(self, key: str, value: V) -> bool:
        def change(old: Optional[V]) -> Optional[V]:
            return value if old is None else old

        old, _ = self.update(key, change)
        return old is None

    def update(self, key: str, change: Change[V]) -> Tuple[Optional[V], Optional[V]]:
        name = self.key(key)

        def attempt(pipe: Any) -> Tuple[Optional[V], Optional[V]]:
            expires_at, old = self._load(pipe.get(name))  # immediate: the pipeline is watching
            new = change(old)
            pipe.multi()
            if new is old:
                pass  # unchanged: nothing to write (EXEC still checks the key was not changed)
            elif new is None:
                pipe.delete(name)
            elif expires_at is not None:  # it exists: keep its expiry
                pipe.set(name, self._dump(expires_at, new), keepttl=True)
            else:
                expires_at = self._clock() + self._ttl
                pipe.set(name, self._dump(expires_at, new), px=self._px(expires_at))
            return old, new

        result: Tuple[Optional[V], Optional[V]] = self._red.transaction(
            attempt, name, value_from_callable=True
        )
        return result

    def _dump(self, expires_at: float, value: V) -> str:
        return json.dumps({"expires_at": expires_at, "value": self._encode(value)}, ensure_ascii=False)

    def _load(self, raw: Optional[bytes]) -> Tuple[Optional[float], Optional[V]]:
        if raw is None:
            return None, None
        item = json.loads(raw)
        expires_at = float(item["expires_at"])
        if expires_at <= self._clock():
            return None, None
        return expires_at, self._decode(item["value"])

    def _px(self, expires_at: float) -> int:
        # Redis drops the key a second after the value expires on our clock.
        return max(1, math.ceil((expires_at - self._clock() + 1.0) * 1000))


class RedisFetchLock:
    """redis-py's ``Lock``, taken without blocking the event loop.

    ``timeout`` bounds how long a server that stopped mid-fetch can hold it.
    """

    def __init__(self, red: "redis.Redis", name: str, timeout: float) -> None:
        self._lock = red.lock(name, timeout=timeout, blocking=False, thread_local=False)

    def try_acquire(self) -> bool:
        return bool(self._lock.acquire(blocking=False))

    def release(self) -> None:
        try:
            self._lock.release()
        except LockError:  # it timed out and may be another server's by now
            logger.warning("WeChat: the lock %s expired before it was released", self._lock.name)


def redis_address(red: "redis.Redis") -> str:
    kwargs = red.connection_pool.connection_kwargs
    where = kwargs.get("path") or f"{kwargs.get('host')}:{kwargs.get('port')}"
    return f"{where} db {kwargs.get('db', 0)}"
