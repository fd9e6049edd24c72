"""The handoff over WeChat, driven the way WeChat's servers drive it.

A request for a human is answered with WeChat's transfer reply (the customer
service takes the user), the bot is then silent for that user until a staff
member resumes it from the console or HANDOFF_TIMEOUT_MIN passes; after a
timeout the bot says it is back, then answers. Time is the channel's
``FakeClock``: thirty minutes pass when the test says so.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Callable, Dict, List

import pytest
import requests
from rasa.shared.core.events import (
    ActionExecuted,
    BotUttered,
    ConversationPaused,
    ConversationResumed,
    UserUttered,
)

from channels.handoff import RESUMED_RESPONSE, HandoffConfig, back_message
from console.app import Config, Request, handle
from console.auth import Auth
from console.rasa_api import RasaApi
from console.texts import names, t
from tests.channels.conftest import HANDOFF_TEXT, ChannelApp
from tests.channels.fake_wechat import (
    ACCOUNT,
    OPENID,
    FakeWeChatServer,
    decrypt_reply,
    event_xml,
    plain_request,
    read_reply,
    safe_request,
    text_xml,
)

STAFF_TOKEN = "staff-token-for-tests"
RASA_TOKEN = "rasa-token-for-tests"
MINUTE = 60.0


def say(channel: ChannelApp, text: str, openid: str = OPENID) -> requests.Response:
    """A text message signed at the channel's time (which the tests move on)."""
    now = int(channel.clock.now())
    request_ = plain_request(text_xml(text, openid=openid, create_time=now), timestamp=now, openid=openid)
    resp = channel.post(request_)
    assert resp.status_code == 200, resp.text
    return resp


def reply_text(resp: requests.Response) -> str:
    fields = read_reply(resp.text)
    assert fields["MsgType"] == "text", fields
    return str(fields["Content"])


def events_of(channel: ChannelApp, kind: type, openid: str = OPENID) -> List[Any]:
    return [e for e in channel.events(openid) if isinstance(e, kind)]


def is_paused(channel: ChannelApp, openid: str = OPENID) -> bool:
    return bool(channel.run(channel.bot.agent.tracker(openid)).is_paused())


def handed_off(channel: ChannelApp, fake_wechat: FakeWeChatServer) -> None:
    """The user asks for a human; the transfer reply and the pushed text are checked."""
    channel.bot.hands_off("转人工")
    fields = read_reply(say(channel, "转人工").text)
    assert fields["MsgType"] == "transfer_customer_service"
    assert (fields["ToUserName"], fields["FromUserName"]) == (OPENID, ACCOUNT)
    # the text follows through the customer-service API, after the transfer
    channel.clock.wait_for_sleepers(1)
    channel.clock.advance(channel.channel.config.overflow_delay)
    channel.settle()
    assert fake_wechat.sent_texts() == [HANDOFF_TEXT]
    assert is_paused(channel)


# --------------------------------------------------------------------------- #
# The transfer reply
# --------------------------------------------------------------------------- #


def test_a_request_for_a_human_gets_the_transfer_reply_and_the_text_is_pushed(
    channel: ChannelApp, fake_wechat: FakeWeChatServer
) -> None:
    handed_off(channel, fake_wechat)
    # the transfer carries no text of its own: the handoff text is not in it
    assert HANDOFF_TEXT not in say(channel, "还在吗").text


def test_the_transfer_reply_is_encrypted_in_safe_mode(
    start_channel: Callable[..., ChannelApp], fake_wechat: FakeWeChatServer
) -> None:
    channel = start_channel(safe=True)
    channel.bot.hands_off("人工客服")

    resp = channel.post(safe_request(text_xml("人工客服")))

    assert "transfer_customer_service" not in resp.text  # only inside the envelope
    fields = decrypt_reply(resp.text)
    assert fields["MsgType"] == "transfer_customer_service"
    assert fields["ToUserName"] == OPENID


def test_a_retry_of_the_handoff_gets_the_transfer_again_and_reaches_the_bot_once(
    channel: ChannelApp,
) -> None:
    channel.bot.hands_off("转人工")
    request_ = plain_request(text_xml("转人工"))

    first, second = channel.post(request_), channel.post(request_)

    for resp in (first, second):
        assert read_reply(resp.text)["MsgType"] == "transfer_customer_service"
    assert channel.bot.texts == ["转人工"]


