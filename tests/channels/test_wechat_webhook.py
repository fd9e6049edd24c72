"""The WeChat channel over HTTP, driven the way WeChat's servers drive it.

Time is the channel's ``FakeClock`` (see conftest): a test that needs the bot
to be slow, or the reply budget to run out, advances it.
"""

from __future__ import annotations

import logging
import time
from typing import Callable

import pytest
import requests

from channels.wechat import TEXTS, WECHAT_TEXT_LIMIT_BYTES, WeChatInput
from tests.channels.conftest import ChannelApp
from tests.channels.fake_wechat import (
    ACCOUNT,
    AES_KEY,
    OPENID,
    SECRET,
    TOKEN,
    FakeWeChatServer,
    SignedRequest,
    decrypt_reply,
    event_xml,
    media_xml,
    next_msg_id,
    plain_request,
    read_reply,
    safe_request,
    text_xml,
    verification_request,
)

YES_NO = {
    "text": "贵单位是公司吗？",
    "buttons": [
        {"title": "是", "payload": "/affirm"},
        {"title": "否", "payload": "/deny"},
    ],
}


def post_past_budget(app: ChannelApp, request_: SignedRequest, waits: int = 2) -> requests.Response:
    """Posts a message the bot is slow on, and lets the reply budget run out.

    ``waits``: the waits on the clock to expect first (the bot's and this
    delivery's budget, plus any still pending from before).
    """
    pending = app.submit(request_)
    app.clock.wait_for_sleepers(waits)
    assert not pending.done()  # the channel waits within its budget
    app.clock.advance(app.channel.config.reply_budget)
    return pending.result(timeout=10)


def reply_content(resp: requests.Response) -> str:
    assert resp.status_code == 200, resp.text
    fields = read_reply(resp.text)
    assert fields["MsgType"] == "text"
    return fields["Content"]


# --------------------------------------------------------------------------- #
# URL verification (GET)
# --------------------------------------------------------------------------- #


def test_url_verification_echoes_echostr(channel: ChannelApp) -> None:
    resp = channel.get(verification_request(echostr="1234567890123"))
    assert resp.status_code == 200
    assert resp.text == "1234567890123"


def test_url_verification_also_plain_in_safe_mode(
    start_channel: Callable[..., ChannelApp],
) -> None:
    app = start_channel(safe=True)
    resp = app.get(verification_request(echostr="abc"))
    assert (resp.status_code, resp.text) == (200, "abc")


@pytest.mark.parametrize(
    "request_",
    [
        verification_request(token="not-the-token"),
        verification_request(timestamp=int(time.time()) - 3600),
        SignedRequest({"timestamp": str(int(time.time())), "nonce": "1", "echostr": "x"}),
    ],
    ids=["wrong-token", "stale", "no-signature"],
)
def test_url_verification_refused(channel: ChannelApp, request_: SignedRequest) -> None:
    resp = channel.get(request_)
    assert resp.status_code == 403
    assert "echo" not in resp.text


# --------------------------------------------------------------------------- #
# Messages: plain and safe mode
# --------------------------------------------------------------------------- #


def test_plain_text_round_trip(channel: ChannelApp) -> None:
    channel.bot.says("注册资本要多少", {"text": "地网100万，全网1000万。"})

    resp = channel.post(plain_request(text_xml("注册资本要多少")))

    fields = read_reply(resp.text)
    assert fields["Content"] == "地网100万，全网1000万。"
    assert fields["ToUserName"] == OPENID
    assert fields["FromUserName"] == ACCOUNT
    [message] = channel.bot.received
    assert message.text == "注册资本要多少"
    assert message.sender_id == OPENID
    assert message.input_channel == "wechat"


def test_safe_mode_round_trip(start_channel: Callable[..., ChannelApp]) -> None:
    app = start_channel(safe=True)
    app.bot.says("你好", {"text": "您好！我可以帮您判断能否申请呼叫中心许可证。"})

    resp = app.post(safe_request(text_xml("你好")))

    assert resp.status_code == 200
    assert "您好" not in resp.text  # the reply travels encrypted
    fields = decrypt_reply(resp.text)
    assert fields["Content"] == "您好！我可以帮您判断能否申请呼叫中心许可证。"
    assert fields["ToUserName"] == OPENID
    assert app.bot.texts == ["你好"]


