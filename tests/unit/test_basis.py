"""The basis ("依据") line: every citation resolves, every FAQ topic has a basis,
and a line names what the rule set cites: articles as Chinese numerals, the date
each regulation's version took effect, practice as practice, and the agency
page's outdated claims.

Expected facts come from the rule set (citations, titles, dates, claims) and
from cn2an, not from copies of the line's wording.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import cn2an
import pytest
import yaml

from licence.basis import basis_line, condition_basis, faq_basis
from licence.eligibility import assess
from licence.models import RuleSet
from licence.ruleset_loader import load_ruleset
from licence.schema_checks import split_citation
from zhtext.numbers import chinese_numeral

ROOT = Path(__file__).resolve().parents[2]
RULES = load_ruleset()
FRAME = RULES.basis_texts


def faq_topics() -> set[str]:
    """The `faq/<topic>` cells: the topics of domain.yml's utter_faq/* responses."""
    responses = yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))["responses"]
    return {name.split("/", 1)[1] for name in responses if name.startswith("utter_faq/")}


def all_citations(node: Any) -> list[str]:
    if isinstance(node, dict):
        own = node["source"] if isinstance(node.get("source"), list) else []
        return [*own, *(c for v in node.values() for c in all_citations(v))]
    if isinstance(node, list):
        return [c for v in node for c in all_citations(v)]
    return []


def in_force(sid: str) -> str:
    year, month, day = (int(p) for p in (RULES.sources[sid].in_force or "").split("-"))
    return FRAME["date"].format(year=year, month=month, day=day)


def regulations(citations: tuple[str, ...]) -> set[str]:
    return {split_citation(c)[0] for c in citations if RULES.sources[split_citation(c)[0]].kind == "reg"}


def practice_cited(citations: tuple[str, ...]) -> bool:
    return any(RULES.sources[split_citation(c)[0]].kind == "practice" for c in citations)


# --------------------------------------------------------------------------
# The rule set's citations


def test_every_citation_resolves_to_a_source() -> None:
    raw = yaml.safe_load(RULES.path.read_text(encoding="utf-8"))
    citations = all_citations(raw)
    assert len(citations) > 50
    for citation in citations:
        sid, article = split_citation(citation)
        assert sid in RULES.sources, citation
        if article is not None:
            assert RULES.sources[sid].kind == "reg", citation


def test_every_faq_topic_has_a_basis_and_no_basis_is_for_a_topic_that_is_not() -> None:
    topics = faq_topics()
    assert len(topics) >= 30
    assert set(RULES.faq_basis) == topics


@pytest.mark.parametrize("topic", sorted(faq_topics()))
def test_every_faq_topic_renders_a_basis_line_that_names_its_regulations(topic: str) -> None:
    line = faq_basis(topic)
    assert line and "{" not in line and "\n" not in line
    citations = RULES.faq_basis[topic].source
    for sid in regulations(citations):
        assert f"《{RULES.sources[sid].title}》" in line, sid
        assert in_force(sid) in line, sid
    assert regulations(citations) or practice_cited(citations) or topic == "numbers"


def test_a_topic_the_rule_set_does_not_know_has_no_basis() -> None:
    assert faq_basis("weather") is None


# --------------------------------------------------------------------------
# Articles, practice, outdated claims


@pytest.mark.parametrize(
    ("number", "numeral"), [(6, "六"), (9, "九"), (10, "十"), (27, "二十七"), (69, "六十九")]
)
def test_article_numbers_are_chinese_numerals(number: int, numeral: str) -> None:
    assert chinese_numeral(number) == numeral


def cited_articles() -> list[tuple[str, str, int]]:
    """(topic, source id, article) of every article an FAQ topic cites."""
    found = []
    for topic, entry in RULES.faq_basis.items():
        for citation in entry.source:
            sid, article = split_citation(citation)
            if article is not None:
                found.append((topic, sid, article))
    return found


def test_the_renewal_and_penalty_topics_cite_their_articles() -> None:
    # the brief: renewal is Order 42 Art. 27, operating unlicensed 电信条例 Art. 69
    assert ("renewal", "order42", 27) in cited_articles()
    assert ("penalty", "telecom_regs", 69) in cited_articles()


@pytest.mark.parametrize(("topic", "sid", "article"), cited_articles())
def test_a_cited_article_renders_as_its_chinese_numeral_after_its_regulation(
    topic: str, sid: str, article: int
) -> None:
    line = faq_basis(topic)
    assert line is not None
    numbered = FRAME["article"].format(article=cn2an.an2cn(article))
    reg = f"《{RULES.sources[sid].title}》"
    assert numbered in line
    assert line.index(reg) < line.index(numbered)
    assert FRAME["article"].format(article=article) not in line  # never "第27条"


