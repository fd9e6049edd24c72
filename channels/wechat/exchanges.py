"""One bot run per WeChat message, however often and wherever WeChat retries it.

WeChat gives up on a reply after 5 s and retries the message (same MsgId; for
events same FromUserName and CreateTime). The bot runs as a task: if it answers
within the reply budget, the answer is the passive reply; otherwise the
channel answers ``success`` at once and the answer is pushed later through the
customer-service API. Retries never reach the bot again: they get the same
reply, wait for it within the budget, or get ``success`` once the answer is
bound for the API.

What became of each message is an ``Exchange`` record in the channel's store
(``store``): in this process, or in Redis when several servers share it, so a
retry that reaches another server is recognised there too. The server that
first got the message runs the bot and writes the answer into the record; a
retry on another server waits for it by looking again every ``poll_interval``
(of the injected clock), and either replies it passively or commits it to the
API, in which case the server that holds the bot's task pushes it. Every change
of a record is atomic (``Cache.update``), so an answer is given once: either
passively, by whichever delivery takes it first, or by one push.

The bot's task and the push are this process's alone: no other server can
take them over (running the bot again could store the message twice). So a
server that is stopped finishes them first (``drain``, when its connections are
closed): a retry that reached another server and got ``success`` is then
answered by this server's push, and an answer no delivery has taken yet is in
the record for a retry to reply.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
from dataclasses import dataclass
from typing import Any, Awaitable, Callable, Coroutine, Dict, List, Optional, Set, Tuple, TypeVar

from channels.wechat.clock import SYSTEM_CLOCK, Clock, wait_for
from channels.wechat.inbound import Inbound
from channels.wechat.security import describe_error, mask_openid, scrub
from channels.wechat.cache import Cache
from channels.wechat.store import ChannelState

logger = logging.getLogger(__name__)

T = TypeVar("T")
# Delivers parts of an answer to an OpenID through the customer-service API.
Push = Callable[[str, List[str]], Awaitable[None]]
# Runs the bot once and returns the answer, already split into parts.
Produce = Callable[[], Awaitable[List[str]]]

# The bot is still working on the message (on the server that first got it).
RUNNING = "running"
# The answer is in ``parts`` and not bound for the API: a delivery may reply it.
ANSWERED = "answered"
# The answer will go (or went) through the customer-service API: every
# repeat of the message gets "success" from now on.
PUSH = "push"


@dataclass(frozen=True)
class Exchange:
    """One WeChat message and what became of the bot's answer to it."""

    state: str = RUNNING
    parts: Tuple[str, ...] = ()
    overflow_scheduled: bool = False

    def to_json(self) -> Dict[str, Any]:
        return {"state": self.state, "parts": list(self.parts), "overflow_scheduled": self.overflow_scheduled}

    @classmethod
    def from_json(cls, data: Dict[str, Any]) -> "Exchange":
        return cls(str(data["state"]), tuple(data["parts"]), bool(data["overflow_scheduled"]))


def _commit_push(exchange: Optional[Exchange]) -> Optional[Exchange]:
    if exchange is not None and exchange.state == RUNNING:
        return dataclasses.replace(exchange, state=PUSH)
    return exchange


def _schedule_overflow(exchange: Optional[Exchange]) -> Optional[Exchange]:
    return None if exchange is None else dataclasses.replace(exchange, overflow_scheduled=True)


