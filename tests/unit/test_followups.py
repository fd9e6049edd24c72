"""licence/followups.py: a follow-up that leaves the topic out gets the cell of its facet."""

from __future__ import annotations

import pytest

from licence.followups import cells, continues_topic, facet_only, followup_topic, named_cell, named_topic_word
from licence.topics import vocabulary


@pytest.mark.parametrize(
    "text, facet",
    [
        ("要提前多久", "when"),
        ("最晚什么时候交", "when"),
        ("多久内要办", "when"),
        ("要提前幾耐？", "when"),
        ("how early do we need to apply", "when"),
        ("不报会怎样", "penalty"),
        ("那要是没按时报呢", "penalty"),
        ("what if we miss it", "penalty"),
        ("在哪个系统上报", "where"),
        ("找谁办", "authority"),
        ("需要什么材料", "materials"),
        ("要交多少钱", "cost"),
        ("没有的话怎么办", "how"),
    ],
)
def test_facet_only_questions(text: str, facet: str) -> None:
    assert facet_only(text) == facet


@pytest.mark.parametrize(
    "text",
    # they name something besides the facet: the classifier decides
    [
        "那年报呢",
        "注册资本呢",
        "法人换了呢",
        "股比有没有限制",
        "我们注册资本500万要多久",
        "EDI证要多久",
        "好的",
    ],
)
def test_messages_that_name_more_than_a_facet(text: str) -> None:
    assert facet_only(text) is None


@pytest.mark.parametrize(
    "text, last, topic",
    [
        ("要提前多久", "validity", "renewal"),  # the when of validity is the renewal answer
        ("最晚什么时候交", "renewal", "renewal"),
        ("多长时间内", "changes", "changes"),
        ("不报会怎样", "annual_report", "annual_report"),
        ("要多久", "what_is", "timeline"),
        ("找谁办", "what_is", "authority"),
        ("what if we miss that deadline", "validity", "renewal"),
        # the online system is in the process answer (系统 inside 哪个系统 names no topic)
        ("在哪个系统提交", "authority", "process"),
        # since when the five years run is the validity answer; by when to renew, the renewal one
        ("从哪天开始算", "validity", "validity"),
        ("从什么时候起算", "renewal", "validity"),
        # where to apply, after the difference of the two scopes: the authority answer
        ("那去哪申请", "scope_difference", "authority"),
        # a topic word of its own makes it no follow-up of the last topic
        ("注销大概要多久", "process", None),
        # "and if we don't": what happens without the licence, after who needs it
        ("不办呢", "who_needs", "penalty"),
        ("要是不办的话", "what_is", "penalty"),
        ("不续呢", "renewal", "renewal"),
    ],
)
def test_the_cell_of_the_last_topic(text: str, last: str, topic: str) -> None:
    assert followup_topic(text, last) == topic


@pytest.mark.parametrize(
    "text, cell",
    [
        ("录音要留多久", "outbound"),
        ("续期要什么材料", "renewal"),  # the renewal answer holds its materials
        ("注销要多久", "cancellation"),
        ("年报在哪报", "annual_report"),
        # more than a topic and a facet, two topics, or no cell: the classifier decides
        ("注册资本要多少", None),
        ("续期要提前多久？年报呢？", None),
        ("外资要多久", None),
    ],
)
def test_a_topic_word_and_a_facet_name_a_cell(text: str, cell) -> None:
    assert named_cell(text) == cell


def test_no_cell_no_inheritance() -> None:
    assert followup_topic("要多久", None) is None
    assert followup_topic("费用呢", "renewal") is None  # renewal has no cost cell
    assert followup_topic("那年报呢", "renewal") is None


def test_every_cell_names_a_known_topic_and_facet() -> None:
    facets = set(vocabulary()["asks"])
    import yaml
    from pathlib import Path

    domain = yaml.safe_load((Path(__file__).resolve().parents[2] / "domain.yml").read_text("utf-8"))
    answered = {name.split("/", 1)[1] for name in domain["responses"] if name.startswith("utter_faq/")}
    for topic, row in cells().items():
        assert topic in answered, topic
        assert set(row) <= facets, topic
        assert set(row.values()) <= answered, topic


