"""Dates in what users type: a calendar date, and whether it is a licence's issue date.

``parse_date`` reads absolute dates (2027年6月30日, 2027-06-30, 20270630,
二〇二七年六月三十日), relative ones (明年6月底, 下个月15号, 3个月后) and
dates without a year, against the ``today`` it is given. It normalises the
text itself and never raises on any ``str``. The relative words, the parts of
a month (初/中旬/底) and the issue and expiry cues are the ``dates`` section of
``vocabulary.yml``.
"""

from __future__ import annotations

import calendar
import datetime as dt
import functools
import re
from typing import Literal

from zhtext.normalise import normalise
from zhtext.numbers import CN_DIGITS, to_number
from zhtext.vocabulary import load_vocabulary, longest_first

__all__ = ["DATE_CN_NUMERALS", "parse_date", "is_issue_date"]

# The Chinese numerals of a year, month or day (二〇二七年, 三十号); read with to_number.
DATE_CN_NUMERALS = CN_DIGITS + "十"
_CN_DATE_NUMBER_RE = re.compile(f"([{DATE_CN_NUMERALS}]+)(?=[年月日号天]|个月)")


def _arabic_date_numbers(text: str) -> str:
    def convert(match: re.Match[str]) -> str:
        value = to_number(match.group(1))
        return match.group(1) if value is None else str(int(value))

    return _CN_DATE_NUMBER_RE.sub(convert, text)


def _year(raw: str) -> int:
    value = int(raw)
    return 2000 + value if len(raw) <= 2 else value


def _add_months(year: int, month: int, delta: int) -> tuple[int, int]:
    total = year * 12 + (month - 1) + delta
    return total // 12, total % 12 + 1


def _safe_date(year: int, month: int, day: int) -> dt.date | None:
    try:
        return dt.date(year, month, day)
    except (ValueError, OverflowError):
        return None


def _month_day(year: int, month: int, part: str | None, month_only: str) -> dt.date | None:
    if not 1 <= month <= 12 or not dt.MINYEAR <= year <= dt.MAXYEAR:
        return None
    last = calendar.monthrange(year, month)[1]
    where = part or month_only
    day = {"start": 1, "middle": 15, "end": last}[where]
    return dt.date(year, month, day)


def _year_part(year: int, part: str) -> dt.date | None:
    month, day = {"start": (1, 1), "middle": (6, 30), "end": (12, 31)}[part]
    return _safe_date(year, month, day)


def _period(part: str | None) -> str | None:
    if not part:
        return None
    parts = load_vocabulary()["dates"]["period_parts"]
    return str(parts[part])


@functools.lru_cache(maxsize=1)
def _date_patterns() -> dict[str, re.Pattern[str]]:
    section = load_vocabulary()["dates"]
    years = "|".join(map(re.escape, longest_first(section["relative_years"])))
    months = "|".join(map(re.escape, longest_first(section["relative_months"])))
    days = "|".join(map(re.escape, longest_first(section["relative_days"])))
    parts = "|".join(map(re.escape, longest_first(section["period_parts"])))
    after = "|".join(map(re.escape, longest_first(section["after_words"])))
    return {
        "ymd": re.compile(
            r"(?<!\d)(?:(\d{4})\s*[-/.]\s*(\d{1,2})\s*[-/.]\s*(\d{1,2})"
            r"|(\d{4}|\d{2})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2}))(?!\d)"
        ),
        "compact": re.compile(r"(?<!\d)(\d{4})(\d{2})(\d{2})(?!\d)"),
        "ym": re.compile(
            rf"(?<!\d)(?:(\d{{4}})\s*[-/.]\s*(\d{{1,2}})(?![\d.])|(\d{{4}}|\d{{2}})\s*年\s*(\d{{1,2}})\s*月)"
            rf"\s*({parts})?"
        ),
        "y": re.compile(rf"(?<!\d)(\d{{4}})\s*年\s*({parts})?"),
        "year_part": re.compile(rf"年\s*({parts})"),
        "rel_year": re.compile(
            rf"({years})\s*(?:(\d{{1,2}})\s*月\s*(?:(\d{{1,2}})|({parts}))?|年?({parts})|)"
        ),
        "rel_month": re.compile(rf"({months})\s*(?:(\d{{1,2}})\s*[日号]|({parts}))?"),
        "rel_day": re.compile(rf"({days})"),
        "after": re.compile(rf"(\d{{1,4}})\s*(天|个月|年)\s*(?:{after})"),
        "md": re.compile(rf"(?<!\d)(\d{{1,2}})\s*月\s*(?:(\d{{1,2}})\s*[日号]?|({parts}))?"),
        "d": re.compile(r"(?<![\d月])(\d{1,2})\s*[日号]"),
    }


