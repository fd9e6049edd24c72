"""Yes/no answers stated by cue words, with the negation around them read.

``boolean_mentions(clause, requested)`` maps the yes/no slots a clause names
(company type, office, system, credit, foreign investment...) to the value it
states: "没有外资" -> foreign_investment False. The cue words live in
``licence/data/vocabulary.yml``; a slot's ``reply_cues`` count only while the
bot asks that slot.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from licence.vocabulary import domain_words, load_domain_vocabulary
from zhtext.replies import negation_count
from zhtext.vocabulary import word_pattern

__all__ = ["boolean_mentions", "foreign_ownership"]

_COUNT_EXPRESSION_RE = re.compile(r"[0-9零〇一二两三四五六七八九十百千几]+\s*个人")


def _words(*path: str) -> tuple[str, ...]:
    return domain_words(*path)


def _has_any(text: str, words: tuple[str, ...]) -> bool:
    return any(word in text for word in words)


@dataclass(frozen=True)
class _Cue:
    slot: str
    affirmed_value: bool
    # the value whatever the negation ("还没找场地" and "在找场地" both mean none)
    fixed: bool = False


@functools.lru_cache(maxsize=32)
def _cue_table(
    include_when_asked: bool,
    include_individuals: bool = False,
    owners_named: bool = False,
    requested: str | None = None,
) -> dict[str, _Cue]:
    """Cue word -> the slot and value it states. ``requested``: the slot the
    bot asked about, whose reply-only cues ("自己搭的" for the system) count."""
    vocabulary = load_domain_vocabulary()
    table: dict[str, _Cue] = {}
    company = vocabulary["company"]
    for word in company["not_company"]:
        table[str(word).lower()] = _Cue("is_company", False)
    for word in company["company"]:
        table[str(word).lower()] = _Cue("is_company", True)
    if include_when_asked:
        for word in company["company_when_asked"]:
            table.setdefault(str(word).lower(), _Cue("is_company", True))
    # "股东都是自然人" describes the owners, not the applicant
    if (include_when_asked or include_individuals) and not owners_named:
        for word in company.get("not_company_when_asked") or []:
            table.setdefault(str(word).lower(), _Cue("is_company", False))
    for slot, cues in vocabulary["boolean_cues"].items():
        for word in cues.get("affirm") or []:
            table[str(word).lower()] = _Cue(str(slot), True)
        for word in cues.get("deny") or []:
            table[str(word).lower()] = _Cue(str(slot), False)
    replies = vocabulary["reply_cues"].get(requested) or {} if requested else {}
    for word in replies.get("affirm") or []:
        table.setdefault(str(word).lower(), _Cue(str(requested), True))
    for word in replies.get("deny") or []:
        table.setdefault(str(word).lower(), _Cue(str(requested), False))
    for word in replies.get("still_looking") or []:
        table.setdefault(str(word).lower(), _Cue(str(requested), False, fixed=True))
    return table


def boolean_mentions(clause: str, requested: str | None, owners_named: bool = False) -> dict[str, bool]:
    """Yes/no slots named by cue words in ``clause``, with their polarity.
    ``owners_named``: the message talks about shareholders."""
    masked = _COUNT_EXPRESSION_RE.sub(lambda m: " " * len(m.group()), clause)
    # "我们是分公司，总公司在北京": the head office is not the applicant
    masked = word_pattern(_words("company", "other_entities")).sub(lambda m: " " * len(m.group()), masked)
    # Words such as 个人 or 自然人 name the applicant only when the bot asked who
    # applies (or nothing yet), and the message is not about the owners:
    # elsewhere they are 个人信息 or 自然人股东.
    table = _cue_table(requested == "is_company", requested is None, owners_named, requested)
    matches = list(word_pattern(tuple(table)).finditer(masked))
    if not matches:
        return {}
    conjunction = word_pattern(_words("conjunctions"))
    groups: list[list[re.Match[str]]] = [[matches[0]]]
    for match in matches[1:]:
        gap = masked[groups[-1][-1].end() : match.start()]
        if not conjunction.sub("", gap).strip():
            groups[-1].append(match)
        else:
            groups.append([match])

    affirming = _words("affirming_verbs")
    not_yet = _words("not_yet")
    found: dict[str, bool] = {}
    for index, group in enumerate(groups):
        pre_start = groups[index - 1][-1].end() if index else 0
        post_end = groups[index + 1][0].start() if index + 1 < len(groups) else len(masked)
        pre = masked[pre_start : group[0].start()]
        post = masked[group[-1].end() : post_end]
        pre_negations = negation_count(pre)
        if pre_negations:
            negated = pre_negations % 2 == 1
        elif _has_any(pre, not_yet) or (_has_any(post, not_yet) and not negation_count(post)):
            negated = True
        elif _has_any(pre, affirming):
            negated = False
        else:
            negated = negation_count(post) % 2 == 1
        for match in group:
            cue = table[match.group()]
            found[cue.slot] = cue.affirmed_value if cue.fixed else cue.affirmed_value != negated
    return found


def foreign_ownership(lowered: str) -> bool | None:
    """A shareholder, parent or partner from a place outside the mainland:
    True ("有个美国股东占15%"), False when negated ("港澳台股东都没有"),
    ``None`` when the clause names no such owner."""
    places = word_pattern(_words("foreign_places"))
    owners = _words("ownership_words")
    place = places.search(lowered)
    if place is None or not _has_any(lowered, owners):
        return None
    return negation_count(lowered) % 2 == 0
