"""The channel's short-lived state: in this process, or shared by servers in Redis.

The channel keeps three kinds of state:

* the exchanges it has seen (``exchanges``): each WeChat message and what
  became of the bot's answer, so that WeChat's retries never reach the bot a
  second time and an answer owed to a retry is given once;
* the buttons each user was last shown, so that a bare "1" maps back to a
  payload;
* the access token of the customer-service API (``api``).

``TTLCache`` keeps them in the memory of one process: right for one Rasa
server. ``RedisTTLCache`` offers the same interface (get / set / pop, plus
``add`` and ``update``, which are atomic) in Redis, so that a retry that
reaches another server behind the load balancer is recognised there. The
access token goes through wechatpy's session storage (``MemoryStorage`` or
``RedisStorage``, the same ``get``/``set``/``delete`` contract wechatpy's own
clients use), and one server at a time fetches it under a lock (redis-py's
``Lock`` in Redis, nothing more than the caller's own ``asyncio.Lock`` in one
process). ``open_state`` picks the implementation from the configuration: a
Redis URL shares the state, none keeps it in this process, as before.

Expiry follows the injected clock, so that tests can drive it: monotonic time
in one process, wall time in Redis (the only time servers share). Redis also
expires each key by itself a little later, so nothing is left behind.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import logging
import math
import time
from collections import OrderedDict
from typing import (
    Any,
    Callable,
    Generic,
    List,
    Optional,
    Protocol,
    Sequence,
    Tuple,
    Type,
    TypeVar,
)

import redis
from rasa.shared.exceptions import RasaException
from redis.exceptions import LockError
from wechatpy.session import SessionStorage
from wechatpy.session.memorystorage import MemoryStorage
from wechatpy.session.redisstorage import RedisStorage

from channels.wechat.clock import Clock
from channels.wechat.config import WeChatConfig

logger = logging.getLogger(__name__)

V = TypeVar("V")
D = TypeVar("D")
# An atomic change of one entry: the value (None: absent) -> the value to keep (None: delete).
Change = Callable[[Optional[V]], Optional[V]]


class Cache(Protocol[V]):
    """What the channel asks of a store of short-lived values."""

    def get(self, key: str) -> Optional[V]: ...

    def set(self, key: str, value: V) -> None: ...

    def pop(self, key: str) -> Optional[V]: ...

    def add(self, key: str, value: V) -> bool:
        """Sets ``value`` only if ``key`` holds nothing (or something expired); True if it did."""

    def update(self, key: str, change: Change[V]) -> Tuple[Optional[V], Optional[V]]:
        """Applies ``change`` atomically; returns (value before, value after).

        An entry that exists keeps its expiry; a new one gets the full ttl.
        """


class TTLCache(Generic[V]):
    """Maps string keys to values that expire ``ttl`` seconds after being set.

    At most ``max_entries`` are kept; when full, the entry set longest ago is
    dropped. Expired entries are removed lazily, on access and on insertion.
    Not thread-safe: meant to be used from one asyncio event loop (which also
    makes ``add`` and ``update`` atomic: they never await).
    """

    def __init__(
        self,
        ttl: float,
        max_entries: int,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if ttl <= 0:
            raise ValueError("ttl must be positive")
        if max_entries < 1:
            raise ValueError("max_entries must be at least 1")
        self._ttl = ttl
        self._max_entries = max_entries
        self._clock = clock
        self._items: "OrderedDict[str, Tuple[float, V]]" = OrderedDict()

    def get(self, key: str) -> Optional[V]:
        item = self._items.get(key)
        if item is None:
            return None
        expires_at, value = item
        if expires_at <= self._clock():
            del self._items[key]
            return None
        return value

    def set(self, key: str, value: V) -> None:
        self._items.pop(key, None)
        self._items[key] = (self._clock() + self._ttl, value)
        self._evict()

    def pop(self, key: str) -> Optional[V]:
        item = self._items.pop(key, None)
        if item is None or item[0] <= self._clock():
            return None
        return item[1]

    def add(self, key: str, value: V) -> bool:
        if self.get(key) is not None:
            return False
        self.set(key, value)
        return True

    def update(self, key: str, change: Change[V]) -> Tuple[Optional[V], Optional[V]]:
        old = self.get(key)
        new = change(old)
        if new is None:
            self._items.pop(key, None)
        elif old is None:
            self.set(key, new)
        else:
            self._items[key] = (self._items[key][0], new)  # keeps its place and expiry
        return old, new

    def __len__(self) -> int:
        self._drop_expired()
        return len(self._items)

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and self.get(key) is not None

    def _drop_expired(self) -> None:
        now = self._clock()
        # Insertion order equals expiry order (every entry gets the same ttl and
        # a re-set entry moves to the end), so expired entries sit at the front.
        while self._items:
            key, (expires_at, _) = next(iter(self._items.items()))
            if expires_at > now:
                break
            del self._items[key]

    def _evict(self) -> None:
        self._drop_expired()
        while len(self._items) > self._max_entries:
            self._items.popitem(last=False)


def _identity(value: Any) -> Any:
    return value


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
        encode: Callable[[V], Any] = _identity,
        decode: Callable[[Any], V] = _identity,
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


def dataclass_list_codec(
    cls: Type[D],
) -> Tuple[Callable[[Sequence[D]], Any], Callable[[Any], List[D]]]:
    """(encode, decode) for a list of flat dataclasses, e.g. the buttons shown."""

    def encode(items: Sequence[D]) -> Any:
        return [dataclasses.astuple(item) for item in items]  # type: ignore[call-overload]

    def decode(rows: Any) -> List[D]:
        return [cls(*row) for row in rows]

    return encode, decode


class FetchLock(Protocol):
    """Lets one server at a time fetch something all of them share."""

    def try_acquire(self) -> bool: ...

    def release(self) -> None: ...


class _NoLock:
    """One process: the caller's ``asyncio.Lock`` already serialises the fetch."""

    def try_acquire(self) -> bool:
        return True

    def release(self) -> None:
        return None