def test_safe_mode_rejects_a_plain_body(
    start_channel: Callable[..., ChannelApp],
) -> None:
    app = start_channel(safe=True)
    resp = app.post(plain_request(text_xml("你好")))
    assert resp.status_code == 403  # no msg_signature
    assert app.bot.received == []


def test_safe_mode_rejects_a_tampered_body(
    start_channel: Callable[..., ChannelApp],
) -> None:
    app = start_channel(safe=True)
    genuine = safe_request(text_xml("你好"))
    other = safe_request(text_xml("别的消息"))
    forged = SignedRequest(genuine.params, other.body)  # right query, wrong body

    resp = app.post(forged)

    assert resp.status_code == 403
    assert app.bot.received == []


def test_safe_mode_with_an_aes_key_of_another_account(
    start_channel: Callable[..., ChannelApp],
) -> None:
    app = start_channel(safe=True)
    other_key = AES_KEY[::-1]
    resp = app.post(safe_request(text_xml("你好"), aes_key=other_key))
    assert resp.status_code == 400
    assert app.bot.received == []


def test_several_bot_messages_become_one_reply(channel: ChannelApp) -> None:
    channel.bot.says("材料", {"text": "需要以下材料。"}, {"text": "1. 营业执照\n2. 章程"})
    resp = channel.post(plain_request(text_xml("材料")))
    assert reply_content(resp) == "需要以下材料。\n\n1. 营业执照\n2. 章程"


def test_bot_without_answer_gets_success(channel: ChannelApp) -> None:
    channel.bot.says("沉默")
    resp = channel.post(plain_request(text_xml("沉默")))
    assert (resp.status_code, resp.text) == (200, "success")


def test_bot_failure_gives_a_polite_error(channel: ChannelApp) -> None:
    channel.bot.fails_on("崩溃", RuntimeError("tracker store down"))
    resp = channel.post(plain_request(text_xml("崩溃")))
    assert reply_content(resp) == TEXTS["error"]


# --------------------------------------------------------------------------- #
# Slow answers and the customer-service API
# --------------------------------------------------------------------------- #


def test_slow_answer_gets_success_then_is_pushed(channel: ChannelApp, fake_wechat: FakeWeChatServer) -> None:
    channel.bot.says("慢问题", {"text": "慢慢的回答"}, delay=1.5)

    resp = post_past_budget(channel, plain_request(text_xml("慢问题")))

    # Answered when the budget ran out, while the bot is still thinking.
    assert (resp.status_code, resp.text) == (200, "success")
    assert channel.clock.sleepers == 1
    channel.clock.advance(0.5)
    [sent] = fake_wechat.wait_for_sent(1)
    assert sent["json"] == {
        "touser": OPENID,
        "msgtype": "text",
        "text": {"content": "慢慢的回答"},
    }
    assert sent["access_token"] == fake_wechat.access_token
    assert b"\\u" not in sent["raw"]  # UTF-8 JSON, not \\u escapes
    assert fake_wechat.token_requests == [
        {
            "grant_type": "client_credential",
            "appid": fake_wechat.appid,
            "secret": SECRET,
        }
    ]


def test_access_token_is_fetched_once_and_cached(channel: ChannelApp, fake_wechat: FakeWeChatServer) -> None:
    channel.bot.says("慢一", {"text": "回答一"}, delay=1.2)
    channel.bot.says("慢二", {"text": "回答二"}, delay=1.2)
    post_past_budget(channel, plain_request(text_xml("慢一")))
    channel.clock.advance(0.2)
    fake_wechat.wait_for_sent(1)
    post_past_budget(channel, plain_request(text_xml("慢二")))
    channel.clock.advance(0.2)
    fake_wechat.wait_for_sent(2)
    assert fake_wechat.sent_texts() == ["回答一", "回答二"]
    assert len(fake_wechat.token_requests) == 1


def test_push_is_retried_once(channel: ChannelApp, fake_wechat: FakeWeChatServer) -> None:
    fake_wechat.fail_next_sends = 1
    channel.bot.says("慢", {"text": "迟到的回答"}, delay=1.2)
    post_past_budget(channel, plain_request(text_xml("慢")))
    channel.clock.advance(0.2)
    sent = fake_wechat.wait_for_sent(2)
    assert [s["errcode"] for s in sent] == [fake_wechat.fail_errcode, 0]
    assert fake_wechat.sent_texts() == ["迟到的回答"]


