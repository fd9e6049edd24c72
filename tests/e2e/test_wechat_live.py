"""End-to-end: the WeChat channel in safe mode in front of the real bot, with a
fake WeChat customer-service API on loopback. Requests are built with wechatpy's
own crypto, exactly as WeChat builds them."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Iterator, Tuple

import pytest
import requests

from tests.channels import fake_wechat as wx
from tests.e2e.servers import ROOT, Bot

pytestmark = pytest.mark.e2e
LOG = ROOT / "results" / "wechat" / "roundtrip.txt"


@pytest.fixture(scope="module")
def wechat_bot(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Tuple[Bot, wx.FakeWeChatServer]]:
    with wx.FakeWeChatServer() as fake:
        bot = Bot(
            workdir=Path(tmp_path_factory.mktemp("wechat-bot")),
            extra_env={
                "WECHAT_TOKEN": wx.TOKEN,
                "WECHAT_APPID": wx.APPID,
                "WECHAT_SECRET": wx.SECRET,
                "WECHAT_AES_KEY": wx.AES_KEY,
                "WECHAT_API_BASE": fake.base_url,
            },
        )
        try:
            bot.start()
            # warm up the model so later answers fit WeChat's passive-reply budget
            bot.say("warm-up", "你好")
            yield bot, fake
        finally:
            bot.stop()


def post(bot: Bot, signed: wx.SignedRequest) -> requests.Response:
    return requests.post(f"{bot.url}/webhooks/wechat/webhook?{signed.query}", data=signed.body, timeout=30)


def answer_text(response: requests.Response, fake: wx.FakeWeChatServer, before: int) -> str:
    """The bot's text, passive (decrypted) or pushed later through the CS API."""
    if response.text.strip() == "success":
        sent = fake.wait_for_sent(before + 1, timeout=60)
        return str(sent[-1]["json"]["text"]["content"])
    return str(wx.decrypt_reply(response.text)["Content"])


def test_safe_mode_round_trip_reaches_the_bot_and_back(wechat_bot) -> None:
    bot, fake = wechat_bot
    openid = "oLiveSafeMode0000000000000001"
    question = "地网呼叫中心许可证注册资本要求多少"
    signed = wx.safe_request(wx.text_xml(question, openid=openid), openid=openid)
    started = time.monotonic()
    response = post(bot, signed)
    elapsed = time.monotonic() - started
    assert response.status_code == 200
    text = answer_text(response, fake, len(fake.sent))
    assert "100万" in text
    LOG.parent.mkdir(parents=True, exist_ok=True)
    LOG.write_text(
        f"request query: {signed.query}\nrequest body (encrypted): {signed.body.decode()}\n"
        f"plain text sent: {question}\nhttp {response.status_code} in {elapsed:.2f}s, "
        f"reply body (encrypted): {response.text}\ndecrypted reply: {text}\n",
        encoding="utf-8",
    )


def test_buttons_become_a_numbered_list_and_a_number_picks_one(wechat_bot) -> None:
    bot, fake = wechat_bot
    openid = "oLiveButtons00000000000000002"
    greeting = answer_text(
        post(bot, wx.safe_request(wx.text_xml("你好", openid=openid), openid=openid)),
        fake,
        len(fake.sent),
    )
    assert "1." in greeting and "2." in greeting
    picked = answer_text(
        post(bot, wx.safe_request(wx.text_xml("1", openid=openid), openid=openid)), fake, len(fake.sent)
    )
    assert "逐项核对" in picked  # the first button starts the eligibility interview
    assert bot.slots(openid)["requested_slot"] == "coverage"


def test_a_retried_message_is_answered_once(wechat_bot) -> None:
    bot, fake = wechat_bot
    openid = "oLiveRetry0000000000000000003"
    xml = wx.text_xml("年报什么时候交", openid=openid, msg_id=wx.next_msg_id())
    first = post(bot, wx.safe_request(xml, openid=openid))
    second = post(bot, wx.safe_request(xml, openid=openid))
    assert first.status_code == second.status_code == 200
    user_turns = [e for e in bot.tracker(openid)["events"] if e["event"] == "user"]
    assert len(user_turns) == 1


def test_a_bad_signature_is_refused_and_reaches_nobody(wechat_bot) -> None:
    bot, _ = wechat_bot
    openid = "oLiveForged000000000000000004"
    signed = wx.safe_request(wx.text_xml("你好", openid=openid), openid=openid)
    signed.params["signature"] = "0" * 40
    assert post(bot, signed).status_code == 403
    assert not [e for e in bot.tracker(openid)["events"] if e["event"] == "user"]


def test_the_url_verification_echoes_only_a_correctly_signed_challenge(wechat_bot) -> None:
    bot, _ = wechat_bot
    good = wx.verification_request(echostr="echo-live-1")
    response = requests.get(f"{bot.url}/webhooks/wechat/webhook?{good.query}", timeout=10)
    assert response.status_code == 200 and response.text == "echo-live-1"
    bad = wx.verification_request(token="wrong-token", echostr="echo-live-2")
    response = requests.get(f"{bot.url}/webhooks/wechat/webhook?{bad.query}", timeout=10)
    assert response.status_code == 403


def test_malformed_xml_is_refused_with_400(wechat_bot) -> None:
    bot, _ = wechat_bot
    signed = wx.safe_request("<xml><MsgType>text</MsgType><Content>半截")
    assert post(bot, signed).status_code == 400
