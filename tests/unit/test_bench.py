"""The bench's pure logic (bench/stats.py): percentiles, metric aggregation, the
REST-against-tracker comparison, targets and the report. No servers, no timing."""

from __future__ import annotations

import pytest

from bench.conversations import SCRIPTS
from bench.stats import (
    aggregate_folds,
    check_target,
    compare_conversation,
    confusion,
    intent_metrics,
    latency_summary,
    mean_std,
    percentile,
    render_markdown,
    summary_lines,
)


def test_percentile_interpolates_like_numpy() -> None:
    values = [15, 20, 35, 40, 50]
    assert percentile(values, 0) == 15
    assert percentile(values, 100) == 50
    assert percentile(values, 50) == 35
    assert percentile(values, 40) == pytest.approx(29.0)  # numpy.percentile(values, 40)
    assert percentile([7], 99) == 7
    assert percentile(list(range(1, 101)), 95) == pytest.approx(95.05)


def test_percentile_refuses_nonsense() -> None:
    with pytest.raises(ValueError):
        percentile([], 50)
    with pytest.raises(ValueError):
        percentile([1.0], 101)


def test_latency_summary_is_in_milliseconds_and_counts_throughput() -> None:
    summary = latency_summary([0.1] * 9 + [1.0], wall_s=2.0, errors=1)
    assert summary["turns"] == 10 and summary["errors"] == 1
    assert summary["msg_per_s"] == 5.0
    assert summary["p50_ms"] == 100.0
    assert summary["max_ms"] == 1000.0
    assert summary["p99_ms"] == pytest.approx(919.0)


def test_mean_std_and_fold_aggregation() -> None:
    assert mean_std([1.0]) == (1.0, 0.0)
    mean, std = mean_std([0.9, 1.0])
    assert mean == pytest.approx(0.95) and std == pytest.approx(0.0707107, abs=1e-6)
    agg = aggregate_folds(
        [
            {"intent_macro_f1": 0.9, "entity_f1": None},
            {"intent_macro_f1": 1.0, "entity_f1": None},
        ]
    )
    assert agg["folds"] == 2
    assert agg["intent_macro_f1"] == 0.95 and agg["intent_macro_f1_std"] == pytest.approx(0.0707, abs=1e-4)
    assert agg["entity_f1"] is None  # not measurable stays not measurable


def test_intent_metrics_read_a_rasa_intent_report() -> None:
    report = {
        "faq": {"precision": 1.0, "recall": 1.0, "f1-score": 1.0, "support": 3},
        "greet": {"precision": 0.5, "recall": 1.0, "f1-score": 0.667, "support": 1},
        "accuracy": 0.75,
        "macro avg": {"precision": 0.75, "recall": 1.0, "f1-score": 0.8335, "support": 4},
        "weighted avg": {"precision": 0.875, "recall": 1.0, "f1-score": 0.917, "support": 4},
    }
    assert intent_metrics(report) == {
        "accuracy": 0.75,
        "macro_f1": 0.8335,
        "weighted_f1": 0.917,
        "support": 4,
    }


def test_confusion_counts_rows_expected_columns_predicted() -> None:
    labels, matrix = confusion([("faq", "faq"), ("faq", "greet"), ("greet", "greet")])
    assert labels == ["faq", "greet"]
    assert matrix == [[1, 1], [0, 1]]


def bot(text: str) -> dict:
    return {"event": "bot", "text": text}


def user(text: str) -> dict:
    return {"event": "user", "text": text}


def test_matching_rest_replies_and_tracker_have_no_problems() -> None:
    events = [
        {"event": "action", "name": "action_session_start"},
        user("你好"),
        bot("您好"),
        {"event": "action", "name": "action_listen"},
        user("年报"),
        bot("提示"),
        bot("年报在…"),
    ]
    rest = [[{"text": "您好"}], [{"text": "提示"}, {"text": "年报在…"}]]
    assert compare_conversation(rest, events) == []


