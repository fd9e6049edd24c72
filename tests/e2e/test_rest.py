"""End-to-end: the real bot over its REST channel and tracker API, as users and
the external evaluation reach it."""

from __future__ import annotations

import uuid

import pytest
import requests

from licence.reading import answers_in, facts_in
from tests.e2e.servers import Bot

pytestmark = pytest.mark.e2e


def sender() -> str:
    return f"e2e-{uuid.uuid4().hex[:10]}"


def test_a_capital_question_gets_the_capital_answer_with_the_notice_once(bot: Bot) -> None:
    user = sender()
    first = bot.texts(user, "办个省内的呼叫中心证注册资金得多少钱")
    assert "一般性指引" in first
    assert "100万" in first and "1000万" in first
    second = bot.texts(user, "有效期几年")
    assert "一般性指引" not in second
    assert "5年" in second


def test_a_follow_up_uses_the_last_topic(bot: Bot) -> None:
    user = sender()
    bot.say(user, "地网注册资本要求多少")
    answer = bot.texts(user, "那全网呢？")
    assert "全网" in answer and "1000" in answer


def test_traditional_characters_are_understood(bot: Bot) -> None:
    answer = bot.texts(sender(), "呼叫中心許可證要準備哪些材料")
    assert "营业执照" in answer


def test_another_licence_is_declined_politely_with_a_human_offered(bot: Bot) -> None:
    answer = bot.texts(sender(), "ICP经营许可证怎么申请啊")
    assert "转人工" in answer


def test_an_eligible_interview_sets_the_contract_slots(bot: Bot) -> None:
    user = sender()
    bot.say(user, "我想看看我们公司能不能办呼叫中心许可证")
    assert bot.slots(user)["requested_slot"] == "coverage"
    bot.say(user, "我们是深圳的有限公司，只做广东省内业务，注册资本五百万，没有外资")
    slots = bot.slots(user)
    assert slots["coverage"] == "地网"
    assert slots["province"] == "广东"
    assert slots["is_company"] is True
    assert slots["registered_capital"] == 500
    assert slots["foreign_investment"] is False
    assert slots["requested_slot"] == "on_dishonest_list"
    for answer in ["没有", "没有", "有", "社保有4个人", "有", "有", "有"]:
        bot.say(user, answer)
    slots = bot.slots(user)
    assert slots["requested_slot"] is None
    assert slots["eligibility_result"] == {
        "scope": "地网",
        "authority": "广东省通信管理局",
        "eligible": True,
        "unmet": [],
        "warnings": [],
        "unknown": [],
    }


def test_an_ineligible_interview_lists_reasons_and_a_correction_changes_the_verdict(
    bot: Bot,
) -> None:
    user = sender()
    bot.say(user, "帮我评估一下")
    bot.say(user, "全国")
    bot.say(user, "是有限公司")
    bot.say(user, "注册资本600万")
    for answer in ["纯内资", "不在", "没有", "有", "2个", "有", "有", "有"]:
        reply = bot.texts(user, answer)
    result = bot.slots(user)["eligibility_result"]
    assert result["eligible"] is False
    assert set(result["unmet"]) == {"capital", "staff"}
    assert "社保" in reply or "员工" in reply
    bot.say(user, "刚才说错了，注册资本是1500万，社保有5个人")
    result = bot.slots(user)["eligibility_result"]
    assert result["eligible"] is True, result


def test_an_faq_mid_interview_is_answered_and_the_interview_resumes(bot: Bot) -> None:
    user = sender()
    bot.say(user, "帮我测测能不能办证")
    bot.say(user, "地网")
    bot.say(user, "北京")
    assert bot.slots(user)["requested_slot"] == "is_company"
    answer = bot.texts(user, "分公司可以自己申请吗？")
    assert "总公司" in answer
    assert bot.slots(user)["requested_slot"] == "is_company"
    bot.say(user, "算了不问了")
    assert bot.tracker(user)["active_loop"] in ({}, None) or not bot.tracker(user)["active_loop"].get("name")


def test_the_need_check_answers_outsourcing_yes(bot: Bot) -> None:
    user = sender()
    bot.say(user, "我们是做电话客服外包的，需不需要办这个证")
    assert bot.slots(user)["licence_needed"] == "yes"


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "😀😀😀",
        "啊" * 10000,
        "<script>alert('x')</script>",
        "\x00\x07\x1b[31m你好",
        "'; DROP TABLE events; --",
        "hello 呼叫中心 license 怎么 apply",
    ],
)
def test_bad_input_gets_a_polite_answer_never_an_error(bot: Bot, text: str) -> None:
    user = sender()
    response = requests.post(
        f"{bot.url}/webhooks/rest/webhook", json={"sender": user, "message": text}, timeout=60
    )
    assert response.status_code == 200
    replies = response.json()
    assert all("<script>" not in m.get("text", "") for m in replies)


def test_the_http_api_needs_the_token(bot: Bot) -> None:
    user = sender()
    bot.say(user, "你好")
    response = requests.get(f"{bot.url}/conversations/{user}/tracker", timeout=10)
    assert response.status_code == 401
    assert bot.tracker(user)["sender_id"] == user


def test_a_capital_question_with_an_amount_is_compared_with_the_threshold(bot: Bot) -> None:
    answer = bot.texts(sender(), "注册资本1kw想办全网 够不够")
    assert "够全网" in answer and "不够" not in answer
    assert "1000万元" in answer


def test_an_answer_to_another_question_is_kept_and_the_question_asked_again(bot: Bot) -> None:
    user = sender()
    bot.say(user, "帮我评估一下")
    bot.say(user, "我们是深圳的有限公司，只做广东省内业务，注册资本五百万，没有外资")
    assert bot.slots(user)["requested_slot"] == "on_dishonest_list"
    reply = bot.texts(user, "办公室是租的写字楼")
    assert "办公场地先记下了" in reply
    assert "失信" in reply  # the open question again
    slots = bot.slots(user)
    assert slots["has_premises"] is True
    assert slots["requested_slot"] == "on_dishonest_list"


