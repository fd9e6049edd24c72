"""Two WeChat channels ("servers") sharing one Redis, as behind a load balancer.

Each test runs two channel apps, or two of their parts, on the tests' own
redis-server (conftest: ``redis_url``) and one ``FakeClock``; WeChat's retry of a
message goes to the other server. Without Redis the state stays in each process,
as on one server.
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any, Callable, List, Optional, Tuple

import pytest
import redis

from channels.wechat import WECHAT_TEXT_LIMIT_BYTES, WeChatApiClient, parse_inbound
from channels.wechat.exchanges import Exchanges
from channels.wechat.store import open_state
from tests.channels.conftest import ChannelApp
from tests.channels.fake_clock import FakeClock
from tests.channels.fake_wechat import (
    APPID,
    OPENID,
    SECRET,
    FakeWeChatServer,
    event_xml,
    next_msg_id,
    plain_request,
    text_xml,
)
from tests.channels.test_wechat_webhook import YES_NO, post_past_budget, reply_content

Servers = Tuple[ChannelApp, ChannelApp]


@pytest.fixture
def start_servers(start_channel: Callable[..., ChannelApp], redis_url: str) -> Callable[..., Servers]:
    """``start_servers(**overrides)``: two channel apps on one Redis and one clock."""

    def start(**overrides: Any) -> Servers:
        clock = FakeClock()
        return (
            start_channel(clock=clock, redis_url=redis_url, **overrides),
            start_channel(clock=clock, redis_url=redis_url, **overrides),
        )

    return start


@pytest.fixture
def servers(start_servers: Callable[..., Servers]) -> Servers:
    return start_servers()


async def until(condition: Callable[[], bool]) -> None:
    """Lets the event loop run until ``condition`` holds (no wait on any clock)."""
    for _ in range(200):
        if condition():
            return
        await asyncio.sleep(0)
    raise AssertionError("condition never held")


# --------------------------------------------------------------------------- #
# Retries across servers, over HTTP
# --------------------------------------------------------------------------- #


def test_without_redis_a_retry_on_another_server_reaches_its_bot_again(
    start_channel: Callable[..., ChannelApp],
) -> None:
    # Why several servers need Redis (or sticky routing): each remembers alone.
    clock = FakeClock()
    a, b = start_channel(clock=clock), start_channel(clock=clock)
    xml = text_xml("外资可以申请吗", msg_id=next_msg_id())
    a.post(plain_request(xml))
    b.post(plain_request(xml))
    assert (a.bot.texts, b.bot.texts) == (["外资可以申请吗"], ["外资可以申请吗"])


def test_a_retry_on_the_other_server_gets_the_same_reply_and_reaches_no_bot(servers: Servers) -> None:
    a, b = servers
    xml = text_xml("外资可以申请吗", msg_id=next_msg_id())
    first = a.post(plain_request(xml))
    retry = b.post(plain_request(xml))  # WeChat signs each retry afresh
    assert reply_content(first) == reply_content(retry) == "echo: 外资可以申请吗"
    assert (a.bot.texts, b.bot.texts) == (["外资可以申请吗"], [])


def test_a_retried_subscribe_on_the_other_server_welcomes_once(servers: Servers) -> None:
    a, b = servers
    a.bot.says("/greet", {"text": "欢迎关注！"})
    xml = event_xml("subscribe", create_time=int(time.time()))
    assert reply_content(a.post(plain_request(xml))) == "欢迎关注！"
    assert reply_content(b.post(plain_request(xml))) == "欢迎关注！"
    assert (a.bot.texts, b.bot.texts) == (["/greet"], [])


def test_a_retry_on_the_other_server_gets_the_answer_still_being_produced(
    start_servers: Callable[..., Servers], fake_wechat: FakeWeChatServer
) -> None:
    a, b = start_servers(poll_interval=0.3)
    clock = a.clock
    a.bot.says("稍慢", {"text": "稍慢的回答"}, delay=0.5)
    xml = text_xml("稍慢", msg_id=next_msg_id())

    first = a.submit(plain_request(xml))
    clock.wait_for_sleepers(2)  # A's bot, A's budget
    retry = b.submit(plain_request(xml))
    clock.wait_for_sleepers(3)  # and B, which looks at Redis again at 0.3 s
    clock.advance(0.3)
    clock.wait_for_sleepers(3)  # B looked: still running; it looks again at 0.6 s
    assert not retry.done()
    clock.advance(0.2)  # 0.5 s: A's bot answers
    assert reply_content(first.result(10)) == "稍慢的回答"
    clock.advance(0.1)  # 0.6 s: B finds the answer
    assert reply_content(retry.result(10)) == "稍慢的回答"

    a.settle()
    b.settle()
    assert (a.bot.texts, b.bot.texts) == (["稍慢"], [])
    assert fake_wechat.sent == []


def test_a_retry_on_the_other_server_after_success_gets_success_and_one_push(
    servers: Servers, fake_wechat: FakeWeChatServer
) -> None:
    a, b = servers
    a.bot.says("很慢", {"text": "很慢的回答"}, delay=1.3)
    xml = text_xml("很慢", msg_id=next_msg_id())

    first = post_past_budget(a, plain_request(xml))
    retry = b.post(plain_request(xml))  # at once: the answer is bound for the API
    a.clock.advance(0.3)  # A's bot answers; A pushes it
    fake_wechat.wait_for_sent(1)
    a.settle()
    b.settle()
    late_retry = b.post(plain_request(xml))

    assert [first.text, retry.text, late_retry.text] == ["success"] * 3
    assert fake_wechat.sent_texts() == ["很慢的回答"]
    assert (a.bot.texts, b.bot.texts) == (["很慢"], [])


def test_the_rest_of_a_long_answer_is_pushed_once_whichever_server_replies(
    servers: Servers, fake_wechat: FakeWeChatServer
) -> None:
    a, b = servers
    long_text = "".join(f"第{i}条：申请材料须真实、完整、有效，并加盖公章。" for i in range(1, 61))
    assert len(long_text.encode()) > 2 * WECHAT_TEXT_LIMIT_BYTES
    a.bot.says("全部材料", {"text": long_text})
    xml = text_xml("全部材料", msg_id=next_msg_id())

    first = reply_content(a.post(plain_request(xml)))
    a.clock.wait_for_sleepers(1)  # A pushes the rest after the overflow delay
    assert reply_content(b.post(plain_request(xml))) == first
    assert a.clock.sleepers == 1  # B scheduled nothing more
    a.clock.advance(a.channel.config.overflow_delay)
    a.settle()
    b.settle()

    assert "".join([first, *fake_wechat.sent_texts()]) == long_text
    assert (a.bot.texts, b.bot.texts) == (["全部材料"], [])


def test_a_bare_number_on_the_other_server_picks_the_button(servers: Servers) -> None:
    a, b = servers
    a.bot.says("开始", YES_NO)
    a.post(plain_request(text_xml("开始")))
    b.post(plain_request(text_xml("1")))
    assert b.bot.texts == ["/affirm"]
    assert b.bot.received[0].metadata["wechat"]["choice"]["title"] == "是"
    # B's answer had no buttons: a "1" on A is now a plain number again
    a.post(plain_request(text_xml("1")))
    assert a.bot.texts == ["开始", "1"]


def test_redis_holds_no_openid_and_the_logs_show_none(
    servers: Servers, redis_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    a, b = servers
    a.bot.says("开始", YES_NO)
    a.post(plain_request(event_xml("subscribe", create_time=int(time.time()))))
    xml = text_xml("开始", msg_id=next_msg_id())
    a.post(plain_request(xml))
    b.post(plain_request(xml))
    client = redis.Redis.from_url(redis_url)
    keys = client.keys("*")
    assert len(keys) >= 3  # the event, the message, the buttons
    assert all(key.startswith(b"callcentre:wechat:") for key in keys)
    for key in keys:
        assert OPENID.encode() not in key + (client.get(key) or b"")
    ours = [record.getMessage() for record in caplog.records if record.name.startswith("channels.")]
    assert any("oUse…" in message for message in ours)
    assert not any(OPENID in message for message in ours)
    client.close()


# --------------------------------------------------------------------------- #
# Retries across servers: a first delivery that WeChat stopped waiting for
# --------------------------------------------------------------------------- #


def shared_exchanges(redis_url: str, clock: FakeClock, pushed: List[Any]) -> Exchanges:
    async def push(openid: str, parts: List[str]) -> None:
        pushed.append((openid, parts))

    state = open_state(redis_url, clock)
    return Exchanges(
        push, reply_budget=1.0, overflow_delay=0.5, ttl=300, max_entries=10, clock=clock, state=state
    )


async def test_an_answer_whose_first_delivery_was_dropped_is_the_retry_reply_on_the_other_server(
    redis_url: str,
) -> None:
    clock, pushed, runs = FakeClock(), [], []
    a, b = shared_exchanges(redis_url, clock, pushed), shared_exchanges(redis_url, clock, pushed)
    release = asyncio.Event()

    async def produce() -> List[str]:
        runs.append(clock.monotonic())
        await release.wait()
        return ["迟到的回答"]

    inbound = parse_inbound(text_xml("问题", msg_id=next_msg_id()))
    first = asyncio.ensure_future(a.reply(inbound, produce, clock.monotonic()))
    await until(lambda: clock.sleepers == 1)  # A waits within its budget
    first.cancel()  # WeChat stopped waiting for A
    await asyncio.gather(first, return_exceptions=True)

    retry = asyncio.ensure_future(b.reply(inbound, produce, clock.monotonic()))
    await until(lambda: clock.sleepers == 1)  # B looks at Redis every poll interval
    release.set()
    await a.wait_idle()  # A's bot answered; nobody has delivered it
    clock.advance(0.1)
    assert await asyncio.wait_for(retry, 5) == "迟到的回答"
    assert runs == [0.0]
    assert pushed == []


async def test_a_retry_whose_budget_runs_out_on_the_other_server_has_the_first_push_it(
    redis_url: str,
) -> None:
    clock, pushed = FakeClock(), []
    a, b = shared_exchanges(redis_url, clock, pushed), shared_exchanges(redis_url, clock, pushed)
    release = asyncio.Event()

    async def produce() -> List[str]:
        await release.wait()
        return ["迟到的回答"]

    inbound = parse_inbound(text_xml("问题", msg_id=next_msg_id()))
    first = asyncio.ensure_future(a.reply(inbound, produce, clock.monotonic()))
    await until(lambda: clock.sleepers == 1)
    first.cancel()
    await asyncio.gather(first, return_exceptions=True)

    retry = asyncio.ensure_future(b.reply(inbound, produce, clock.monotonic()))
    await until(lambda: clock.sleepers == 1)
    clock.advance(1.0)  # B's budget: "success", the answer is bound for the API
    assert await asyncio.wait_for(retry, 5) is None
    assert pushed == []
    release.set()
    await a.wait_idle()
    assert pushed == [(OPENID, ["迟到的回答"])]
    # and a later retry, on either server, gets "success" at once
    assert await b.reply(inbound, produce, clock.monotonic()) is None
    assert await a.reply(inbound, produce, clock.monotonic()) is None
    assert len(pushed) == 1


# --------------------------------------------------------------------------- #
# The access token
# --------------------------------------------------------------------------- #


def shared_client(redis_url: str, fake_wechat: FakeWeChatServer, clock: FakeClock) -> WeChatApiClient:
    state = open_state(redis_url, clock)
    return WeChatApiClient(APPID, SECRET, fake_wechat.base_url, 2.0, clock=clock, state=state)


def tokens_used(fake_wechat: FakeWeChatServer) -> List[Optional[str]]:
    return [sent["access_token"] for sent in fake_wechat.sent]


async def test_two_servers_fetch_the_token_once_and_renew_it_before_it_expires(
    fake_wechat: FakeWeChatServer, redis_url: str
) -> None:
    clock = FakeClock()
    a, b = shared_client(redis_url, fake_wechat, clock), shared_client(redis_url, fake_wechat, clock)
    first_token = fake_wechat.access_token
    assert await a.send_text(OPENID, "一")
    assert await b.send_text(OPENID, "二")
    assert len(fake_wechat.token_requests) == 1

    # WeChat's token lasts 7200 s; it is renewed 300 s before that.
    clock.advance(7200 - 300 - 1)
    assert await b.send_text(OPENID, "三")
    assert len(fake_wechat.token_requests) == 1
    fake_wechat.access_token = "fake-access-token-0002"  # what WeChat hands out next
    clock.advance(1)
    assert await b.send_text(OPENID, "四")  # renewed by B, 299 s before the expiry
    assert await a.send_text(OPENID, "五")  # A takes B's new token
    assert len(fake_wechat.token_requests) == 2

    assert tokens_used(fake_wechat) == [first_token] * 3 + ["fake-access-token-0002"] * 2
    assert fake_wechat.sent_texts() == ["一", "二", "三", "四", "五"]


async def test_two_servers_needing_a_token_at_once_fetch_it_once(
    fake_wechat: FakeWeChatServer, redis_url: str
) -> None:
    clock = FakeClock()
    a, b = shared_client(redis_url, fake_wechat, clock), shared_client(redis_url, fake_wechat, clock)
    fake_wechat.hold_tokens()
    send_a = asyncio.ensure_future(a.send_text(OPENID, "甲"))
    await asyncio.to_thread(fake_wechat.wait_for_token_requests, 1)  # A fetches, holding the lock
    send_b = asyncio.ensure_future(b.send_text(OPENID, "乙"))
    await asyncio.to_thread(clock.wait_for_sleepers, 1)  # B waits for A's token
    fake_wechat.release_tokens()
    assert await asyncio.wait_for(send_a, 10)
    assert not send_b.done()
    clock.advance(0.1)  # B looks again and finds the token A stored
    assert await asyncio.wait_for(send_b, 10)
    assert len(fake_wechat.token_requests) == 1
    assert fake_wechat.sent_texts() == ["甲", "乙"]


async def test_a_token_wechat_refused_on_one_server_is_replaced_for_both(
    fake_wechat: FakeWeChatServer, redis_url: str
) -> None:
    clock = FakeClock()
    a, b = shared_client(redis_url, fake_wechat, clock), shared_client(redis_url, fake_wechat, clock)
    assert await a.send_text(OPENID, "一")
    fake_wechat.access_token = "fake-access-token-0002"  # WeChat revoked the old one
    assert await b.send_text(OPENID, "二")  # refused once, fetched anew, sent
    assert await a.send_text(OPENID, "三")  # the new one, without a fetch of its own
    assert [s["errcode"] for s in fake_wechat.sent] == [0, 40001, 0, 0]
    assert len(fake_wechat.token_requests) == 2
