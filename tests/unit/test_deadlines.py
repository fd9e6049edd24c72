"""Deadline arithmetic: renewal, annual report, review periods, working days."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

import chinese_calendar
import pytest

from licence import deadlines
from licence.deadlines import (
    DeadlineRules,
    annual_report,
    completeness_deadline,
    decision_deadline,
    format_date,
    is_working_day,
    renewal,
)

D = dt.date
RULES = DeadlineRules()
RULESET_SECTION: dict[str, Any] = {
    "validity_years": 5,
    "renewal_min_days_before_expiry": 90,
    "renewal_advised_days_before_expiry": 180,
    "annual_report_window": {"start": "01-01", "end": "03-31"},
    "completeness_check_working_days": 5,
    "decision_days_after_acceptance": 60,
    "change_report_days": 30,
    "cancellation_notice_days": 90,
}


# --- rules ------------------------------------------------------------------


def test_from_mapping_reads_the_ruleset_section() -> None:
    rules = DeadlineRules.from_mapping(RULESET_SECTION)
    assert rules == RULES
    assert rules.annual_report_window == ((1, 1), (3, 31))
    assert rules.annual_report_end == (3, 31)


def test_defaults_match_the_shipped_ruleset() -> None:
    import yaml

    from licence.vocabulary import DATA_DIR

    ruleset = yaml.safe_load((DATA_DIR.parent / "ruleset.yml").read_text(encoding="utf-8"))
    assert DeadlineRules.from_mapping(ruleset["deadlines"]) == RULES


def _with(**changes: Any) -> Mapping[str, Any]:
    return {**RULESET_SECTION, **changes}


@pytest.mark.parametrize(
    ("data", "bad_key"),
    [
        (_with(validity_years="5"), "validity_years"),
        (_with(validity_years=True), "validity_years"),
        (_with(decision_days_after_acceptance=-1), "decision_days_after_acceptance"),
        (_with(annual_report_window={"start": "01-01"}), "annual_report_window"),
        (_with(annual_report_window={"start": "01-01", "end": "03-32"}), "annual_report_window.end"),
        (_with(annual_report_window={"start": "1/1", "end": "03-31"}), "annual_report_window.start"),
        (_with(annual_report_window={"start": "04-01", "end": "03-31"}), "annual_report_window"),
        (_with(renewal_advised_days_before_expiry=30), "renewal_advised_days_before_expiry"),
        (_with(surprise=1), "surprise"),
        ({k: v for k, v in RULESET_SECTION.items() if k != "change_report_days"}, "change_report_days"),
    ],
)
def test_from_mapping_names_the_bad_key(data: Mapping[str, Any], bad_key: str) -> None:
    with pytest.raises(ValueError, match=bad_key):
        DeadlineRules.from_mapping(data)


# --- renewal ----------------------------------------------------------------

EXPIRY = D(2027, 6, 30)


@pytest.mark.parametrize(
    ("today", "status"),
    [
        (D(2026, 11, 27), "early"),
        (D(2026, 12, 31), "early"),  # 181 days before: one day early
        (D(2027, 1, 1), "in_window"),  # exactly 180 days before: window opens
        (D(2027, 3, 1), "in_window"),
        (D(2027, 4, 1), "in_window"),  # exactly 90 days before: the last day
        (D(2027, 4, 2), "late"),  # 89 days before: too late to renew
        (D(2027, 6, 30), "late"),  # expiry day: still valid, cannot renew
        (D(2027, 7, 1), "expired"),
    ],
)
def test_renewal_status(today: dt.date, status: str) -> None:
    info = renewal(EXPIRY, today, RULES)
    assert info.status == status
    assert info.last_day == D(2027, 4, 1)
    assert info.window_start == D(2027, 1, 1)


def test_renewal_day_counts() -> None:
    info = renewal(EXPIRY, D(2027, 3, 2), RULES)
    assert info.days_to_last_day == 30
    assert info.days_to_expiry == 120
    assert renewal(EXPIRY, D(2027, 4, 2), RULES).days_to_last_day == -1


def test_renewal_across_a_leap_day() -> None:
    info = renewal(D(2028, 5, 29), D(2028, 1, 1), RULES)
    assert info.last_day == D(2028, 2, 29)
    assert renewal(D(2027, 5, 30), D(2027, 1, 1), RULES).last_day == D(2027, 3, 1)


# --- annual report ----------------------------------------------------------


@pytest.mark.parametrize(
    ("today", "passed", "in_window", "next_deadline", "days_left"),
    [
        (D(2027, 1, 1), False, True, D(2027, 3, 31), 89),
        (D(2028, 1, 1), False, True, D(2028, 3, 31), 90),  # leap year
        (D(2028, 2, 29), False, True, D(2028, 3, 31), 31),
        (D(2027, 3, 31), False, True, D(2027, 3, 31), 0),
        (D(2027, 4, 1), True, False, D(2028, 3, 31), 365),
        (D(2026, 11, 27), True, False, D(2027, 3, 31), 124),
        (D(2026, 12, 31), True, False, D(2027, 3, 31), 90),
    ],
)
def test_annual_report(
    today: dt.date, passed: bool, in_window: bool, next_deadline: dt.date, days_left: int
) -> None:
    info = annual_report(today, RULES)
    assert info.this_year_deadline == D(today.year, 3, 31)
    assert info.this_year_passed is passed
    assert info.in_window is in_window
    assert info.next_deadline == next_deadline
    assert info.window_start == D(next_deadline.year, 1, 1)
    assert info.days_left == days_left


def test_annual_report_window_ending_on_a_leap_day() -> None:
    rules = DeadlineRules.from_mapping(_with(annual_report_window={"start": "01-01", "end": "02-29"}))
    assert annual_report(D(2027, 1, 10), rules).next_deadline == D(2027, 2, 28)
    assert annual_report(D(2028, 1, 10), rules).next_deadline == D(2028, 2, 29)


# --- review periods ---------------------------------------------------------


@pytest.mark.parametrize(
    ("acceptance", "deadline"),
    [(D(2026, 11, 27), D(2027, 1, 26)), (D(2028, 1, 15), D(2028, 3, 15)), (D(2027, 1, 15), D(2027, 3, 16))],
)
def test_decision_deadline(acceptance: dt.date, deadline: dt.date) -> None:
    assert decision_deadline(acceptance, RULES) == deadline


def test_installed_calendar_covers_2025_but_not_2028() -> None:
    # The branches below depend on this; a newer chinese_calendar moves the
    # caveat to a later year and this test says so.
    assert chinese_calendar.is_workday(D(2025, 9, 28))  # make-up Sunday
    with pytest.raises(NotImplementedError):
        chinese_calendar.is_workday(D(2028, 3, 1))


@pytest.mark.parametrize(
    ("submission", "deadline"),
    [
        # Mon -> next Mon: the submission day is not counted.
        (D(2026, 3, 2), D(2026, 3, 9)),
        # Fri 26 Sep 2025: Sun 28 Sep is a make-up working day, 1-8 Oct are
        # National Day holidays: 28, 29, 30 Sep, 9, 10 Oct.
        (D(2025, 9, 26), D(2025, 10, 10)),
        # Tue 30 Sep 2025: 9, 10, Sat 11 (make-up), 13, 14 Oct.
        (D(2025, 9, 30), D(2025, 10, 14)),
        # Thu 12 Feb 2026, Spring Festival 15-23 Feb: 13, Sat 14 (make-up), 24, 25, 26.
        (D(2026, 2, 12), D(2026, 2, 26)),
    ],
)
def test_completeness_deadline_follows_official_holidays(submission: dt.date, deadline: dt.date) -> None:
    info = completeness_deadline(submission, RULES)
    assert info.deadline == deadline
    assert info.working_days == 5
    assert not info.caveat


@pytest.mark.parametrize(
    ("submission", "deadline"),
    [
        (D(2028, 3, 1), D(2028, 3, 8)),  # Wed -> Wed, Mon-Fri only
        (D(2028, 3, 3), D(2028, 3, 10)),  # Fri -> Fri
        (D(2026, 12, 28), D(2027, 1, 4)),  # crosses into an unpublished year
    ],
)
def test_completeness_deadline_without_official_calendar(submission: dt.date, deadline: dt.date) -> None:
    info = completeness_deadline(submission, RULES)
    assert info.deadline == deadline
    assert info.caveat


def test_is_working_day() -> None:
    assert is_working_day(D(2025, 10, 1)) == (False, True)
    assert is_working_day(D(2025, 9, 28)) == (True, True)
    assert is_working_day(D(2028, 3, 4)) == (False, False)  # a Saturday
    assert is_working_day(D(2028, 3, 6)) == (True, False)


@pytest.mark.parametrize(
    ("day", "shown"),
    [(D(2027, 4, 1), "2027年4月1日"), (D(2026, 12, 31), "2026年12月31日"), (D(2028, 2, 29), "2028年2月29日")],
)
def test_format_date(day: dt.date, shown: str) -> None:
    assert format_date(day) == shown


@pytest.mark.parametrize(
    "issued, expiry",
    [
        (dt.date(2022, 3, 15), dt.date(2027, 3, 14)),
        (dt.date(2024, 1, 1), dt.date(2028, 12, 31)),
        (dt.date(2024, 2, 29), dt.date(2029, 2, 28)),
    ],
)
def test_expiry_from_issue(issued: dt.date, expiry: dt.date) -> None:
    assert deadlines.expiry_from_issue(issued, deadlines.DeadlineRules()) == expiry