def test_push_gives_up_after_two_attempts(
    channel: ChannelApp, fake_wechat: FakeWeChatServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    fake_wechat.fail_next_sends = 5
    channel.bot.says("慢", {"text": "送不到的回答"}, delay=1.1)
    post_past_budget(channel, plain_request(text_xml("慢")))
    channel.clock.advance(0.1)
    channel.settle()
    assert len(fake_wechat.sent) == 2
    assert "gave up" in caplog.text


def test_expired_access_token_is_renewed(channel: ChannelApp, fake_wechat: FakeWeChatServer) -> None:
    channel.bot.says("慢一", {"text": "回答一"}, delay=1.1)
    channel.bot.says("慢二", {"text": "回答二"}, delay=1.1)
    post_past_budget(channel, plain_request(text_xml("慢一")))
    channel.clock.advance(0.1)
    fake_wechat.wait_for_sent(1)
    fake_wechat.access_token = "fake-access-token-0002"  # WeChat revoked the old one

    post_past_budget(channel, plain_request(text_xml("慢二")))
    channel.clock.advance(0.1)
    sent = fake_wechat.wait_for_sent(3)

    assert [s["errcode"] for s in sent] == [0, 40001, 0]
    assert fake_wechat.sent_texts() == ["回答一", "回答二"]
    assert len(fake_wechat.token_requests) == 2


def test_customer_service_call_has_a_timeout(
    start_channel: Callable[..., ChannelApp],
    fake_wechat: FakeWeChatServer,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO)
    app = start_channel(http_timeout=0.2)
    fake_wechat.hold_sends = True  # WeChat never answers
    app.bot.says("慢", {"text": "回答"}, delay=1.1)
    post_past_budget(app, plain_request(text_xml("慢")))
    app.clock.advance(0.1)

    # The push can only end by the client's own timeout, once per attempt.
    app.settle()
    assert "attempt 1/2" in caplog.text
    assert "attempt 2/2" in caplog.text
    assert "gave up" in caplog.text
    assert fake_wechat.sent == []


# --------------------------------------------------------------------------- #
# WeChat's retries
# --------------------------------------------------------------------------- #


def test_retried_message_gets_the_same_reply_and_reaches_the_bot_once(
    channel: ChannelApp,
) -> None:
    xml = text_xml("外资可以申请吗", msg_id=next_msg_id())
    first = channel.post(plain_request(xml))
    retry = channel.post(plain_request(xml))  # WeChat signs each retry afresh
    assert reply_content(first) == reply_content(retry) == "echo: 外资可以申请吗"
    assert channel.bot.texts == ["外资可以申请吗"]


def test_retry_while_the_bot_is_still_thinking_waits_for_the_same_answer(
    channel: ChannelApp,
) -> None:
    channel.bot.says("稍慢", {"text": "稍慢的回答"}, delay=0.5)
    xml = text_xml("稍慢", msg_id=next_msg_id())

    first = channel.submit(plain_request(xml))
    channel.clock.wait_for_sleepers(2)  # the bot, the first delivery's budget
    retry = channel.submit(plain_request(xml))
    channel.clock.wait_for_sleepers(3)  # and the retry's budget
    assert not (first.done() or retry.done())
    channel.clock.advance(0.5)

    contents = [reply_content(first.result(10)), reply_content(retry.result(10))]
    assert contents == ["稍慢的回答", "稍慢的回答"]
    assert channel.bot.texts == ["稍慢"]


def test_retry_after_success_does_not_answer_twice(
    channel: ChannelApp, fake_wechat: FakeWeChatServer
) -> None:
    channel.bot.says("很慢", {"text": "很慢的回答"}, delay=1.3)
    xml = text_xml("很慢", msg_id=next_msg_id())

    first = post_past_budget(channel, plain_request(xml))
    retry = channel.post(plain_request(xml))  # answered at once: no second wait
    channel.clock.advance(0.3)
    fake_wechat.wait_for_sent(1)
    channel.settle()
    late_retry = channel.post(plain_request(xml))

    assert [first.text, retry.text, late_retry.text] == ["success"] * 3
    assert fake_wechat.sent_texts() == ["很慢的回答"]
    assert channel.bot.texts == ["很慢"]


# --------------------------------------------------------------------------- #
# Refused requests
# --------------------------------------------------------------------------- #


def _with(request_: SignedRequest, **params: str) -> SignedRequest:
    return SignedRequest({**request_.params, **params}, request_.body)


def _without(request_: SignedRequest, name: str) -> SignedRequest:
    return SignedRequest({k: v for k, v in request_.params.items() if k != name}, request_.body)


@pytest.mark.parametrize(
    "forge",
    [
        lambda r: _with(r, signature="0" * 40),
        lambda r: _with(r, signature=r.params["signature"].upper()),
        lambda r: _with(r, signature="签名不对"),
        lambda r: _with(r, nonce=r.params["nonce"] + "1"),
        lambda r: _without(r, "signature"),
        lambda r: _without(r, "nonce"),
        lambda r: _without(r, "timestamp"),
        lambda r: SignedRequest({}, r.body),
    ],
    ids=[
        "zeros",
        "upper-case",
        "non-ascii",
        "other-nonce",
        "no-signature",
        "no-nonce",
        "no-timestamp",
        "no-query",
    ],
)
def test_bad_or_missing_signature_is_refused(
    channel: ChannelApp, forge: Callable[[SignedRequest], SignedRequest]
) -> None:
    resp = channel.post(forge(plain_request(text_xml("你好"))))
    assert resp.status_code == 403
    assert channel.bot.received == []


def test_signature_made_with_another_token_is_refused(channel: ChannelApp) -> None:
    resp = channel.post(plain_request(text_xml("你好"), token="another-token"))
    assert resp.status_code == 403
    assert channel.bot.received == []


@pytest.mark.parametrize("offset", [-301, 301, -86400])
def test_stale_timestamp_is_refused(channel: ChannelApp, offset: int) -> None:
    resp = channel.post(plain_request(text_xml("你好"), timestamp=int(channel.clock.now()) + offset))
    assert resp.status_code == 403
    assert channel.bot.received == []


@pytest.mark.parametrize("offset", [-300, 300])
def test_timestamp_within_five_minutes_is_accepted(channel: ChannelApp, offset: int) -> None:
    resp = channel.post(plain_request(text_xml("你好"), timestamp=int(channel.clock.now()) + offset))
    assert reply_content(resp) == "echo: 你好"


def test_timestamp_window_follows_the_clock(channel: ChannelApp) -> None:
    request_ = plain_request(text_xml("你好"), timestamp=int(channel.clock.now()))
    # The request arrives after its timestamp left the window.
    channel.clock.advance(channel.channel.config.timestamp_tolerance + 1)
    assert channel.post(request_).status_code == 403
    assert channel.bot.received == []


@pytest.mark.parametrize(
    "body",
    [
        "this is not xml",
        "<xml><MsgType>text</MsgType>",
        "<root><MsgType>text</MsgType></root>",
        "<xml>just text</xml>",
        "<xml></xml>",
        f"<xml><ToUserName>{ACCOUNT}</ToUserName><CreateTime>1</CreateTime>"
        "<MsgType>text</MsgType><Content>hi</Content><MsgId>5</MsgId></xml>",
        text_xml("hi").replace("<MsgId>", "<MsgId>x"),
        text_xml("hi").replace("</FromUserName>", "</FromUserName><FromUserName>b</FromUserName>"),
        '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        '<!ENTITY lol2 "&lol;&lol;&lol;&lol;">]><xml><Content>&lol2;</Content></xml>',
        "",
    ],
    ids=[
        "text",
        "unclosed",
        "wrong-root",
        "no-children",
        "empty-root",
        "no-sender",
        "bad-msgid",
        "two-senders",
        "entities",
        "empty",
    ],
)
def test_malformed_xml_is_refused(channel: ChannelApp, body: str) -> None:
    request_ = plain_request(text_xml("x"))
    resp = channel.post(SignedRequest(request_.params, body.encode("utf-8")))
    assert resp.status_code == 400
    assert channel.bot.received == []


