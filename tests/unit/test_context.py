"""licence/context.py: when a short follow-up is read on the topic just answered."""

from __future__ import annotations

import pytest

from licence.context import (
    MIN_CONTEXT_CHARS,
    TOPIC_ACTIONS,
    answered_by,
    context_text,
    decision_stands,
    FREE,
    NAMED,
    continuation,
    off_topic_on_its_own,
    reread,
)


def ranking(**labels: float) -> list[dict]:
    return [{"name": name.replace("__", "/"), "confidence": value} for name, value in labels.items()]


@pytest.mark.parametrize(
    "text, intent, expected",
    [
        ("没有增值电信怎么办", "faq", True),  # nothing of its own: the context decides
        ("分几种", "nlu_fallback", True),  # an unplaced fragment
        ("分几种", "out_of_scope", False),  # the classifier's out of scope stands
        ("没通过会说原因吗", "ask_why", True),
        ("那年报呢", "followup", False),  # names a topic: its own reading stands
        ("注册资本呢", "followup", False),
        ("要多久", "faq", False),  # facet words with a cell of the last topic: licence/followups.py
        ("超时了怎么办", "faq", True),  # a facet the last topic has no cell for
        ("好的谢谢", "thank", False),  # small talk stands
        ("是的", "affirm", False),
        ("找个人工", "human_handoff", False),
        ("", "faq", False),
        (
            "我们公司在广州，做了十年外包，现在想把业务扩展到全国各地的客户那边去做，顺便也想问问别的事情",
            "faq",
            False,
        ),  # long
    ],
)
def test_which_messages_may_continue_the_topic(text: str, intent: str, expected: bool) -> None:
    assert (continuation(text, intent, "review_time") == FREE) is expected


def test_a_certain_decision_stands_unless_it_only_says_question() -> None:
    assert decision_stands({"rule": "near_domain", "certain": True})
    assert not decision_stands({"rule": "facet_question", "certain": True})
    assert not decision_stands({"rule": "answer_first", "certain": False})
    assert not decision_stands({})


def test_context_is_the_last_message_or_more_while_it_is_short() -> None:
    long_question = "上了失信名单的公司还能申请吗"
    assert len(long_question) >= MIN_CONTEXT_CHARS
    assert context_text([long_question, "B24是什么"]) == long_question
    # a short previous follow-up says too little: the one before comes in front
    assert context_text(["要多久", "呼叫中心证怎么申请"]) == "呼叫中心证怎么申请 要多久"
    assert context_text([]) == ""
    assert context_text(["", "  "]) == ""


def test_the_last_topic_wins_when_the_context_makes_it_likeliest() -> None:
    own = ranking(followup=0.9, faq__changes=0.05)
    found = reread(own, ranking(faq__credit=0.9, faq__changes=0.05), "credit")
    assert found is not None and found.topic == "credit" and found.confidence == pytest.approx(0.9)


def test_a_clear_topic_of_its_own_stands() -> None:
    # "到期会自动续吗" after the validity answer: renewal on its own, clearly
    own = ranking(faq__renewal=0.9, faq__validity=0.05)
    assert reread(own, ranking(faq__validity=0.8), "validity") is None


def test_a_weak_context_changes_nothing() -> None:
    assert reread(ranking(out_of_scope=0.5), ranking(faq__credit=0.2, faq__changes=0.3), "credit") is None
    assert reread(ranking(faq__timeline=0.3), ranking(faq__process=0.9), "credit") is None


def test_own_and_context_weigh_together() -> None:
    # own 0.1 + half of 0.6 = 0.4 beats 0.35, not 0.45
    assert reread(ranking(faq__timeline=0.35, faq__staff=0.1), ranking(faq__staff=0.6), "staff") is not None
    assert reread(ranking(faq__timeline=0.45, faq__staff=0.1), ranking(faq__staff=0.6), "staff") is None


def test_a_turn_answered_a_topic_only_by_a_topic_action_that_understood() -> None:
    faq = {"event": "action", "name": "action_answer_faq"}
    assert "action_answer_faq" in TOPIC_ACTIONS
    assert answered_by([{"event": "bot", "metadata": {"utter_action": "utter_faq/credit"}}, faq])
    assert not answered_by([{"event": "bot", "metadata": {"utter_action": "utter_default"}}, faq])
    assert not answered_by([{"event": "action", "name": "utter_greet"}])
    assert not answered_by([{"event": "action", "name": "action_listen"}])
    assert not answered_by([])


