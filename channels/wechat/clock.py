"""The time the channel reads and waits on, injectable so tests can drive it."""

from __future__ import annotations

import asyncio
import time
from typing import Any, Protocol


class Clock(Protocol):
    def now(self) -> float:
        """Wall time in seconds since the epoch (WeChat's request timestamps)."""

    def monotonic(self) -> float:
        """Seconds from an arbitrary origin, for budgets and expiry."""

    async def sleep(self, seconds: float) -> None:
        """Waits ``seconds`` of this clock's time."""


class SystemClock:
    """The real clock."""

    def now(self) -> float:
        return time.time()

    def monotonic(self) -> float:
        return time.monotonic()

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(seconds)


SYSTEM_CLOCK: Clock = SystemClock()


async def wait_for(clock: Clock, awaitable: "asyncio.Future[Any]", timeout: float) -> bool:
    """Waits until ``awaitable`` is done or ``timeout`` of ``clock`` passed.

    True if it is done. Unlike ``asyncio.wait`` the timeout runs on ``clock``,
    not on the event loop's own time.
    """
    timer = asyncio.ensure_future(clock.sleep(timeout))
    try:
        await asyncio.wait({awaitable, timer}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        timer.cancel()
        # Nothing of this wait outlives it: the timer is gone when it returns.
        await asyncio.wait({timer})
    return awaitable.done()