def test_body_that_is_not_utf8_is_refused(channel: ChannelApp) -> None:
    request_ = plain_request(text_xml("你好"))
    resp = channel.post(SignedRequest(request_.params, text_xml("你好").encode("gbk")))
    assert resp.status_code == 400


def test_body_over_64_kib_is_refused(channel: ChannelApp) -> None:
    resp = channel.post(plain_request(text_xml("长" * 22_000)))  # 66 KB of UTF-8
    assert resp.status_code == 413
    assert channel.bot.received == []


def test_chunked_body_over_64_kib_is_refused(channel: ChannelApp) -> None:
    # No Content-Length: the limit must hold while reading.
    request_ = plain_request(text_xml("x"))
    chunks = (b"<xml>" + b"a" * 8192 for _ in range(10))
    resp = channel.http.post(channel.webhook, params=request_.params, data=chunks, timeout=10)
    assert resp.status_code == 413
    assert channel.bot.received == []


def test_body_just_under_the_limit_is_read(channel: ChannelApp) -> None:
    content = "长" * 21_000  # 63 KB
    resp = channel.post(plain_request(text_xml(content)))
    assert resp.status_code == 200
    assert channel.bot.texts == [content]


# --------------------------------------------------------------------------- #
# Text only: buttons, long answers
# --------------------------------------------------------------------------- #


