"""Validation of licence/ruleset.yml.

Two layers: the JSON schema of ``licence.schema`` for the shape of the file
(checked with ``jsonschema``), then cross-reference checks a schema cannot
express (source ids exist, every condition has exactly one question,
``value_from`` paths resolve, question order allows ``ask_when``...). Every
problem is reported with the file name and the entry it belongs to, e.g.::

    ruleset.yml: conditions[6] (id=staff): missing 'remedy'

Placeholder names in texts are checked once the rule set is built and the
template variables are known (see ``licence.placeholders``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import jsonschema

from licence.schema import BOOL_OPS, CITATION_PATTERN, RULESET_SCHEMA

__all__ = [
    "RuleSetError",
    "entry_at",
    "locate",
    "split_citation",
    "validate_ruleset",
]

_CITATION = re.compile(CITATION_PATTERN)


class RuleSetError(ValueError):
    """The rule file is missing, unreadable or inconsistent.

    ``problems`` holds one line per problem, each naming the file and entry.
    """

    def __init__(self, problems: Sequence[str]) -> None:
        self.problems: tuple[str, ...] = tuple(problems)
        super().__init__("\n".join(self.problems))


def locate(data: Any, path: Iterable[Any]) -> str:
    """Render a path into the data as ``conditions[6] (id=staff).test.op``.

    A list entry is named by its index plus its ``id`` (or ``slot``) when it has
    one, so the reader finds it without counting.
    """
    out = ""
    node: Any = data
    for part in path:
        if isinstance(part, int) and isinstance(node, list):
            out += f"[{part}]"
            node = node[part] if 0 <= part < len(node) else None
            if isinstance(node, Mapping):
                for key in ("id", "slot"):
                    if isinstance(node.get(key), str):
                        out += f" ({key}={node[key]})"
                        break
        else:
            out += f".{part}" if out else str(part)
            node = node.get(part) if isinstance(node, Mapping) else None
    return out or "(top level)"


def split_citation(citation: str) -> tuple[str, int | None]:
    """``"order42/27"`` -> ``("order42", 27)``; ``"page"`` -> ``("page", None)``."""
    match = _CITATION.match(citation)
    if match is None:
        raise ValueError(f"not a citation: {citation!r}")
    article = match.group(2)
    return match.group(1), int(article) if article else None


def entry_at(data: Any, dotted: str) -> Mapping[str, Any] | None:
    """The entry at a dotted path (list entries addressed by their id), or None."""
    node = data
    for part in dotted.split("."):
        if isinstance(node, Mapping) and part in node:
            node = node[part]
        elif isinstance(node, list):
            node = next((e for e in node if isinstance(e, Mapping) and e.get("id") == part), None)
        else:
            return None
    return node if isinstance(node, Mapping) else None


def _schema_message(error: jsonschema.ValidationError) -> str:
    # The keyword that failed ("required", "oneOf", ...). types-jsonschema 4.17 types
    # the attribute as a Validator; widening to object compares it as it is.
    keyword: object = error.validator
    if keyword == "required":
        # "'remedy' is a required property" -> "missing 'remedy'"
        return "missing " + error.message.split(" is a required property")[0]
    if keyword == "oneOf" and isinstance(error.instance, Mapping):
        keys = " / ".join(
            "+".join(f"'{k}'" for k in option.get("required", ()))
            for option in error.validator_value
            if isinstance(option, Mapping) and "required" in option
        )
        if keys:
            return f"needs exactly one of {keys}"
    return error.message


def _schema_problems(data: Any) -> list[str]:
    validator = jsonschema.Draft7Validator(RULESET_SCHEMA)
    errors = sorted(validator.iter_errors(data), key=lambda e: [str(p) for p in e.absolute_path])
    return [f"{locate(data, e.absolute_path)}: {_schema_message(e)}" for e in errors]


def _predicates(raw: Any) -> list[Mapping[str, Any]]:
    if raw is None:
        return []
    return [raw] if isinstance(raw, Mapping) else list(raw)


def _cross_problems(data: Mapping[str, Any]) -> list[str]:
    """Checks between sections; assumes the schema already passed."""
    problems: list[str] = []
    sources: Mapping[str, Mapping[str, Any]] = data["sources"]

    def cite(path: list[Any], entry: Mapping[str, Any]) -> None:
        for citation in entry.get("source", ()):
            sid, article = split_citation(citation)
            if sid not in sources:
                problems.append(f"{locate(data, path)}: unknown source '{sid}'")
            elif article is not None and sources[sid]["kind"] != "reg":
                problems.append(
                    f"{locate(data, path)}: '{citation}' cites an article of '{sid}', which is no regulation"
                )

    scopes: Mapping[str, Mapping[str, Any]] = data["scopes"]
    for name, scope in scopes.items():
        cite(["scopes", name], scope)

    # Questions: unique slots, one coverage and one province question,
    # ask_when only looks back at earlier slots.
    questions: list[Mapping[str, Any]] = data["questions"]
    slot_types: dict[str, str] = {}
    by_condition: dict[str, list[int]] = {}
    for i, q in enumerate(questions):
        where = locate(data, ["questions", i])
        slot = q["slot"]
        if slot in slot_types:
            problems.append(f"{where}: slot '{slot}' asked twice")
        for pred in _predicates(q.get("ask_when")):
            if pred["slot"] not in slot_types:
                problems.append(f"{where}: ask_when uses '{pred['slot']}', which is not asked before it")
        slot_types[slot] = q["type"]
        wanted = {"yes", "no"} if q["type"] == "bool" else {"value"}
        if set(q["fact"]) != wanted:
            problems.append(f"{where}: fact needs exactly {sorted(wanted)}")
        if q["response"] != f"utter_ask_{slot}":
            problems.append(f"{where}: response should be 'utter_ask_{slot}'")
        if "condition" in q:
            by_condition.setdefault(q["condition"], []).append(i)
        elif q["type"] not in ("coverage", "province"):
            problems.append(f"{where}: missing 'condition'")
    for kind in ("coverage", "province"):
        count = sum(1 for t in slot_types.values() if t == kind)
        if count != 1:
            problems.append(f"questions: need exactly one question of type '{kind}', found {count}")

    extras: Mapping[str, str] = data.get("optional_profile_keys") or {}
    for key in extras:
        if key in slot_types:
            problems.append(f"optional_profile_keys.{key}: is already an interview slot")
    known_slots = {**slot_types, **extras}

    # Predicates compare with values of the right type.
    def check_predicate(path: list[Any], pred: Mapping[str, Any]) -> None:
        where = locate(data, path)
        slot_type = known_slots.get(pred["slot"])
        if slot_type is None:
            problems.append(f"{where}: unknown slot '{pred['slot']}'")
        elif slot_type == "coverage" and pred["value"] not in scopes:
            problems.append(f"{where}: '{pred['value']}' is not a scope")
        else:
            problems.extend(_value_problems(where, slot_type, pred["op"], pred["value"]))

    for i, q in enumerate(questions):
        for pred in _predicates(q.get("ask_when")):
            check_predicate(["questions", i, "ask_when"], pred)

    # Conditions: unique ids, one question each, matching slot, sane tests.
    seen: set[str] = set()
    for i, cond in enumerate(data["conditions"]):
        path: list[Any] = ["conditions", i]
        where = locate(data, path)
        cid = cond["id"]
        if cid in seen:
            problems.append(f"{where}: duplicate id")
        seen.add(cid)
        cite(path, cond)
        asked_by = by_condition.get(cid, [])
        if len(asked_by) != 1:
            problems.append(f"{where}: must be asked by exactly one question, found {len(asked_by)}")
        elif questions[asked_by[0]]["slot"] != cond["slot"]:
            problems.append(
                f"{where}: slot '{cond['slot']}' differs from its question's slot "
                f"'{questions[asked_by[0]]['slot']}'"
            )
        slot_type = slot_types.get(cond["slot"])
        if slot_type in ("coverage", "province"):
            problems.append(f"{where}: slot '{cond['slot']}' is a scope question, not a condition")
            continue
        test = cond["test"]
        if "value_from" in test:
            attr = test["value_from"].split(".", 1)[1]
            for scope_name, scope in scopes.items():
                if not isinstance(scope.get(attr), (int, float)) or isinstance(scope.get(attr), bool):
                    problems.append(
                        f"{where}: value_from '{test['value_from']}' is not a number in scope '{scope_name}'"
                    )
            if slot_type == "bool":
                problems.append(f"{where}: a yes/no slot cannot compare with a scope number")
        elif slot_type is not None:
            problems.extend(_value_problems(where + ".test", slot_type, test["op"], test["value"]))
    for cid in by_condition:
        if cid not in seen:
            slot = questions[by_condition[cid][0]]["slot"]
            problems.append(f"questions (slot={slot}): unknown condition '{cid}'")

    for i, item in enumerate(data["materials"]):
        cite(["materials", i], item)
        for pred in _predicates(item.get("when")):
            check_predicate(["materials", i, "when"], pred)
    _unique_ids(data, ["materials"], problems)

    for i, step in enumerate(data["process"]["steps"]):
        cite(["process", "steps", i], step)
    _unique_ids(data, ["process", "steps"], problems)
    cite(["process", "typical_total"], data["process"]["typical_total"])
    total = data["process"]["typical_total"]
    if total["months_min"] > total["months_max"]:
        problems.append("process.typical_total: months_min is greater than months_max")
    if "deadlines_cited" in data:
        cite(["deadlines_cited"], data["deadlines_cited"])
    deadlines = data["deadlines"]
    if deadlines["renewal_advised_days_before_expiry"] < deadlines["renewal_min_days_before_expiry"]:
        problems.append("deadlines: renewal_advised_days_before_expiry is shorter than the minimum")

    need = data["need_check"]
    cite(["need_check", "penalty"], need["penalty"])
    articles = {split_citation(c)[1] for c in need["penalty"]["source"]}
    if need["penalty"]["article"] not in articles:
        problems.append(
            f"need_check.penalty: article {need['penalty']['article']} is not among its citations"
        )
    for name, activity in need["activities"].items():
        cite(["need_check", "activities", name], activity)
    if need["default"] not in need["activities"]:
        problems.append(f"need_check.default: unknown activity '{need['default']}'")

    for i, step in enumerate(data["next_steps"]):
        cite(["next_steps", i], step)
    _unique_ids(data, ["next_steps"], problems)

    for topic, basis in data["faq_basis"].items():
        cite(["faq_basis", topic], basis)
        if "from" in basis:
            entry = entry_at(data, basis["from"])
            if entry is None or "source" not in entry:
                problems.append(f"faq_basis.{topic}: from '{basis['from']}' names no entry with a source")

    for name, spec in data["faq_vars"].items():
        if isinstance(spec, Mapping) and spec["format"] not in data["texts"]:
            problems.append(f"faq_vars.{name}: unknown format '{spec['format']}' (not under texts)")
    return problems


def _value_problems(where: str, slot_type: str, op: str, value: Any) -> list[str]:
    if slot_type == "bool":
        if not isinstance(value, bool):
            return [f"{where}: value {value!r} should be true or false"]
        if op not in BOOL_OPS:
            return [f"{where}: operator '{op}' does not apply to yes/no values"]
    elif slot_type in ("money_wan", "count"):
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            return [f"{where}: value {value!r} should be a number"]
    elif slot_type in ("coverage", "province"):
        if not isinstance(value, str) or op not in BOOL_OPS:
            return [f"{where}: compare '{slot_type}' with == or != and a name"]
    return []


def _unique_ids(data: Mapping[str, Any], path: list[str], problems: list[str]) -> None:
    node: Any = data
    for part in path:
        node = node[part]
    seen: set[str] = set()
    for i, entry in enumerate(node):
        if entry["id"] in seen:
            problems.append(f"{locate(data, [*path, i])}: duplicate id")
        seen.add(entry["id"])


def validate_ruleset(data: Any, file_name: str) -> None:
    """Raise ``RuleSetError`` listing every problem found in ``data``."""
    problems = _schema_problems(data)
    if not problems:
        problems = _cross_problems(data)
    if problems:
        raise RuleSetError([f"{file_name}: {p}" for p in problems])
