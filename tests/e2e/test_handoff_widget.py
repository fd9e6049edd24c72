"""End-to-end: a widget (socket.io) visitor asks for a person halfway through the
eligibility interview, on the real bot (trained model, action server, SQL tracker
store). The interview ends with its answers kept, the ticket asks for a contact and
pauses the bot; once staff resume it, "继续评估" picks the interview up at its first
open question. It talks to the session's bot (tests/e2e/conftest.py) as a visitor
of its own, so it needs no server of its own."""

from __future__ import annotations

import queue
import uuid
from typing import Any, Dict, List

import pytest
import socketio

from console.rasa_api import RasaApi
from tests.e2e.servers import Bot

pytestmark = pytest.mark.e2e

# how long one turn may take on a busy machine; the wait ends as soon as it is answered
TURN_TIMEOUT_S = 60


class Widget:
    """A visitor's socket, as web/ opens it: a session, then messages in that session."""

    def __init__(self, bot: Bot) -> None:
        self.session_id = uuid.uuid4().hex
        self.replies: "queue.Queue[Dict[str, Any]]" = queue.Queue()
        self.client = socketio.Client(reconnection=False)
        self.client.on("bot_uttered", self.replies.put)
        self.client.connect(bot.url, transports=["polling"], wait_timeout=TURN_TIMEOUT_S)
        self.client.emit("session_request", {"session_id": self.session_id})

    def say(self, text: str, until: str) -> List[str]:
        """Send ``text``; the bot's texts up to the one that contains ``until``."""
        self.client.emit("user_uttered", {"message": text, "session_id": self.session_id})
        texts: List[str] = []
        while not texts or until not in texts[-1]:
            try:
                texts.append(self.replies.get(timeout=TURN_TIMEOUT_S).get("text", ""))
            except queue.Empty:
                pytest.fail(f"no reply with {until!r} to {text!r}; got {texts}")
        return texts

    def close(self) -> None:
        self.client.disconnect()


def test_a_handoff_in_the_interview_is_a_ticket_and_the_interview_resumes_later(bot: Bot) -> None:
    widget = Widget(bot)
    try:
        widget.say("帮我评估一下能不能办", until="全网")
        widget.say("只在广东省内做", until="公司")
        widget.say("是的，是有限公司", until="注册资本")

        widget.say("转人工", until="手机号")
        slots = bot.slots(widget.session_id)
        # the interview ended, its answers kept, and it is on hold for later
        assert bot.tracker(widget.session_id)["active_loop"].get("name") == "handoff_form"
        assert (slots["coverage"], slots["province"], slots["is_company"]) == ("地网", "广东", True)
        assert slots["interview_on_hold"] is True

        widget.say("13812345678", until="13812345678")
        tracker = bot.tracker(widget.session_id)
        assert tracker["paused"] is True
        assert tracker["slots"]["handoff_contact"] == "13812345678"
        assert tracker["slots"]["registered_capital"] is None

        # staff press 恢复机器人: the console's own call to Rasa's HTTP API
        RasaApi(bot.url, bot.token).resume(widget.session_id)
        assert bot.tracker(widget.session_id)["paused"] is False

        texts = widget.say("继续评估", until="注册资本")
        # resumed where it stopped: the next question is the capital, not the coverage
        assert not any("全网" in text for text in texts)
        slots = bot.slots(widget.session_id)
        assert (slots["coverage"], slots["is_company"], slots["interview_on_hold"]) == ("地网", True, False)
    finally:
        widget.close()