def test_buttons_become_a_numbered_list(channel: ChannelApp) -> None:
    channel.bot.says("开始", YES_NO)
    resp = channel.post(plain_request(text_xml("开始")))
    assert reply_content(resp) == "贵单位是公司吗？\n1. 是\n2. 否"


@pytest.mark.parametrize(
    "typed, payload",
    [
        ("1", "/affirm"),
        ("１", "/affirm"),
        ("一", "/affirm"),
        (" 2 ", "/deny"),
        ("２", "/deny"),
        ("二", "/deny"),
    ],
)
def test_a_bare_number_picks_the_button(channel: ChannelApp, typed: str, payload: str) -> None:
    channel.bot.says("开始", YES_NO)
    channel.post(plain_request(text_xml("开始")))
    channel.post(plain_request(text_xml(typed)))
    assert channel.bot.texts == ["开始", payload]
    assert channel.bot.received[1].metadata["wechat"]["choice"]["title"] in {"是", "否"}


def test_a_number_beyond_the_buttons_is_passed_as_text(channel: ChannelApp) -> None:
    channel.bot.says("开始", YES_NO)
    channel.post(plain_request(text_xml("开始")))
    channel.post(plain_request(text_xml("3")))
    assert channel.bot.texts == ["开始", "3"]


def test_numbers_after_an_answer_without_buttons_are_plain_text(
    channel: ChannelApp,
) -> None:
    # "how many insured staff?" -> "1" must stay a head count
    channel.bot.says("开始", YES_NO)
    channel.bot.says("/affirm", {"text": "缴纳社保的员工有几人？"})
    channel.post(plain_request(text_xml("开始")))
    channel.post(plain_request(text_xml("1")))
    channel.post(plain_request(text_xml("1")))
    assert channel.bot.texts == ["开始", "/affirm", "1"]


def test_buttons_are_remembered_per_user(channel: ChannelApp) -> None:
    channel.bot.says("开始", YES_NO)
    channel.post(plain_request(text_xml("开始")))
    other = "oOtherUser0000000000000000000"
    channel.post(plain_request(text_xml("1", openid=other), openid=other))
    assert channel.bot.texts == ["开始", "1"]


def test_long_answer_is_split_at_sentence_ends(channel: ChannelApp, fake_wechat: FakeWeChatServer) -> None:
    sentences = [f"第{i}条：申请材料须真实、完整、有效，并加盖公章。" for i in range(1, 121)]
    long_text = "".join(sentences)
    assert len(long_text.encode()) > 3 * WECHAT_TEXT_LIMIT_BYTES
    channel.bot.says("全部材料", {"text": long_text})

    first = reply_content(channel.post(plain_request(text_xml("全部材料"))))
    # The rest waits until the passive first part had time to be shown.
    channel.clock.wait_for_sleepers(1)
    assert fake_wechat.sent == []
    channel.clock.advance(channel.channel.config.overflow_delay)
    channel.settle()
    parts = [first, *fake_wechat.sent_texts()]
    assert "".join(parts) == long_text

    assert len(parts) >= 4
    assert all(len(p.encode()) <= WECHAT_TEXT_LIMIT_BYTES for p in parts)
    assert all(p.endswith("。") for p in parts)  # never cut inside a sentence
    sentence_bytes = max(len(s.encode()) for s in sentences)
    assert all(len(p.encode()) > WECHAT_TEXT_LIMIT_BYTES - sentence_bytes for p in parts[:-1])


def test_short_answer_is_not_pushed(channel: ChannelApp, fake_wechat: FakeWeChatServer) -> None:
    assert reply_content(channel.post(plain_request(text_xml("你好")))) == "echo: 你好"
    channel.settle()
    assert channel.clock.sleepers == 0  # nothing is scheduled for later either
    assert fake_wechat.sent == []


# --------------------------------------------------------------------------- #
# Events and other message types
# --------------------------------------------------------------------------- #


