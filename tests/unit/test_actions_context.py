"""Replies read with the answer just given: a yes, a no or a statement that
says more than that continues the conversation's topic or need check."""

from __future__ import annotations

import pytest

from actions.chat import ActionIdleReply
from actions.verdict import ActionHandleInform
from tests.unit.test_actions import after_answer, responses, run, slots_set


def after_need_answer(text: str, intent: str):  # type: ignore[no-untyped-def]
    return after_answer(text, "need", "action_need_verdict", "utter_need_answer", intent=intent)


@pytest.mark.parametrize(
    "text, intent, activity",
    [
        ("就是按坐席收租金那种", "affirm", "seat_rental"),
        ("不是，我们只接自己家客户的电话", "deny", "inhouse"),
    ],
)
async def test_a_yes_or_no_that_describes_the_business_after_the_need_answer_is_checked(
    text: str, intent: str, activity: str
) -> None:
    messages, events = await run(ActionIdleReply(), after_need_answer(text, intent))
    assert "utter_need_answer" in responses(messages)
    assert slots_set(events)["business_activity"] == activity


async def test_a_statement_of_the_business_after_the_need_answer_is_checked() -> None:
    messages, events = await run(ActionHandleInform(), after_need_answer("只接自己家客户的电话", "inform"))
    assert "utter_need_answer" in responses(messages)
    assert "utter_out_of_scope" not in responses(messages)
    assert slots_set(events)["business_activity"] == "inhouse"


async def test_a_no_that_tells_the_users_situation_continues_the_answer() -> None:
    t = after_answer("我们其实没赚到啥钱", "penalty", intent="deny")
    messages, events = await run(ActionIdleReply(), t)
    assert "utter_faq/penalty" in responses(messages)
    assert "utter_deny_idle" not in responses(messages)
    assert slots_set(events)["last_topic"] == "penalty"


@pytest.mark.parametrize(
    "text, intent, reply",
    [
        ("好的", "affirm", "utter_affirm_idle"),
        ("不用了", "deny", "utter_deny_idle"),
        ("没有", "deny", "utter_deny_idle"),
    ],
)
async def test_a_bare_yes_or_no_gets_the_idle_prompt(text: str, intent: str, reply: str) -> None:
    for t in (after_answer(text, "penalty", intent=intent), after_need_answer(text, intent)):
        messages, events = await run(ActionIdleReply(), t)
        assert responses(messages) == [reply]
        assert events == []


async def test_a_yes_that_says_more_with_no_answer_before_gets_the_idle_prompt() -> None:
    t = after_answer(
        "我们其实已经弄好了", "penalty", "action_out_of_scope", "utter_out_of_scope", intent="affirm"
    )
    messages, _ = await run(ActionIdleReply(), t)
    assert responses(messages) == ["utter_affirm_idle"]


async def test_a_description_no_activity_word_names_is_read_by_its_meaning() -> None:
    # the NLU read "seat rental" by meaning (components/activity.py); no word names it
    t = after_need_answer("客户自己派人来，我们出工位和话机，按月结", "inform")
    t.latest_message["described_activity"] = {"name": "seat_rental", "similarity": 0.93, "margin": 0.03}
    messages, events = await run(ActionHandleInform(), t)
    assert "utter_need_answer" in responses(messages)
    assert slots_set(events)["business_activity"] == "seat_rental"


async def test_a_clear_reading_by_meaning_outweighs_one_activity_word() -> None:
    # 自家 is a word of a hotline of one's own; the description is telemarketing
    t = after_need_answer("电销，推广我们自家的贷款产品", "inform")
    t.latest_message["described_activity"] = {"name": "other", "similarity": 0.97, "margin": 0.06}
    messages, events = await run(ActionHandleInform(), t)
    assert slots_set(events)["business_activity"] == "other"


async def test_the_activity_words_count_when_the_meaning_is_not_clear() -> None:
    t = after_need_answer("我们是做客服外包的", "inform")
    messages, events = await run(ActionHandleInform(), t)
    assert slots_set(events)["business_activity"] == "outsourcing"


async def test_a_description_right_after_the_need_answer_is_checked_whatever_it_resembles() -> None:
    from actions.faq import ActionAnswerFaq

    t = after_need_answer("要是只帮集团内部子公司接呢", "faq")
    t.latest_message["fine_ranking"] = [{"name": "faq/who_needs", "confidence": 0.6}]
    t.latest_message["described_activity"] = {"name": "inhouse", "similarity": 0.93, "margin": 0.03}
    messages, events = await run(ActionAnswerFaq(), t)
    assert responses(messages).count("utter_need_answer") == 1
    assert slots_set(events)["business_activity"] == "inhouse"


@pytest.mark.parametrize("text", ["客服外包要什么材料", "外呼要用户同意吗"])
async def test_a_question_after_the_need_answer_stays_a_question(text: str) -> None:
    from actions.faq import ActionAnswerFaq

    t = after_need_answer(text, "faq")
    t.latest_message["fine_ranking"] = [{"name": "faq/materials", "confidence": 0.8}]
    messages, _ = await run(ActionAnswerFaq(), t)
    assert "utter_need_answer" not in responses(messages)
