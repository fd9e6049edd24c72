"""Deadlines around the licence: renewal, annual report, review periods.

The numbers come from the ``deadlines:`` section of ``licence/ruleset.yml``
and reach this module as a :class:`DeadlineRules` (``from_mapping``). Working
days follow China's official calendar (``chinese_calendar``: public holidays
and the weekend days worked in exchange); for a year whose holidays are not
published yet the count falls back to Monday–Friday and says so (``caveat``).
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import Any, Literal

import chinese_calendar

from zhtext.vocabulary import load_vocabulary

__all__ = [
    "DeadlineRules",
    "RenewalInfo",
    "RenewalStatus",
    "AnnualReportInfo",
    "CompletenessInfo",
    "renewal",
    "annual_report",
    "decision_deadline",
    "completeness_deadline",
    "is_working_day",
    "format_date",
]

MonthDay = tuple[int, int]
RenewalStatus = Literal["early", "in_window", "late", "expired"]


def _parse_month_day(key: str, raw: object) -> MonthDay:
    if not isinstance(raw, str):
        raise ValueError(f"{key}: expected 'MM-DD', got {raw!r}")
    try:
        month_text, day_text = raw.split("-")
        month, day = int(month_text), int(day_text)
        dt.date(2000, month, day)  # a leap year, so 02-29 is accepted
    except ValueError:
        raise ValueError(f"{key}: expected 'MM-DD', got {raw!r}") from None
    return month, day


def _on(year: int, month_day: MonthDay) -> dt.date:
    """``month_day`` in ``year``; 02-29 becomes 02-28 in a common year."""
    month, day = month_day
    return dt.date(year, month, min(day, calendar.monthrange(year, month)[1]))


@dataclass(frozen=True)
class DeadlineRules:
    """The ``deadlines:`` section of the rule set. Defaults are the values in
    force (Order 42 and the agency practice in the domain brief)."""

    validity_years: int = 5
    renewal_min_days_before_expiry: int = 90
    renewal_advised_days_before_expiry: int = 180
    annual_report_window: tuple[MonthDay, MonthDay] = ((1, 1), (3, 31))
    completeness_check_working_days: int = 5
    decision_days_after_acceptance: int = 60
    change_report_days: int = 30
    cancellation_notice_days: int = 90

    @property
    def annual_report_start(self) -> MonthDay:
        return self.annual_report_window[0]

    @property
    def annual_report_end(self) -> MonthDay:
        return self.annual_report_window[1]

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any]) -> DeadlineRules:
        """Build from the YAML mapping; ``ValueError`` names any missing,
        unknown or mistyped key."""
        if not isinstance(data, Mapping):
            raise ValueError(f"deadlines: expected a mapping, got {type(data).__name__}")
        names = [f.name for f in fields(cls)]
        unknown = sorted(set(data) - set(names))
        if unknown:
            raise ValueError(f"deadlines: unknown key {unknown[0]!r}")
        values: dict[str, Any] = {}
        for name in names:
            if name not in data:
                raise ValueError(f"deadlines: missing key {name!r}")
            raw = data[name]
            if name == "annual_report_window":
                if not isinstance(raw, Mapping) or set(raw) != {"start", "end"}:
                    raise ValueError(f"{name}: expected {{start: 'MM-DD', end: 'MM-DD'}}, got {raw!r}")
                start = _parse_month_day(f"{name}.start", raw["start"])
                end = _parse_month_day(f"{name}.end", raw["end"])
                if end < start:
                    raise ValueError(f"{name}: end {raw['end']!r} is before start {raw['start']!r}")
                values[name] = (start, end)
            else:
                if isinstance(raw, bool) or not isinstance(raw, int) or raw <= 0:
                    raise ValueError(f"{name}: expected a positive integer, got {raw!r}")
                values[name] = raw
        if values["renewal_advised_days_before_expiry"] < values["renewal_min_days_before_expiry"]:
            raise ValueError(
                "renewal_advised_days_before_expiry: must not be less than renewal_min_days_before_expiry"
            )
        return cls(**values)


# --------------------------------------------------------------------------
# Renewal


@dataclass(frozen=True)
class RenewalInfo:
    """Where ``today`` stands against a licence expiring on ``expiry``.

    window_start: the advised first day to apply (180 days before expiry).
    last_day: the last day a renewal application is accepted (90 days
        before expiry, Order 42 Art. 27).
    status: "early" before window_start; "in_window" from window_start to
        last_day inclusive; "late" after last_day while the licence is still
        valid (expiry day included): it cannot be renewed, the company must
        apply anew; "expired" after the expiry day.
    """

    expiry: dt.date
    today: dt.date
    window_start: dt.date
    last_day: dt.date
    status: RenewalStatus
    days_to_last_day: int
    days_to_expiry: int


def expiry_from_issue(issued: dt.date, rules: DeadlineRules) -> dt.date:
    """When a licence issued on ``issued`` expires: ``validity_years`` later,
    the day before the same date (5 years from 2022-03-15 run to 2027-03-14)."""
    year = issued.year + rules.validity_years
    try:
        same_day = issued.replace(year=year)
    except ValueError:  # 29 February in a year that has none
        same_day = dt.date(year, 3, 1)
    return same_day - dt.timedelta(days=1)


def renewal(expiry: dt.date, today: dt.date, rules: DeadlineRules) -> RenewalInfo:
    """Renewal window and status for a licence valid until ``expiry``."""
    last_day = expiry - dt.timedelta(days=rules.renewal_min_days_before_expiry)
    window_start = expiry - dt.timedelta(days=rules.renewal_advised_days_before_expiry)
    status: RenewalStatus
    if today < window_start:
        status = "early"
    elif today <= last_day:
        status = "in_window"
    elif today <= expiry:
        status = "late"
    else:
        status = "expired"
    return RenewalInfo(
        expiry=expiry,
        today=today,
        window_start=window_start,
        last_day=last_day,
        status=status,
        days_to_last_day=(last_day - today).days,
        days_to_expiry=(expiry - today).days,
    )


# --------------------------------------------------------------------------
# Annual report


@dataclass(frozen=True)
class AnnualReportInfo:
    """The annual report (年报), filed from 1 January to 31 March.

    this_year_deadline: the window's last day in today's year.
    this_year_passed: today is after it.
    in_window: today is inside this year's window.
    window_start / next_deadline: the window that ends next, on or after
        today (this year's, or next year's once this one has closed).
    days_left: days from today to next_deadline (0 on the deadline itself).
    """

    this_year_deadline: dt.date
    this_year_passed: bool
    in_window: bool
    window_start: dt.date
    next_deadline: dt.date
    days_left: int


def annual_report(today: dt.date, rules: DeadlineRules) -> AnnualReportInfo:
    """Annual-report timing as of ``today``."""
    this_start = _on(today.year, rules.annual_report_start)
    this_deadline = _on(today.year, rules.annual_report_end)
    passed = today > this_deadline
    next_year = today.year + 1 if passed else today.year
    next_deadline = _on(next_year, rules.annual_report_end)
    return AnnualReportInfo(
        this_year_deadline=this_deadline,
        this_year_passed=passed,
        in_window=this_start <= today <= this_deadline,
        window_start=_on(next_year, rules.annual_report_start),
        next_deadline=next_deadline,
        days_left=(next_deadline - today).days,
    )


# --------------------------------------------------------------------------
# Review periods


def decision_deadline(acceptance: dt.date, rules: DeadlineRules) -> dt.date:
    """Last day for the authority's decision: acceptance + 60 calendar days."""
    return acceptance + dt.timedelta(days=rules.decision_days_after_acceptance)