def test_lost_duplicated_and_untracked_turns_are_reported() -> None:
    events = [user("a"), bot("x"), user("b"), bot("y"), bot("y")]
    problems = compare_conversation([[{"text": "x"}], [{"text": "y"}]], events)
    assert problems == ["turn 1: lost bot messages (REST 1, tracker 2)"]
    problems = compare_conversation([[{"text": "x"}, {"text": "x"}], [{"text": "y"}, {"text": "y"}]], events)
    assert problems == ["turn 0: duplicated bot messages (REST 2, tracker 1)"]
    problems = compare_conversation(
        [[{"text": "x"}], [{"text": "y"}, {"text": "y"}], [{"text": "z"}]], events
    )
    assert problems == ["3 turns sent, 2 user events tracked"]
    assert compare_conversation([[{"text": "x"}]], [bot("hi"), user("a"), bot("x")]) == [
        "1 bot message(s) before the first user turn"
    ]


def test_targets_absolute_and_relative_to_the_peer() -> None:
    row = check_target("p95", 120.0, "<=", 150, peer=300.0, unit=" ms")
    assert row["met"] is True and row["ratio_to_peer"] == 0.4 and row["target"] == "<= 150 ms"
    row = check_target("throughput", 12.0, ">=", 1.5, peer=10.0, relative=True)
    assert row["met"] is False and row["ratio_to_peer"] == 1.2 and row["target"] == ">= 1.5 x peer"
    assert check_target("memory", 500.0, "<=", 1.0, peer=None, relative=True)["met"] is None
    assert check_target("train", 179.0, "<", 180)["met"] is True


def sample_result() -> dict:
    nlu_side = {
        "heldout": {
            "intent_accuracy": 0.98,
            "intent_macro_f1": 0.975,
            "response_accuracy": 0.9,
            "response_macro_f1": 0.88,
            "entity_f1": None,
            "test_examples": 440,
        },
        "cv": aggregate_folds(
            [
                {"intent_macro_f1": 0.96, "intent_accuracy": 0.97},
                {"intent_macro_f1": 0.94, "intent_accuracy": 0.95},
            ]
        ),
        "duration_s": 100.0,
        "mean_train_s": 20.0,
    }
    c = latency_summary([0.05, 0.06, 0.07], 0.2)
    serving = {
        "project": {"c1": c, "c10": c, "cold_start_s": 20.0, "rss_mb": 500.0},
        "peer": {"c1": c, "c10": c, "cold_start_s": 25.0, "rss_mb": 700.0},
    }
    result = {
        "environment": {
            "date": "2026-01-01 00:00 UTC",
            "cpu_count": 2,
            "platform": "Linux",
            "git_commit": "abc",
            "rasa_version": "3.6.21",
            "python": "3.10",
        },
        "nlu": {"project": nlu_side, "peer": nlu_side, "entity_note": "no annotated entities"},
        "serving": serving,
        "training": {"project": {"duration_s": 60.0, "model_mb": 50.0}, "peer": {"duration_s": 600.0}},
        "load": {
            "concurrency": 20,
            "duration_s": 60,
            "latency": c,
            "conversations": 40,
            "mismatched_conversations": 0,
            "passed": True,
            "problems": [],
        },
        "phases": {"training": 660.0, "total": 1000.0},
        "notes": ["a note"],
    }
    result["targets"] = [
        check_target("intent macro-F1, held-out", 0.975, ">=", 0.97, 0.9),
        check_target("Rasa server RSS after warm-up (MB)", 500.0, "<=", 1.0, 700.0, relative=True),
    ]
    return result


