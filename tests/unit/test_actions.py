"""The custom actions, run against trackers built in code.

Each test plays one user turn: a tracker with the slots so far and the latest
message, the action's ``run``, then checks what the user would see (the
responses sent, with their variables) and what the bot remembers (slots set).
"Today" is pinned to 2026-11-27 (a Friday) through BOT_TODAY.
"""

from __future__ import annotations

import functools
import datetime as dt
import re
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple

import chinese_calendar
import pytest
import yaml
from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.chat import ActionHumanHandoff, ActionOutOfScope, ActionUnclear
from actions.faq import ActionAnswerFaq, ActionFollowup
from actions.interview import ValidateEligibilityForm
from actions.need import ActionNeedVerdict, ActionStartNeedCheck
from actions.settings import settings
from actions.verdict import ActionEligibilityVerdict, ActionExplainVerdict, ActionHandleInform
from licence.basis import condition_basis, faq_basis
from licence.queries import faq_vars
from licence.schema_checks import split_citation
from licence.ruleset_loader import load_ruleset
from zhtext.numbers import chinese_numeral
from tests.unit.nlu_reading import read

TODAY = dt.date(2026, 11, 27)

# Numbers and names the answers must carry come from the rule set, not from
# copies of its wording: correcting licence/ruleset.yml moves the tests with it.
RULES = load_ruleset()
LOCAL, NATIONAL = RULES.scopes["地网"], RULES.scopes["全网"]
MIN_STAFF = RULES.conditions["staff"].test.value


def provincial(official_name: str) -> str:
    """The provincial authority: the province's full name and the rule set's suffix."""
    return f"{official_name}{LOCAL.authority_suffix}"


def has_number(text: str, number: float) -> bool:
    """``number``, written as people write it (100, 99.99), stands in ``text`` on its own."""
    shown = re.escape(f"{float(number):.4f}".rstrip("0").rstrip("."))
    return re.search(rf"(?<![\d.]){shown}(?!\.?\d)", text) is not None


FORM = "eligibility_form"
ENV_KEYS = ("BOT_TODAY", "HANDOFF_PHONE", "HANDOFF_WECHAT", "HANDOFF_HOURS", "FAQ_MIN_CONFIDENCE")


@pytest.fixture(autouse=True)
def pinned_settings(monkeypatch: pytest.MonkeyPatch):
    """Today is 2026-11-27 and nothing else comes from the real environment."""
    for key in ENV_KEYS:
        monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("BOT_TODAY", TODAY.isoformat())
    settings.cache_clear()
    yield
    settings.cache_clear()


# --------------------------------------------------------------------------
# Helpers


def tracker(
    text: str,
    intent: str = "inform",
    slots: Optional[Dict[str, Any]] = None,
    *,
    requested: Optional[str] = None,
    active_loop: Optional[str] = None,
    faq: Optional[Tuple[str, float]] = None,
) -> Tracker:
    """A tracker whose latest message is ``text`` classified as ``intent``;
    ``faq`` = (fine label, confidence) fills the classifier's fine labels."""
    latest: Dict[str, Any] = {
        "text": text,
        "intent": {"name": intent, "confidence": 0.95},
        **read(text),
    }
    if faq is not None:
        key, confidence = faq
        latest["fine_intent"] = {"name": key, "confidence": confidence}
        latest["fine_ranking"] = [{"name": key, "confidence": confidence}]
    return Tracker(
        sender_id="test-user",
        slots={**(slots or {}), "requested_slot": requested},
        latest_message=latest,
        events=[],
        paused=False,
        followup_action=None,
        active_loop={"name": active_loop} if active_loop else {},
        latest_action_name="action_listen",
    )


@functools.lru_cache(maxsize=1)
def domain_dict() -> Dict[str, Any]:
    """The bot's domain, as the action server receives it."""
    with open("domain.yml", encoding="utf-8") as handle:
        return yaml.safe_load(handle)


async def run(action: Action, t: Tracker) -> Tuple[List[Dict[str, Any]], List[Dict[str, Any]]]:
    dispatcher = CollectingDispatcher()
    events = await action.run(dispatcher, t, domain_dict())
    return dispatcher.messages, events


@functools.lru_cache(maxsize=1)
def training_intents() -> Dict[str, str]:
    """Each NLU training example of data/nlu/core.yml -> its intent."""
    with open("data/nlu/core.yml", encoding="utf-8") as handle:
        blocks = yaml.safe_load(handle)["nlu"]
    return {
        line.strip()[2:].strip(): block["intent"]
        for block in blocks
        if "intent" in block
        for line in block.get("examples", "").splitlines()
        if line.strip().startswith("- ")
    }


def button_intents(response: str) -> List[str]:
    """The intent each button of a response sends, as the NLU was trained to read it."""
    [variant] = domain_dict()["responses"][response]
    return [training_intents().get(b["payload"], "?") for b in variant["buttons"]]


def responses(messages: List[Dict[str, Any]]) -> List[str]:
    return [m["response"] for m in messages]


def message(messages: List[Dict[str, Any]], response: str) -> Dict[str, Any]:
    found = [m for m in messages if m["response"] == response]
    assert len(found) == 1, f"{response} sent {len(found)} times: {responses(messages)}"
    return found[0]


def slots_set(events: List[Dict[str, Any]]) -> Dict[str, Any]:
    """Slot name -> value for every SlotSet (the last one wins)."""
    return {e["name"]: e["value"] for e in events if e["event"] == "slot"}


