"""Numbers in what users type: numerals, money and head counts.

Every reader takes raw user text, normalises it itself (``zhtext.normalise``)
and never raises on any ``str``; when it finds nothing it returns ``None``.

Units and conventions
- Money is in 万元 (10,000 RMB). ``parse_money_wan`` returns the amount the
  user wrote, even when it is negative or absurdly large: whether an amount is
  usable is the reader's question (``licence.limits`` for the interview).
- A bare number without a unit is read as 万 when below 10,000 and as 元
  otherwise ("500" -> 500万, "3000000" -> 300万).
- Chinese numerals go to ``cn2an``; two neighbouring digits are a range read
  as its lower bound (三四百 -> 300), and so is an approximate count (20来个 -> 20).
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Iterable
from dataclasses import dataclass

import cn2an

from zhtext.normalise import normalise, rewrite
from zhtext.vocabulary import load_vocabulary, longest_first, starts_with_any, vocabulary_words, word_pattern

__all__ = [
    "CN_DIGITS",
    "LARGE_UNITS",
    "NUMERAL_CHARS",
    "NUMBER_RUN_PATTERN",
    "MoneyMatch",
    "to_number",
    "remove_thousands_separators",
    "find_money",
    "parse_money_wan",
    "stated_amounts_wan",
    "format_wan",
    "chinese_numeral",
    "parse_count",
]

# Numeral grammar (tied to what cn2an understands, so kept next to the code).
CN_DIGITS = "零〇一二两三四五六七八九壹贰叁肆伍陆柒捌玖"
# 万 and 亿 multiply like the others and also end an amount of money (500万, 1.5亿).
LARGE_UNITS = "万亿"
_CN_MULTIPLIERS = "十百千拾佰仟" + LARGE_UNITS
# The characters of a number short of its large unit: digits, decimal points, Chinese
# numerals and multipliers below 万 (also the numeral class of the spaCy patterns).
NUMERAL_CHARS = "0123456789.点" + CN_DIGITS + "十百千拾佰仟"
# A run of digits, Chinese numerals and multipliers: 500, 五百万, 1.5亿, 三四百.
NUMBER_RUN_PATTERN = f"[{NUMERAL_CHARS}{LARGE_UNITS}]+"
_NUMBER_RUN_RE = re.compile(NUMBER_RUN_PATTERN)
_DIGIT_LIKE = frozenset("0123456789" + CN_DIGITS + "十拾")
_LEADING_JUNK = "百千万亿佰仟点."
_TRAILING_JUNK = "点."
_UNIT_FACTORS = {"万": 1e4, "亿": 1e8}
_THOUSANDS_RE = re.compile(r"(?<=\d),(?=\d{3}(?!\d))")


def remove_thousands_separators(text: str) -> str:
    """ "1,000,000" -> "1000000"; other commas stay."""
    return _THOUSANDS_RE.sub("", text)


def _prepare(text: str) -> str:
    """Normalised, lower-cased, thousands separators removed, English number
    words as digits ("a dozen" -> "12")."""
    return rewrite(remove_thousands_separators(normalise(text).lower()), "english_numbers")


# --------------------------------------------------------------------------
# Numbers


@dataclass(frozen=True)
class _Number:
    value: float
    start: int
    end: int
    has_multiplier: bool
    has_wan_yi: bool
    is_arabic: bool
    negative: bool


_CJK_RE = re.compile("[\u4e00-\u9fff]")
_CN_DIGIT_VALUES = {"一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_RANGE_RE = re.compile("^([一二两三四五六七八九])([二三四五六七八九])(?=[十百千万亿拾佰仟]|$)")


_TEENS_RANGE_RE = re.compile("^(.*十)([一二三四五六七八])([二三四五六七八九])$")


def _range_lower_bound(run: str) -> str:
    """Two neighbouring Chinese digits are a range, read as its lower bound:
    两三 -> 两, 三四百 -> 三百, 二三十 -> 二十, 十二三 -> 十二 (cn2an would read
    23, 340...). A bare 百 or 千 is one of them (百来号人, 千把块)."""
    match = _RANGE_RE.match(run)
    if match and _CN_DIGIT_VALUES[match.group(2)] == _CN_DIGIT_VALUES[match.group(1)] + 1:
        return match.group(1) + run[2:]
    teens = _TEENS_RANGE_RE.match(run)
    if teens and _CN_DIGIT_VALUES[teens.group(3)] == _CN_DIGIT_VALUES[teens.group(2)] + 1:
        return teens.group(1) + teens.group(2)
    if run[:1] in ("百", "千"):
        return "一" + run
    return run


def to_number(run: str) -> float | None:
    """The value of a run of digits and Chinese numerals ("五百万", "1.5亿",
    "三四百": a range, its lower bound), or ``None`` when it is no number."""
    run = _range_lower_bound(run)
    try:
        return float(cn2an.cn2an(run, "smart"))
    except Exception:  # noqa: BLE001 - cn2an raises several types on odd input
        pass
    match = re.fullmatch(r"(.*?)([万亿]+)", run)
    if match and match.group(1):
        base = to_number(match.group(1))
        if base is None:
            return None
        factor = 1.0
        for unit in match.group(2):
            factor *= _UNIT_FACTORS[unit]
        return base * factor
    return None


def _scan_numbers(text: str) -> list[_Number]:
    numbers: list[_Number] = []
    for match in _NUMBER_RUN_RE.finditer(text):
        run, start, end = match.group(), match.start(), match.end()
        # 百来号人, 千把块: a bare 百 or 千 before an approximation is one of them
        bare_hundreds = run in ("百", "千") and text[end : end + 1] in ("来", "多", "余", "把")
        while run and run[0] in _LEADING_JUNK and not bare_hundreds:
            run, start = run[1:], start + 1
        while run and run[-1] in _TRAILING_JUNK:
            run, end = run[:-1], end - 1
        if not run or not (bare_hundreds or any(char in _DIGIT_LIKE for char in run)):
            continue
        value = to_number(run)
        if value is None or not math.isfinite(value):
            continue
        before = text[:start].rstrip()
        negative = before.endswith("负") or (
            before.endswith(("-", "−")) and before[:-1].rstrip()[-1:] not in _DIGIT_LIKE
        )
        numbers.append(
            _Number(
                value=value,
                start=start,
                end=end,
                has_multiplier=any(char in _CN_MULTIPLIERS for char in run),
                has_wan_yi=any(char in "万亿" for char in run),
                is_arabic=any(char.isdigit() and char.isascii() for char in run),
                negative=negative,
            )
        )
    return numbers


def _residue_is_empty(text: str, start: int, end: int, extra: Iterable[str] = ()) -> bool:
    """True when ``text`` without ``text[start:end]`` holds only filler words."""
    residue = text[:start].rstrip("-−负 ") + " " + text[end:]
    fillers = longest_first(
        list(vocabulary_words("yes_no", "leading_fillers"))
        + list(vocabulary_words("yes_no", "trailing_particles"))
        + list(vocabulary_words("approximations"))
        + list(extra)
    )
    residue = word_pattern(fillers).sub("", residue)
    return not re.sub(r"[\W_]+", "", residue)


# --------------------------------------------------------------------------
# Money


@dataclass(frozen=True)
class MoneyMatch:
    """An amount found in text: ``wan`` in 万元; ``has_unit`` when the user
    wrote a unit (万, 亿, 元, w, million ...) rather than a bare number."""

    wan: float
    has_unit: bool


_SCIENTIFIC_RE = re.compile(r"(?<![a-z0-9.])([-−]?)(\d+(?:\.\d+)?e[+-]?\d{1,3})(?![a-z0-9.])\s*([万亿元块])?")
_SPACE_BEFORE_UNIT_RE = re.compile(rf"(?<=[0-9{CN_DIGITS}{_CN_MULTIPLIERS}])\s+(?=[万亿元块])")


@functools.lru_cache(maxsize=1)
def _english_money_re() -> re.Pattern[str]:
    units = load_vocabulary()["money"]["english"]
    names = "|".join(re.escape(str(name)) for name in longest_first(str(u) for u in units))
    return re.compile(rf"([-−]?)(\d+(?:\.\d+)?)\s*({names})(?![a-z])")


@functools.lru_cache(maxsize=1)
def _wan_suffix_re() -> re.Pattern[str]:
    names = "|".join(re.escape(word) for word in vocabulary_words("money", "wan"))
    return re.compile(rf"(?<=[0-9{CN_DIGITS}{_CN_MULTIPLIERS}])\s*(?:{names})(?![a-z])")


def _money_text(text: str) -> str:
    prepared = _prepare(text).replace("个亿", "亿")
    prepared = _wan_suffix_re().sub("万", prepared)
    return _SPACE_BEFORE_UNIT_RE.sub("", prepared)


def _money_candidates(text: str) -> list[MoneyMatch]:
    prepared = _money_text(text)
    english_units = {str(k).lower(): float(v) for k, v in load_vocabulary()["money"]["english"].items()}
    candidates: list[tuple[int, MoneyMatch]] = []

    def blank(match: re.Match[str]) -> str:
        sign = -1.0 if match.group(1) else 1.0
        amount = sign * float(match.group(2)) * english_units[match.group(3)]
        candidates.append((match.start(), MoneyMatch(wan=amount, has_unit=True)))
        return " " * len(match.group())

    prepared = _english_money_re().sub(blank, prepared)

    def blank_scientific(match: re.Match[str]) -> str:
        try:
            value = float(match.group(2))
        except OverflowError:
            value = math.inf
        sign = -1.0 if match.group(1) else 1.0
        unit = match.group(3)
        if unit in _UNIT_FACTORS:
            wan = value * _UNIT_FACTORS[unit] / 1e4
        elif unit:
            wan = value / 1e4
        else:
            wan = value / 1e4 if value >= 1e4 else value
        candidates.append((match.start(), MoneyMatch(wan=sign * wan, has_unit=bool(unit))))
        return " " * len(match.group())

    prepared = _SCIENTIFIC_RE.sub(blank_scientific, prepared)
    yuan_words = vocabulary_words("money", "yuan")
    blocked = longest_first(vocabulary_words("count", "classifiers") + vocabulary_words("non_quantity_units"))
    for number in _scan_numbers(prepared):
        following = prepared[number.end :].lstrip()
        sign = -1.0 if number.negative else 1.0
        if _skip_approximation(following) != following:
            continue  # "20来个人" is a head count, not money
        if number.has_wan_yi:
            candidates.append((number.start, MoneyMatch(sign * number.value / 1e4, True)))
            continue
        if starts_with_any(following, yuan_words):
            candidates.append((number.start, MoneyMatch(sign * number.value / 1e4, True)))
            continue
        if starts_with_any(following, blocked):
            continue
        whole = _residue_is_empty(prepared, number.start, number.end, vocabulary_words("money", "yuan"))
        if not (number.is_arabic or number.has_multiplier or whole):
            continue
        wan = number.value / 1e4 if number.value >= 1e4 else number.value
        candidates.append((number.start, MoneyMatch(sign * wan, False)))
    candidates.sort(key=lambda item: item[0])
    return [match for _, match in candidates]


def find_money(text: str) -> MoneyMatch | None:
    """The amount the text states, preferring one written with a unit.

    Among several amounts the last one with a unit wins ("从100万增到500万"
    -> 500); a bare number is used only when no amount has a unit. Numbers
    followed by a classifier or a date unit (3个人, 2027年) are not money.
    """
    candidates = _money_candidates(text)
    with_unit = [match for match in candidates if match.has_unit]
    pool = with_unit or candidates
    if not pool:
        return None
    chosen = pool[-1]
    return MoneyMatch(wan=round(chosen.wan, 6), has_unit=chosen.has_unit)


def parse_money_wan(text: str) -> float | None:
    """Registered capital in 万元, or ``None`` when the text states no amount.

    "五百万" "500万元" "800w" "0.2亿" "一个亿" "3000000元" "5 million" -> 500,
    500, 800, 2000, 10000, 300, 500. A bare number is 万 below 10,000 and 元
    from 10,000 up. Negative amounts ("-5万", "负五万") come back negative and
    huge ones unchanged (``licence.limits`` says whether one is usable).
    """
    match = find_money(text)
    return None if match is None else match.wan


def stated_amounts_wan(text: str) -> list[float]:
    """Every amount written with a unit (万, 亿, 元, kw, million...), in 万元 and in
    order: "认缴1000万，实缴100万" -> [1000, 100]. Bare numbers are left out."""
    return [round(match.wan, 6) for match in _money_candidates(text) if match.has_unit]


def _format_number(value: float) -> str:
    return f"{value:.6f}".rstrip("0").rstrip(".")


def format_wan(wan: float) -> str:
    """Display an amount in 万元: 500 -> "500万元", 99.99 -> "99.99万元"."""
    template = str(load_vocabulary()["display"]["wan"])
    return template.format(amount=_format_number(wan))


# --------------------------------------------------------------------------
# Head counts


def chinese_numeral(number: int) -> str:
    """A whole number as written in Chinese numerals, for article numbers
    (27 -> 二十七, 10 -> 十)."""
    if number < 0:
        raise ValueError(f"no Chinese numeral for {number}")
    return str(cn2an.an2cn(number))


def _skip_approximation(following: str) -> str:
    """``following`` without a leading "about" marker (来/多/余/几) when a
    classifier comes right after it: "来个人" -> "个人"; "多万" stays."""
    suffix = starts_with_any(following, vocabulary_words("count", "approximate_suffixes"))
    if suffix is None:
        return following
    rest = following[len(suffix) :].lstrip()
    return rest if starts_with_any(rest, vocabulary_words("count", "classifiers")) else following


def parse_count(text: str) -> int | None:
    """A head count: "3个人", "三名", "两个", "社保交了8个", "有12位员工交社保",
    an approximate one read as the number given ("20来个人", "十几个", "三十多名"
    -> 20, 10, 30: a lower bound), or a bare number that is the whole answer ("5").

    Amounts of money (500万, 800w, 3000元) and dates are not counts. A
    negative count comes back negative (``licence.limits`` judges it);
    fractions give ``None``.
    """
    prepared = _money_text(text)
    classifiers = vocabulary_words("count", "classifiers")
    not_after = vocabulary_words("count", "not_after_classifier")
    blocked = longest_first(vocabulary_words("non_quantity_units") + vocabulary_words("money", "yuan"))
    staff_cues = vocabulary_words("staff_cues")
    for number in _scan_numbers(prepared):
        if number.has_wan_yi or not float(number.value).is_integer():
            continue
        following = _skip_approximation(prepared[number.end :].lstrip())
        value = -int(number.value) if number.negative else int(number.value)
        classifier = starts_with_any(following, classifiers)
        if classifier is not None:
            if starts_with_any(following[len(classifier) :].lstrip(), not_after) is None:
                return value
            continue
        if starts_with_any(following, blocked) is not None:
            continue
        if _residue_is_empty(prepared, number.start, number.end):
            return value
        glued = (
            not number.is_arabic
            and number.end - number.start == 1
            and _CJK_RE.match(prepared[number.end : number.end + 1]) is not None
        )
        if glued:
            continue  # 一直, 一起, 两边: a word, not a number
        if any(cue in prepared[: number.start] for cue in staff_cues):
            return value
    return None
