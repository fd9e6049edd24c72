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

import logging
from typing import (
    Any,
    Callable,
    Optional,
    Protocol,
)

import redis
from rasa.shared.exceptions import RasaException
from wechatpy.session import SessionStorage
from wechatpy.session.memorystorage import MemoryStorage
from wechatpy.session.redisstorage import RedisStorage

from channels.wechat.cache import Cache, TTLCache, V, identity
from channels.wechat.clock import Clock
from channels.wechat.config import WeChatConfig
from channels.wechat.redis_store import RedisFetchLock, RedisTTLCache, redis_address

logger = logging.getLogger(__name__)


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
        encode: Callable[[V], Any] = identity,
        decode: Callable[[Any], V] = identity,
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
        return RedisFetchLock(self.redis, f"{self.prefix}:lock:{name}", timeout)

    def describe(self) -> str:
        """Where the state lives, for logs (never the password)."""
        return "in this process" if self.redis is None else f"in Redis at {redis_address(self.redis)}"


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
        raise ConnectionError(f"no Redis answers at {redis_address(red)} ({error})") from None
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
