"""A server stopped while it still owes WeChat an answer: the answer is given once.

WeChat waits 5 s for a reply and retries the message (same MsgId) three times in
all; a ``success`` ends the retries, and the answer then comes through the
customer-service API. The bot's run and that push belong to the server that got
the message first (channels/wechat/exchanges.py), so when that server is
stopped (SIGTERM: Sanic closes its connections, then its "after_server_stop"
listeners run) it finishes them before it exits, within ``drain_timeout``.
Every wait here is on the tests' ``FakeClock``.
"""

from __future__ import annotations

import asyncio
from typing import Any, Callable, List, Tuple

from channels.wechat import SUCCESS, parse_inbound
from tests.channels.conftest import ChannelApp
from tests.channels.fake_clock import FakeClock
from tests.channels.fake_wechat import FakeWeChatServer, next_msg_id, plain_request, text_xml
from tests.channels.test_wechat_shared import shared_exchanges, until
from tests.channels.test_wechat_webhook import post_past_budget


def test_an_answer_pushed_after_success_is_finished_by_the_stopping_server(
    start_channel: Callable[..., ChannelApp], redis_url: str, fake_wechat: FakeWeChatServer
) -> None:
    clock = FakeClock()
    a = start_channel(clock=clock, redis_url=redis_url)
    b = start_channel(clock=clock, redis_url=redis_url)
    a.bot.says("慢问题", {"text": "慢的回答"}, delay=3.0)
    xml = text_xml("慢问题", msg_id=next_msg_id())
    # the budget (1 s) runs out: "success", and the answer is bound for the API
    assert post_past_budget(a, plain_request(xml)).text == SUCCESS

    stopping = a.terminate()
    clock.wait_for_sleepers(2)  # the bot (2 s to go) and the drain's bound (30 s)
    assert not stopping.done()  # a server that exits now loses the answer
    assert fake_wechat.sent == []
    clock.advance(2.0)
    stopping.result(timeout=10)
    assert fake_wechat.sent_texts() == ["慢的回答"]
    # a late repeat, on the server still up, gets "success" and reaches no bot
    assert b.post(plain_request(xml)).text == SUCCESS
    assert (a.bot.texts, b.bot.texts) == (["慢问题"], [])
    assert fake_wechat.sent_texts() == ["慢的回答"]


def test_a_stopping_server_with_nothing_in_flight_stops_at_once(
    start_channel: Callable[..., ChannelApp], fake_wechat: FakeWeChatServer
) -> None:
    a = start_channel()
    assert a.post(plain_request(text_xml("快问题", msg_id=next_msg_id()))).status_code == 200
    a.settle()
    a.terminate().result(timeout=10)  # no wait on the clock, which never moves
    assert a.clock.sleepers == 0


def stalled() -> Tuple[Callable[[], Any], asyncio.Event, List[float]]:
    release, runs = asyncio.Event(), []

    async def produce() -> List[str]:
        runs.append(0.0)
        await release.wait()
        return ["迟到的回答"]

    return produce, release, runs


async def test_a_retry_on_the_other_server_during_the_drain_is_answered_once_by_the_push(
    redis_url: str,
) -> None:
    clock, pushed = FakeClock(), []
    a, b = shared_exchanges(redis_url, clock, pushed), shared_exchanges(redis_url, clock, pushed)
    produce, release, runs = stalled()
    inbound = parse_inbound(text_xml("问题", msg_id=next_msg_id()))
    first = asyncio.ensure_future(a.reply(inbound, produce, clock.monotonic()))
    await until(lambda: clock.sleepers == 1)
    first.cancel()  # A's connection closed by its stop: that delivery got nothing
    await asyncio.gather(first, return_exceptions=True)

    draining = asyncio.ensure_future(a.drain(30.0))
    await until(lambda: clock.sleepers == 1)  # the drain's bound
    retry = asyncio.ensure_future(b.reply(inbound, produce, clock.monotonic()))
    await until(lambda: clock.sleepers == 2)  # B looks at Redis every poll interval
    clock.advance(1.0)  # B's budget: "success", the push is A's
    assert await asyncio.wait_for(retry, 5) is None
    assert not draining.done()
    release.set()
    assert await asyncio.wait_for(draining, 5) == 0
    assert pushed == [(inbound.openid, ["迟到的回答"])]
    assert runs == [0.0]


async def test_the_drain_gives_up_after_its_bound_and_says_how_many_it_left(redis_url: str) -> None:
    clock, pushed = FakeClock(), []
    a = shared_exchanges(redis_url, clock, pushed)
    produce, release, _ = stalled()
    inbound = parse_inbound(text_xml("问题", msg_id=next_msg_id()))
    first = asyncio.ensure_future(a.reply(inbound, produce, clock.monotonic()))
    await until(lambda: clock.sleepers == 1)
    clock.advance(1.0)
    assert await asyncio.wait_for(first, 5) is None  # "success"

    draining = asyncio.ensure_future(a.drain(5.0))
    await until(lambda: clock.sleepers == 1)
    clock.advance(5.0)
    assert await asyncio.wait_for(draining, 5) == 1
    assert a.in_flight == 1  # given up on, not cancelled
    release.set()
    await a.wait_idle()
    assert pushed == [(inbound.openid, ["迟到的回答"])]
