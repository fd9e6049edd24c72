"""Answers computed from a date the user gave: renewal windows from an expiry
or issue date, the completeness check and decision deadlines from a
submission or acceptance date, and the annual report's status today."""

from __future__ import annotations

import datetime as dt
from typing import Optional

from rasa_sdk.executor import CollectingDispatcher

from licence import deadlines
from licence.ruleset_loader import deadline_rules
from licence.reading import Facts

# FAQ topics whose answer is a date computed from a date the user gives, and
# whether that date lies ahead (an expiry) or behind (a submission, an acceptance)
# when the user leaves out the year.
DATE_TOPICS = {"renewal": "future", "acceptance_time": "past", "review_time": "past"}


def topic_date(topic: str, facts: Facts) -> Optional[dt.date]:
    """The date the message states that a deadline question on ``topic`` is
    about: ahead of today for an expiry, behind it for a submission, when the
    user left out the year."""
    if topic not in DATE_TOPICS:
        return None
    return facts.date_ahead if DATE_TOPICS[topic] == "future" else facts.date_behind


def answer_dated(
    dispatcher: CollectingDispatcher, topic: Optional[str], facts: Facts, today: dt.date
) -> bool:
    """Compute the dates of a deadline topic from the date the message states
    (``facts``, the NLU's reading); False (and nothing said) when the topic has
    no deadline or the message no date. A renewal question may give the issue
    date instead of the expiry."""
    if not topic:
        return False
    if topic == "renewal" and facts.issue_date and facts.date_behind is not None:
        answer_renewal_from_issue(dispatcher, facts.date_behind, today)
        return True
    when = topic_date(topic, facts)
    if when is None:
        return False
    answer_deadline(dispatcher, topic, when, today)
    return True


def answer_renewal_from_issue(dispatcher: CollectingDispatcher, issued: dt.date, today: dt.date) -> None:
    """Renewal dates for a licence the user says was issued on ``issued``."""
    rules = deadline_rules()
    expiry = deadlines.expiry_from_issue(issued, rules)
    dispatcher.utter_message(
        response="utter_deadline_expiry_from_issue",
        issued=deadlines.format_date(issued),
        expiry=deadlines.format_date(expiry),
        validity_years=rules.validity_years,
    )
    answer_deadline(dispatcher, "renewal", expiry, today)


def answer_deadline(dispatcher: CollectingDispatcher, topic: str, when: dt.date, today: dt.date) -> None:
    rules = deadline_rules()
    fmt = deadlines.format_date
    if topic == "renewal":
        info = deadlines.renewal(when, today, rules)
        dispatcher.utter_message(
            response="utter_deadline_renewal",
            expiry=fmt(when),
            last_day=fmt(info.last_day),
            window_start=fmt(info.window_start),
            renewal_days=rules.renewal_min_days_before_expiry,
        )
        dispatcher.utter_message(
            response=f"utter_deadline_renewal_status_{info.status}",
            renewal_days=rules.renewal_min_days_before_expiry,
        )
    elif topic == "acceptance_time":
        check = deadlines.completeness_deadline(when, rules)
        dispatcher.utter_message(
            response="utter_deadline_completeness",
            submission=fmt(when),
            deadline=fmt(check.deadline),
            completeness_days=rules.completeness_check_working_days,
        )
        if check.caveat:
            dispatcher.utter_message(response="utter_deadline_caveat", year=check.deadline.year)
    elif topic == "review_time":
        dispatcher.utter_message(
            response="utter_deadline_decision",
            acceptance=fmt(when),
            deadline=fmt(deadlines.decision_deadline(when, rules)),
            decision_days=rules.decision_days_after_acceptance,
        )
    else:  # pragma: no cover - callers pass DATE_TOPICS only
        raise ValueError(f"no deadline for topic {topic!r}")


def annual_report_status(dispatcher: CollectingDispatcher, today: dt.date) -> None:
    info = deadlines.annual_report(today, deadline_rules())
    fmt = deadlines.format_date
    if info.in_window:
        response = "utter_deadline_annual_report_in_window"
    elif info.this_year_passed:
        response = "utter_deadline_annual_report_passed"
    else:  # pragma: no cover - before 1 January cannot happen within a year
        response = "utter_deadline_annual_report_upcoming"
    dispatcher.utter_message(
        response=response,
        deadline=fmt(info.next_deadline),
        this_year_deadline=fmt(info.this_year_deadline),
        days_left=info.days_left,
    )
