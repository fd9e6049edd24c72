"""Reading licence/ruleset.yml into a ``RuleSet``.

The file is validated (``licence.schema_checks``), built into the frozen types
of ``licence.models``, and its texts checked for unknown placeholders. Nothing
is read at import time: the default file is read on first use and cached.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path
from types import MappingProxyType
from typing import Any

import yaml

from licence.models import (
    Activity,
    Condition,
    FaqBasis,
    Material,
    Penalty,
    Predicate,
    Question,
    RuleSet,
    Scalar,
    Scope,
    Source,
    StepTemplate,
    Test,
)
from licence.placeholders import check_placeholders, texts_to_check
from licence.schema_checks import RuleSetError, entry_at, validate_ruleset

__all__ = [
    "DEFAULT_PATH",
    "check_ruleset",
    "deadline_rules",
    "load_ruleset",
    "ruleset_or_default",
]


DEFAULT_PATH = Path(__file__).with_name("ruleset.yml")
_MONTH_DAY = re.compile(r"^(\d{2})-(\d{2})$")


def load_ruleset(path: str | Path | None = None) -> RuleSet:
    """Read and validate a rule file; the default file is read once and cached.

    Raises ``RuleSetError`` naming the file and the faulty entry.
    """
    if path is None:
        return _load_default()
    return _read(Path(path))


@lru_cache(maxsize=1)
def _load_default() -> RuleSet:
    return _read(DEFAULT_PATH)


def ruleset_or_default(rules: RuleSet | None) -> RuleSet:
    """``rules``, or the shipped rule set when the caller gave none.

    Every query takes an optional rule set so that tests can pass an edited copy.
    """
    return rules or load_ruleset()


def check_ruleset(path: str | Path | None = None) -> None:
    """Validate a rule file from disk (uncached), for the action server's start-up.

    Also builds the deadline rules, so ``licence.deadlines`` must be importable.
    """
    rules = _read(Path(path) if path is not None else DEFAULT_PATH)
    try:
        deadline_rules(rules)
    except (TypeError, ValueError, KeyError) as exc:
        raise RuleSetError([f"{rules.path.name}: deadlines: {exc}"]) from exc


def deadline_rules(rules: RuleSet | None = None) -> Any:
    """``licence.deadlines.DeadlineRules`` built from the rule file's ``deadlines:``."""
    from licence.deadlines import DeadlineRules

    rules = ruleset_or_default(rules)
    return DeadlineRules.from_mapping(_thaw(rules.deadlines))


def _read(path: Path) -> RuleSet:
    name = path.name
    try:
        raw = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise RuleSetError([f"{name}: cannot read {path}: {exc.strerror or exc}"]) from exc
    try:
        data = yaml.safe_load(raw)
    except yaml.YAMLError as exc:
        raise RuleSetError([f"{name}: invalid YAML: {exc}"]) from exc
    validate_ruleset(data, name)
    rules = _build(path, data)
    check_placeholders(texts_to_check(rules), name)
    return rules


def _build(path: Path, data: Mapping[str, Any]) -> RuleSet:
    scopes = {
        name: Scope(
            name=name,
            area=s["area"],
            licence_name=s["licence_name"],
            min_capital_wan=s["min_capital_wan"],
            where_to_apply=s["where_to_apply"],
            authority=s.get("authority"),
            authority_suffix=s.get("authority_suffix"),
            authority_generic=s.get("authority_generic"),
            alternative_note=s.get("alternative_note"),
            source=tuple(s["source"]),
            brief=s["brief"],
        )
        for name, s in data["scopes"].items()
    }
    questions = tuple(
        Question(
            slot=q["slot"],
            type=q["type"],
            topic=q["topic"],
            response=q["response"],
            condition=q.get("condition"),
            ask_when=_predicates(q.get("ask_when")),
            fact=dict(q["fact"]),
            faq=q["faq"],
        )
        for q in data["questions"]
    )
    conditions = {
        c["id"]: Condition(
            id=c["id"],
            slot=c["slot"],
            kind=c["kind"],
            test=Test(
                op=c["test"]["op"],
                value=c["test"].get("value"),
                value_from=c["test"].get("value_from"),
            ),
            label=c["label"],
            reason=c["reason"],
            remedy=c["remedy"],
            note=c.get("note"),
            check=c.get("check"),
            practice=bool(c.get("practice", False)),
            params=MappingProxyType(dict(c.get("params") or {})),
            source=tuple(c["source"]),
            brief=c["brief"],
        )
        for c in data["conditions"]
    }
    materials = tuple(
        Material(
            id=m["id"],
            text=m["text"],
            when=_predicates(m.get("when")),
            source=tuple(m["source"]),
            brief=m["brief"],
        )
        for m in data["materials"]
    )
    need = data["need_check"]
    penalty = need["penalty"]
    return RuleSet(
        path=path,
        sources=MappingProxyType(
            {
                sid: Source(
                    id=sid, title=s["title"], kind=s["kind"], in_force=s.get("in_force"), note=s.get("note")
                )
                for sid, s in data["sources"].items()
            }
        ),
        scopes=MappingProxyType(scopes),
        questions=questions,
        conditions=MappingProxyType(conditions),
        optional_keys=MappingProxyType(dict(data.get("optional_profile_keys") or {})),
        materials=materials,
        process=tuple(_step(s) for s in data["process"]["steps"]),
        typical_total=data["process"]["typical_total"]["text"],
        deadlines=_freeze(data["deadlines"]),
        faq_vars=MappingProxyType(_resolve_faq_vars(path.name, data)),
        activities=MappingProxyType(
            {
                aid: Activity(
                    id=aid,
                    label=a["label"],
                    licence_needed=a["licence_needed"],
                    answer=a["answer"],
                    source=tuple(a["source"]),
                    brief=a["brief"],
                )
                for aid, a in need["activities"].items()
            }
        ),
        default_activity=need["default"],
        penalty=Penalty(
            article=penalty["article"],
            params=MappingProxyType(dict(penalty["params"])),
            text=penalty["text"],
            source=tuple(penalty["source"]),
            brief=penalty["brief"],
        ),
        next_steps=tuple(_step(s) for s in data["next_steps"]),
        texts=MappingProxyType(dict(data["texts"])),
        faq_basis=MappingProxyType(
            {topic: _faq_basis(data, topic, spec) for topic, spec in data["faq_basis"].items()}
        ),
        basis_texts=MappingProxyType(dict(data["basis"])),
    )


