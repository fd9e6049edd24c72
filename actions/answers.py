"""Answers on one topic of the knowledge base, with dates computed where the user
gave one. Used by the FAQ action, follow-ups and bare date answers."""

from __future__ import annotations

import datetime as dt
from typing import List, Optional, Tuple

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from licence import deadlines
from licence.engine import capital_comparison, deadline_rules, faq_vars, need_check
from licence.parsing import (
    format_wan,
    is_issue_date,
    money_value_problem,
    parse_coverage,
    parse_date,
    stated_amounts_wan,
)

# FAQ topics whose answer is a date computed from a date the user gives, and
# whether that date lies ahead (an expiry) or behind (a submission, an acceptance)
# when the user leaves out the year.
DATE_TOPICS = {"renewal": "future", "acceptance_time": "past", "review_time": "past"}


RETRIEVAL_INTENT = "faq"


def faq_prediction(tracker: Tracker) -> Tuple[Optional[str], float]:
    """The FAQ topic of the latest message, with its confidence.

    The ResponseSelector's choice, unless the intent classifier's own fine-grained
    label (components/classifier.py, ``fine_intent``) names another FAQ topic with
    more confidence: the two err on different questions, and taking the more
    confident one answered 0.896 of the held-out FAQ questions right against
    0.863 for either alone.
    """
    message = tracker.latest_message or {}
    selector = (message.get("response_selector") or {}).get(RETRIEVAL_INTENT) or {}
    response = selector.get("response") or {}
    candidates = [
        (response.get("intent_response_key") or "", float(response.get("confidence") or 0.0))
    ]
    fine = message.get("fine_intent") or {}
    candidates.append((fine.get("name") or "", float(fine.get("confidence") or 0.0)))
    key, confidence = max(
        (c for c in candidates if c[0].startswith(f"{RETRIEVAL_INTENT}/")),
        key=lambda c: c[1],
        default=("", 0.0),
    )
    if not key:
        return None, 0.0
    return key.split("/", 1)[1], confidence


def answer_need(dispatcher: CollectingDispatcher, activity: str) -> List[EventType]:
    """Whether ``activity`` needs the licence, and the slots the need check sets."""
    result = need_check(activity)
    dispatcher.utter_message(response="utter_need_answer", answer=result.answer)
    return [
        SlotSet("business_activity", activity),
        SlotSet("licence_needed", result.licence_needed),
    ]


def topic_date(topic: str, text: str, today: dt.date) -> Optional[dt.date]:
    """The date in ``text`` that a deadline question on ``topic`` is about."""
    if topic not in DATE_TOPICS:
        return None
    return parse_date(text, today, yearless=DATE_TOPICS[topic])  # type: ignore[arg-type]


def answer_topic(
    dispatcher: CollectingDispatcher, topic: str, text: str, today: dt.date
) -> None:
    """Answer ``faq/<topic>``; for deadline topics with a date in ``text``, compute."""
    if answer_dated(dispatcher, topic, text, today):
        return
    if topic == "capital" and answer_capital_amount(dispatcher, text):
        return
    dispatcher.utter_message(response=f"utter_faq/{topic}", **faq_vars())
    if topic == "annual_report":
        annual_report_status(dispatcher, today)


def answer_capital_amount(dispatcher: CollectingDispatcher, text: str) -> bool:
    """"注册资本1kw想办全网 够不够": compare the amount with the threshold of the
    scope named, or of both scopes. The largest amount stated counts, because
    subscribed capital counts ("认缴1000万实缴100万" has 1000万). False (and
    nothing said) when the text states no usable amount with a unit."""
    amounts = [wan for wan in stated_amounts_wan(text) if money_value_problem(wan) is None]
    if not amounts:
        return False
    amount = max(amounts)
    for row in capital_comparison(amount, parse_coverage(text)):
        if row["enough"]:
            dispatcher.utter_message(response="utter_capital_enough", amount=format_wan(amount), **row)
        else:
            dispatcher.utter_message(response="utter_capital_short", amount=format_wan(amount), **row)
    dispatcher.utter_message(response="utter_capital_subscribed", **faq_vars())
    return True


def answer_dated(
    dispatcher: CollectingDispatcher, topic: Optional[str], text: str, today: dt.date
) -> bool:
    """Compute the dates of a deadline topic from the date in ``text``; False
    (and nothing said) when the topic has no deadline or the text no date.
    A renewal question may give the issue date instead of the expiry."""
    if not topic:
        return False
    if topic == "renewal" and is_issue_date(text):
        issued = parse_date(text, today, yearless="past")
        if issued is not None:
            answer_renewal_from_issue(dispatcher, issued, today)
            return True
    when = topic_date(topic, text, today)
    if when is None:
        return False
    answer_deadline(dispatcher, topic, when, today)
    return True


def answer_renewal_from_issue(
    dispatcher: CollectingDispatcher, issued: dt.date, today: dt.date
) -> None:
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


def answer_deadline(
    dispatcher: CollectingDispatcher, topic: str, when: dt.date, today: dt.date
) -> None:
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
            dispatcher.utter_message(
                response="utter_deadline_caveat", year=check.deadline.year
            )
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
