"""A clock for the channel that moves only when a test moves it.

The channel runs on an event loop in another thread; the test thread calls
``advance`` to let time pass and ``wait_for_sleepers`` to know that the
channel (or the fake bot) has started waiting on the clock. Nothing in a test
then depends on how fast the machine is.
"""

from __future__ import annotations

import asyncio
import threading
import time
from dataclasses import dataclass, field
from typing import List, Optional


@dataclass(eq=False)
class _Sleeper:
    deadline: float
    loop: asyncio.AbstractEventLoop = field(repr=False)
    future: "asyncio.Future[None]" = field(repr=False)


def _wake(future: "asyncio.Future[None]") -> None:
    if not future.done():
        future.set_result(None)


class FakeClock:
    """Implements ``channels.wechat.clock.Clock``; safe to use from any thread."""

    def __init__(self, wall_start: Optional[float] = None) -> None:
        # A whole second, so that request timestamps compare exactly.
        self._wall_start = float(int(time.time()) if wall_start is None else wall_start)
        self._elapsed = 0.0
        self._sleepers: List[_Sleeper] = []
        self._changed = threading.Condition()

    def now(self) -> float:
        with self._changed:
            return self._wall_start + self._elapsed

    def monotonic(self) -> float:
        with self._changed:
            return self._elapsed

    async def sleep(self, seconds: float) -> None:
        loop = asyncio.get_running_loop()
        with self._changed:
            sleeper = _Sleeper(self._elapsed + seconds, loop, loop.create_future())
            if sleeper.deadline <= self._elapsed:
                sleeper.future.set_result(None)
            else:
                self._sleepers.append(sleeper)
                self._changed.notify_all()
        try:
            await sleeper.future
        finally:
            with self._changed:
                if sleeper in self._sleepers:
                    self._sleepers.remove(sleeper)
                    self._changed.notify_all()

    @property
    def sleepers(self) -> int:
        """How many waits on this clock are pending."""
        with self._changed:
            return len(self._sleepers)

    def advance(self, seconds: float) -> None:
        """Moves time on and wakes every wait that is then due."""
        with self._changed:
            self._elapsed += seconds
            due = [s for s in self._sleepers if s.deadline <= self._elapsed]
            for sleeper in due:
                self._sleepers.remove(sleeper)
            self._changed.notify_all()
        for sleeper in due:
            sleeper.loop.call_soon_threadsafe(_wake, sleeper.future)

    def wait_for_sleepers(self, count: int, timeout: float = 10.0) -> None:
        """Blocks (on the real clock) until ``count`` waits are pending."""
        with self._changed:
            if not self._changed.wait_for(lambda: len(self._sleepers) >= count, timeout):
                raise AssertionError(f"{len(self._sleepers)} wait(s) on the clock, expected {count}")