@pytest.mark.parametrize(
    "text",
    [
        "可以网上提交吗",  # a short question
        "需要本人到场不",
        "那只能这样？",
        "我们公司只有两个人",  # the user's own situation
        "其实我们规模很小",
        "外方占一半",
        "已经过期半个月了",
        "we only do Jiangsu",
    ],
)
def test_short_questions_and_situations_continue_the_topic(text: str) -> None:
    assert continues_topic(text)


@pytest.mark.parametrize(
    "text",
    ["哈哈", "好的", "今天天气不错", "business is good", "", "我们" + "很" * 40 + "小"],
)
def test_chatter_and_long_messages_do_not(text: str) -> None:
    assert not continues_topic(text)


@pytest.mark.parametrize(
    "text, topic",
    [
        ("那社保呢", "staff"),
        ("年报呢", "annual_report"),  # 报 is a filler, but not inside 年报
        ("那注册资本呢？", "capital"),
        ("香港公司呢", "individual"),
        ("场地呢", "premises_system"),
        ("这证管几年", "validity"),  # how long the licence lasts, not how long it takes
        ("证还有效吗", "validity"),
        ("时间呢", "timeline"),
        ("批下来呢", "review_time"),
    ],
)
def test_a_follow_up_made_of_one_topic_word_names_that_topic(text: str, topic: str) -> None:
    assert named_topic_word(text) == topic


@pytest.mark.parametrize("text", ["那全网呢", "要多久", "社保要交多久呢", "那我们的热线呢", "人呢"])
def test_more_than_a_topic_word_is_left_to_the_classifier(text: str) -> None:
    assert named_topic_word(text) is None


def test_every_topic_word_names_a_known_answer() -> None:
    import yaml
    from pathlib import Path

    domain = yaml.safe_load((Path(__file__).resolve().parents[2] / "domain.yml").read_text("utf-8"))
    answered = {name.split("/", 1)[1] for name in domain["responses"] if name.startswith("utter_faq/")}
    assert set(vocabulary()["topic_words"]) <= answered


@pytest.mark.parametrize(
    "text, last, topic",
    [
        ("去哪里办", "changes", "changes"),  # 去哪里办 asks the authority, not the place (哪里)
        ("在哪个系统提交", "process", "process"),
        ("怎么查", "credit", "credit"),
        ("那要怎么改", "business_scope", "business_scope"),
        ("要交几个月", "staff", "staff"),
        ("啥时候开始弄比较好", "renewal", "renewal"),
        ("要准备啥", "numbers", "numbers"),
        ("有效期几年", "cost", None),  # names the validity: not the cost's "when"
        ("续期大概多久", "process", None),
    ],
)
def test_facet_follow_ups_of_more_topics(text: str, last: str, topic: str | None) -> None:
    assert followup_topic(text, last) == topic


@pytest.mark.parametrize(
    "text, topic",
    [
        ("有效期几年", "validity"),  # the validity's own answer holds its length
        ("受理完多久下证", "review_time"),  # after acceptance: the decision, not the acceptance
        ("评审完多久发证", "review_time"),
        ("after acceptance, how long?", "review_time"),
        ("多久能受理", "acceptance_time"),
        ("社保要交几个月", "staff"),
    ],
)
def test_a_named_topic_and_facet_get_that_topics_cell(text: str, topic: str) -> None:
    assert named_cell(text) == topic


def test_a_follow_up_naming_another_topic_leaves_the_last_one() -> None:
    # 有 is a filler: without the topic check "有效期几年" after the cost answer
    # read as that topic's "when" (the licensing timeline)
    assert followup_topic("有效期几年", "cost") is None
    assert followup_topic("要多久", "cost") == "timeline"
    assert followup_topic("在哪个系统报", "annual_report") == "annual_report"