def is_issue_date(text: str) -> bool:
    """The date in ``text`` is when the licence was issued ("2022年3月15日拿的证"),
    not when it expires ("2027年6月30日到期", "有效期至…")."""
    prepared = normalise(text).lower()
    section = load_vocabulary()["dates"]
    if any(re.search(str(pattern), prepared) for pattern in section["expiry_patterns"]):
        return False
    return any(str(cue) in prepared for cue in section["issue_cues"])


def parse_date(
    text: str,
    today: dt.date,
    *,
    month_only: Literal["start", "end"] = "start",
    yearless: Literal["future", "past"] = "future",
) -> dt.date | None:
    """A calendar date from what the user typed, or ``None``.

    Understands 2027年6月30日, 2027-06-30, 2027/6/30, 2027.6.30, 20270630,
    二〇二七年六月三十日, 27年6月30号, 明年6月底, 今年年底, 下个月15号, 明天,
    3个月后, 后年.

    - No year (6月30号, 6月底, 15号): the nearest occurrence on or after
      ``today``; with ``yearless="past"`` (a submission or acceptance date,
      which has already happened) the nearest on or before ``today``.
    - Month without a day (2027年6月, 明年3月) and year alone (2028年, 后年):
      the first day of that month or year by default, because a date used to
      work out a deadline should err early; pass ``month_only="end"`` for the
      last day. 底/末 always mean the last day, 初 the first, 中旬 the 15th.
    """
    try:
        return _parse_date(text, today, month_only, yearless == "past")
    except (ValueError, OverflowError, KeyError):
        return None


def _parse_date(text: str, today: dt.date, month_only: str, past: bool = False) -> dt.date | None:
    prepared = _arabic_date_numbers(normalise(text).lower())
    section = load_vocabulary()["dates"]
    patterns = _date_patterns()

    if match := patterns["ymd"].search(prepared):
        year, month, day = (g for g in match.groups() if g is not None)
        return _safe_date(_year(year), int(month), int(day))
    if match := patterns["compact"].search(prepared):
        return _safe_date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
    if match := patterns["ym"].search(prepared):
        year, month = (g for g in match.groups()[:4] if g is not None)
        return _month_day(_year(year), int(month), _period(match.group(5)), month_only)
    if match := patterns["rel_year"].search(prepared):
        year = today.year + int(section["relative_years"][match.group(1)])
        if match.group(2):
            month = int(match.group(2))
            if match.group(3):
                return _safe_date(year, month, int(match.group(3)))
            return _month_day(year, month, _period(match.group(4)), month_only)
        return _year_part(year, _period(match.group(5)) or month_only)
    if match := patterns["y"].search(prepared):
        return _year_part(int(match.group(1)), _period(match.group(2)) or month_only)
    if match := patterns["year_part"].search(prepared):
        return _year_part(today.year, _period(match.group(1)) or month_only)
    if match := patterns["rel_month"].search(prepared):
        year, month = _add_months(today.year, today.month, int(section["relative_months"][match.group(1)]))
        if match.group(2):
            return _safe_date(year, month, int(match.group(2)))
        return _month_day(year, month, _period(match.group(3)), month_only)
    if match := patterns["rel_day"].search(prepared):
        return today + dt.timedelta(days=int(section["relative_days"][match.group(1)]))
    if match := patterns["after"].search(prepared):
        amount, unit = int(match.group(1)), match.group(2)
        if unit == "天":
            return today + dt.timedelta(days=amount)
        year, month = _add_months(today.year, today.month, amount * (12 if unit == "年" else 1))
        return _safe_date(year, month, min(today.day, calendar.monthrange(year, month)[1]))
    if match := patterns["md"].search(prepared):
        month = int(match.group(1))
        if not 1 <= month <= 12:
            return None
        years = (today.year, today.year - 1) if past else (today.year, today.year + 1)
        for year in years:
            if match.group(2):
                candidate = _safe_date(year, month, int(match.group(2)))
            else:
                candidate = _month_day(year, month, _period(match.group(3)), month_only)
                if candidate is not None and not match.group(3) and year == today.year and not past:
                    # "6月" names the whole month: still current while we are in it.
                    end = _month_day(year, month, "end", month_only)
                    if end is not None and end >= today:
                        return candidate
            if candidate is not None and (candidate <= today if past else candidate >= today):
                return candidate
        return None
    if match := patterns["d"].search(prepared):
        day = int(match.group(1))
        for delta in (0, -1, -2) if past else (0, 1, 2):
            year, month = _add_months(today.year, today.month, delta)
            candidate = _safe_date(year, month, day)
            if candidate is not None and (candidate <= today if past else candidate >= today):
                return candidate
    return None
