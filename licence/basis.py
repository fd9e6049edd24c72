"""The basis ("依据") line of an answer that states a rule.

A pure function of the rule set: the citations of an FAQ topic or of a
condition (``source:`` lists of licence/ruleset.yml, each a source id or
``<id>/<article>``) rendered with the wording frame of the rule set's
``basis:`` section. Regulations come first, in citation order, with the date
their cited version took effect and the articles cited (as Chinese numerals);
other public material only when no regulation and no practice is cited;
common practice last; then any claims of the agency page that are outdated.
"""

from __future__ import annotations

from collections.abc import Iterable

from licence.models import RuleSet
from licence.rendering import render
from licence.ruleset_loader import ruleset_or_default
from licence.schema_checks import split_citation
from zhtext.numbers import chinese_numeral

__all__ = [
    "basis_line",
    "condition_basis",
    "faq_basis",
]


def faq_basis(topic: str, rules: RuleSet | None = None) -> str | None:
    """The basis line of ``faq/<topic>``, or None for a topic the rule set does not know."""
    rules = ruleset_or_default(rules)
    entry = rules.faq_basis.get(topic)
    if entry is None:
        return None
    return basis_line(entry.source, entry.outdated, rules)


def condition_basis(condition: str, rules: RuleSet | None = None) -> str:
    """The basis line of a condition (an id under ``conditions:``)."""
    rules = ruleset_or_default(rules)
    return basis_line(rules.conditions[condition].source, (), rules)


def basis_line(citations: Iterable[str], outdated: Iterable[str] = (), rules: RuleSet | None = None) -> str:
    """One line naming what ``citations`` rest on, e.g. 依据：《…》（…起施行）第二十七条."""
    rules = ruleset_or_default(rules)
    t = rules.basis_texts
    regs: dict[str, list[int]] = {}
    pages: list[str] = []
    practice = False
    for citation in citations:
        sid, article = split_citation(citation)
        kind = rules.sources[sid].kind
        if kind == "reg":
            articles = regs.setdefault(sid, [])
            if article is not None and article not in articles:
                articles.append(article)
        elif kind == "practice":
            practice = True
        elif sid not in pages:
            pages.append(sid)
    parts = [_regulation(rules, sid, articles) for sid, articles in regs.items()]
    if not parts and not practice:
        parts = [render(t["page"], {"title": rules.sources[sid].title}) for sid in pages]
    if practice:
        parts.append(t["practice_part"] if parts else t["practice_only"])
    claims = [render(t["claim"], {"claim": claim}) for claim in outdated]
    if claims:
        parts.append(render(t["outdated"], {"claims": t["claim_joiner"].join(claims)}))
    return render(t["line"], {"citations": t["joiner"].join(parts)})


def _regulation(rules: RuleSet, sid: str, articles: list[int]) -> str:
    t = rules.basis_texts
    source = rules.sources[sid]
    year, month, day = (int(part) for part in (source.in_force or "").split("-"))
    numbered = [render(t["article"], {"article": chinese_numeral(a)}) for a in sorted(articles)]
    return render(
        t["reg"],
        {
            "title": source.title,
            "in_force": render(t["date"], {"year": year, "month": month, "day": day}),
            "articles": t["article_joiner"].join(numbered),
        },
    )