@pytest.mark.parametrize(
    "intent, nearest, fine, expected",
    [
        # nearest in meaning to an out-of-scope example, no licence question heard
        ("out_of_scope", "out_of_scope", ranking(out_of_scope=0.4), True),
        ("inform", "out_of_scope", ranking(inform=0.3, out_of_scope=0.29), True),
        ("nlu_fallback", "out_of_scope", ranking(faq__outbound=0.2), True),
        # ...but the classifier heard a question of the licence: the context may decide
        ("faq", "out_of_scope", ranking(faq__authority=0.67), False),
        ("followup", "out_of_scope", ranking(followup=0.5), False),
        # the classifier itself sure it is out of scope
        ("out_of_scope", "inform", ranking(out_of_scope=0.76, inform=0.1), True),
        # ...and unsure: a fragment the context may place
        ("out_of_scope", "faq", ranking(out_of_scope=0.5, faq__who_needs=0.16), False),
        ("nlu_fallback", "dont_know", ranking(out_of_scope=0.22, ask_why=0.16), False),
        ("faq", "faq", [], False),
    ],
)
def test_a_message_off_topic_by_its_own_reading_is_no_follow_up(
    intent: str, nearest: str, fine: list, expected: bool
) -> None:
    assert off_topic_on_its_own(intent, nearest, fine) is expected


def test_a_follow_up_naming_another_topics_word_is_read_in_context_only_when_unsure() -> None:
    from licence.context import reread_named

    assert continuation("要是股东上了呢", "followup", "credit") == NAMED
    assert continuation("那能加急吗", "faq", "timeline") == FREE
    assert continuation("好的", "affirm", "credit") is None
    # a fragment sure of no topic, and the context sure of the last one
    found = reread_named(ranking(followup=0.94, faq__changes=0.01), ranking(faq__credit=0.92), "credit")
    assert found is not None and found.topic == "credit"
    # sure of its own topic: it keeps it ("那年报呢")
    assert reread_named(ranking(faq__annual_report=0.8), ranking(faq__renewal=0.9), "renewal") is None
    # ...and so when it hears the topic it names only faintly ("到期了咋整" after the validity)
    assert reread_named(ranking(faq__renewal=0.3), ranking(faq__validity=0.88), "validity") is None
    # the last topic heard alone too does not count against it
    found = reread_named(
        ranking(followup=0.32, faq__materials=0.28), ranking(faq__materials=0.88), "materials"
    )
    assert found is not None
    # the context not clearly on the last topic
    assert reread_named(ranking(followup=0.5), ranking(faq__credit=0.55), "credit") is None
    assert reread_named(ranking(followup=0.5), ranking(faq__changes=0.7, faq__credit=0.2), "credit") is None


@pytest.mark.parametrize(
    "text, last_topic, expected",
    [
        ("材料呢", "staff", None),  # names the materials: not read with the staff answer
        ("到期了呢", "validity", None),
        ("要是股东上了呢", "credit", NAMED),  # supposes a case: read in context, strictly
        ("那能加急吗", "timeline", FREE),
    ],
)
def test_a_follow_up_naming_another_topic_alone_is_not_read_in_context(
    text: str, last_topic: str, expected: str | None
) -> None:
    assert continuation(text, "followup", last_topic) == expected


def test_a_follow_up_saying_the_materials_are_ready_is_read_with_the_answer_before() -> None:
    assert continuation("材料都齐的情况下呢", "followup", "timeline") == FREE
    assert continuation("材料呢", "followup", "staff") is None


def test_a_follow_up_asking_the_question_before_of_another_subject_keeps_its_topic() -> None:
    from licence.context import SAME, reread_same

    assert continuation("出租呼叫中心系統的也要嗎", "faq", "who_needs") == SAME
    assert continuation("政府项目也要？", "followup", "tender") == SAME
    # the subject's own topic (the system) is heard alone, and does not count
    own = ranking(faq__premises_system=0.7, faq__who_needs=0.1)
    found = reread_same(own, ranking(faq__who_needs=0.8, faq__premises_system=0.1), "who_needs")
    assert found is not None and found.topic == "who_needs"
    # the context must put the last topic first
    assert reread_same(own, ranking(faq__premises_system=0.6, faq__who_needs=0.3), "who_needs") is None
    assert reread_same(own, ranking(faq__who_needs=0.2), "who_needs") is None
