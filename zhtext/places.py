"""Where a user operates: provinces named in text, and 全网 or 地网 coverage.

A province is named by its name, alias, city or English name anywhere in a
message, or by its one-character abbreviation in a compound form only (沪企,
在京; see ``abbreviation_compounds`` in ``provinces.yml``). Provinces are
returned as their canonical short name ("广东", "内蒙古"). Every reader
normalises the text itself and never raises on any ``str``.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from dataclasses import dataclass

from zhtext.normalise import normalise, strip_fillers
from zhtext.vocabulary import (
    load_provinces,
    load_vocabulary,
    load_yaml,
    longest_first,
    starts_with_any,
    vocabulary_words,
    word_pattern,
)

__all__ = [
    "ProvinceMention",
    "province_mentions",
    "find_provinces",
    "parse_province",
    "province_full_name",
    "is_mainland",
    "parse_coverage",
    "NATIONWIDE",
    "SINGLE_PROVINCE",
]


@dataclass(frozen=True)
class ProvinceMention:
    """A province named in text: canonical short name and where it was named."""

    short: str
    start: int
    end: int
    negated: bool


@dataclass(frozen=True)
class _ProvinceIndex:
    by_name: Mapping[str, str]
    by_abbr: Mapping[str, str]
    full: Mapping[str, str]
    mainland: Mapping[str, bool]
    pattern: re.Pattern[str]
    by_english: Mapping[str, str]
    english_pattern: re.Pattern[str]


@functools.lru_cache(maxsize=1)
def _province_index() -> _ProvinceIndex:
    by_name: dict[str, str] = {}
    by_abbr: dict[str, str] = {}
    full: dict[str, str] = {}
    mainland: dict[str, bool] = {}
    by_english: dict[str, str] = {}
    for entry in load_provinces():
        short = str(entry["short"])
        full[short] = str(entry["full"])
        mainland[short] = bool(entry.get("mainland", True))
        names = [short, str(entry["full"])] + [str(n) for n in entry.get("aliases") or []]
        names += [str(n) for n in entry.get("cities") or []]
        for name in names:
            by_name[name] = short
        for abbr in entry.get("abbr") or []:
            by_abbr[str(abbr)] = short
        for name in entry.get("english") or []:
            by_english[str(name).lower()] = short
    pattern = word_pattern(tuple(by_name))
    english = "|".join(re.escape(name) for name in longest_first(by_english))
    english_pattern = re.compile(rf"\b(?:{english})\b") if english else re.compile(r"(?!x)x")
    return _ProvinceIndex(by_name, by_abbr, full, mainland, pattern, by_english, english_pattern)


@dataclass(frozen=True)
class _CompoundSuffix:
    suffix: str
    only: frozenset[str] | None  # abbreviations it combines with; None: all
    not_followed_by: tuple[str, ...]


@dataclass(frozen=True)
class _CompoundRules:
    """``abbreviation_compounds`` of provinces.yml (see the comments there)."""

    by_abbr: Mapping[str, str]  # abbreviation allowed in a compound -> short name
    prefixes: tuple[str, ...]
    after_prefix: tuple[str, ...]
    suffixes: tuple[_CompoundSuffix, ...]
    before_suffix: tuple[str, ...]


@functools.lru_cache(maxsize=1)
def _compound_rules() -> _CompoundRules:
    spec = load_yaml("provinces.yml")["abbreviation_compounds"]
    all_abbr = _province_index().by_abbr
    by_abbr: dict[str, str] = {}
    for abbr in spec["abbreviations"]:
        if str(abbr) not in all_abbr:
            raise ValueError(f"provinces.yml: compound abbreviation {abbr!r} is no province's abbr")
        by_abbr[str(abbr)] = all_abbr[str(abbr)]
    suffixes = []
    for item in spec["suffixes"]:
        only = item.get("only")
        if only is not None and not {str(a) for a in only} <= set(by_abbr):
            raise ValueError(
                f"provinces.yml: suffix {item['suffix']!r} allows an abbreviation not in `abbreviations`"
            )
        suffixes.append(
            _CompoundSuffix(
                str(item["suffix"]),
                None if only is None else frozenset(str(a) for a in only),
                longest_first(str(w) for w in item.get("not_followed_by") or []),
            )
        )
    return _CompoundRules(
        by_abbr,
        longest_first(str(w) for w in spec["prefixes"]),
        longest_first(str(w) for w in spec["after_prefix"]),
        tuple(suffixes),
        longest_first(str(w) for w in spec["before_suffix"]),
    )


# Punctuation that joins a list rather than ending a word: 豫、冀、鲁; 京/沪.
_LIST_SEPARATORS = frozenset("、/&+-·|")


def _word_ends_before(text: str, start: int, words: tuple[str, ...]) -> bool:
    """The word ending at ``start`` ends there: start of text, punctuation
    (not a list separator) or one of ``words`` just before."""
    preceding = text[:start].rstrip()
    if not preceding:
        return True
    last = preceding[-1]
    if not last.isalnum() and last not in _LIST_SEPARATORS:
        return True
    return len(preceding) == start and preceding.endswith(words)


def _word_ends_after(text: str, end: int, words: tuple[str, ...]) -> bool:
    """The word ending at ``end`` ends there: end of text, punctuation (not a
    list separator) or one of ``words`` just after."""
    following = text[end:].lstrip()
    if not following:
        return True
    first = following[0]
    if not first.isalnum() and first not in _LIST_SEPARATORS:
        return True
    return len(following) == len(text) - end and following.startswith(words)


def _compound_spans(text: str) -> list[tuple[str, int, int]]:
    """(short name, start, end) of the province abbreviations ``text`` uses in a
    compound form: 在沪 -> the span of 沪, 沪企 -> of 沪企. See
    ``abbreviation_compounds`` in provinces.yml."""
    rules = _compound_rules()
    spans = []
    for start, char in enumerate(text):
        short = rules.by_abbr.get(char)
        if short is None:
            continue
        end = start + 1
        if text[:start].endswith(rules.prefixes) and _word_ends_after(text, end, rules.after_prefix):
            spans.append((short, start, end))
            continue
        for suffix in rules.suffixes:
            if suffix.only is not None and char not in suffix.only:
                continue
            if not text.startswith(suffix.suffix, end):
                continue
            after = end + len(suffix.suffix)
            if suffix.not_followed_by and text.startswith(suffix.not_followed_by, after):
                continue
            if _word_ends_before(text, start, rules.before_suffix):
                spans.append((short, start, after))
                break
    return spans


_PROVINCE_NEGATION_RE = re.compile(r"(不是|不在|并非|不|非)$")
# "北京路", "南京东路": a street named after a place, not the place.
_STREET_RE = re.compile(r"[东西南北中]?(路|街|大道|大街)")


def province_mentions(text: str) -> list[ProvinceMention]:
    """Every province named in already-normalised ``text``, left to right: by
    name, alias or city, or by an abbreviation in a compound form (沪企, 在京;
    see ``abbreviation_compounds`` in provinces.yml). ``negated`` when preceded
    by 不是/不在/非. Street names (北京路, 南京东路) are not mentions."""
    index = _province_index()
    found: list[tuple[str, int, int]] = []
    names: list[tuple[int, int]] = []
    for match in index.pattern.finditer(text):
        names.append((match.start(), match.end()))
        if not _STREET_RE.match(text, match.end()):
            found.append((index.by_name[match.group()], match.start(), match.end()))
    for match in index.english_pattern.finditer(text.lower()):
        found.append((index.by_english[match.group()], match.start(), match.end()))
    for short, start, end in _compound_spans(text):
        # 南京企业, 在鄂尔多斯: the character belongs to a name
        if not any(start < name_end and name_start < end for name_start, name_end in names):
            found.append((short, start, end))
    found.sort(key=lambda item: item[1])
    return [
        ProvinceMention(short, start, end, bool(_PROVINCE_NEGATION_RE.search(text[:start].rstrip())))
        for short, start, end in found
    ]


def find_provinces(text: str) -> list[str]:
    """Distinct provinces named (not negated) in ``text``, in order of mention."""
    seen: list[str] = []
    for mention in province_mentions(normalise(text)):
        if not mention.negated and mention.short not in seen:
            seen.append(mention.short)
    return seen


def _province_abbreviation(text: str) -> str | None:
    index = _province_index()
    cleaned = strip_fillers(text)
    cleaned = re.sub(r"(省|市|地区|这边|那边|的)+$", "", cleaned)
    return index.by_abbr.get(cleaned)


def parse_province(text: str) -> str | None:
    """Canonical short name of the province the text names: "广东省", "粤",
    "深圳" -> "广东"; "内蒙" -> "内蒙古". With several, the last one not
    negated wins ("不是北京，是上海" -> "上海"). One-character abbreviations
    count as the whole answer ("粤") or in a compound form ("我们是沪企",
    "在京", "驻沪"; see ``abbreviation_compounds`` in provinces.yml), never
    elsewhere (申请, 京东, 阿里云).
    """
    prepared = normalise(text)
    mentions = [m for m in province_mentions(prepared) if not m.negated]
    if mentions:
        return mentions[-1].short
    return _province_abbreviation(prepared.lower())


def province_full_name(short: str) -> str:
    """Official full name: "广东" -> "广东省", "北京" -> "北京市", "内蒙古" ->
    "内蒙古自治区". Accepts anything ``parse_province`` resolves; raises
    ``ValueError`` otherwise."""
    index = _province_index()
    key = short if short in index.full else parse_province(short)
    if key is None:
        raise ValueError(f"unknown province: {short!r}")
    return index.full[key]


def is_mainland(short: str) -> bool:
    """False for Hong Kong, Macao and Taiwan (no 通信管理局 licence there)."""
    index = _province_index()
    if short not in index.mainland:
        raise ValueError(f"unknown province: {short!r}")
    return index.mainland[short]


# --------------------------------------------------------------------------
# Coverage

_COVERAGE_NEGATION_RE = re.compile(r"(不是|并非|不|没有|没|非)$")
NATIONWIDE = "全网"
SINGLE_PROVINCE = "地网"


def _flip_coverage(value: str) -> str:
    return SINGLE_PROVINCE if value == NATIONWIDE else NATIONWIDE


def parse_coverage(text: str) -> str | None:
    """ "全网" or "地网" from the words users use, or ``None``.

    全网: 全网 全国 跨省 跨地区 全国性 多个省 好几个省 ...; 地网: 地网 省网 本地网
    省内 本省 一个省, "只在/只做 + province or 本地", "province + 本地". A
    negation right before flips it ("不是全网" -> 地网). The last one wins.
    """
    prepared = normalise(text).lower()
    section = load_vocabulary()["coverage"]
    findings: list[tuple[int, str]] = []

    def add(start: int, value: str) -> None:
        if _COVERAGE_NEGATION_RE.search(prepared[:start].rstrip()):
            value = _flip_coverage(value)
        findings.append((start, value))

    nationwide = vocabulary_words("coverage", "nationwide")
    single = vocabulary_words("coverage", "single")
    for match in word_pattern(nationwide + single).finditer(prepared):
        add(match.start(), NATIONWIDE if match.group() in nationwide else SINGLE_PROVINCE)

    mentions = province_mentions(prepared)
    local_words = longest_first(
        [str(w) for w in section["after_province"]] + ["本地", "本省", "省内", "一个省"]
    )
    for match in word_pattern(vocabulary_words("coverage", "limit_prefixes")).finditer(prepared):
        following = prepared[match.end() :].lstrip()
        offset = len(prepared) - len(following)
        if starts_with_any(following, local_words) or any(m.start == offset for m in mentions):
            add(match.start(), SINGLE_PROVINCE)
    after_province = vocabulary_words("coverage", "after_province")
    for mention in mentions:
        if starts_with_any(prepared[mention.end :].lstrip(), after_province):
            findings.append((mention.start, SINGLE_PROVINCE))
    if not findings:
        return None
    findings.sort(key=lambda item: item[0])
    return findings[-1][1]
