"""Short-lived values with an expiry: what the channel asks of a store
(``Cache``), and the store in this process (``TTLCache``). The store in Redis,
with the same interface, is channels/wechat/redis_store.py."""

from __future__ import annotations

import dataclasses
import time
from collections import OrderedDict
from typing import Any, Callable, Generic, List, Optional, Protocol, Sequence, Tuple, Type, TypeVar

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


def dataclass_list_codec(
    cls: Type[D],
) -> Tuple[Callable[[Sequence[D]], Any], Callable[[Any], List[D]]]:
    """(encode, decode) for a list of flat dataclasses, e.g. the buttons shown."""

    def encode(items: Sequence[D]) -> Any:
        return [dataclasses.astuple(item) for item in items]  # type: ignore[call-overload]

    def decode(rows: Any) -> List[D]:
        return [cls(*row) for row in rows]

    return encode, decode


def identity(value: Any) -> Any:
    return value
