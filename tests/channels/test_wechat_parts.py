"""The WeChat channel's pieces: configuration, text rendering, caches, API client."""

from __future__ import annotations

import asyncio
import logging
import time
import warnings
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator, List

import pytest
import xmltodict
from rasa.core.channels.channel import register
from rasa.shared.exceptions import RasaException
from rasa.shared.utils.io import read_config_file
from sanic import Sanic

from channels.wechat import (
    DEFAULT_API_BASE,
    SYSTEM_CLOCK,
    OpenIdMaskingFilter,
    WeChatApiClient,
    WeChatConfig,
    WeChatInput,
    mask_openid,
    parse_inbound,
    parse_choice,
    render_answer,
    signature_matches,
    split_text,
    wechat_signature,
)
from channels.wechat.exchanges import Exchanges
from channels.wechat.cache import TTLCache
from channels.wechat.render import TRANSFER, TRANSFER_PAYLOAD, answer_parts
from tests.channels.conftest import ChannelApp
from tests.channels.fake_clock import FakeClock
from tests.channels.fake_wechat import (
    AES_KEY,
    APPID,
    OPENID,
    SECRET,
    FakeWeChatServer,
    event_xml,
    plain_request,
    read_reply,
    sign,
    text_xml,
)

# --------------------------------------------------------------------------- #
# credentials.yml
# --------------------------------------------------------------------------- #

CREDENTIALS_YML = """\
channels.wechat.WeChatInput:
  token: ${WECHAT_TOKEN}
  appid: ${WECHAT_APPID}
  secret: ${WECHAT_SECRET}
  aes_key: ${WECHAT_AES_KEY}
  api_base: ${WECHAT_API_BASE}
"""
ENV = {
    "WECHAT_TOKEN": "tok-123",
    "WECHAT_APPID": APPID,
    "WECHAT_SECRET": SECRET,
    "WECHAT_AES_KEY": AES_KEY,
    "WECHAT_API_BASE": "",
}


@contextmanager
def third_party_deprecations_ignored() -> Iterator[None]:
    # rasa.core.run pulls in rasa.server, TensorFlow, SQLAlchemy and matplotlib,
    # and Rasa's YAML validation imports pkg_resources on first use: their
    # deprecation warnings are not ours to fix.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        yield


def create_http_input_channels(channel: Any, credentials_file: str) -> List[Any]:
    """Rasa's own loader for credentials.yml (what ``rasa run`` calls)."""
    with third_party_deprecations_ignored():
        from rasa.core.run import create_http_input_channels as load

        return load(channel, credentials_file)


@pytest.fixture
def credentials_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for name, value in ENV.items():
        monkeypatch.setenv(name, value)
    path = tmp_path / "credentials.yml"
    path.write_text(CREDENTIALS_YML, encoding="utf-8")
    return path


def test_rasa_loads_the_channel_from_credentials_yml(credentials_file: Path) -> None:
    [channel] = create_http_input_channels(None, str(credentials_file))
    assert isinstance(channel, WeChatInput)
    assert channel.name() == "wechat"
    assert channel.config.token == "tok-123"
    assert channel.config.appid == APPID
    assert channel.config.safe_mode
    assert channel.config.api_base == DEFAULT_API_BASE  # empty -> default


def test_webhook_url_under_rasa(credentials_file: Path) -> None:
    [channel] = create_http_input_channels(None, str(credentials_file))
    Sanic.test_mode = True
    app = Sanic("wechat_route_check", configure_logging=False)
    register([channel], app, "/webhooks/")
    paths = {route.path for route in app.router.routes}
    assert "webhooks/wechat/webhook" in paths