class Exchanges:
    """The exchanges seen recently, and the background work they started here."""

    def __init__(
        self,
        push: Push,
        reply_budget: float,
        overflow_delay: float,
        ttl: float,
        max_entries: int,
        clock: Clock = SYSTEM_CLOCK,
        state: Optional[ChannelState] = None,
    ) -> None:
        state = state or ChannelState(clock)
        self._clock = clock
        self._push_parts = push
        self._reply_budget = reply_budget
        self._overflow_delay = overflow_delay
        self._poll_interval = state.poll_interval
        self._exchanges: Cache[Exchange] = state.cache(
            "exchange", ttl, max_entries, Exchange.to_json, Exchange.from_json
        )
        # The bot runs of this process, by the message they answer.
        self._running: Dict[str, "asyncio.Task[List[str]]"] = {}
        self._tasks: Set["asyncio.Task[Any]"] = set()

    async def reply(self, inbound: Inbound, produce: Produce, started: float) -> Optional[str]:
        """The passive reply to ``inbound``, or None for ``success``.

        ``produce`` runs only for the first delivery of a message, on whichever
        server gets it; ``started`` is when this delivery arrived (monotonic),
        the budget counts from it.
        """
        who = mask_openid(inbound.openid)
        key = inbound.dedupe_key
        if self._exchanges.add(key, Exchange()):
            task = self.spawn(self._run(key, inbound.openid, produce))
            self._running[key] = task
            task.add_done_callback(lambda done: self._forget(key, done))
        else:
            logger.info(
                "WeChat: repeat of message %s from %s, not passed to the bot",
                inbound.msg_id or inbound.create_time,
                who,
            )
        exchange = await self._settled(key, started + self._reply_budget)
        if exchange is not None and exchange.state == RUNNING:
            _, exchange = self._exchanges.update(key, _commit_push)
            if exchange is not None and exchange.state == PUSH:
                logger.info(
                    "WeChat: answer to %s not ready within %.1fs; replied 'success', " "it will be pushed",
                    who,
                    self._reply_budget,
                )
                return None
        if exchange is None or exchange.state != ANSWERED or not exchange.parts:
            return None
        parts = exchange.parts
        if len(parts) > 1:
            before, _ = self._exchanges.update(key, _schedule_overflow)
            if before is not None and not before.overflow_scheduled:
                self.spawn(self._push(inbound.openid, list(parts[1:]), self._overflow_delay))
        return parts[0]

    async def _settled(self, key: str, deadline: float) -> Optional[Exchange]:
        """The record once the bot is done with it or the budget is out (None if gone)."""
        while True:
            exchange = self._exchanges.get(key)
            if exchange is None or exchange.state != RUNNING:
                return exchange
            remaining = deadline - self._clock.monotonic()
            task = self._running.get(key)
            if remaining <= 0 or (task is not None and task.done()):
                return exchange
            if task is not None:
                await wait_for(self._clock, task, remaining)
            else:  # another server runs the bot: look again now and then
                await self._clock.sleep(min(self._poll_interval, remaining))

    async def _run(self, key: str, openid: str, produce: Produce) -> List[str]:
        parts = await produce()

        def record_answer(exchange: Optional[Exchange]) -> Optional[Exchange]:
            if exchange is None or exchange.state != RUNNING:
                return exchange
            return dataclasses.replace(exchange, state=ANSWERED, parts=tuple(parts))

        # No await between recording the answer and returning: a delivery sees
        # either the answer or a committed push, never neither.
        before, _ = self._exchanges.update(key, record_answer)
        if parts and (before is None or before.state == PUSH):
            # No passive reply can carry it any more: it goes through the API.
            self.spawn(self._push(openid, parts))
        return parts

    def _forget(self, key: str, task: "asyncio.Task[List[str]]") -> None:
        if self._running.get(key) is task:
            del self._running[key]

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

    @property
    def in_flight(self) -> int:
        """Bot runs and pushes of this process not finished yet."""
        return len(self._tasks)

    async def drain(self, timeout: float) -> int:
        """Waits, at most ``timeout`` of the clock, until no bot run or push of
        this process is in flight (a push a finishing run starts is waited for
        too). Returns how many were still in flight: when the process exits,
        their answers are lost."""
        deadline = self._clock.monotonic() + timeout
        while self._tasks:
            remaining = deadline - self._clock.monotonic()
            if remaining <= 0:
                break
            # asyncio.wait, not gather: giving up on it cancels none of the tasks
            batch = asyncio.ensure_future(asyncio.wait(list(self._tasks)))
            if not await wait_for(self._clock, batch, remaining):
                batch.cancel()
                await asyncio.gather(batch, return_exceptions=True)
                break
        return len(self._tasks)