class _RedisFetchLock:
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


class ChannelState:
    """Where the channel's state lives: this process (``redis`` None) or Redis.

    ``prefix`` starts every Redis key; ``poll_interval`` is how often a server
    waiting on another (for an answer, for the access token) looks again.
    """

    def __init__(
        self,
        clock: Clock,
        red: "Optional[redis.Redis]" = None,
        prefix: str = "callcentre:wechat",
        poll_interval: float = 0.1,
    ) -> None:
        if poll_interval <= 0:
            raise ValueError("poll_interval must be positive")
        self.clock = clock
        self.redis = red
        self.prefix = prefix
        self.poll_interval = poll_interval
        self._session: Optional[SessionStorage] = None

    @property
    def shared(self) -> bool:
        return self.redis is not None

    def cache(
        self,
        name: str,
        ttl: float,
        max_entries: int,
        encode: Callable[[V], Any] = _identity,
        decode: Callable[[Any], V] = _identity,
    ) -> "Cache[V]":
        """A store named ``name``; ``max_entries`` bounds it in this process only."""
        if self.redis is None:
            return TTLCache(ttl, max_entries, self.clock.monotonic)
        return RedisTTLCache(self.redis, f"{self.prefix}:{name}", ttl, self.clock.now, encode, decode)

    def session(self) -> SessionStorage:
        """wechatpy's session storage, for the access token (one per state)."""
        if self._session is None:
            if self.redis is None:
                self._session = MemoryStorage()
            else:
                self._session = RedisStorage(self.redis, prefix=self.prefix)
        return self._session

    def lock(self, name: str, timeout: float) -> FetchLock:
        if self.redis is None:
            return _NoLock()
        return _RedisFetchLock(self.redis, f"{self.prefix}:lock:{name}", timeout)

    def describe(self) -> str:
        """Where the state lives, for logs (never the password)."""
        return "in this process" if self.redis is None else f"in Redis at {_address(self.redis)}"


def _address(red: "redis.Redis") -> str:
    kwargs = red.connection_pool.connection_kwargs
    where = kwargs.get("path") or f"{kwargs.get('host')}:{kwargs.get('port')}"
    return f"{where} db {kwargs.get('db', 0)}"


def open_state(
    url: str, clock: Clock, prefix: str = "callcentre:wechat", poll_interval: float = 0.1
) -> ChannelState:
    """The state in Redis at ``url`` (checked with a PING), or in this process if empty.

    Raises ``ConnectionError`` when Redis does not answer, ``ValueError`` for a
    URL redis-py cannot read; neither message holds the URL (it may hold a password).
    """
    if not url:
        return ChannelState(clock, None, prefix, poll_interval)
    try:
        # A database in the URL wins; without one, db 1, as for the lock store.
        red = redis.Redis.from_url(
            url, db=1, socket_timeout=2.0, socket_connect_timeout=2.0, health_check_interval=30
        )
    except ValueError:
        raise ValueError("the Redis URL is not redis://, rediss:// or unix://") from None
    state = ChannelState(clock, red, prefix, poll_interval)
    try:
        red.ping()
    except redis.RedisError as error:
        raise ConnectionError(f"no Redis answers at {_address(red)} ({error})") from None
    return state


def channel_state(config: WeChatConfig, clock: Clock) -> ChannelState:
    """The state ``config`` asks for; a Redis that does not answer stops the server at start.

    A channel that is off (no token) keeps nothing and connects to nothing.
    """
    url = config.redis_url if config.enabled else ""
    try:
        state = open_state(url, clock, config.redis_prefix, config.poll_interval)
    except (ConnectionError, ValueError) as error:
        raise RasaException(f"WeChat channel: {error} (REDIS_URL / LOCK_STORE_URL)") from None
    if config.enabled:
        logger.info(
            "WeChat channel: retries seen, answers owed and the access token kept %s", state.describe()
        )
    return state