def test_unset_environment_variable_stops_rasa(
    credentials_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("WECHAT_SECRET")
    with pytest.raises(RasaException, match="WECHAT_SECRET"):
        with third_party_deprecations_ignored():
            read_config_file(credentials_file)


def test_empty_token_turns_the_channel_off(
    credentials_file: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    monkeypatch.setenv("WECHAT_TOKEN", "")
    [channel] = create_http_input_channels(None, str(credentials_file))
    assert not channel.config.enabled
    assert "WeChat channel disabled" in caplog.text


def test_quoted_placeholder_is_not_taken_as_the_token(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    # Rasa expands ${VAR} only in unquoted YAML values.
    monkeypatch.setenv("WECHAT_TOKEN", "tok-123")
    path = tmp_path / "credentials.yml"
    path.write_text('channels.wechat.WeChatInput:\n  token: "${WECHAT_TOKEN}"\n')
    [channel] = create_http_input_channels(None, str(path))
    assert not channel.config.enabled
    assert "unexpanded placeholder" in caplog.text


def test_rasa_gets_the_real_clock() -> None:
    channel = WeChatInput.from_credentials({"token": "t"})
    assert channel.clock is SYSTEM_CLOCK
    assert abs(SYSTEM_CLOCK.now() - time.time()) < 60


def test_missing_credentials_section_turns_the_channel_off() -> None:
    assert not WeChatInput.from_credentials(None).config.enabled


@pytest.mark.parametrize(
    "credentials, message",
    [
        ({"token": "t", "aes_key": "too-short", "appid": APPID}, "43-character"),
        ({"token": "t", "aes_key": AES_KEY}, "needs appid"),
        ({"token": "t", "api_base": "api.weixin.qq.com"}, "http"),
        ({"token": "t", "reply_budget": "6"}, "reply_budget"),
        ({"token": "t", "reply_budget": "soon"}, "reply_budget"),
    ],
)
def test_misconfiguration_fails_at_startup(credentials: dict, message: str) -> None:
    with pytest.raises(RasaException, match=message):
        WeChatInput.from_credentials(credentials)


def test_configuration_values() -> None:
    config = WeChatConfig.from_credentials(
        {
            "token": "t",
            "appid": 12345,
            "api_base": "http://127.0.0.1:9/",
            "reply_budget": 2,
        }
    )
    assert config.appid == "12345"
    assert config.api_base == "http://127.0.0.1:9"
    assert config.reply_budget == 2.0
    assert not config.safe_mode


def test_repr_shows_no_secret() -> None:
    config = WeChatConfig(token="tok-secret", secret="app-secret", aes_key=AES_KEY)
    for secret in ("tok-secret", "app-secret", AES_KEY):
        assert secret not in repr(config)


# --------------------------------------------------------------------------- #
# Signatures and masking
# --------------------------------------------------------------------------- #


@pytest.mark.parametrize(
    "parts",
    [("1409304348", "xxxxxx"), ("1", "2", "encrypted=="), ("时间", "随机")],
)
def test_signature_matches_wechatpy(parts: tuple) -> None:
    assert wechat_signature("token", *parts) == sign("token", *parts)


@pytest.mark.parametrize("received", [None, "", "abc", "签名", "0" * 40])
def test_wrong_signatures_do_not_match(received: str) -> None:
    assert not signature_matches(wechat_signature("token", "1", "2"), received)


def test_mask_openid() -> None:
    assert mask_openid(OPENID) == "oUse…"
    assert mask_openid("") == "(none)"


def test_masking_filter_masks_openids_in_messages_and_urls() -> None:
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "user %s said hi", (OPENID,), None)
    record.__dict__["request"] = f"POST /webhooks/wechat/webhook?openid={OPENID}&x=1"
    OpenIdMaskingFilter().filter(record)
    assert record.getMessage() == "user oUse… said hi"
    assert record.__dict__["request"] == "POST /webhooks/wechat/webhook?openid=oUse…&x=1"


# --------------------------------------------------------------------------- #
# Text rendering
# --------------------------------------------------------------------------- #


def test_short_text_is_one_part() -> None:
    assert split_text("  您好！  ") == ["您好！"]
    assert split_text("") == []


def test_text_of_exactly_the_limit_is_one_part() -> None:
    text = "长" * 682 + "ab"  # 2046 + 2 bytes
    assert split_text(text) == [text]
    assert len(split_text(text + "c")) == 2


@pytest.mark.parametrize("end", ["。", "！", "？", "\n"])
def test_text_is_cut_after_a_sentence_end(end: str) -> None:
    first = "甲" * 400 + end
    second = "乙" * 400 + "。"
    assert split_text(first + second) == [first.strip(), second]


def test_sentence_longer_than_the_limit_is_cut_between_characters() -> None:
    text = "一二三四五六七八九十" * 300  # 9000 bytes, no sentence end
    parts = split_text(text)
    assert "".join(parts) == text
    assert all(len(p.encode()) <= 2048 for p in parts)


def test_split_keeps_emoji_whole() -> None:
    text = "😀" * 1000  # 4 bytes each
    parts = split_text(text, limit=2048)
    assert [len(p) for p in parts] == [512, 488]


@pytest.mark.parametrize(
    "typed, number",
    [("1", 1), ("１", 1), ("①", 1), ("一", 1), (" 3 ", 3), ("十", 10), ("12", 12),
     ("0", None), ("", None), ("1个", None), ("一个", None), ("1.", None), ("-1", None),
     ("1000", None), ("是", None)],
)  # fmt: skip
def test_parse_choice(typed: str, number: int) -> None:
    assert parse_choice(typed) == number


def test_render_answer_numbers_buttons_across_messages() -> None:
    text, choices = render_answer(
        [
            {
                "text": "第一个问题？",
                "buttons": [{"title": "是", "payload": "/affirm"}],
            },
            {"text": "第二个问题？", "buttons": [{"title": "否", "payload": "/deny"}]},
            {"image": "https://example.com/a.png"},
            {"custom": {"anything": 1}},
        ]
    )
    assert text == "第一个问题？\n1. 是\n\n第二个问题？\n2. 否\n\nhttps://example.com/a.png"
    assert [c.payload for c in choices] == ["/affirm", "/deny"]


def test_reply_text_containing_cdata_end_survives(channel: ChannelApp) -> None:
    channel.bot.says("x", {"text": "a]]>b<c>&d"})
    resp = channel.post(plain_request(text_xml("x")))
    assert read_reply(resp.text)["Content"] == "a]]>b<c>&d"


# --------------------------------------------------------------------------- #
# Incoming XML
# --------------------------------------------------------------------------- #


def test_a_message_is_parsed_once(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: List[str] = []
    parse = xmltodict.parse

    def counting_parse(xml: Any, *args: Any, **kwargs: Any) -> Any:
        calls.append(xml)
        return parse(xml, *args, **kwargs)

    monkeypatch.setattr(xmltodict, "parse", counting_parse)
    inbound = parse_inbound(text_xml("你好", msg_id=42))
    assert len(calls) == 1
    assert (inbound.msg_type, inbound.content, inbound.msg_id) == ("text", "你好", 42)
    assert inbound.message.source == OPENID  # wechatpy's object, for the reply


@pytest.mark.parametrize("event_key", [None, "qrscene_7", "scanbarcode|x"])
def test_every_kind_of_subscribe_is_a_subscribe(event_key: str) -> None:
    inbound = parse_inbound(event_xml("subscribe", event_key=event_key))
    assert (inbound.msg_type, inbound.event) == ("event", "subscribe")


# --------------------------------------------------------------------------- #
# TTL cache
# --------------------------------------------------------------------------- #


def make_cache(ttl: float = 10, size: int = 3) -> "tuple[TTLCache[int], List[float]]":
    now = [0.0]
    return TTLCache(ttl, size, clock=lambda: now[0]), now


def test_cache_entries_expire() -> None:
    cache, now = make_cache()
    cache.set("a", 1)
    now[0] = 9.9
    assert cache.get("a") == 1
    now[0] = 10.0
    assert cache.get("a") is None
    assert len(cache) == 0


def test_cache_is_bounded() -> None:
    cache, _ = make_cache(size=3)
    for i, key in enumerate("abcd"):
        cache.set(key, i)
    assert len(cache) == 3
    assert "a" not in cache
    assert cache.get("d") == 3


def test_cache_pop() -> None:
    cache, _ = make_cache()
    cache.set("a", 1)
    assert cache.pop("a") == 1
    assert cache.pop("a") is None


# --------------------------------------------------------------------------- #
# Exchanges: retries against the injected clock
# --------------------------------------------------------------------------- #


def make_exchanges(clock: FakeClock, pushed: List[Any]) -> Exchanges:
    async def push(openid: str, parts: List[str]) -> None:
        pushed.append((openid, parts))

    return Exchanges(push, reply_budget=1.0, overflow_delay=0.5, ttl=300, max_entries=10, clock=clock)


async def test_a_retry_within_the_dedupe_ttl_does_not_run_the_bot_again() -> None:
    clock, pushed, runs = FakeClock(), [], []
    exchanges = make_exchanges(clock, pushed)

    async def produce() -> List[str]:
        runs.append(clock.monotonic())
        return ["回答"]

    inbound = parse_inbound(text_xml("问题", msg_id=7))
    assert await exchanges.reply(inbound, produce, clock.monotonic()) == "回答"
    clock.advance(299)
    assert await exchanges.reply(inbound, produce, clock.monotonic()) == "回答"
    assert runs == [0.0]
    clock.advance(1)  # forgotten: a message this old is a new one
    assert await exchanges.reply(inbound, produce, clock.monotonic()) == "回答"
    assert runs == [0.0, 300.0]
    assert pushed == []


async def test_a_late_answer_is_pushed_once_the_budget_ran_out() -> None:
    clock, pushed = FakeClock(), []
    exchanges = make_exchanges(clock, pushed)
    release = asyncio.Event()

    async def produce() -> List[str]:
        await release.wait()
        return ["迟到的回答"]

    inbound = parse_inbound(text_xml("问题"))
    reply = asyncio.ensure_future(exchanges.reply(inbound, produce, 0.0))
    for _ in range(100):  # let the reply start waiting on the clock
        if clock.sleepers:
            break
        await asyncio.sleep(0)
    assert clock.sleepers == 1
    clock.advance(1.0)
    assert await asyncio.wait_for(reply, 5) is None  # "success" for now
    assert pushed == []
    release.set()
    await exchanges.wait_idle()
    assert pushed == [(OPENID, ["迟到的回答"])]


# --------------------------------------------------------------------------- #
# The fake clock the channel tests drive
# --------------------------------------------------------------------------- #


async def test_fake_clock_sleeps_until_advanced() -> None:
    clock = FakeClock(wall_start=1_700_000_000)
    nap = asyncio.ensure_future(clock.sleep(2))
    await asyncio.sleep(0)
    assert clock.sleepers == 1
    clock.advance(1.5)
    await asyncio.sleep(0)
    assert not nap.done()
    clock.advance(0.5)
    await asyncio.wait_for(nap, 5)
    assert (clock.monotonic(), clock.now(), clock.sleepers) == (2.0, 1_700_000_002, 0)


async def test_cancelled_sleep_leaves_the_clock() -> None:
    clock = FakeClock()
    nap = asyncio.ensure_future(clock.sleep(1))
    await asyncio.sleep(0)
    nap.cancel()
    await asyncio.gather(nap, return_exceptions=True)
    assert clock.sleepers == 0


# --------------------------------------------------------------------------- #
# Customer-service API client
# --------------------------------------------------------------------------- #


async def test_access_token_is_renewed_after_it_expires(
    fake_wechat: FakeWeChatServer,
) -> None:
    clock = FakeClock()
    client = WeChatApiClient(APPID, SECRET, fake_wechat.base_url, 2.0, clock=clock)
    assert await client.send_text(OPENID, "一")
    clock.advance(3600)
    assert await client.send_text(OPENID, "二")
    assert len(fake_wechat.token_requests) == 1
    clock.advance(7200)
    assert await client.send_text(OPENID, "三")
    assert len(fake_wechat.token_requests) == 2
    assert fake_wechat.sent_texts() == ["一", "二", "三"]


async def test_wrong_secret_fails_without_logging_it(
    fake_wechat: FakeWeChatServer, caplog: pytest.LogCaptureFixture
) -> None:
    client = WeChatApiClient(APPID, "wrong-secret-xyz", fake_wechat.base_url, 2.0)
    assert not await client.send_text(OPENID, "你好")
    assert fake_wechat.sent == []
    assert "40125" in caplog.text
    assert "wrong-secret-xyz" not in caplog.text
    assert OPENID not in caplog.text


async def test_unreachable_api_fails_quietly(caplog: pytest.LogCaptureFixture) -> None:
    client = WeChatApiClient(APPID, SECRET, "http://127.0.0.1:9", 1.0)
    assert not await client.send_text(OPENID, "你好")
    assert "attempt 2/2" in caplog.text
    assert SECRET not in caplog.text


# --------------------------------------------------------------------------- #
# The handoff's transfer
# --------------------------------------------------------------------------- #


def test_the_transfer_payload_puts_the_transfer_first_and_keeps_the_text() -> None:
    messages = [{"text": "正在为你转接人工客服。"}, {"custom": TRANSFER_PAYLOAD}]
    body, choices = render_answer(messages)
    assert (body, choices) == ("正在为你转接人工客服。", [])
    assert answer_parts(messages, body) == [TRANSFER, "正在为你转接人工客服。"]


@pytest.mark.parametrize(
    "custom", [{"wechat_reply": "text"}, {"transfer_customer_service": True}, {"wechat_reply": None}]
)
def test_other_custom_payloads_transfer_nobody(custom: Any) -> None:
    messages = [{"text": "你好"}, {"custom": custom}]
    assert answer_parts(messages, render_answer(messages)[0]) == ["你好"]