@dataclass(frozen=True)
class CompletenessInfo:
    """The completeness check of an application submitted on ``submission``.

    deadline: the 5th working day after the submission day.
    caveat: some day counted lies in a year whose official holidays
        ``chinese_calendar`` does not know yet, so Monday–Friday was used for
        it and the real deadline may fall later.
    """

    submission: dt.date
    deadline: dt.date
    working_days: int
    caveat: bool


def is_working_day(day: dt.date) -> tuple[bool, bool]:
    """(is it a working day, was the official calendar known for it).

    Uses the official calendar (holidays, and weekend days worked in
    exchange); for an unpublished year, Monday–Friday.
    """
    try:
        return bool(chinese_calendar.is_workday(day)), True
    except NotImplementedError:
        return day.weekday() < 5, False


def completeness_deadline(submission: dt.date, rules: DeadlineRules) -> CompletenessInfo:
    """Deadline of the completeness check: the submission day is not counted."""
    day = submission
    counted = 0
    caveat = False
    while counted < rules.completeness_check_working_days:
        day += dt.timedelta(days=1)
        working, known = is_working_day(day)
        caveat = caveat or not known
        if working:
            counted += 1
    return CompletenessInfo(
        submission=submission,
        deadline=day,
        working_days=rules.completeness_check_working_days,
        caveat=caveat,
    )


def format_date(day: dt.date) -> str:
    """A date as users write it, without zero padding: 2027年4月1日."""
    template = str(load_vocabulary()["display"]["date"])
    return template.format(year=day.year, month=day.month, day=day.day)