def test_a_handoff_too_slow_for_a_passive_reply_pushes_its_text_only(
    channel: ChannelApp, fake_wechat: FakeWeChatServer
) -> None:
    channel.bot.hands_off("转人工")
    answer, _ = channel.bot.script["转人工"]
    channel.bot.script["转人工"] = (answer, 1.5)  # slower than the 1 s budget
    pending = channel.submit(plain_request(text_xml("转人工")))
    channel.clock.wait_for_sleepers(2)
    channel.clock.advance(channel.channel.config.reply_budget)
    assert pending.result(timeout=10).text == "success"

    channel.clock.advance(0.5)
    [sent] = fake_wechat.wait_for_sent(1)
    assert sent["json"]["text"]["content"] == HANDOFF_TEXT  # never the transfer marker


# --------------------------------------------------------------------------- #
# Silence while paused, resume by timeout
# --------------------------------------------------------------------------- #


def test_the_bot_is_silent_while_paused_and_the_messages_are_kept(
    channel: ChannelApp, fake_wechat: FakeWeChatServer
) -> None:
    handed_off(channel, fake_wechat)

    for text in ("你好？", "注册资本要多少"):
        channel.clock.advance(14 * MINUTE)
        assert say(channel, text).text == "success"

    channel.settle()
    assert len(fake_wechat.sent) == 1  # only the handoff text, nothing since
    user_texts = [e.text for e in events_of(channel, UserUttered)]
    assert user_texts == ["转人工", "你好？", "注册资本要多少"]  # logged for the person
    assert is_paused(channel)


def test_after_the_timeout_the_next_message_resumes_and_the_bot_says_it_is_back(
    channel: ChannelApp, fake_wechat: FakeWeChatServer
) -> None:
    handed_off(channel, fake_wechat)
    channel.clock.advance(29 * MINUTE + 59)
    assert say(channel, "有人吗").text == "success"

    channel.clock.advance(1)  # 30 minutes since the pause, the default
    text = reply_text(say(channel, "年报什么时候交"))

    back = back_message()["text"]
    assert text == f"{back}\n\necho: 年报什么时候交"
    assert not is_paused(channel)
    # the tracker holds what the user saw, in order, and the message comes after
    # action_listen, so Rasa's rules read it as any other
    events = channel.events(OPENID)
    resumed_at = next(i for i, e in enumerate(events) if isinstance(e, ConversationResumed))
    resume, action, said, listen, message = events[resumed_at : resumed_at + 5]
    assert isinstance(action, ActionExecuted) and action.action_name == RESUMED_RESPONSE
    assert isinstance(said, BotUttered) and said.text == back
    assert said.metadata["utter_action"] == RESUMED_RESPONSE
    assert isinstance(listen, ActionExecuted) and listen.action_name == "action_listen"
    assert isinstance(message, UserUttered) and message.text == "年报什么时候交"
    paused_at = events_of(channel, ConversationPaused)[0].timestamp
    assert resume.timestamp - paused_at == pytest.approx(30 * MINUTE, abs=0.1)


def test_the_bot_is_back_once_then_answers_as_usual(
    channel: ChannelApp, fake_wechat: FakeWeChatServer
) -> None:
    handed_off(channel, fake_wechat)
    channel.clock.advance(31 * MINUTE)
    assert reply_text(say(channel, "第一句")).startswith(back_message()["text"])

    assert reply_text(say(channel, "第二句")) == "echo: 第二句"
    assert len(events_of(channel, ConversationResumed)) == 1


def test_the_timeout_comes_from_the_configuration(
    start_channel: Callable[..., ChannelApp], fake_wechat: FakeWeChatServer
) -> None:
    channel = start_channel(handoff=HandoffConfig.from_env({"HANDOFF_TIMEOUT_MIN": "2"}))
    handed_off(channel, fake_wechat)
    channel.clock.advance(2 * MINUTE - 1)
    assert say(channel, "在吗").text == "success"
    channel.clock.advance(1)
    assert reply_text(say(channel, "在吗？")).endswith("echo: 在吗？")


def test_a_pause_is_per_user(channel: ChannelApp, fake_wechat: FakeWeChatServer) -> None:
    handed_off(channel, fake_wechat)
    other = "oOtherUser000000000000000001"
    assert reply_text(say(channel, "你好", openid=other)) == "echo: 你好"
    assert say(channel, "你好").text == "success"