def _faq_basis(data: Mapping[str, Any], topic: str, spec: Mapping[str, Any]) -> FaqBasis:
    """A topic's citations: those of its ``from`` entry, then its own, each once."""
    inherited = entry_at(data, spec["from"]) if "from" in spec else None
    citations = [*(inherited or {}).get("source", ()), *spec.get("source", ())]
    return FaqBasis(
        topic=topic,
        source=tuple(dict.fromkeys(citations)),
        outdated=tuple(spec.get("outdated") or ()),
    )


def _step(s: Mapping[str, Any]) -> StepTemplate:
    return StepTemplate(
        id=s["id"],
        title=s["title"],
        who=s["who"],
        timing=s.get("timing"),
        detail=s.get("detail"),
        deadline_key=s.get("deadline_key"),
        when=tuple(s.get("when") or ()),
        source=tuple(s["source"]),
        brief=s["brief"],
    )


def _predicates(raw: Any) -> tuple[Predicate, ...]:
    if raw is None:
        return ()
    items = [raw] if isinstance(raw, Mapping) else raw
    return tuple(Predicate(slot=p["slot"], op=p["op"], value=p["value"]) for p in items)


def _resolve_faq_vars(name: str, data: Mapping[str, Any]) -> dict[str, Scalar]:
    out: dict[str, Scalar] = {}
    problems: list[str] = []
    for var, spec in data["faq_vars"].items():
        dotted = spec["from"] if isinstance(spec, Mapping) else spec
        try:
            value = _lookup(data, dotted)
            if isinstance(spec, Mapping):
                value = _format_month_day(data["texts"][spec["format"]], value)
        except (KeyError, ValueError) as exc:
            problems.append(f"{name}: faq_vars.{var}: {exc.args[0] if exc.args else exc}")
            continue
        out[var] = _tidy_number(value)
    if problems:
        raise RuleSetError(problems)
    return out


def _lookup(data: Any, dotted: str) -> Scalar:
    node = data
    for part in dotted.split("."):
        if isinstance(node, Mapping) and part in node:
            node = node[part]
        elif isinstance(node, list):
            matches = [e for e in node if isinstance(e, Mapping) and e.get("id") == part]
            if not matches:
                raise KeyError(f"path '{dotted}' not found (no entry with id '{part}')")
            node = matches[0]
        else:
            raise KeyError(f"path '{dotted}' not found (at '{part}')")
    if isinstance(node, bool) or not isinstance(node, (str, int, float)):
        raise ValueError(f"path '{dotted}' is not a number or text")
    return node


def _format_month_day(template: str, value: Scalar) -> str:
    match = _MONTH_DAY.match(str(value))
    if not match:
        raise ValueError(f"'{value}' is not an MM-DD date")
    return template.format(month=int(match.group(1)), day=int(match.group(2)))


def _tidy_number(value: Scalar) -> Scalar:
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _freeze(value: Any) -> Any:
    if isinstance(value, Mapping):
        return MappingProxyType({k: _freeze(v) for k, v in value.items()})
    if isinstance(value, list):
        return tuple(_freeze(v) for v in value)
    return value


def _thaw(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {k: _thaw(v) for k, v in value.items()}
    if isinstance(value, tuple):
        return [_thaw(v) for v in value]
    return value