def test_practice_alone_renders_as_practice() -> None:
    practice_only = [
        topic
        for topic, entry in RULES.faq_basis.items()
        if practice_cited(entry.source) and not regulations(entry.source)
    ]
    assert practice_only  # e.g. tenders, the business scope
    for topic in practice_only:
        line = faq_basis(topic)
        assert line is not None
        assert FRAME["practice_only"] in line and "《" not in line, topic


def test_practice_next_to_a_regulation_is_marked_as_the_practical_part() -> None:
    mixed = [t for t, e in RULES.faq_basis.items() if practice_cited(e.source) and regulations(e.source)]
    assert mixed
    for topic in mixed:
        line = faq_basis(topic)
        assert line is not None
        assert FRAME["practice_part"] in line and FRAME["practice_only"] not in line, topic
        assert line.index("《") < line.index(FRAME["practice_part"])


def test_the_foreign_topic_says_the_pages_claims_are_outdated() -> None:
    entry = RULES.faq_basis["foreign"]
    # the brief: "purely domestic capital only" and "a review opinion first" are outdated
    assert any("内资" in claim for claim in entry.outdated)
    assert any("审定意见" in claim for claim in entry.outdated)
    line = faq_basis("foreign")
    assert line is not None
    for claim in entry.outdated:
        assert claim in line
    assert {"negative_list", "fi_rules"} <= regulations(entry.source)


def test_a_topic_without_outdated_claims_has_no_outdated_clause() -> None:
    marker = FRAME["outdated"].split("{", 1)[0]
    line = faq_basis("renewal")
    assert line is not None and marker not in line


def test_the_agency_page_is_named_only_when_nothing_else_is_cited() -> None:
    page = RULES.sources["page"].title
    assert "page" in RULES.faq_basis["validity"].source
    assert page not in (faq_basis("validity") or "")
    assert basis_line(["page"]) == FRAME["line"].format(citations=page)


def test_two_articles_of_one_regulation_are_listed_together() -> None:
    line = basis_line(["order42/27", "order42/6", "order42"])
    assert line.count(f"《{RULES.sources['order42'].title}》") == 1
    six, twenty_seven = (FRAME["article"].format(article=cn2an.an2cn(n)) for n in (6, 27))
    assert line.index(six) < line.index(twenty_seven)


def test_an_edited_frame_changes_the_line() -> None:
    """The wording lives in the rule set: an edited frame is what gets rendered."""
    frame = {**FRAME, "line": "[{citations}]", "joiner": " | "}
    edited: RuleSet = dataclasses.replace(RULES, basis_texts=frame)
    line = basis_line(["order42/27", "practice"], (), edited)
    assert line.startswith("[") and line.endswith("]") and " | " in line


# --------------------------------------------------------------------------
# The verdict


def company(**changes: Any) -> dict[str, Any]:
    """A 全网 applicant that meets every condition."""
    return {
        "coverage": "全网",
        "is_company": True,
        "registered_capital": RULES.scopes["全网"].min_capital_wan,
        "foreign_investment": False,
        "on_dishonest_list": False,
        "violations_3y": False,
        "business_scope_ok": True,
        "insured_staff": RULES.conditions["staff"].test.value,
        "has_premises": True,
        "has_call_centre_system": True,
        "has_service_measures": True,
        **changes,
    }


def test_each_unmet_condition_of_a_verdict_has_its_basis() -> None:
    decision = assess(company(on_dishonest_list=True, business_scope_ok=False))
    assert set(decision.unmet) == {"credit", "business_scope"}
    assert set(decision.basis) == set(decision.unmet)
    # credit rests on Order 42 Art. 6 (the brief); the business scope on practice
    assert ("order42", 6) in {split_citation(c) for c in RULES.conditions["credit"].source}
    assert FRAME["article"].format(article=cn2an.an2cn(6)) in decision.basis["credit"]
    assert FRAME["practice_only"] in decision.basis["business_scope"]
    assert decision.basis["credit"] == condition_basis("credit")


def test_warnings_and_unknowns_get_no_basis_line() -> None:
    decision = assess(company(foreign_investment=True, has_premises=None))
    assert decision.warnings == ("foreign",) and decision.unknown == ("premises",)
    assert dict(decision.basis) == {}