def test_a_new_follower_who_was_handed_off_is_not_welcomed_while_paused(
    channel: ChannelApp, fake_wechat: FakeWeChatServer
) -> None:
    handed_off(channel, fake_wechat)
    now = int(channel.clock.now())
    resp = channel.post(plain_request(event_xml("subscribe", create_time=now), timestamp=now))
    assert resp.text == "success"


# --------------------------------------------------------------------------- #
# Resume from the staff console
# --------------------------------------------------------------------------- #


@pytest.fixture
def with_console(
    start_channel: Callable[..., ChannelApp], tmp_path: Path
) -> tuple[ChannelApp, Callable[..., Any]]:
    """The channel on a SQL tracker store, and the console reading that database and
    resuming through the imitated Rasa HTTP API of the same app."""
    db = tmp_path / "tracker.db"
    channel = start_channel(db=db, rasa_token=RASA_TOKEN)
    config = Config(Auth(STAFF_TOKEN), f"sqlite:///{db}", RasaApi(channel.base_url, RASA_TOKEN))

    def console(method: str, path: str, token: str | None = STAFF_TOKEN, query: str = "") -> Any:
        headers: Dict[str, str] = {"Authorization": f"Bearer {token}"} if token else {}
        return handle(Request(method, path, query, headers), config)

    return channel, console


def test_the_console_lists_the_paused_conversation_with_the_openid_masked(
    with_console: tuple[ChannelApp, Callable[..., Any]], fake_wechat: FakeWeChatServer
) -> None:
    channel, console = with_console
    handed_off(channel, fake_wechat)

    listed = json.loads(console("GET", "/staff/api/conversations", query="outcome=paused").body)

    [found] = listed["conversations"]
    assert found["sender_id"] == "oUse…" and found["channel"] == "wechat"
    assert "paused" in found["outcomes"] and "handoff" in found["outcomes"]
    assert found["paused_since"] is not None
    page = console("GET", f"/staff/conversations/{found['id']}").body.decode("utf-8")
    assert t("pause.resume") in page and OPENID not in page


def test_the_resume_route_needs_the_staff_token(
    with_console: tuple[ChannelApp, Callable[..., Any]], fake_wechat: FakeWeChatServer
) -> None:
    channel, console = with_console
    handed_off(channel, fake_wechat)
    [found] = json.loads(console("GET", "/staff/api/conversations").body)["conversations"]
    path = f"/staff/api/conversations/{found['id']}/resume"

    assert console("POST", path, token=None).status == 401
    assert console("POST", path, token="wrong").status == 401
    assert is_paused(channel)
    assert say(channel, "有人吗").text == "success"


def test_a_staff_resume_gives_the_user_back_to_the_bot(
    with_console: tuple[ChannelApp, Callable[..., Any]], fake_wechat: FakeWeChatServer
) -> None:
    channel, console = with_console
    handed_off(channel, fake_wechat)
    assert say(channel, "有人吗").text == "success"
    [found] = json.loads(console("GET", "/staff/api/conversations").body)["conversations"]

    resumed = console("POST", f"/staff/api/conversations/{found['id']}/resume")

    assert resumed.status == 200, resumed.body
    assert json.loads(resumed.body) == {"id": found["id"], "sender_id": "oUse…", "resumed": True}
    assert not is_paused(channel)
    # no "back" message: the person who had the user handed over; the bot answers at once
    assert reply_text(say(channel, "年报什么时候交")) == "echo: 年报什么时候交"
    again = console("POST", f"/staff/api/conversations/{found['id']}/resume")
    assert again.status == 409  # not paused any more
    listed = json.loads(console("GET", "/staff/api/conversations", query="outcome=paused").body)
    assert listed["conversations"] == []


def test_the_console_page_button_resumes_and_returns_to_the_page(
    with_console: tuple[ChannelApp, Callable[..., Any]], fake_wechat: FakeWeChatServer
) -> None:
    channel, console = with_console
    handed_off(channel, fake_wechat)
    [found] = json.loads(console("GET", "/staff/api/conversations").body)["conversations"]

    answer = console("POST", f"/staff/conversations/{found['id']}/resume")

    assert answer.status == 303
    assert ("Location", f"/staff/conversations/{found['id']}") in answer.headers
    assert not is_paused(channel)
    page = console("GET", f"/staff/conversations/{found['id']}").body.decode("utf-8")
    marks = names("transcript.marks")
    assert marks["pause"] in page and marks["resume"] in page and t("pause.resume") not in page