def test_the_report_has_every_table_and_marks_targets() -> None:
    md = render_markdown(sample_result())
    for heading in ("## NLU", "## Serving", "## Load test", "## Targets", "## Phases", "## Notes"):
        assert heading in md
    assert "| intent macro-F1 | 0.975 | 0.975 | 0.950 ± 0.014 | 0.950 ± 0.014 |" in md
    assert "| entity F1 (micro) | n/a | n/a | n/a | n/a |" in md
    assert "| Rasa server RSS after warm-up (MB) | 500.000 | <= 1 x peer | 700.000 | 0.714 | yes |" in md
    assert "no annotated entities" in md
    lines = summary_lines(sample_result())
    assert lines[0].startswith("MET  intent macro-F1, held-out")
    assert "passed" in lines[-1]


def test_the_conversation_scripts_mix_faq_and_interview_turns() -> None:
    assert len(SCRIPTS) >= 4 and all(SCRIPTS)
    assert any("能不能办" in turn for script in SCRIPTS for turn in script)
    assert any("注册资本" in turn for script in SCRIPTS for turn in script)


def test_blind_scoring_counts_small_talk_as_off_topic_but_reports_it_apart() -> None:
    from bench.blind import answers, cell_of, summarise

    assert cell_of("utter_greet") == "chitchat"
    assert answers(["chitchat"], "out_of_scope")
    assert not answers(["chitchat"], "faq/capital")  # a licence question answered with a greeting
    assert not answers(["faq/outbound"], "out_of_scope")
    assert not answers([], "out_of_scope")
    assert answers(["faq/authority|faq/scope_difference"], "faq/scope_difference")
    rows = [
        {"got": ["chitchat"], "ok": True},
        {"got": ["out_of_scope"], "ok": True},
        {"got": ["faq/what_is"], "ok": False},
        {"got": ["out_of_scope"], "ok": True},
    ]
    summary = summarise(rows)
    assert (summary["ok"], summary["chitchat"]) == (3, 1)
    assert summary["share"] == 0.75 and summary["strict_share"] == 0.5


def test_blind_activity_scoring_takes_none_for_the_sets_other() -> None:
    from bench.blind import same_activity

    assert same_activity("seat_rental", "seat_rental")
    assert same_activity("none", "other") and same_activity("other", "other")
    assert not same_activity("none", "inhouse")
    assert not same_activity(None, "outsourcing")


def test_blind_offtopic_after_sends_a_licence_question_first_and_scores_the_message() -> None:
    from bench.blind import OPENERS, Scorer

    class FakeBot:
        """Answers every message with the validity answer, as a bot that reads
        everything as a follow-up of the last answer would."""

        def __init__(self) -> None:
            self.events: dict[str, list[dict[str, object]]] = {}
            self.said: list[str] = []

        def say(self, sender: str, text: str) -> None:
            self.said.append(text)
            reply = "utter_out_of_scope" if "天气" in text else "utter_faq/validity"
            self.events.setdefault(sender, []).append({"event": "bot", "metadata": {"utter_action": reply}})

        def tracker(self, sender: str) -> dict[str, object]:
            return {"events": list(self.events.get(sender, []))}

    bot = FakeBot()
    result = Scorer(bot).offtopic_after(  # type: ignore[arg-type]
        [
            {"text": "今天天气怎么样", "expect": "out_of_scope"},
            {"text": "帮我订张高铁票", "expect": "out_of_scope"},
        ]
    )
    assert bot.said == [OPENERS[0], "今天天气怎么样", OPENERS[1], "帮我订张高铁票"]
    assert [row["got"] for row in result["rows"]] == [["out_of_scope"], ["faq/validity"]]
    assert result["ok"] == 1 and result["rows"][1]["context"] == OPENERS[1]


def test_blind_scoring_counts_the_interviews_next_question_as_the_assessment_going_on() -> None:
    from bench.blind import cell_of

    assert cell_of("utter_ask_foreign_investment") == "check_eligibility"
    assert cell_of("utter_ask_has_premises") == "check_eligibility"
    # the need check and the lead form are not the eligibility interview
    assert cell_of("utter_ask_business_activity") == "check_need"
    assert cell_of("utter_ask_lead_contact") != "check_eligibility"
