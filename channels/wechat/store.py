"""A small in-memory cache with a time-to-live and a size bound.

The channel keeps two kinds of short-lived state in it: the exchanges it
has already seen (so that WeChat's retries of a message never reach the bot a
second time) and the buttons each user was last shown (so that a bare "1" maps
back to a payload). Both live in the memory of ONE process: run several Rasa
workers behind a load balancer and a retry may land on a worker that has not
seen the original. A shared store (Redis) would be the next step; the interface
below (get / set / pop) is deliberately the one such a store would offer.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from typing import Callable, Generic, Optional, Tuple, TypeVar

V = TypeVar("V")


class TTLCache(Generic[V]):
    """Maps string keys to values that expire ``ttl`` seconds after being set.

    At most ``max_entries`` are kept; when full, the entry set longest ago is
    dropped. Expired entries are removed lazily, on access and on insertion.
    Not thread-safe: meant to be used from one asyncio event loop.
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
