"""End-to-end: the cost answer, the call-back offer and the lead form through the
real bot (REST channel, action server, tracker API)."""

from __future__ import annotations

import uuid

import pytest

from tests.e2e.servers import Bot

pytestmark = pytest.mark.e2e


def sender() -> str:
    return f"e2e-lead-{uuid.uuid4().hex[:8]}"


def test_a_visitor_asks_the_cost_accepts_a_call_back_and_leaves_a_lead(bot: Bot) -> None:
    user = sender()
    answer = bot.texts(user, "办呼叫中心许可证要多少钱")
    assert "不收" in answer and "代办服务费" in answer and "回电" in answer
    assert bot.slots(user)["pending_offer"] == "callback"
    bot.say(user, "好的")
    assert bot.slots(user)["requested_slot"] == "lead_name"
    bot.say(user, "我叫王磊")
    # a reply that is no company is asked again, politely
    assert "公司名称" in bot.texts(user, "无")
    bot.say(user, "深圳云呼科技有限公司")
    thanks = bot.texts(user, "微信 wang_lei88")
    assert "王磊" in thanks and "wang_lei88" in thanks
    slots = bot.slots(user)
    assert (slots["lead_name"], slots["lead_company"], slots["lead_contact"]) == (
        "王磊",
        "深圳云呼科技有限公司",
        "wang_lei88",
    )
    assert slots["lead_submitted"] is True and slots["requested_slot"] is None
    # another visitor's conversation knows nothing of it
    assert bot.slots(sender())["lead_name"] is None


def test_after_the_cost_the_validity_question_gets_the_validity(bot: Bot) -> None:
    user = sender()
    bot.say(user, "办证费用多少")
    assert "5年" in bot.texts(user, "有效期几年")
    assert bot.slots(user)["pending_offer"] is None


def test_a_visitor_who_changes_their_mind_leaves_no_lead(bot: Bot) -> None:
    user = sender()
    bot.say(user, "要交多少钱")
    bot.say(user, "好的")
    bot.say(user, "张先生")
    bot.say(user, "算了")
    slots = bot.slots(user)
    assert slots["lead_name"] is None and not slots["lead_submitted"]
    assert slots["requested_slot"] is None
