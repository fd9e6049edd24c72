"""One bot run per WeChat message, however often WeChat retries it.

WeChat gives up on a reply after 5 s and retries the message (same MsgId; for
events same FromUserName and CreateTime). The bot runs as a task: if it answers
within the reply budget, the answer is the passive reply; otherwise the
channel answers ``success`` at once and the answer is pushed later through the
customer-service API. Retries never reach the bot again: they get the same
reply, wait for it within the budget, or get ``success`` once the answer is
bound for the API. This memory is per process (see ``store``).
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from typing import Any, Awaitable, Callable, Coroutine, List, Optional, Set, TypeVar

from channels.wechat.clock import SYSTEM_CLOCK, Clock, wait_for
from channels.wechat.inbound import Inbound
from channels.wechat.security import describe_error, mask_openid, scrub
from channels.wechat.store import TTLCache

logger = logging.getLogger(__name__)

T = TypeVar("T")
# Delivers parts of an answer to an OpenID through the customer-service API.
Push = Callable[[str, List[str]], Awaitable[None]]
# Runs the bot once and returns the answer, already split into parts.
Produce = Callable[[], Awaitable[List[str]]]


@dataclass
class Exchange:
    """One WeChat message and the bot's answer to it."""

    task: Optional["asyncio.Task[List[str]]"] = None
    # The answer will go (or went) through the customer-service API: every
    # repeat of the message gets "success" from now on.
    push_committed: bool = False
    overflow_scheduled: bool = False


class Exchanges:
    """The exchanges seen recently, and the background work they started."""

    def __init__(
        self,
        push: Push,
        reply_budget: float,
        overflow_delay: float,
        ttl: float,
        max_entries: int,
        clock: Clock = SYSTEM_CLOCK,
    ) -> None:
        self._clock = clock
        self._push_parts = push
        self._reply_budget = reply_budget
        self._overflow_delay = overflow_delay
        self._exchanges: TTLCache[Exchange] = TTLCache(ttl, max_entries, clock.monotonic)
        self._tasks: Set["asyncio.Task[Any]"] = set()

    async def reply(self, inbound: Inbound, produce: Produce, started: float) -> Optional[str]:
        """The passive reply to ``inbound``, or None for ``success``.

        ``produce`` runs only for the first delivery of a message; ``started``
        is when this delivery arrived (monotonic), the budget counts from it.
        """
        who = mask_openid(inbound.openid)
        exchange = self._exchanges.get(inbound.dedupe_key)
        if exchange is None:
            exchange = Exchange()
            exchange.task = self.spawn(self._run(exchange, inbound.openid, produce))
            self._exchanges.set(inbound.dedupe_key, exchange)
        else:
            logger.info(
                "WeChat: repeat of message %s from %s, not passed to the bot",
                inbound.msg_id or inbound.create_time,
                who,
            )
        task = exchange.task
        assert task is not None
        remaining = self._reply_budget - (self._clock.monotonic() - started)
        if not task.done() and not exchange.push_committed and remaining > 0:
            await wait_for(self._clock, task, remaining)
        if exchange.push_committed:
            return None
        if not task.done():
            exchange.push_committed = True
            logger.info(
                "WeChat: answer to %s not ready within %.1fs; replied 'success', " "it will be pushed",
                who,
                self._reply_budget,
            )
            return None
        if task.cancelled():
            return None
        parts = task.result()
        if not parts:
            return None
        if len(parts) > 1 and not exchange.overflow_scheduled:
            exchange.overflow_scheduled = True
            self.spawn(self._push(inbound.openid, parts[1:], self._overflow_delay))
        return parts[0]

    async def _run(self, exchange: Exchange, openid: str, produce: Produce) -> List[str]:
        parts = await produce()
        if exchange.push_committed and parts:
            # No await between the check and returning: reply() sees either a
            # finished task or a committed push, never neither.
            self.spawn(self._push(openid, parts))
        return parts

    async def _push(self, openid: str, parts: List[str], delay: float = 0.0) -> None:
        try:
            if delay > 0:
                await self._clock.sleep(delay)
            await self._push_parts(openid, parts)
        except Exception as exc:  # a background task has nobody else to tell
            logger.error(
                "WeChat: pushing to %s failed: %s",
                mask_openid(openid),
                scrub(describe_error(exc), openid),
            )

    def spawn(self, coro: Coroutine[Any, Any, T]) -> "asyncio.Task[T]":
        """Runs ``coro`` as a task that is kept referenced until it ends."""
        task = asyncio.ensure_future(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    async def wait_idle(self) -> None:
        """Waits until no bot run or push is in flight, e.g. before shutdown."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)