@pytest.mark.parametrize("event_key", [None, "qrscene_123"], ids=["search", "qr-code"])
def test_new_follower_is_welcomed(channel: ChannelApp, event_key: str) -> None:
    channel.bot.says("/greet", {"text": "欢迎关注！"})
    resp = channel.post(plain_request(event_xml("subscribe", event_key=event_key)))
    assert reply_content(resp) == "欢迎关注！"
    assert channel.bot.texts == ["/greet"]
    assert channel.bot.received[0].sender_id == OPENID


def test_retried_subscribe_event_welcomes_once(channel: ChannelApp) -> None:
    xml = event_xml("subscribe", create_time=int(time.time()))
    channel.post(plain_request(xml))
    channel.post(plain_request(xml))
    assert channel.bot.texts == ["/greet"]


@pytest.mark.parametrize("event", ["unsubscribe", "CLICK", "VIEW", "LOCATION"])
def test_other_events_get_no_answer(channel: ChannelApp, event: str) -> None:
    resp = channel.post(plain_request(event_xml(event)))
    assert (resp.status_code, resp.text) == (200, "success")
    assert channel.bot.received == []


@pytest.mark.parametrize("msg_type", ["image", "voice", "video", "shortvideo", "location", "link"])
def test_non_text_messages_get_a_polite_text(channel: ChannelApp, msg_type: str) -> None:
    resp = channel.post(plain_request(media_xml(msg_type)))
    assert reply_content(resp) == TEXTS["non_text"]
    assert channel.bot.received == []


def test_non_text_message_in_safe_mode(
    start_channel: Callable[..., ChannelApp],
) -> None:
    app = start_channel(safe=True)
    resp = app.post(safe_request(media_xml("image")))
    assert decrypt_reply(resp.text)["Content"] == TEXTS["non_text"]


# --------------------------------------------------------------------------- #
# Disabled channel, logs
# --------------------------------------------------------------------------- #


def test_channel_without_token_is_off(
    start_channel: Callable[..., ChannelApp], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    channel = WeChatInput.from_credentials({"token": "", "appid": "wx1", "secret": "s"})
    assert "WeChat channel disabled" in caplog.text

    app = start_channel(config=channel.config)
    assert app.post(plain_request(text_xml("你好"))).status_code == 503
    assert app.get(verification_request()).status_code == 503
    assert app.http.get(f"{app.base_url}/webhooks/wechat/", timeout=5).status_code == 503
    assert app.bot.received == []


def test_health_route(channel: ChannelApp) -> None:
    resp = channel.http.get(f"{channel.base_url}/webhooks/wechat/", timeout=5)
    assert resp.json() == {"status": "ok"}


def test_logs_hold_no_openid_and_no_secret(
    start_channel: Callable[..., ChannelApp],
    fake_wechat: FakeWeChatServer,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.WARNING, logger="urllib3")  # the test's own client
    caplog.set_level(logging.DEBUG)  # (after: this one also sets the handler level)
    channel = start_channel(access_log=True)  # Sanic logs each URL, openid=... included
    channel.bot.says("慢", {"text": "迟到的回答"}, delay=1.1)
    channel.bot.fails_on("崩溃", RuntimeError(f"no tracker for {OPENID}"))
    fake_wechat.fail_next_sends = 1

    channel.post(plain_request(text_xml("你好")))
    post_past_budget(channel, plain_request(text_xml("慢")))
    channel.post(plain_request(text_xml("崩溃")))
    channel.post(plain_request(media_xml("image")))
    channel.post(plain_request(event_xml("subscribe")))
    channel.post(plain_request("<xml>broken"))
    channel.post(plain_request(text_xml("你好"), token="wrong"))
    channel.clock.advance(0.1)  # the slow answer is ready and pushed
    fake_wechat.wait_for_sent(2)
    channel.settle()

    # Sanic's access log keeps the URL in the record's "request" field. Rasa's own
    # DEBUG logs (here its tracker store's) name the sender id, as they do for
    # every channel: security.OpenIdMaskingFilter's docstring says how to mask them.
    records = [r for r in caplog.records if not r.name.startswith("rasa.")]
    access = [str(getattr(r, "request", "")) for r in records]
    text = "\n".join(r.getMessage() for r in records)
    logged = text + "\n".join(access)
    assert "openid=oUse…" in logged  # the masked form is what appears
    assert "oUse…" in text
    for secret in (OPENID, TOKEN, SECRET, AES_KEY, fake_wechat.access_token):
        assert secret not in logged