def answered_with(bot: Bot, user: str, text: str) -> list:
    """The names of the responses the bot sent for ``text`` (from the tracker)."""
    before = len(bot.tracker(user)["events"])
    bot.say(user, text)
    return [
        (e.get("metadata") or {}).get("utter_action")
        for e in bot.tracker(user)["events"][before:]
        if e.get("event") == "bot"
    ]


@pytest.mark.parametrize("text", ["", "   ", "\n"])
def test_an_empty_message_gets_a_prompt_not_an_error(bot: Bot, text: str) -> None:
    assert answered_with(bot, sender(), text) == ["utter_empty_message"]


def test_a_question_with_the_companys_facts_is_answered_before_any_interview(bot: Bot) -> None:
    user = sender()
    names = answered_with(bot, user, "公司就2个人交社保 行吗")
    assert "utter_staff_short" in names and names[-1] == "utter_offer_assessment"
    assert bot.slots(user)["requested_slot"] is None
    # accepting the offer starts the interview
    bot.say(user, "好的")
    assert bot.slots(user)["requested_slot"] == "coverage"


def test_a_hong_kong_company_is_told_to_apply_through_a_mainland_one(bot: Bot) -> None:
    names = answered_with(bot, sender(), "香港公司能直接申请吗")
    # the answer, then its basis
    assert names[-2:] in (["utter_faq/individual", "utter_basis"], ["utter_faq/foreign", "utter_basis"])


def test_a_cantonese_question_is_understood(bot: Bot) -> None:
    assert "utter_faq/renewal" in answered_with(bot, sender(), "個牌到期之前幾耐要申請續期？")


def test_two_questions_in_one_message_get_two_answers(bot: Bot) -> None:
    names = answered_with(bot, sender(), "注册资本要多少 社保要交几个人")
    assert "utter_faq/capital" in names and "utter_faq/staff" in names
    assert names.count("utter_basis") >= 2  # each answered topic with its basis


def test_a_facet_follow_up_keeps_the_topic(bot: Bot) -> None:
    user = sender()
    assert "utter_faq/validity" in answered_with(bot, user, "呼叫中心许可证有效期几年")
    assert "utter_faq/renewal" in answered_with(bot, user, "要提前多久")


@pytest.mark.parametrize(
    "question, followup, topic",
    [
        ("营业执照经营范围要写什么才能申请呼叫中心证", "没有增值电信怎么办", "business_scope"),
        ("一般哪些行业的公司要办呼叫中心许可证", "电商也算？", "who_needs"),
    ],
)
def test_a_follow_up_is_read_with_the_question_before_it(
    bot: Bot, question: str, followup: str, topic: str
) -> None:
    user = sender()
    assert f"utter_faq/{topic}" in answered_with(bot, user, question)
    assert answered_with(bot, user, followup)[:1] == [f"utter_faq/{topic}"]
    parsed = bot.tracker(user)["latest_message"]
    assert parsed["context"]["topic"] == topic and parsed["context"]["text"] == question


@pytest.mark.parametrize("text", ["啊啊啊啊啊", "asdfgh", "😂😂😂", "400电话怎么申请"])
def test_noise_and_near_domain_questions_are_out_of_scope(bot: Bot, text: str) -> None:
    assert answered_with(bot, sender(), text) == ["utter_out_of_scope"]


def test_the_verdict_opens_with_the_facts(bot: Bot) -> None:
    user = sender()
    bot.say(user, "帮我评估一下")
    for answer in ["地网", "广东", "是", "1200万", "没有", "不在", "没有", "包含", "8个", "有", "有", "有"]:
        bot.say(user, answer)
    events = bot.tracker(user)["events"]
    names = [(e.get("metadata") or {}).get("utter_action") for e in events if e.get("event") == "bot"]
    assert "utter_verdict_facts" in names
    facts = next(
        e["text"] for e in events if (e.get("metadata") or {}).get("utter_action") == "utter_verdict_facts"
    )
    assert "1200" in facts and "广东" in facts


def test_the_nlus_reading_is_kept_in_the_tracker_and_fills_the_interview(bot: Bot) -> None:
    user = sender()
    bot.say(user, "帮我评估一下")
    bot.say(user, "注册资本800万，地网，5个人交社保")
    said = [e for e in bot.tracker(user)["events"] if e.get("event") == "user"][-1]
    stated = {"registered_capital": 800.0, "coverage": "地网", "insured_staff": 5}
    assert answers_in(said["parse_data"]).values == stated
    assert facts_in(said["parse_data"]).amounts_wan == (800.0,)
    slots = bot.slots(user)
    assert {slot: slots[slot] for slot in stated} == stated


def test_an_intent_triggered_through_the_http_api_answers_nothing_and_is_no_error(bot: Bot) -> None:
    # no text for the NLU to read: the open question is asked again
    user = sender()
    bot.say(user, "帮我评估一下")
    before = len(bot.tracker(user)["events"])
    requests.post(
        f"{bot.url}/conversations/{user}/trigger_intent",
        params={"token": bot.token},
        json={"name": "inform", "entities": {}},
        timeout=60,
    ).raise_for_status()
    events = bot.tracker(user)["events"][before:]
    names = [(e.get("metadata") or {}).get("utter_action") for e in events if e.get("event") == "bot"]
    assert names and "utter_action_unavailable" not in names
    slots = bot.slots(user)
    assert slots["coverage"] is None and slots["requested_slot"] == "coverage"
