"""End-to-end: conversations survive restarts, and a missing action server gets a
clear answer instead of silence. Uses its own bot, since it stops processes."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Iterator

import pytest

from tests.e2e.servers import Bot

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def own_bot(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Bot]:
    bot = Bot(workdir=Path(tmp_path_factory.mktemp("resilient-bot")))
    try:
        yield bot.start()
    finally:
        bot.stop()


def test_action_server_down_gets_a_clear_answer_and_recovers(own_bot: Bot) -> None:
    user = f"down-{uuid.uuid4().hex[:8]}"
    own_bot.stop_actions()
    try:
        answer = own_bot.texts(user, "注册资本要多少")
        assert "暂时无法完成" in answer and "转人工" in answer
    finally:
        own_bot.start_actions()
    assert "100万" in own_bot.texts(user, "地网注册资本要多少")


def test_the_interview_survives_a_restart_of_the_rasa_server(own_bot: Bot) -> None:
    user = f"restart-{uuid.uuid4().hex[:8]}"
    own_bot.say(user, "帮我评估一下能不能办")
    own_bot.say(user, "只做北京的业务")
    own_bot.say(user, "有限公司")
    before = own_bot.slots(user)
    assert before["requested_slot"] == "registered_capital"
    own_bot.stop_rasa()
    own_bot.start_rasa()
    after = own_bot.slots(user)
    assert after["coverage"] == "地网" and after["province"] == "北京"
    assert after["requested_slot"] == "registered_capital"
    own_bot.say(user, "300万")
    assert own_bot.slots(user)["registered_capital"] == 300
    assert own_bot.slots(user)["requested_slot"] == "foreign_investment"


def test_the_interview_survives_a_restart_of_the_action_server(own_bot: Bot) -> None:
    user = f"actions-{uuid.uuid4().hex[:8]}"
    own_bot.say(user, "测一下我们能不能申请")
    own_bot.say(user, "全国")
    own_bot.stop_actions()
    own_bot.start_actions()
    own_bot.say(user, "是股份有限公司")
    slots = own_bot.slots(user)
    assert slots["coverage"] == "全网" and slots["is_company"] is True
    assert slots["requested_slot"] == "registered_capital"