def fmt(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


RENEWAL_DAYS = RULES.deadlines["renewal_min_days_before_expiry"]
ADVISED_DAYS = RULES.deadlines["renewal_advised_days_before_expiry"]
VALIDITY_YEARS = RULES.deadlines["validity_years"]


def days_before(day: dt.date, days: int) -> dt.date:
    return day - dt.timedelta(days=days)


def nth_working_day_after(day: dt.date, n: int) -> dt.date:
    """Independent of licence.deadlines: China's official calendar, day itself not counted."""
    counted = 0
    while counted < n:
        day += dt.timedelta(days=1)
        if chinese_calendar.is_workday(day):
            counted += 1
    return day


def domain_responses() -> Dict[str, Any]:
    path = Path(__file__).resolve().parents[2] / "domain.yml"
    return yaml.safe_load(path.read_text(encoding="utf-8"))["responses"]


def profile(**changes: Any) -> Dict[str, Any]:
    """A 广东 地网 applicant that meets every condition exactly at the edges."""
    base: Dict[str, Any] = {
        "coverage": "地网",
        "province": "广东",
        "is_company": True,
        "registered_capital": float(LOCAL.min_capital_wan),
        "foreign_investment": False,
        "on_dishonest_list": False,
        "violations_3y": False,
        "business_scope_ok": True,
        "insured_staff": MIN_STAFF,
        "has_premises": True,
        "has_call_centre_system": True,
        "has_service_measures": True,
    }
    base.update(changes)
    return base


# Answers up to (not including) on_dishonest_list, for a 上海 地网 company.
BEFORE_CREDIT = {
    "coverage": "地网",
    "province": "上海",
    "is_company": True,
    "registered_capital": 2000.0,
    "foreign_investment": False,
}
# Answers up to (not including) insured_staff.
BEFORE_STAFF = {
    **BEFORE_CREDIT,
    "on_dishonest_list": False,
    "violations_3y": False,
    "business_scope_ok": True,
}
BEFORE_CAPITAL = {"coverage": "地网", "province": "上海", "is_company": True}


# --------------------------------------------------------------------------
# ValidateEligibilityForm


async def validate(text: str, intent: str = "inform", slots=None, requested=None):
    return await run(
        ValidateEligibilityForm(),
        tracker(text, intent, slots, requested=requested, active_loop=FORM),
    )


async def test_one_message_answers_several_questions() -> None:
    messages, events = await validate(
        "我们是上海的有限公司，只做上海本地业务，注册资本两千万，没有外资", requested="coverage"
    )
    assert messages == []
    filled = slots_set(events)
    assert {k: filled.get(k) for k in BEFORE_CREDIT} == BEFORE_CREDIT
    assert filled["is_company"] is True and filled["foreign_investment"] is False
    assert isinstance(filled["registered_capital"], float)
    assert filled["requested_slot"] == "on_dishonest_list"


@pytest.mark.parametrize(
    ("text", "slot", "value"),
    [
        ("租的写字楼", "has_premises", True),
        ("有30个人交社保", "insured_staff", 30),
    ],
)
async def test_an_answer_to_another_question_is_kept_and_acknowledged(
    text: str, slot: str, value: Any
) -> None:
    messages, events = await validate(text, slots=BEFORE_CREDIT, requested="on_dishonest_list")
    assert responses(messages) == ["utter_noted_other"]
    # the acknowledgement names the topic of the question that was answered
    topic = next(q.topic for q in RULES.questions if q.slot == slot)
    assert message(messages, "utter_noted_other")["topics"] == topic
    filled = slots_set(events)
    assert filled[slot] == value
    assert filled["requested_slot"] == "on_dishonest_list"  # the question is asked again


@pytest.mark.parametrize(
    ("text", "slot", "response"),
    [
        # 120万: enough for 地网, short of 全网
        ("我们认缴120万，注册资本够吗", "registered_capital", "utter_capital_short"),
        ("就2个人交社保 够不够", "insured_staff", "utter_staff_short"),
    ],
)
async def test_a_figure_given_with_enough_asked_is_kept_and_the_question_answered(
    text: str, slot: str, response: str
) -> None:
    messages, events = await validate(text, requested="coverage")
    sent = responses(messages)
    assert "utter_noted_other" not in sent
    assert response in sent, sent
    filled = slots_set(events)
    assert filled[slot] is not None
    assert filled["requested_slot"] == "coverage"  # the open question is asked again


async def test_an_answer_repeated_unchanged_is_not_acknowledged() -> None:
    messages, events = await validate("注册资本是两千万", slots=BEFORE_CREDIT, requested="on_dishonest_list")
    assert messages == []
    assert slots_set(events)["requested_slot"] == "on_dishonest_list"


async def test_the_answer_asked_for_is_not_acknowledged_separately() -> None:
    messages, events = await validate(
        "没有失信，场地是租的", slots=BEFORE_CREDIT, requested="on_dishonest_list"
    )
    assert "utter_noted_other" not in responses(messages)
    assert slots_set(events)["has_premises"] is True


@pytest.mark.parametrize(
    ("text", "intent", "expected"),
    [
        ("没有", "inform", False),
        ("没有", "deny", False),
        ("不清楚", "dont_know", "unknown"),
        ("不清楚", "inform", "unknown"),
    ],
    ids=["no-inform", "no-deny", "dontknow-dont_know", "dontknow-inform"],
)
async def test_bare_answer_to_the_dishonest_list_question(text, intent, expected) -> None:
    messages, events = await validate(text, intent, BEFORE_CREDIT, requested="on_dishonest_list")
    assert messages == []
    filled = slots_set(events)
    value = filled["on_dishonest_list"]
    assert (type(value), value) == (type(expected), expected)
    assert filled["requested_slot"] == "violations_3y"


async def test_correction_mid_interview_keeps_the_open_question() -> None:
    messages, events = await validate(
        "刚才说错了，注册资本是800万", slots=BEFORE_STAFF, requested="insured_staff"
    )
    assert responses(messages) == ["utter_noted_corrected"]
    capital_topic = next(q.topic for q in RULES.questions if q.slot == "registered_capital")
    assert message(messages, "utter_noted_corrected")["topics"] == capital_topic
    filled = slots_set(events)
    assert filled["registered_capital"] == 800.0
    assert filled["requested_slot"] == "insured_staff"
    assert "insured_staff" not in filled


@pytest.mark.parametrize("attempts_before", [0, 1])
async def test_non_number_for_capital_is_asked_again(attempts_before: int) -> None:
    messages, events = await validate(
        "很多",
        slots={**BEFORE_CAPITAL, "invalid_attempts": attempts_before},
        requested="registered_capital",
    )
    assert responses(messages) == ["utter_invalid_not_a_number"]
    filled = slots_set(events)
    assert filled["registered_capital"] is None
    assert filled["invalid_attempts"] == attempts_before + 1
    assert filled["requested_slot"] == "registered_capital"


async def test_unreadable_coverage_answer_is_asked_again_with_the_choices() -> None:
    # "是" answers no 地网-or-全网 question: say what the choices are, not 有/没有
    messages, events = await validate("是", slots={}, requested="coverage")
    assert responses(messages) == ["utter_invalid_unclear_coverage"]
    assert slots_set(events)["requested_slot"] == "coverage"


async def test_third_invalid_answer_gives_up_and_moves_on() -> None:
    messages, events = await validate(
        "很多", slots={**BEFORE_CAPITAL, "invalid_attempts": 2}, requested="registered_capital"
    )
    assert responses(messages) == ["utter_invalid_giveup"]
    filled = slots_set(events)
    assert filled["registered_capital"] == "unknown"
    assert filled["invalid_attempts"] == 0
    assert filled["requested_slot"] == "foreign_investment"


@pytest.mark.parametrize("text", ["0", "注册资本0元"], ids=["bare", "stated"])
async def test_zero_capital_is_explained_with_a_known_response(text: str) -> None:
    messages, events = await validate(text, slots=BEFORE_CAPITAL, requested="registered_capital")
    assert slots_set(events)["registered_capital"] is None
    sent = responses(messages)
    assert len(sent) == 1
    undefined = [name for name in sent if name not in domain_responses()]
    assert undefined == []


async def test_faq_question_mid_interview_is_left_to_the_rules() -> None:
    messages, events = await validate(
        "注册资本要多少？", "faq", BEFORE_CAPITAL, requested="registered_capital"
    )
    assert (messages, events) == ([], [])


async def test_individual_ends_the_interview() -> None:
    messages, events = await validate(
        "我是个体户", slots={"coverage": "地网", "province": "上海"}, requested="is_company"
    )
    assert messages == []
    filled = slots_set(events)
    assert filled["is_company"] is False
    assert filled["requested_slot"] is None


async def test_nationwide_skips_the_province_question() -> None:
    messages, events = await validate("全网", requested="coverage")
    assert messages == []
    filled = slots_set(events)
    assert filled["coverage"] == "全网"
    assert "province" not in filled
    assert filled["requested_slot"] == "is_company"


async def test_local_asks_the_province_next() -> None:
    _, events = await validate("地网", requested="coverage")
    assert slots_set(events)["requested_slot"] == "province"


async def test_validation_failure_ends_the_form_with_an_apology(monkeypatch) -> None:
    def broken(*args, **kwargs):
        raise RuntimeError("reading unreadable")

    monkeypatch.setattr("actions.interview.stated_answers", broken)
    messages, events = await validate("地网", requested="coverage")
    assert responses(messages) == ["utter_action_unavailable"]
    assert {"event": "active_loop", "name": None} in [
        {k: e.get(k) for k in ("event", "name")} for e in events
    ]


# --------------------------------------------------------------------------
# ActionEligibilityVerdict


async def verdict(slots: Dict[str, Any], disclaimer_shown: bool = True):
    return await run(
        ActionEligibilityVerdict(),
        tracker("没有", "deny", {**slots, "disclaimer_shown": disclaimer_shown}),
    )


async def test_eligible_local_applicant() -> None:
    messages, events = await verdict(profile(), disclaimer_shown=False)
    sent = responses(messages)
    assert sent[0] == "utter_disclaimer"
    assert sent[1] == "utter_verdict_facts"
    assert sent[2] == "utter_verdict_eligible"
    assert "utter_verdict_unmet" not in sent
    assert "utter_offer_local_scope" not in sent
    head = message(messages, "utter_verdict_eligible")
    assert head["scope"] == "地网"
    assert head["authority"] == provincial("广东省")
    assert head["licence_name"]
    filled = slots_set(events)
    assert filled["eligibility_result"] == {
        "scope": "地网",
        "authority": provincial("广东省"),
        "eligible": True,
        "unmet": [],
        "warnings": [],
        "unknown": [],
    }
    assert filled["disclaimer_shown"] is True
    assert filled["last_topic"] == "verdict"
    assert "pending_offer" not in filled


async def test_disclaimer_is_not_repeated() -> None:
    messages, events = await verdict(profile(), disclaimer_shown=True)
    assert "utter_disclaimer" not in responses(messages)
    assert responses(messages)[1] == "utter_verdict_eligible"
    assert "disclaimer_shown" not in slots_set(events)


async def test_capital_just_below_the_local_threshold() -> None:
    capital = LOCAL.min_capital_wan - 0.01
    messages, events = await verdict(profile(registered_capital=capital))
    sent = responses(messages)
    assert sent[:3] == ["utter_verdict_facts", "utter_verdict_not_eligible", "utter_verdict_unmet"]
    items = message(messages, "utter_verdict_unmet")["items"]
    assert has_number(items, capital) and has_number(items, LOCAL.min_capital_wan)
    result = slots_set(events)["eligibility_result"]
    assert (result["eligible"], result["unmet"]) == (False, ["capital"])
    assert "utter_offer_local_scope" not in sent  # 地网 is already the easier scope


async def test_nationwide_short_of_capital_is_offered_the_local_licence() -> None:
    slots = profile(coverage="全网", province=None, registered_capital=500.0)
    messages, events = await verdict(slots)
    sent = responses(messages)
    assert sent[1] == "utter_verdict_not_eligible"
    assert message(messages, "utter_verdict_not_eligible")["authority"] == NATIONAL.authority
    assert sent[-1] == "utter_offer_local_scope"
    assert message(messages, "utter_offer_local_scope")["local_capital"] == LOCAL.min_capital_wan
    filled = slots_set(events)
    assert filled["pending_offer"] == "local_scope"
    result = filled["eligibility_result"]
    assert (result["scope"], result["eligible"], result["unmet"]) == ("全网", False, ["capital"])


async def test_nationwide_at_the_threshold_is_eligible() -> None:
    capital = float(NATIONAL.min_capital_wan)
    messages, events = await verdict(profile(coverage="全网", province=None, registered_capital=capital))
    assert responses(messages)[1] == "utter_verdict_eligible"
    assert message(messages, "utter_verdict_eligible")["authority"] == NATIONAL.authority
    assert "pending_offer" not in slots_set(events)


async def test_foreign_investment_is_a_warning_only() -> None:
    messages, events = await verdict(profile(foreign_investment=True))
    sent = responses(messages)
    assert sent[1] == "utter_verdict_eligible"
    assert "utter_verdict_warnings" in sent
    assert "utter_verdict_unmet" not in sent
    result = slots_set(events)["eligibility_result"]
    assert (result["eligible"], result["unmet"], result["warnings"]) == (True, [], ["foreign"])


async def test_individual_gets_only_the_company_answer() -> None:
    messages, events = await verdict({"coverage": "地网", "province": "广东", "is_company": False})
    assert responses(messages) == ["utter_verdict_facts", "utter_company_only", "utter_basis"]
    answer = messages[1]
    assert answer["reason"] and answer["remedy"]
    # the company condition's basis: the regulations it cites
    assert message(messages, "utter_basis")["basis"] == condition_basis("company")
    result = slots_set(events)["eligibility_result"]
    assert (result["eligible"], result["unmet"]) == (False, ["company"])


async def test_each_unmet_condition_of_the_verdict_lists_its_basis() -> None:
    messages, _ = await verdict(profile(on_dishonest_list=True, insured_staff=MIN_STAFF - 1))
    items = message(messages, "utter_verdict_unmet")["items"]
    for condition in ("credit", "staff"):
        assert condition_basis(condition) in items
    # credit rests on an article of Order 42 (the rule set's citation), as a Chinese numeral
    articles = [split_citation(c)[1] for c in RULES.conditions["credit"].source]
    numbered = [
        RULES.basis_texts["article"].format(article=chinese_numeral(a)) for a in articles if a is not None
    ]
    assert numbered and all(n in items for n in numbered)
    assert "utter_basis" not in responses(messages)  # in the list, not sent apart


async def test_unknown_answer_leaves_the_verdict_open() -> None:
    messages, events = await verdict(profile(on_dishonest_list="unknown"))
    sent = responses(messages)
    assert sent[1] == "utter_verdict_undetermined"
    assert "utter_verdict_unknown" in sent
    result = slots_set(events)["eligibility_result"]
    assert (result["eligible"], result["unknown"]) == (None, ["credit"])


async def test_next_steps_carry_dates_from_today() -> None:
    messages, _ = await verdict(profile())
    items = message(messages, "utter_verdict_next_steps")["items"]
    check = nth_working_day_after(TODAY, RULES.deadlines["completeness_check_working_days"])
    assert fmt(check) in items
    # decision, counted from acceptance
    assert fmt(check + dt.timedelta(days=RULES.deadlines["decision_days_after_acceptance"])) in items
    assert "2026-" not in items and "年0" not in items and "月0" not in items


# --------------------------------------------------------------------------
# ActionAnswerFaq


async def faq(text: str, key: str, confidence: float = 0.9, slots=None):
    return await run(ActionAnswerFaq(), tracker(text, "faq", slots or {}, faq=(key, confidence)))


async def test_faq_answer_gets_the_rule_set_numbers() -> None:
    messages, events = await faq("注册资本要多少", "faq/capital")
    assert responses(messages) == ["utter_disclaimer", "utter_faq/capital", "utter_basis"]
    answer = message(messages, "utter_faq/capital")
    assert answer["local_capital"] == LOCAL.min_capital_wan
    assert answer["national_capital"] == NATIONAL.min_capital_wan
    filled = slots_set(events)
    assert filled["last_topic"] == "capital"
    assert filled["disclaimer_shown"] is True


@pytest.mark.parametrize("key", ["faq/capital", "faq/renewal"])
async def test_unsure_faq_prediction_gets_the_default(key: str) -> None:
    messages, events = await faq("那个证一般要多少", key, confidence=0.1)
    assert responses(messages) == ["utter_default"]
    assert "last_topic" not in slots_set(events)


@pytest.mark.parametrize(
    "text, topic",
    [("注册资本要多少", "capital"), ("what conditions do we have to meet", "conditions")],
)
async def test_an_unsure_question_that_names_one_topic_gets_that_topic(text: str, topic: str) -> None:
    messages, events = await faq(text, "faq/renewal", confidence=0.1)
    assert f"utter_faq/{topic}" in responses(messages)
    assert slots_set(events)["last_topic"] == topic


async def test_an_unsure_question_that_names_two_topics_gets_the_default() -> None:
    messages, _ = await faq("注册资本和社保有什么要求", "faq/renewal", confidence=0.1)
    assert responses(messages) == ["utter_default"]


@pytest.mark.parametrize(
    "text, key, activity, needed",
    [
        ("搞云呼叫中心SaaS的要办呼叫中心证吗", "faq/who_needs", "system_rental", "yes"),
        ("帮别的公司接电话做客服外包，必须有许可证吗", "faq/who_needs", "outsourcing", "yes"),
        ("坐席出租需不需要这个证", "faq/who_needs", "seat_rental", "yes"),
        ("只做自己公司的售后热线要办吗", "faq/who_needs", "inhouse", "ask_authority"),
        ("外呼团队是替银行打的，需要办吗", "faq/outbound", "outsourcing", "yes"),
    ],
)
async def test_a_need_question_about_one_activity_gets_its_verdict(
    text: str, key: str, activity: str, needed: str
) -> None:
    messages, events = await faq(text, key, slots={"disclaimer_shown": True})
    assert responses(messages) == ["utter_need_answer"]
    filled = slots_set(events)
    assert filled["business_activity"] == activity
    assert filled["licence_needed"] == needed
    assert filled["last_topic"] == "need"


@pytest.mark.parametrize(
    "text, key",
    [
        ("哪些企业需要办呼叫中心许可证", "faq/who_needs"),  # no activity named
        ("外呼一天能打多少个电话", "faq/outbound"),  # about outbound, not about need
        ("做电销外呼要不要这个证", "faq/outbound"),  # the outbound answer covers it
        ("客服外包的注册资本要多少", "faq/capital"),  # another topic
    ],
)
async def test_other_questions_keep_their_topic_answer(text: str, key: str) -> None:
    messages, events = await faq(text, key, slots={"disclaimer_shown": True})
    assert responses(messages) == [f"utter_{key}", "utter_basis"]
    assert slots_set(events)["last_topic"] == key.split("/")[1]


@pytest.mark.parametrize(
    "text, wan, scopes",
    [
        # scope named: only that scope's threshold
        ("注册资本1kw想办全网 够不够", 1000, ["全网"]),
        ("注册资金二百万够办全国的吗", 200, ["全网"]),
        ("50万能办地网吗", 50, ["地网"]),
        # no scope: both thresholds, smallest first
        ("我们注册资本五百万，够不够啊", 500, ["地网", "全网"]),
        # subscribed capital counts: the larger amount
        ("认缴1000万实缴100万，全网够吗", 1000, ["全网"]),
    ],
)
async def test_a_capital_question_with_an_amount_is_compared_with_the_threshold(
    text: str, wan: float, scopes: List[str]
) -> None:
    messages, events = await faq(text, "faq/capital", slots={"disclaimer_shown": True})
    rows = [m for m in messages if m["response"] in ("utter_capital_enough", "utter_capital_short")]
    got = [(m["response"], m["scope"], m["amount"], m["shortfall"]) for m in rows]
    expected = []
    for name in scopes:  # each scope's threshold from the rule set
        minimum = RULES.scopes[name].min_capital_wan
        response = "utter_capital_enough" if wan >= minimum else "utter_capital_short"
        expected.append((response, name, f"{wan:g}万元", f"{max(0, minimum - wan):g}"))
    assert got == expected
    # answered from the user's facts, then the full assessment is offered
    assert responses(messages)[-3:] == ["utter_capital_subscribed", "utter_basis", "utter_offer_assessment"]
    assert slots_set(events)["last_topic"] == "capital"
    assert slots_set(events)["pending_offer"] == "assessment"


@pytest.mark.parametrize("text", ["注册资本要多少", "注册资本负五百万够吗", "三年内要实缴吗"])
async def test_a_capital_question_without_a_usable_amount_gets_the_general_answer(text: str) -> None:
    messages, _ = await faq(text, "faq/capital", slots={"disclaimer_shown": True})
    assert responses(messages) == ["utter_faq/capital", "utter_basis"]


async def test_faq_without_a_selector_result_gets_the_default() -> None:
    messages, _ = await run(ActionAnswerFaq(), tracker("证的那个？", "faq"))
    assert responses(messages) == ["utter_default"]


async def test_renewal_with_an_expiry_date_is_computed() -> None:
    messages, events = await faq(
        "证2027年6月30日到期，最晚什么时候续", "faq/renewal", slots={"disclaimer_shown": True}
    )
    expiry = dt.date(2027, 6, 30)
    # with the rule set's 90 and 180 days: 1 April and 1 January 2027
    assert responses(messages) == [
        "utter_deadline_renewal",
        "utter_deadline_renewal_status_early",
        "utter_basis",
    ]
    answer = message(messages, "utter_deadline_renewal")
    assert answer["expiry"] == fmt(expiry)
    assert answer["last_day"] == fmt(days_before(expiry, RENEWAL_DAYS))
    assert answer["window_start"] == fmt(days_before(expiry, ADVISED_DAYS))
    assert answer["renewal_days"] == RENEWAL_DAYS
    assert slots_set(events)["last_topic"] == "renewal"


async def test_renewal_from_the_date_the_licence_was_issued() -> None:
    # "拿的" names the issue date: the validity (5 years in the rule set) runs to
    # 2027-03-14, so the last day to apply (90 days before) is 2026-12-14, two
    # weeks after TODAY.
    expiry = dt.date(2022 + VALIDITY_YEARS, 3, 15) - dt.timedelta(days=1)
    messages, _ = await faq(
        "我们的证2022年3月15日拿的，啥时候续期", "faq/renewal", slots={"disclaimer_shown": True}
    )
    assert responses(messages) == [
        "utter_deadline_expiry_from_issue",
        "utter_deadline_renewal",
        "utter_deadline_renewal_status_in_window",
        "utter_basis",
    ]
    assert message(messages, "utter_deadline_expiry_from_issue")["expiry"] == fmt(expiry)
    answer = message(messages, "utter_deadline_renewal")
    assert answer["expiry"] == fmt(expiry)
    assert answer["last_day"] == fmt(days_before(expiry, RENEWAL_DAYS))


async def test_followup_issue_date_after_the_renewal_answer() -> None:
    messages, _ = await followup("证是2023年5月拿到的", {"last_topic": "renewal"})
    assert responses(messages)[:2] == ["utter_deadline_expiry_from_issue", "utter_deadline_renewal"]
    expiry = dt.date(2023 + VALIDITY_YEARS, 5, 1) - dt.timedelta(days=1)  # 2028-04-30
    assert message(messages, "utter_deadline_renewal")["expiry"] == fmt(expiry)


async def test_annual_report_after_this_years_deadline() -> None:
    messages, events = await faq("年报什么时候报", "faq/annual_report", slots={"disclaimer_shown": True})
    assert responses(messages) == [
        "utter_faq/annual_report",
        "utter_deadline_annual_report_passed",
        "utter_basis",
    ]
    status = message(messages, "utter_deadline_annual_report_passed")
    month, day = (int(part) for part in RULES.deadlines["annual_report_window"]["end"].split("-"))
    this_year = dt.date(TODAY.year, month, day)  # 31 March
    assert this_year < TODAY
    next_year = this_year.replace(year=TODAY.year + 1)
    assert status["deadline"] == fmt(next_year)
    assert status["this_year_deadline"] == fmt(this_year)
    assert status["days_left"] == (next_year - TODAY).days
    assert slots_set(events)["last_topic"] == "annual_report"


async def test_completeness_deadline_skips_the_national_day_holiday() -> None:
    messages, _ = await faq(
        "我们2026年9月28日提交的", "faq/acceptance_time", slots={"disclaimer_shown": True}
    )
    submitted = dt.date(2026, 9, 28)
    expected = nth_working_day_after(submitted, RULES.deadlines["completeness_check_working_days"])
    weekdays_only = submitted + dt.timedelta(days=7)  # Mon + 5 weekdays, ignoring holidays
    assert expected > weekdays_only  # the holiday really is in the way
    assert responses(messages) == ["utter_deadline_completeness", "utter_basis"]  # 2026 calendar is published
    answer = message(messages, "utter_deadline_completeness")
    assert answer["submission"] == "2026年9月28日"
    assert answer["deadline"] == fmt(expected)
    assert answer["completeness_days"] == RULES.deadlines["completeness_check_working_days"]


async def test_decision_deadline_with_a_full_date() -> None:
    messages, _ = await faq("2026年10月8日受理的", "faq/review_time", slots={"disclaimer_shown": True})
    answer = message(messages, "utter_deadline_decision")
    assert answer["acceptance"] == "2026年10月8日"
    decision_days = RULES.deadlines["decision_days_after_acceptance"]
    # 60 days: 23 to 31 Oct, 30 in November, 7 in December -> 7 December
    assert answer["deadline"] == fmt(dt.date(2026, 10, 8) + dt.timedelta(days=decision_days))
    assert answer["decision_days"] == decision_days


@pytest.mark.parametrize(
    ("text", "key", "response", "field", "said", "deadline"),
    [
        (
            "10月8日受理的",
            "faq/review_time",
            "utter_deadline_decision",
            "acceptance",
            dt.date(2026, 10, 8),
            dt.date(2026, 12, 7),
        ),
        (
            "9月28日提交的",
            "faq/acceptance_time",
            "utter_deadline_completeness",
            "submission",
            dt.date(2026, 9, 28),
            nth_working_day_after(dt.date(2026, 9, 28), 5),
        ),
    ],
    ids=["review_time", "acceptance_time"],
)
async def test_past_date_without_year_is_this_years(text, key, response, field, said, deadline) -> None:
    messages, _ = await faq(text, key, slots={"disclaimer_shown": True})
    answer = message(messages, response)
    assert (answer[field], answer["deadline"]) == (fmt(said), fmt(deadline))


# --------------------------------------------------------------------------
# ActionFollowup


async def followup(text: str, slots: Dict[str, Any]):
    return await run(ActionFollowup(), tracker(text, "followup", {"disclaimer_shown": True, **slots}))


async def test_followup_capital_for_the_other_scope() -> None:
    messages, _ = await followup("那全网呢", {"last_topic": "capital"})
    assert responses(messages) == ["utter_capital_for_scope"]
    answer = messages[0]
    assert answer["scope"] == "全网"
    assert answer["amount"] == NATIONAL.min_capital_wan
    assert answer["authority"] == NATIONAL.authority
    # the response text uses it too
    assert answer["paid_in_years"] == RULES.conditions["capital"].params["paid_in_years"]


async def test_followup_naming_a_topic_by_its_word_gets_that_topic() -> None:
    # the classifier hears "followup" and no FAQ topic likely enough
    messages, events = await followup("那社保呢", {"last_topic": "conditions"})
    assert responses(messages) == ["utter_faq/staff", "utter_basis"]
    assert slots_set(events)["last_topic"] == "staff"


async def test_followup_on_a_hong_kong_company_is_the_applicant_rule_not_a_province() -> None:
    messages, _ = await followup("香港公司呢", {"last_topic": "individual"})
    assert "utter_capital_for_scope" not in responses(messages)
    messages, _ = await followup("香港公司呢", {"last_topic": "capital"})
    assert responses(messages) == ["utter_faq/individual", "utter_basis"]


async def test_followup_materials_for_a_foreign_company() -> None:
    messages, _ = await followup("外资企业呢", {"last_topic": "materials"})
    assert responses(messages) == ["utter_materials_foreign"]


@pytest.mark.parametrize(
    ("capital", "head", "eligible"),
    [(2000.0, "utter_verdict_eligible", True), (100.0, "utter_verdict_not_eligible", False)],
)
async def test_followup_after_a_verdict_assesses_the_other_scope(capital, head, eligible) -> None:
    slots = {
        **profile(registered_capital=capital),
        "last_topic": "verdict",
        "eligibility_result": {"scope": "地网", "eligible": True},
    }
    messages, events = await followup("那全网呢", slots)
    assert responses(messages)[:2] == ["utter_verdict_facts", head]
    assert "全网" in message(messages, "utter_verdict_facts")["facts"]
    assert message(messages, head)["scope"] == "全网"
    filled = slots_set(events)
    assert filled["coverage"] == "全网"
    assert filled["eligibility_result"]["scope"] == "全网"
    assert filled["eligibility_result"]["authority"] == NATIONAL.authority
    assert filled["eligibility_result"]["eligible"] is eligible


async def test_followup_after_a_verdict_with_another_province() -> None:
    slots = {**profile(), "last_topic": "verdict", "eligibility_result": {"scope": "地网"}}
    messages, events = await followup("那北京呢", slots)
    assert message(messages, "utter_verdict_eligible")["authority"] == provincial("北京市")
    filled = slots_set(events)
    assert filled["province"] == "北京"
    assert filled["eligibility_result"]["authority"] == provincial("北京市")


async def test_followup_foreign_after_a_verdict_talks_about_foreign_investment() -> None:
    slots = {**profile(), "last_topic": "verdict", "eligibility_result": {"scope": "地网"}}
    messages, _ = await followup("外资企业呢", slots)
    sent = responses(messages)
    assert "utter_faq/foreign" in sent or "utter_verdict_warnings" in sent


async def test_followup_date_after_the_renewal_answer() -> None:
    messages, _ = await followup("2027年6月30日", {"last_topic": "renewal"})
    assert responses(messages)[0] == "utter_deadline_renewal"
    assert messages[0]["last_day"] == fmt(days_before(dt.date(2027, 6, 30), RENEWAL_DAYS))


# --------------------------------------------------------------------------
# ActionHandleInform


async def inform(text: str, slots: Dict[str, Any]):
    return await run(ActionHandleInform(), tracker(text, "inform", {"disclaimer_shown": True, **slots}))


async def test_correction_after_the_verdict_gives_a_new_verdict() -> None:
    slots = {
        **profile(registered_capital=2000.0),
        "last_topic": "verdict",
        "eligibility_result": {
            "scope": "地网",
            "authority": provincial("广东省"),
            "eligible": True,
            "unmet": [],
            "warnings": [],
            "unknown": [],
        },
    }
    messages, events = await inform("刚才说错了，注册资本是80万", slots)
    sent = responses(messages)
    assert sent[:3] == ["utter_verdict_facts", "utter_verdict_not_eligible", "utter_verdict_unmet"]
    assert has_number(message(messages, "utter_verdict_unmet")["items"], 80)
    filled = slots_set(events)
    assert filled["registered_capital"] == 80.0
    result = filled["eligibility_result"]
    assert (result["eligible"], result["unmet"]) == (False, ["capital"])


async def test_bare_date_after_the_renewal_answer() -> None:
    messages, events = await inform("2027年6月30日", {"last_topic": "renewal"})
    assert responses(messages) == ["utter_deadline_renewal", "utter_deadline_renewal_status_early"]
    assert messages[0]["last_day"] == fmt(days_before(dt.date(2027, 6, 30), RENEWAL_DAYS))
    assert messages[0]["window_start"] == fmt(days_before(dt.date(2027, 6, 30), ADVISED_DAYS))
    assert "eligibility_result" not in slots_set(events)


async def test_bare_date_without_context_asks_what_it_is() -> None:
    messages, _ = await inform("2027年6月30日", {"last_topic": "capital"})
    assert responses(messages) == ["utter_ask_date_topic"]


async def test_company_facts_without_a_request_start_the_interview() -> None:
    messages, events = await inform("我们是广东的有限公司，注册资本500万", {})
    assert responses(messages) == ["utter_start_interview"]
    filled = slots_set(events)
    assert (filled["province"], filled["is_company"], filled["registered_capital"]) == ("广东", True, 500.0)
    assert {"event": "followup", "name": FORM} in [{k: e.get(k) for k in ("event", "name")} for e in events]


async def test_a_question_taken_for_a_statement_gets_the_faq_answer() -> None:
    t = tracker(
        "注册资金一百万够不够全国的",
        "inform",
        {"disclaimer_shown": True},
        faq=("faq/capital", 0.9),
    )
    messages, events = await run(ActionHandleInform(), t)
    # answered from the FAQ: the amount compared with the national threshold
    assert responses(messages) == ["utter_capital_short", "utter_capital_subscribed", "utter_basis"]
    assert message(messages, "utter_capital_short")["scope"] == "全网"
    assert slots_set(events)["last_topic"] == "capital"


@pytest.mark.parametrize("confidence", [0.05])
async def test_an_unsure_faq_pick_for_such_a_question_gets_the_default(confidence: float) -> None:
    t = tracker(
        "注册资金一百万够不够全国的",
        "inform",
        {"disclaimer_shown": True},
        faq=("faq/capital", confidence),
    )
    messages, _ = await run(ActionHandleInform(), t)
    assert responses(messages) == ["utter_default"]


async def test_a_statement_that_is_no_question_is_not_answered_from_the_faq() -> None:
    t = tracker("嗯嗯证就这样吧", "inform", {"disclaimer_shown": True}, faq=("faq/capital", 0.9))
    messages, _ = await run(ActionHandleInform(), t)
    assert responses(messages) == ["utter_default"]


async def test_why_before_any_verdict_offers_the_assessment() -> None:
    messages, _ = await run(ActionExplainVerdict(), tracker("为啥不行", "ask_why"))
    assert responses(messages) == ["utter_no_verdict_yet"]


async def test_why_halfway_through_the_questions_says_the_verdict_comes_at_the_end() -> None:
    t = tracker("为啥不行", "ask_why", requested="registered_capital", active_loop=FORM)
    messages, _ = await run(ActionExplainVerdict(), t)
    assert responses(messages) == ["utter_why_interview_open"]


# --------------------------------------------------------------------------
# The "do we need it?" check


async def test_outsourcing_needs_the_licence() -> None:
    _, events = await run(ActionStartNeedCheck(), tracker("我们给别的公司做客服外包，需要办吗", "check_need"))
    assert slots_set(events)["business_activity"] == "outsourcing"

    messages, events = await run(
        ActionNeedVerdict(),
        tracker("我们给别的公司做客服外包，需要办吗", "check_need", {"business_activity": "outsourcing"}),
    )
    assert responses(messages) == ["utter_disclaimer", "utter_need_answer"]
    assert message(messages, "utter_need_answer")["answer"]
    filled = slots_set(events)
    assert filled["licence_needed"] == "yes"
    assert filled["last_topic"] == "need"


async def test_inhouse_hotline_is_referred_to_the_authority() -> None:
    text = "只是我们自己公司的客服热线"
    _, events = await run(ActionStartNeedCheck(), tracker(text, "check_need"))
    assert slots_set(events)["business_activity"] == "inhouse"

    messages, events = await run(
        ActionNeedVerdict(),
        tracker(text, "check_need", {"business_activity": "inhouse", "disclaimer_shown": True}),
    )
    assert responses(messages) == ["utter_need_answer"]
    assert slots_set(events)["licence_needed"] == "ask_authority"


# --------------------------------------------------------------------------
# Human handoff and errors


async def test_handoff_gives_the_configured_contacts(monkeypatch) -> None:
    monkeypatch.setenv("HANDOFF_PHONE", "400-000-0000")
    monkeypatch.setenv("HANDOFF_WECHAT", "b24-helper")
    monkeypatch.setenv("HANDOFF_HOURS", "工作日 9:00-18:00")
    settings.cache_clear()
    messages, events = await run(ActionHumanHandoff(), tracker("转人工", "human_handoff"))
    assert responses(messages) == ["utter_human_handoff"]
    answer = messages[0]
    assert (answer["phone"], answer["wechat"], answer["hours"]) == (
        "400-000-0000",
        "b24-helper",
        "工作日 9:00-18:00",
    )
    assert slots_set(events) == {"pending_offer": None, "handoff_ticket": False} and len(events) == 2


def said(text: str, intent: str, *replies: str, channel: str = "rest") -> List[Dict[str, Any]]:
    """One turn of the history: the user's message, the bot's replies, action_listen."""
    return [
        {"event": "user", "text": text, "parse_data": {"intent": {"name": intent}}, "input_channel": channel},
        *({"event": "bot", "text": "…", "metadata": {"utter_action": r}} for r in replies),
        {"event": "action", "name": "action_listen"},
    ]


def after(history: List[Dict[str, Any]], t: Tracker, channel: str = "rest") -> Tracker:
    """``t`` with ``history`` before its latest message (sent on ``channel``)."""
    intent = t.latest_message["intent"]["name"]
    t.events = [*history, *said(t.latest_message["text"], intent, channel=channel)[:1]]
    return t


@pytest.mark.parametrize("channel", ["rest", "cmdline"])
async def test_handoff_outside_wechat_and_the_widget_keeps_the_bot_answering(channel: str) -> None:
    messages, events = await run(ActionHumanHandoff(), after([], tracker("转人工", "human_handoff"), channel))
    assert responses(messages) == ["utter_human_handoff"]
    # no ConversationPaused and no ticket: nobody could answer the user there
    assert events == [
        {"event": "slot", "name": "pending_offer", "value": None, "timestamp": None},
        {"event": "slot", "name": "handoff_ticket", "value": False, "timestamp": None},
    ]


async def test_handoff_on_wechat_pauses_the_bot() -> None:
    messages, events = await run(
        ActionHumanHandoff(), after([], tracker("转人工", "human_handoff"), "wechat")
    )
    # the response's wechat variation (domain.yml) carries the transfer payload
    assert responses(messages) == ["utter_human_handoff"]
    assert events[-1] == {"event": "pause", "timestamp": None}
    assert slots_set(events) == {"pending_offer": None, "handoff_ticket": False}


def test_the_wechat_variation_of_the_handoff_carries_the_transfer_payload() -> None:
    from channels.wechat.render import TRANSFER_PAYLOAD

    variations = domain_dict()["responses"]["utter_human_handoff"]
    [wechat] = [v for v in variations if v.get("channel") == "wechat"]
    assert wechat["custom"] == TRANSFER_PAYLOAD
    assert {"{hours}", "{phone}"} <= set(re.findall(r"\{\w+\}", wechat["text"]))
    assert [v for v in variations if "channel" not in v and "custom" not in v]  # the others' text


@pytest.mark.parametrize("offer", ["handoff", "assessment"])
async def test_asking_for_a_human_answers_an_open_offer(offer: str) -> None:
    t = tracker("转人工", "human_handoff", {"pending_offer": offer})
    _, events = await run(ActionHumanHandoff(), after([], t))
    assert slots_set(events)["pending_offer"] is None


# Two failed answers in a row offer the handoff

FAILED_BEFORE = [
    pytest.param(said("火星上能办吗", "out_of_scope", "utter_out_of_scope"), id="out of scope"),
    pytest.param(said("啊啊啊", "nlu_fallback", "utter_default"), id="fallback"),
    pytest.param(
        said("帮帮忙", "nlu_fallback", "utter_default", "utter_offer_handoff"), id="a failure already offered"
    ),
]
ANSWERED_BEFORE = [
    pytest.param([], id="first message"),
    pytest.param(said("注册资本要多少", "faq", "utter_disclaimer", "utter_faq/capital"), id="answered"),
    # a failure two messages back is not "in a row"
    pytest.param(
        said("火星上能办吗", "out_of_scope", "utter_out_of_scope") + said("你好", "greet", "utter_greet"),
        id="failure, then answered",
    ),
]


@pytest.mark.parametrize("history", FAILED_BEFORE)
async def test_a_second_out_of_scope_answer_in_a_row_offers_a_human(history) -> None:
    messages, events = await run(
        ActionOutOfScope(), after(history, tracker("今天天气怎么样", "out_of_scope"))
    )
    assert responses(messages) == ["utter_out_of_scope", "utter_offer_handoff"]
    assert slots_set(events) == {"pending_offer": "handoff"}


@pytest.mark.parametrize("history", FAILED_BEFORE)
async def test_a_second_fallback_in_a_row_offers_a_human(history) -> None:
    messages, events = await run(ActionUnclear(), after(history, tracker("许可证那个嗯嗯嗯", "nlu_fallback")))
    assert responses(messages) == ["utter_default", "utter_offer_handoff"]
    assert slots_set(events) == {"pending_offer": "handoff"}


async def test_a_fallback_that_names_nothing_of_the_licence_is_out_of_scope_and_offers_too() -> None:
    history = said("许可证那个嗯嗯嗯", "nlu_fallback", "utter_default")
    messages, events = await run(ActionUnclear(), after(history, tracker("嗯嗯嗯嗯", "nlu_fallback")))
    assert responses(messages) == ["utter_out_of_scope", "utter_offer_handoff"]
    assert slots_set(events) == {"pending_offer": "handoff"}


@pytest.mark.parametrize("history", ANSWERED_BEFORE)
async def test_a_first_failure_offers_nothing(history) -> None:
    messages, events = await run(
        ActionOutOfScope(), after(history, tracker("今天天气怎么样", "out_of_scope"))
    )
    assert responses(messages) == ["utter_out_of_scope"]
    assert events == []
    messages, events = await run(ActionUnclear(), after(history, tracker("许可证那个嗯嗯嗯", "nlu_fallback")))
    assert responses(messages) == ["utter_default"]
    assert events == []


async def test_the_offer_of_a_human_has_a_button_for_yes_and_for_no() -> None:
    assert button_intents("utter_offer_handoff") == ["human_handoff", "deny"]


async def test_a_failure_after_an_answer_withdraws_an_open_offer_of_a_human() -> None:
    t = tracker("今天天气怎么样", "out_of_scope", {"pending_offer": "handoff"})
    history = said("注册资本要多少", "faq", "utter_faq/capital")
    _, events = await run(ActionOutOfScope(), after(history, t))
    assert slots_set(events) == {"pending_offer": None}


async def test_an_answer_withdraws_an_open_offer_of_a_human() -> None:
    t = tracker(
        "注册资本要多少",
        "faq",
        {"disclaimer_shown": True, "pending_offer": "handoff"},
        faq=("faq/capital", 0.9),
    )
    _, events = await run(ActionAnswerFaq(), t)
    assert slots_set(events)["pending_offer"] is None


async def test_no_offer_inside_the_interview(monkeypatch) -> None:
    history = said("火星上能办吗", "out_of_scope", "utter_out_of_scope")
    t = tracker("我想问问天气", "nlu_fallback", requested="insured_staff", active_loop=FORM)
    messages, events = await run(ActionUnclear(), after(history, t))
    assert "utter_offer_handoff" not in responses(messages)
    assert "pending_offer" not in slots_set(events)


async def test_engine_failure_reaches_the_user_as_an_apology(monkeypatch) -> None:
    def broken(*args, **kwargs):
        raise RuntimeError("rule set unreadable")

    monkeypatch.setattr("actions.assessment.assess", broken)
    messages, events = await verdict(profile(), disclaimer_shown=False)
    assert responses(messages) == ["utter_action_unavailable"]
    assert events == []


async def test_faq_failure_reaches_the_user_as_an_apology(monkeypatch) -> None:
    def broken(*args, **kwargs):
        raise KeyError("faq_vars")

    monkeypatch.setattr("actions.faq.answer_topic", broken)
    messages, events = await faq("注册资本要多少", "faq/capital")
    assert responses(messages) == ["utter_action_unavailable"]
    assert events == []


# --------------------------------------------------------------------------
# FAQ topic: ResponseSelector with the classifier's fine label as second opinion


def with_fine_label(t: Tracker, name: str, confidence: float) -> Tracker:
    t.latest_message["fine_intent"] = {"name": name, "confidence": confidence}
    return t


async def test_a_short_follow_up_keeps_the_conversations_topic() -> None:
    # "最晚提前几天" after the renewal answer: renewal is the runner-up, but the
    # conversation's topic weighs more for a short message that leaves it out
    t = tracker("最晚提前几天", "faq", {"disclaimer_shown": True, "last_topic": "renewal"})
    t.latest_message["fine_ranking"] = [
        {"name": "faq/timeline", "confidence": 0.45},
        {"name": "faq/renewal", "confidence": 0.30},
    ]
    t.events = after_answer("最晚提前几天", "renewal").events  # the renewal answer was just given
    messages, events = await run(ActionAnswerFaq(), t)
    assert responses(messages)[0] == "utter_faq/renewal"
    assert slots_set(events)["last_topic"] == "renewal"


async def test_a_message_that_names_another_topic_moves_on() -> None:
    t = tracker("那年报呢", "faq", {"disclaimer_shown": True, "last_topic": "renewal"})
    t.latest_message["fine_ranking"] = [
        {"name": "faq/annual_report", "confidence": 0.8},
        {"name": "faq/renewal", "confidence": 0.1},
    ]
    messages, events = await run(ActionAnswerFaq(), t)
    assert responses(messages)[0] == "utter_faq/annual_report"
    assert slots_set(events)["last_topic"] == "annual_report"


async def test_a_long_question_is_not_pulled_to_the_last_topic() -> None:
    t = tracker(
        "我们公司想了解一下办下来整体大概需要多长时间",
        "faq",
        {"disclaimer_shown": True, "last_topic": "renewal"},
    )
    t.latest_message["fine_ranking"] = [
        {"name": "faq/timeline", "confidence": 0.45},
        {"name": "faq/renewal", "confidence": 0.30},
    ]
    messages, _ = await run(ActionAnswerFaq(), t)
    assert responses(messages)[0] == "utter_faq/timeline"


async def test_a_staff_count_question_is_answered_from_the_count() -> None:
    messages, events = await faq("公司就2个人交社保 行吗", "faq/staff", slots={"disclaimer_shown": True})
    short = message(messages, "utter_staff_short")
    assert (short["count"], short["shortfall"]) == (2, short["minimum"] - 2)
    assert short["minimum"] == faq_vars()["min_staff"]
    assert responses(messages)[-1] == "utter_offer_assessment"
    messages, _ = await faq("我们有十来个人交社保，够了吧", "faq/staff", slots={"disclaimer_shown": True})
    assert message(messages, "utter_staff_enough")["count"] == 10


@pytest.mark.parametrize(
    "text, scope, authority_has",
    [
        ("我们只在江苏做，得去工信部办？", "地网", "江苏"),
        ("业务覆盖广东和湖南两个省，找哪里批", "全网", NATIONAL.authority),
        ("we only operate in Shanghai, who approves?", "地网", "上海"),
    ],
)
async def test_where_the_company_operates_decides_scope_and_authority(
    text: str, scope: str, authority_has: str
) -> None:
    messages, _ = await faq(text, "faq/authority", slots={"disclaimer_shown": True})
    answer = message(messages, "utter_scope_of_operations")
    assert answer["scope"] == scope
    assert authority_has in answer["authority"]


async def test_an_answer_without_facts_withdraws_the_assessment_offer() -> None:
    messages, events = await faq(
        "年报怎么报", "faq/annual_report", slots={"disclaimer_shown": True, "pending_offer": "assessment"}
    )
    assert "utter_offer_assessment" not in responses(messages)
    assert slots_set(events)["pending_offer"] is None


async def test_a_less_confident_fine_label_leaves_the_selector_choice() -> None:
    t = with_fine_label(
        tracker("注册资本要多少", "faq", {"disclaimer_shown": True}, faq=("faq/capital", 0.8)),
        "faq/staff",
        0.3,
    )
    messages, _ = await run(ActionAnswerFaq(), t)
    assert responses(messages) == ["utter_faq/capital", "utter_basis"]


async def test_a_fine_label_of_another_intent_is_ignored() -> None:
    t = with_fine_label(
        tracker("嗯", "faq", {"disclaimer_shown": True}, faq=("faq/capital", 0.6)),
        "affirm",
        0.9,
    )
    messages, _ = await run(ActionAnswerFaq(), t)
    assert responses(messages) == ["utter_faq/capital", "utter_basis"]


@pytest.mark.parametrize(
    "text, activity",
    [
        ("我们帮银行接信用卡客服电话，要不要拿这个证", "outsourcing"),
        ("我们替电商商家做售后客服", "outsourcing"),
        ("只是我们自己公司的客服热线", "inhouse"),
        ("我们是做医美的，自己有个客服热线接客户电话，这也得办证？", "inhouse"),
        ("客服是我们自己接客户电话", "inhouse"),
        ("我们出租坐席给别的公司", "seat_rental"),
        ("we are a WFOE, do we need B24 for our in-house hotline?", "inhouse"),
        ("we handle customer service outsourcing for banks", "outsourcing"),
        ("we rent seats to other firms", "seat_rental"),
        ("our product is a cloud call center platform", "system_rental"),
    ],
)
def test_the_business_activity_is_recognised_from_how_users_describe_it(text: str, activity: str) -> None:
    from licence.topics import activity_of

    assert activity_of(text) == activity


def test_an_english_word_that_only_contains_an_activity_word_is_no_activity() -> None:
    from licence.topics import activity_of

    assert activity_of("house rules for the office") is None


async def test_a_follow_up_after_the_need_check_checks_the_new_activity() -> None:
    from actions.faq import ActionFollowup

    t = tracker(
        "那我们公司自己的400售后热线呢，也要办？",
        "followup",
        {"last_topic": "need", "disclaimer_shown": True},
    )
    messages, events = await run(ActionFollowup(), t)
    assert responses(messages) == ["utter_need_answer"]
    assert slots_set(events)["licence_needed"] == "ask_authority"


async def test_a_follow_up_on_a_topic_without_an_faq_answer_asks_to_rephrase() -> None:
    from actions.faq import ActionFollowup

    t = tracker("那这个呢", "followup", {"last_topic": "verdict", "disclaimer_shown": True})
    messages, _ = await run(ActionFollowup(), t)
    assert responses(messages) == ["utter_followup_unclear"]


async def test_a_follow_up_of_the_need_check_that_names_no_business_asks_what_it_does() -> None:
    from actions.faq import ActionFollowup

    t = tracker("只卖不租呢", "followup", {"last_topic": "need", "disclaimer_shown": True})
    messages, _ = await run(ActionFollowup(), t)
    assert responses(messages) == ["utter_ask_business_activity"]


# --------------------------------------------------------------------------
# Follow-ups that leave the topic out, or name another one


@pytest.mark.parametrize(
    "text, last, topic",
    [("要提前多久", "validity", "renewal"), ("不报会怎样", "annual_report", "annual_report")],
)
async def test_a_facet_follow_up_gets_the_cell_of_the_last_topic(text: str, last: str, topic: str) -> None:
    # the classifier's own label (timeline) loses to the conversation's topic
    t = tracker(text, "faq", {"disclaimer_shown": True, "last_topic": last}, faq=("faq/timeline", 0.8))
    t.events = after_answer(text, last).events
    messages, events = await run(ActionAnswerFaq(), t)
    assert responses(messages)[0] == f"utter_faq/{topic}"
    assert slots_set(events)["last_topic"] == topic


async def test_a_facet_follow_up_after_a_turn_that_answered_nothing_has_no_topic_to_follow() -> None:
    # the slot still holds the validity, but the last turn was out of scope
    t = tracker(
        "要提前多久", "faq", {"disclaimer_shown": True, "last_topic": "validity"}, faq=("faq/timeline", 0.8)
    )
    t.events = after_answer("要提前多久", "validity", "utter_out_of_scope", "utter_out_of_scope").events
    messages, _ = await run(ActionAnswerFaq(), t)
    assert responses(messages)[0] == "utter_faq/timeline"


async def test_a_follow_up_that_names_a_topic_gets_that_topic() -> None:
    t = tracker(
        "注册资本呢",
        "followup",
        {"disclaimer_shown": True, "last_topic": "conditions"},
        faq=("faq/capital", 0.38),
    )
    messages, events = await run(ActionFollowup(), t)
    assert responses(messages)[0] == "utter_faq/capital"
    assert slots_set(events)["last_topic"] == "capital"


@pytest.mark.parametrize(
    "text, last, response",
    [("我们认缴了800万", "capital", "utter_capital_short"), ("我们就俩人交了", "staff", "utter_staff_short")],
)
async def test_a_fact_stated_after_its_answer_gets_the_answer_computed_from_it(
    text: str, last: str, response: str
) -> None:
    messages, events = await inform(text, {"last_topic": last})
    assert response in responses(messages)
    assert responses(messages)[-1] == "utter_offer_assessment"
    assert slots_set(events)["pending_offer"] == "assessment"
    assert "requested_slot" not in slots_set(events)  # no interview started


async def test_the_verdict_opens_with_the_facts_it_used() -> None:
    messages, _ = await verdict(
        profile(registered_capital=1200.0, insured_staff=8, on_dishonest_list="unknown")
    )
    assert responses(messages)[0] == "utter_verdict_facts"
    facts = message(messages, "utter_verdict_facts")["facts"]
    # each answer appears with the value recorded, in the order asked
    for value in ("地网", "广东", "1200", "8"):
        assert value in facts
    assert facts.index("广东") < facts.index("1200") < facts.index("8")


@pytest.mark.parametrize("confidence", [0.8, 0.05])
async def test_after_the_verdict_a_capital_question_is_answered_from_the_recorded_amount(
    confidence: float,
) -> None:
    # 0.05: the classifier's mass is on check_eligibility; the facts make it specific
    slots = {
        **profile(registered_capital=800.0),
        "last_topic": "verdict",
        "eligibility_result": {"scope": "地网", "eligible": True},
        "disclaimer_shown": True,
    }
    t = tracker("要是以后做全网，我们这个资本够不", "faq", slots, faq=("faq/capital", confidence))
    messages, events = await run(ActionAnswerFaq(), t)
    assert responses(messages)[0] == "utter_capital_short"
    row = message(messages, "utter_capital_short")
    assert row["scope"] == "全网" and "800" in row["amount"]
    assert "utter_offer_assessment" not in responses(messages)  # already assessed


async def test_a_message_with_two_questions_gets_both_answers() -> None:
    t = tracker("办哪种证，找谁办", "faq", {"disclaimer_shown": True}, faq=("faq/scope_difference", 0.6))
    t.latest_message["question_parts"] = [
        {"text": "办哪种证", "name": "faq/scope_difference", "confidence": 0.5},
        {"text": "找谁办", "name": "faq/authority", "confidence": 0.7},
    ]
    messages, _ = await run(ActionAnswerFaq(), t)
    assert responses(messages)[:4] == [
        "utter_faq/scope_difference",
        "utter_basis",
        "utter_faq/authority",
        "utter_basis",
    ]


async def test_a_facet_clause_asks_about_the_first_question_topic() -> None:
    t = tracker("续期要提前多久？需要什么材料？", "faq", {"disclaimer_shown": True}, faq=("faq/renewal", 0.8))
    t.latest_message["question_parts"] = [
        {"text": "续期要提前多久", "name": "faq/renewal", "confidence": 0.8},
        {"text": "需要什么材料", "name": "faq/materials", "confidence": 0.9},
    ]
    messages, _ = await run(ActionAnswerFaq(), t)
    # the renewal answer holds its materials: one answer, not the application's materials
    assert [r for r in responses(messages) if r.startswith("utter_faq/")] == ["utter_faq/renewal"]


async def test_an_answer_with_a_question_keeps_the_answer_and_answers_the_question() -> None:
    # "8个 够吗" to the staff question: 8 is recorded and the count is compared
    messages, events = await validate("8个 够吗", requested="insured_staff", slots=BEFORE_STAFF)
    filled = slots_set(events)
    assert filled["insured_staff"] == 8
    assert "utter_staff_enough" in responses(messages)
    assert filled["requested_slot"] == "has_premises"


async def test_an_faq_during_the_interview_keeps_the_answer_before_it() -> None:
    t = tracker(
        "有的 不过是租的 可以吗",
        "faq",
        {**BEFORE_STAFF, "insured_staff": 8, "disclaimer_shown": True},
        requested="has_premises",
        active_loop=FORM,
        faq=("faq/premises_system", 0.6),
    )
    messages, events = await run(ActionAnswerFaq(), t)
    assert slots_set(events)["has_premises"] is True
    assert responses(messages)[0] == "utter_faq/premises_system"


def test_every_interview_question_names_an_faq_answer() -> None:
    from licence.ruleset_loader import load_ruleset

    answers = domain_responses()
    for question in load_ruleset().questions:
        assert f"utter_faq/{question.faq}" in answers, question.slot


# --------------------------------------------------------------------------
# A message the classifier could not place, read with the previous answer


def after_answer(
    text: str,
    topic: str,
    answered_by: str = "action_answer_faq",
    reply: str = "utter_faq/x",
    intent: str = "nlu_fallback",
) -> Tracker:
    """``text`` right after a turn in which ``answered_by`` sent ``reply`` on ``topic``."""
    t = tracker(text, intent, {"last_topic": topic})
    t.events = [
        {"event": "user", "text": "earlier question"},
        {"event": "action", "name": answered_by},
        {"event": "bot", "text": "...", "metadata": {"utter_action": reply}},
        {"event": "action", "name": "action_listen"},
        {"event": "user", "text": text},
    ]
    return t


async def test_a_question_the_classifier_cannot_place_continues_the_last_answer() -> None:
    messages, events = await run(ActionUnclear(), after_answer("可以网上提交吗", "process"))
    assert "utter_faq/process" in responses(messages)
    assert "utter_continue_topic" not in responses(messages)
    assert slots_set(events)["last_topic"] == "process"


async def test_a_statement_of_the_users_situation_hears_the_rule_read_for_it() -> None:
    messages, _ = await run(ActionUnclear(), after_answer("外方占一半", "foreign"))
    assert responses(messages)[-3:] == ["utter_continue_topic", "utter_faq/foreign", "utter_basis"]


@pytest.mark.parametrize(
    "answered_by, reply",
    [
        ("utter_out_of_scope", "utter_out_of_scope"),  # the last turn answered no topic
        ("action_unclear", "utter_default"),  # nor did "please rephrase"
    ],
)
async def test_no_topic_in_play_no_continuation(answered_by: str, reply: str) -> None:
    messages, _ = await run(ActionUnclear(), after_answer("可以网上提交吗", "process", answered_by, reply))
    # no topic: "please rephrase", and as the last answer failed too, the offer of a human
    assert responses(messages) == ["utter_default", "utter_offer_handoff"]


async def test_a_question_no_faq_topic_is_sure_of_continues_the_last_answer() -> None:
    # heard as a licence question, but every fine label is unlikely: the same
    # reading as a message the classifier could not place at all
    t = after_answer("可以网上提交吗", "process", intent="faq")
    t.latest_message["fine_ranking"] = [{"name": "faq/timeline", "confidence": 0.11}]
    messages, events = await run(ActionAnswerFaq(), t)
    assert "utter_faq/process" in responses(messages)
    assert "utter_default" not in responses(messages)
    assert slots_set(events)["last_topic"] == "process"


async def test_an_unsure_faq_label_with_nothing_answered_before_asks_to_rephrase() -> None:
    t = after_answer("可以网上提交吗", "process", "utter_out_of_scope", "utter_out_of_scope", intent="faq")
    t.latest_message["fine_ranking"] = [{"name": "faq/timeline", "confidence": 0.11}]
    messages, _ = await run(ActionAnswerFaq(), t)
    # and as the answer before was out of scope, this second failure offers a human
    assert responses(messages) == ["utter_default", "utter_offer_handoff"]


async def test_an_unsure_faq_label_after_a_greeting_asks_to_rephrase_and_offers_nothing() -> None:
    t = after_answer("可以网上提交吗", "process", "utter_greet", "utter_greet", intent="faq")
    t.latest_message["fine_ranking"] = [{"name": "faq/timeline", "confidence": 0.11}]
    messages, events = await run(ActionAnswerFaq(), t)
    assert responses(messages) == ["utter_default"]
    assert "pending_offer" not in slots_set(events)


async def test_a_statement_not_understood_after_a_failure_offers_a_human() -> None:
    history = said("火星上能办吗", "out_of_scope", "utter_out_of_scope")
    messages, events = await run(ActionHandleInform(), after(history, tracker("嗯嗯嗯嗯", "inform")))
    assert responses(messages) == ["utter_out_of_scope", "utter_offer_handoff"]
    assert slots_set(events) == {"pending_offer": "handoff"}


async def test_chatter_after_an_answer_is_not_read_as_its_topic() -> None:
    messages, _ = await run(ActionUnclear(), after_answer("哈哈", "process"))
    # nothing of the licence in it either: the reply says what the bot covers
    assert responses(messages) == ["utter_out_of_scope"]


async def test_why_after_an_answer_is_about_that_answer_not_a_verdict() -> None:
    messages, _ = await run(ActionExplainVerdict(), after_answer("为啥差别这么大", "cost", intent="ask_why"))
    assert "utter_faq/cost" in responses(messages)
    assert "utter_no_verdict_yet" not in responses(messages)


async def test_facts_right_after_an_answer_get_that_answer_and_the_offer() -> None:
    t = after_answer("外方股东占一半", "foreign", intent="inform")
    messages, events = await run(ActionHandleInform(), t)
    assert responses(messages)[-4:] == [
        "utter_continue_topic",
        "utter_faq/foreign",
        "utter_basis",
        "utter_offer_assessment",
    ]
    assert FORM not in [e.get("name") for e in events]  # no interview started unasked


def company_question(text: str) -> Tracker:
    """An answer-first question whose likeliest fine label is the assessment request."""
    t = tracker(text, "faq")
    t.latest_message["fine_ranking"] = [
        {"name": "check_eligibility", "confidence": 0.45},
        {"name": "inform", "confidence": 0.4},
        {"name": "faq/scope_difference", "confidence": 0.03},
    ]
    return t


async def test_a_question_about_the_whole_company_is_answered_condition_by_condition() -> None:
    t = company_question("公司在杭州，认缴300万，社保8个人，经营范围没问题，能办省内的吗")
    messages, events = await run(ActionAnswerFaq(), t)
    sent = responses(messages)
    assert "utter_default" not in sent
    assert {"utter_capital_enough", "utter_staff_enough", "utter_scope_of_operations"} <= set(sent)
    assert sent[-1] == "utter_offer_assessment"
    assert slots_set(events)["pending_offer"] == "assessment"


async def test_without_facts_the_whole_company_question_gets_the_offer() -> None:
    messages, _ = await run(ActionAnswerFaq(), company_question("我们这种情况能办下来吗"))
    assert responses(messages) == ["utter_offer_assessment"]


# --------------------------------------------------------------------------
# The basis of an answer (utter_basis)


def faq_topics() -> List[str]:
    return sorted(name.split("/", 1)[1] for name in domain_responses() if name.startswith("utter_faq/"))


@pytest.mark.parametrize("topic", faq_topics())
async def test_every_faq_answer_is_followed_by_its_basis(topic: str) -> None:
    messages, _ = await faq("这个具体是怎么规定的", f"faq/{topic}", slots={"disclaimer_shown": True})
    sent = responses(messages)
    assert sent.count("utter_basis") == 1, sent
    assert sent.index(f"utter_faq/{topic}") < sent.index("utter_basis")
    basis = message(messages, "utter_basis")["basis"]
    assert basis and basis == faq_basis(topic)


async def test_a_computed_deadline_answer_ends_with_the_article_it_rests_on() -> None:
    messages, _ = await faq(
        "证2027年6月30日到期，最晚什么时候续", "faq/renewal", slots={"disclaimer_shown": True}
    )
    assert responses(messages)[-1] == "utter_basis"
    basis = message(messages, "utter_basis")["basis"]
    articles = [split_citation(c) for c in RULES.faq_basis["renewal"].source]
    numbered = [RULES.basis_texts["article"].format(article=chinese_numeral(a)) for _, a in articles if a]
    assert numbered and all(n in basis for n in numbered)  # Order 42 Art. 27 in the rule set


async def test_each_of_two_answered_topics_gets_its_own_basis() -> None:
    t = tracker("办哪种证，找谁办", "faq", {"disclaimer_shown": True}, faq=("faq/scope_difference", 0.9))
    t.latest_message["question_parts"] = [
        {"text": "办哪种证", "name": "faq/scope_difference", "confidence": 0.8},
        {"text": "找谁办", "name": "faq/authority", "confidence": 0.7},
    ]
    messages, _ = await run(ActionAnswerFaq(), t)
    bases = [m["basis"] for m in messages if m["response"] == "utter_basis"]
    assert bases == [faq_basis("scope_difference"), faq_basis("authority")]


async def test_a_company_fact_answered_without_a_confident_topic_gets_the_basis() -> None:
    messages, _ = await faq(
        "注册资本1kw想办全网 够不够", "faq/capital", confidence=0.2, slots={"disclaimer_shown": True}
    )
    sent = responses(messages)
    assert "utter_capital_enough" in sent
    assert message(messages, "utter_basis")["basis"] == faq_basis("capital")
    assert sent.index("utter_capital_subscribed") < sent.index("utter_basis")


@pytest.mark.parametrize("key", ["faq/capital", "faq/renewal"])
async def test_please_rephrase_states_no_rule_and_gets_no_basis(key: str) -> None:
    messages, _ = await faq("那个证一般要多少", key, confidence=0.1)
    assert "utter_basis" not in responses(messages)
    messages, _ = await run(ActionUnclear(), tracker("那个证嗯嗯啊", "nlu_fallback"))
    assert responses(messages) == ["utter_default"]


async def test_the_need_check_gets_no_basis() -> None:
    messages, _ = await faq("坐席出租需不需要这个证", "faq/who_needs", slots={"disclaimer_shown": True})
    assert responses(messages) == ["utter_need_answer"]


def test_chit_chat_and_out_of_scope_run_no_action_that_answers_a_topic() -> None:
    """Greetings, thanks, bot questions and out-of-scope messages are answered
    by a rule's own response, or out of scope by action_out_of_scope (that
    response and perhaps the offer of a human, tested above): no topic action
    runs, so no basis is sent."""
    from licence.context import TOPIC_ACTIONS

    rules_file = Path(__file__).resolve().parents[2] / "data" / "rules" / "chat.yml"
    chat_intents = {"greet", "goodbye", "thank", "bot_challenge", "out_of_scope"}
    checked = set()
    for rule in yaml.safe_load(rules_file.read_text(encoding="utf-8"))["rules"]:
        intents = {step["intent"] for step in rule["steps"] if "intent" in step}
        if intents & chat_intents:
            actions = [step["action"] for step in rule["steps"] if "action" in step]
            assert actions and not set(actions) & (TOPIC_ACTIONS | {"utter_basis"}), rule["rule"]
            assert all(a in domain_responses() or a == "action_out_of_scope" for a in actions), rule["rule"]
            checked |= intents & chat_intents
    assert checked == chat_intents


@pytest.mark.parametrize("text", ["阿斯顿发送到发", "没有烤箱能做蛋糕吗", "123456"])
async def test_a_message_nothing_of_the_licence_in_it_hears_what_the_bot_covers(text: str) -> None:
    messages, _ = await run(ActionUnclear(), tracker(text, "nlu_fallback"))
    assert responses(messages) == ["utter_out_of_scope"]


@pytest.mark.parametrize("text", ["这个证能不能快点", "年报那个咋整"])
async def test_an_unclear_message_about_the_licence_is_asked_to_be_rephrased(text: str) -> None:
    messages, _ = await run(ActionUnclear(), tracker(text, "nlu_fallback"))
    assert responses(messages) == ["utter_default"]


@pytest.mark.parametrize(
    "text, label, topic",
    [
        ("any equity cap?", "faq/capital", "foreign"),  # a topic word alone names its topic
        ("录音要留多久", "faq/timeline", "outbound"),  # a topic word and a facet name its cell
    ],
)
async def test_a_named_topic_outweighs_the_classifiers_label(text: str, label: str, topic: str) -> None:
    t = tracker(text, "faq", {"disclaimer_shown": True, "last_topic": "foreign"}, faq=(label, 0.6))
    messages, events = await run(ActionAnswerFaq(), t)
    assert f"utter_faq/{topic}" in responses(messages)
    assert slots_set(events)["last_topic"] == topic


@pytest.mark.parametrize(
    "text, activity",
    [
        ("我哋淨係幫自己公司打", "inhouse"),
        ("就是按坐席收租金那种", "seat_rental"),
        ("要是以后也帮别的商家接呢", "outsourcing"),
    ],
)
async def test_a_business_described_right_after_the_need_answer_is_checked_too(
    text: str, activity: str
) -> None:
    t = after_answer(text, "need", "action_need_verdict", "utter_need_answer", intent="out_of_scope")
    messages, events = await run(ActionOutOfScope(), t)
    assert responses(messages)[-1] == "utter_need_answer"
    assert slots_set(events)["business_activity"] == activity


async def test_the_same_words_after_another_answer_are_out_of_scope() -> None:
    t = after_answer("就是按坐席收租金那种", "process", intent="out_of_scope")
    messages, events = await run(ActionOutOfScope(), t)
    assert responses(messages) == ["utter_out_of_scope"]
    assert "business_activity" not in slots_set(events)


# --------------------------------------------------------------------------
# The need check's question answered in words no activity word names


def need_reply(text: str, likely: Optional[str], clear: Optional[str] = None) -> Tracker:
    t = tracker(text, "inform", requested="business_activity", active_loop="need_form")
    if likely:
        t.latest_message["likely_activity"] = {"name": likely, "similarity": 0.88, "margin": 0.008}
    if clear:
        t.latest_message["described_activity"] = {"name": clear, "similarity": 0.93, "margin": 0.03}
    return t


def test_a_reply_to_the_need_question_takes_its_likeliest_activity() -> None:
    from actions.need import ValidateNeedForm

    # no activity word in it, and not clear enough to count outside the reply
    text = "客户派人过来坐，我们出地方和电脑"
    extracted = ValidateNeedForm().extract_business_activity(
        CollectingDispatcher(), need_reply(text, "seat_rental"), domain_dict()
    )
    assert extracted == {"business_activity": "seat_rental"}


def test_a_reply_with_no_likely_activity_is_asked_again() -> None:
    from actions.need import ValidateNeedForm

    extracted = ValidateNeedForm().extract_business_activity(
        CollectingDispatcher(), need_reply("反正挺复杂的，一句两句说不清", None), domain_dict()
    )
    assert extracted == {"business_activity": None}


def test_the_likely_activity_counts_only_as_a_reply_to_the_need_question() -> None:
    from actions.common import described_activity

    assert described_activity(need_reply("客户派人过来坐，我们出地方和电脑", "seat_rental")) is None


@pytest.mark.parametrize(
    "text, topic",
    [
        ("那去哪办", "authority"),  # after the need check: where to apply for the licence
        ("要多久", "timeline"),
        ("不办呢", "penalty"),
    ],
)
async def test_a_facet_alone_with_no_topic_in_play_asks_about_the_licence(text: str, topic: str) -> None:
    # the classifier's label is no help ("那去哪办" looks like nothing it knows)
    messages, events = await faq(
        text, "faq/what_is", 0.1, slots={"disclaimer_shown": True, "last_topic": "need"}
    )
    assert responses(messages)[0] == f"utter_faq/{topic}"
    assert slots_set(events)["last_topic"] == topic


async def test_a_follow_up_read_in_context_keeps_that_topic_whatever_word_it_names() -> None:
    # "要是股东上了呢" names 股东 (the changes) but was read on the credit in context
    t = tracker(
        "要是股东上了呢", "faq", {"disclaimer_shown": True, "last_topic": "credit"}, faq=("faq/credit", 0.92)
    )
    t.latest_message["context"] = {
        "text": "上了失信名单的公司还能申请吗",
        "topic": "credit",
        "intent": "followup",
    }
    messages, events = await run(ActionAnswerFaq(), t)
    assert responses(messages)[0] == "utter_faq/credit"
    assert slots_set(events)["last_topic"] == "credit"


async def test_a_sure_label_outweighs_the_licence_default_for_a_facet_alone() -> None:
    # a typo hides the topic word (受里 for 受理), but the classifier is sure of it
    messages, _ = await faq("受里要多久", "faq/acceptance_time", 0.8, slots={"disclaimer_shown": True})
    assert "utter_faq/timeline" not in responses(messages)


async def test_a_description_heard_as_a_new_need_question_answers_the_waiting_check() -> None:
    from actions.need import ActionStartNeedCheck

    t = tracker("我们帮几家连锁药店接顾客打来的咨询电话", "check_need", requested="business_activity")
    t.latest_message["likely_activity"] = {"name": "outsourcing", "similarity": 0.9, "margin": 0.01}
    _, events = await run(ActionStartNeedCheck(), t)
    assert slots_set(events)["business_activity"] == "outsourcing"
    # a need question with no check waiting is read by its words only
    t = tracker("我们公司需要办呼叫中心许可证吗", "check_need")
    t.latest_message["likely_activity"] = {"name": "system_rental", "similarity": 0.9, "margin": 0.01}
    _, events = await run(ActionStartNeedCheck(), t)
    assert slots_set(events)["business_activity"] is None


async def test_a_business_stated_after_the_who_needs_answer_is_checked() -> None:
    t = after_answer("我们是做坐席租赁的", "who_needs", intent="inform")
    messages, _ = await run(ActionHandleInform(), t)
    assert "utter_need_answer" in responses(messages)


async def test_a_question_after_the_who_needs_answer_stays_a_question_on_who_needs() -> None:
    t = after_answer("出租系统的也要吗", "who_needs", intent="faq")
    t.latest_message["fine_ranking"] = [{"name": "faq/who_needs", "confidence": 0.9}]
    messages, _ = await run(ActionAnswerFaq(), t)
    assert "utter_faq/who_needs" in responses(messages)
    assert "utter_need_answer" not in responses(messages)
