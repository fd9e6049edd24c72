"""End-to-end: the handoff on the real bot (trained model, action server, SQL tracker
store), over WeChat with a fake customer-service API and over REST, resumed by the
staff console through Rasa's HTTP API."""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Any, Dict, Iterator, List, Tuple

import pytest
import requests

from channels.handoff import back_message
from console.app import Config, Request, handle
from console.auth import Auth
from console.rasa_api import RasaApi
from tests.channels import fake_wechat as wx
from tests.e2e.servers import Bot

pytestmark = pytest.mark.e2e
STAFF = "staff-e2e-token"


def running(
    tmp_path_factory: pytest.TempPathFactory, timeout_min: str
) -> Iterator[Tuple[Bot, wx.FakeWeChatServer]]:
    with wx.FakeWeChatServer() as fake:
        bot = Bot(
            workdir=Path(tmp_path_factory.mktemp("handoff-bot")),
            extra_env={
                "WECHAT_TOKEN": wx.TOKEN,
                "WECHAT_APPID": wx.APPID,
                "WECHAT_SECRET": wx.SECRET,
                "WECHAT_API_BASE": fake.base_url,
                "HANDOFF_TIMEOUT_MIN": timeout_min,
            },
        )
        try:
            bot.start()
            bot.say("warm-up", "你好")  # so that answers fit WeChat's passive-reply budget
            yield bot, fake
        finally:
            bot.stop()


@pytest.fixture(scope="module")
def wechat_bot(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Tuple[Bot, wx.FakeWeChatServer]]:
    yield from running(tmp_path_factory, "30")


@pytest.fixture(scope="module")
def impatient_bot(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Tuple[Bot, wx.FakeWeChatServer]]:
    """HANDOFF_TIMEOUT_MIN=0: the message after a handoff finds it timed out (a real
    server's clock cannot be moved on, and a pause dated back before the conversation's
    session start is not even read back by Rasa's SQL tracker store)."""
    yield from running(tmp_path_factory, "0")


def openid() -> str:
    return "oE2eHandoff" + uuid.uuid4().hex[:17]


def post(bot: Bot, user: str, text: str) -> requests.Response:
    signed = wx.plain_request(wx.text_xml(text, openid=user), openid=user)
    response = requests.post(
        f"{bot.url}/webhooks/wechat/webhook?{signed.query}", data=signed.body, timeout=30
    )
    assert response.status_code == 200, response.text
    return response


def answer_text(response: requests.Response, fake: wx.FakeWeChatServer, before: int) -> str:
    """The bot's text: the passive reply, or (on a busy machine, past the reply
    budget) the push through the customer-service API."""
    if response.text == "success":
        return "".join(
            str(m["json"]["text"]["content"]) for m in fake.wait_for_sent(before + 1, timeout=60)[before:]
        )
    fields = wx.read_reply(response.text)
    assert fields["MsgType"] == "text", fields
    return str(fields["Content"])


def events(bot: Bot, sender: str) -> List[Dict[str, Any]]:
    return list(bot.tracker(sender)["events"])


def console(bot: Bot, method: str, path: str, query: str = "") -> Any:
    config = Config(Auth(STAFF), f"sqlite:///{bot.workdir / 'tracker.db'}", RasaApi(bot.url, bot.token))
    return handle(Request(method, path, query, {"Authorization": f"Bearer {STAFF}"}), config)


def hand_off(bot: Bot, fake: wx.FakeWeChatServer, user: str) -> None:
    before = len(fake.sent)
    fields = wx.read_reply(post(bot, user, "转人工").text)
    assert fields["MsgType"] == "transfer_customer_service"
    assert fields["ToUserName"] == user
    pushed = fake.wait_for_sent(before + 1, timeout=30)[-1]["json"]
    assert pushed["touser"] == user and "400-123-4567" in pushed["text"]["content"]
    assert bot.tracker(user)["paused"]


def test_wechat_hands_over_stays_silent_and_a_staff_member_gives_the_user_back(wechat_bot) -> None:
    bot, fake = wechat_bot
    user = openid()
    hand_off(bot, fake, user)

    assert post(bot, user, "注册资本要多少").text == "success"
    last = events(bot, user)[-1]
    assert (last["event"], last["text"]) == ("user", "注册资本要多少")  # kept for the person, not answered

    listed = json.loads(console(bot, "GET", "/staff/api/conversations", "outcome=paused").body)
    [found] = [c for c in listed["conversations"] if c["sender_id"] == user[:4] + "…"]
    assert user not in json.dumps(listed, ensure_ascii=False)
    assert console(bot, "POST", f"/staff/api/conversations/{found['id']}/resume").status == 200
    assert not bot.tracker(user)["paused"]

    # Rasa's rules read the next message as any other (the resume ended with action_listen)
    before = len(fake.sent)
    answer = answer_text(post(bot, user, "地网呼叫中心许可证注册资本要求多少"), fake, before)
    assert "100万" in answer and back_message()["text"] not in answer


def test_after_the_timeout_the_bot_says_it_is_back_then_answers(impatient_bot) -> None:
    bot, fake = impatient_bot
    user = openid()
    hand_off(bot, fake, user)

    before = len(fake.sent)
    answer = answer_text(post(bot, user, "地网呼叫中心许可证注册资本要求多少"), fake, before)

    assert answer.startswith(back_message()["text"]) and "100万" in answer, answer
    assert not bot.tracker(user)["paused"]
    said = [e.get("metadata", {}).get("utter_action") for e in events(bot, user) if e["event"] == "bot"]
    assert "utter_handoff_resumed" in said


def test_rest_gets_the_contacts_and_is_not_paused(wechat_bot) -> None:
    bot, _ = wechat_bot
    user = f"e2e-{uuid.uuid4().hex[:10]}"
    assert "400-123-4567" in bot.texts(user, "转人工")
    assert not bot.tracker(user)["paused"]
    assert "100万" in bot.texts(user, "地网注册资本要求多少")


def test_a_paused_rest_conversation_is_silent_not_apologising_until_resumed(wechat_bot) -> None:
    bot, _ = wechat_bot
    user = f"e2e-{uuid.uuid4().hex[:10]}"
    bot.say(user, "你好")
    requests.post(
        f"{bot.url}/conversations/{user}/tracker/events",
        params={"token": bot.token},
        json={"event": "pause"},
        timeout=30,
    ).raise_for_status()

    assert bot.say(user, "注册资本要多少") == []

    assert console(bot, "POST", f"/staff/api/conversations/{user}/resume").status == 200
    assert "100万" in bot.texts(user, "地网注册资本要求多少")


def test_two_failed_answers_in_a_row_offer_a_human_and_a_yes_takes_it(wechat_bot) -> None:
    bot, _ = wechat_bot
    user = f"e2e-{uuid.uuid4().hex[:10]}"
    first = bot.say(user, "ICP许可证怎么办理")
    assert not [m for m in first if m.get("buttons")]  # one failure: no offer yet
    second = bot.say(user, "400电话怎么申请")
    [offer] = [m for m in second if m.get("buttons")]
    assert "人工顾问" in offer["text"]
    assert [b["title"] for b in offer["buttons"]] == ["转人工", "不用了"]
    assert "400-123-4567" in bot.texts(user, "好的")