@pytest.mark.parametrize(
    "text, last, topic",
    [
        ("会不会被直接叫停", "penalty", "penalty"),
        ("how big is the fine", "penalty", "penalty"),
        ("罚多少", "penalty", "penalty"),  # the penalty answer holds the amounts
        ("那要怎么弄", "individual", "individual"),  # the applicant rule says how
        ("要點改", "business_scope", "business_scope"),  # Cantonese 点改 after normalising
    ],
)
def test_follow_ups_on_the_penalty_the_applicant_and_the_business_scope(
    text: str, last: str, topic: str
) -> None:
    assert followup_topic(text, last) == topic


@pytest.mark.parametrize(
    "text, last_topic, topic",
    [
        ("材料呢", "staff", "materials"),  # another topic named alone
        ("到期了呢", "validity", "renewal"),
        ("审批那段呢", "timeline", "review_time"),
        ("不做了怎么弄", "annual_report", "cancellation"),  # named with a facet its answer holds
        ("要是股东上了呢", "credit", None),  # a case of the credit rule, supposed
        ("有分公司的话还要交啥", "materials", None),
        ("年报呢", "annual_report", None),  # the same topic: a follow-up of it
        ("要啥材料", "renewal", None),  # the renewal's own materials cell
        ("怎么续", "validity", None),  # facet words alone name no topic
    ],
)
def test_a_follow_up_that_names_another_topic_asks_about_that_topic(
    text: str, last_topic: str, topic: str | None
) -> None:
    from licence.followups import names_own_topic

    assert names_own_topic(text, last_topic) == topic


@pytest.mark.parametrize(
    "text, expected",
    [
        ("材料都齐了", True),
        ("材料齐的话呢", True),
        ("資料都準備好了", True),
        ("材料要准备什么", False),
        ("材料呢", False),
    ],
)
def test_a_message_saying_the_materials_are_ready_states_readiness(text: str, expected: bool) -> None:
    from licence.followups import states_readiness

    assert states_readiness(text) is expected
    if expected:
        assert facet_only(text) is None  # it asks for no materials


@pytest.mark.parametrize(
    "text, expected",
    [
        ("做系统出租的也要？", True),
        ("房租合同也要吗", True),
        ("same process?", True),
        ("材料要什么", False),
        ("也就3个人", False),
    ],
)
def test_a_message_asking_the_same_of_another_subject(text: str, expected: bool) -> None:
    from licence.followups import asks_the_same

    assert asks_the_same(text) is expected


@pytest.mark.parametrize("text", ["证办下来能用多久", "張證有效幾耐", "呼叫中心证有效几年"])
def test_how_long_the_licence_can_be_used_is_the_validity(text: str) -> None:
    assert named_cell(text) == "validity"


@pytest.mark.parametrize(
    "last, slots, topic",
    [
        ("conditions", ["foreign_investment"], "foreign"),
        ("conditions", ["province", "is_company"], "individual"),  # a province is no condition's answer
        ("conditions", ["has_premises", "has_call_centre_system"], "premises_system"),
        ("conditions", ["registered_capital", "insured_staff"], None),  # two conditions: the umbrella stands
        ("capital", ["insured_staff"], None),  # only after the answer on all conditions
        ("conditions", [], None),
    ],
)
def test_a_statement_of_one_condition_after_the_conditions_answer_asks_that_condition(
    last: str, slots: list, topic: str | None
) -> None:
    from licence.followups import condition_topic

    assert condition_topic(last, slots) == topic


def test_every_condition_topic_is_an_interview_slot_and_a_topic() -> None:
    from licence.slots import SLOTS

    table = vocabulary()["condition_topics"]
    assert set(table) <= set(SLOTS)
    assert set(table.values()) <= set(vocabulary()["topic_words"])
    assert set(vocabulary()["umbrella_topics"]) <= set(cells())
