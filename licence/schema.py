"""Validation of licence/ruleset.yml.

Two layers: a JSON schema for the shape of the file (checked with
``jsonschema``), then cross-reference checks a schema cannot express (source ids
exist, every condition has exactly one question, ``value_from`` paths resolve,
question order allows ``ask_when``...). Every problem is reported with the file
name and the entry it belongs to, e.g.::

    ruleset.yml: conditions[6] (id=staff): missing 'remedy'

Placeholder names in texts are checked by the engine once the template
variables are known (see ``check_placeholders``).
"""

from __future__ import annotations

import string
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any

import jsonschema

__all__ = [
    "BOOL_OPS",
    "ORDER_OPS",
    "RULESET_SCHEMA",
    "RuleSetError",
    "check_placeholders",
    "locate",
    "placeholders",
    "validate_ruleset",
]


class RuleSetError(ValueError):
    """The rule file is missing, unreadable or inconsistent.

    ``problems`` holds one line per problem, each naming the file and entry.
    """

    def __init__(self, problems: Sequence[str]) -> None:
        self.problems: tuple[str, ...] = tuple(problems)
        super().__init__("\n".join(self.problems))


BOOL_OPS = ("==", "!=")
ORDER_OPS = (">=", ">", "<=", "<")
SLOT_TYPES = ("bool", "money_wan", "count", "coverage", "province")
VERDICTS = ("eligible", "ineligible", "undetermined")
DEADLINE_KEYS = (
    "validity_years",
    "renewal_min_days_before_expiry",
    "renewal_advised_days_before_expiry",
    "annual_report_window",
    "completeness_check_working_days",
    "decision_days_after_acceptance",
    "change_report_days",
    "cancellation_notice_days",
)

_ID = {"type": "string", "pattern": "^[a-z][a-z0-9_]*$"}
_TEXT = {"type": "string", "minLength": 1}
_SOURCE = {"type": "array", "items": _ID, "minItems": 1}
_BRIEF = {"type": "string", "pattern": r"^[0-9]+(, ?[0-9]+)*$"}
_NUMBER = {"type": "number"}
_SCALAR = {"type": ["boolean", "number", "string"]}
_PREDICATE = {
    "type": "object",
    "required": ["slot", "op", "value"],
    "additionalProperties": False,
    "properties": {
        "slot": _ID,
        "op": {"enum": [*BOOL_OPS, *ORDER_OPS]},
        "value": _SCALAR,
    },
}
_PREDICATES = {"oneOf": [_PREDICATE, {"type": "array", "items": _PREDICATE}]}
_PARAMS = {
    "type": "object",
    "propertyNames": {"pattern": "^[a-z][a-z0-9_]*$"},
    "additionalProperties": _SCALAR,
}
_CITED = {"source": _SOURCE, "brief": _BRIEF}
_POSITIVE_INT = {"type": "integer", "minimum": 1}
_MONTH_DAY = {"type": "string", "pattern": "^(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$"}

RULESET_SCHEMA: dict[str, Any] = {
    "$schema": "http://json-schema.org/draft-07/schema#",
    "type": "object",
    "required": [
        "version",
        "sources",
        "scopes",
        "questions",
        "conditions",
        "materials",
        "process",
        "deadlines",
        "faq_vars",
        "need_check",
        "next_steps",
        "texts",
    ],
    "additionalProperties": False,
    "properties": {
        "version": {"const": 1},
        "sources": {
            "type": "object",
            "minProperties": 1,
            "propertyNames": _ID,
            "additionalProperties": {
                "type": "object",
                "required": ["title", "kind"],
                "additionalProperties": False,
                "properties": {"title": _TEXT, "kind": {"enum": ["page", "reg", "practice"]}},
            },
        },
        "scopes": {
            "type": "object",
            "minProperties": 1,
            "additionalProperties": {
                "type": "object",
                "required": ["area", "licence_name", "min_capital_wan", "where_to_apply", "source", "brief"],
                "additionalProperties": False,
                "properties": {
                    "area": _TEXT,
                    "authority": _TEXT,
                    "authority_suffix": _TEXT,
                    "authority_generic": _TEXT,
                    "licence_name": _TEXT,
                    "min_capital_wan": {"type": "number", "minimum": 0},
                    "where_to_apply": _TEXT,
                    "alternative_note": _TEXT,
                    **_CITED,
                },
                "oneOf": [
                    {"required": ["authority"]},
                    {"required": ["authority_suffix", "authority_generic"]},
                ],
            },
        },
        "optional_profile_keys": {
            "type": "object",
            "propertyNames": _ID,
            "additionalProperties": {"enum": list(SLOT_TYPES)},
        },
        "questions": {
            "type": "array",
            "minItems": 1,
            "items": {
                "type": "object",
                "required": ["slot", "type", "topic", "response", "fact", "faq"],
                "additionalProperties": False,
                "properties": {
                    "slot": _ID,
                    "type": {"enum": list(SLOT_TYPES)},
                    "topic": {"type": "string", "minLength": 1},
                    # the FAQ topic that explains the question (utter_faq/<faq>)
                    "faq": _ID,
                    # the answer as a fact in the verdict's summary: "yes"/"no"
                    # for a bool, "value" with {value} for the others
                    "fact": {
                        "type": "object",
                        "additionalProperties": False,
                        "minProperties": 1,
                        "properties": {
                            k: {"type": "string", "minLength": 1} for k in ("yes", "no", "value")
                        },
                    },
                    "condition": _ID,
                    "ask_when": _PREDICATES,
                    "response": {"type": "string", "pattern": "^utter_ask_[a-z0-9_]+$"},
                },
            },
        },
        "conditions": {
            "type": "array",
            "minItems": 1,
            "items": {
                "type": "object",
                "required": ["id", "slot", "kind", "test", "label", "reason", "remedy", "source", "brief"],
                "additionalProperties": False,
                "properties": {
                    "id": _ID,
                    "slot": _ID,
                    "kind": {"enum": ["requirement", "warning"]},
                    "test": {
                        "type": "object",
                        "required": ["op"],
                        "additionalProperties": False,
                        "properties": {
                            "op": {"enum": [*BOOL_OPS, *ORDER_OPS]},
                            "value": _SCALAR,
                            "value_from": {"type": "string", "pattern": r"^scope\.[a-z_]+$"},
                        },
                        "oneOf": [{"required": ["value"]}, {"required": ["value_from"]}],
                    },
                    "params": _PARAMS,
                    "practice": {"type": "boolean"},
                    "label": _TEXT,
                    "reason": _TEXT,
                    "remedy": _TEXT,
                    "note": _TEXT,
                    "check": _TEXT,
                    **_CITED,
                },
                "if": {"properties": {"kind": {"const": "warning"}}},
                "then": {"required": ["note"]},
            },
        },
        "materials": {
            "type": "array",
            "minItems": 1,
            "items": {
                "type": "object",
                "required": ["id", "text", "source", "brief"],
                "additionalProperties": False,
                "properties": {"id": _ID, "text": _TEXT, "when": _PREDICATES, **_CITED},
            },
        },
        "process": {
            "type": "object",
            "required": ["steps", "typical_total"],
            "additionalProperties": False,
            "properties": {
                "steps": {
                    "type": "array",
                    "minItems": 1,
                    "items": {
                        "type": "object",
                        "required": ["id", "title", "who", "detail", "source", "brief"],
                        "additionalProperties": False,
                        "properties": {
                            "id": _ID,
                            "title": _TEXT,
                            "who": _TEXT,
                            "timing": _TEXT,
                            "detail": _TEXT,
                            "deadline_key": {"enum": list(DEADLINE_KEYS)},
                            **_CITED,
                        },
                    },
                },
                "typical_total": {
                    "type": "object",
                    "required": ["months_min", "months_max", "practice", "text", "source", "brief"],
                    "additionalProperties": False,
                    "properties": {
                        "months_min": _POSITIVE_INT,
                        "months_max": _POSITIVE_INT,
                        "practice": {"type": "boolean"},
                        "text": _TEXT,
                        **_CITED,
                    },
                },
            },
        },
        "deadlines": {
            "type": "object",
            "required": list(DEADLINE_KEYS),
            "additionalProperties": False,
            "properties": {
                **{key: _POSITIVE_INT for key in DEADLINE_KEYS},
                "annual_report_window": {
                    "type": "object",
                    "required": ["start", "end"],
                    "additionalProperties": False,
                    "properties": {"start": _MONTH_DAY, "end": _MONTH_DAY},
                },
            },
        },
        "deadlines_cited": {
            "type": "object",
            "required": ["source", "brief"],
            "additionalProperties": False,
            "properties": _CITED,
        },
        "faq_vars": {
            "type": "object",
            "propertyNames": _ID,
            "additionalProperties": {
                "oneOf": [
                    {"type": "string", "minLength": 1},
                    {
                        "type": "object",
                        "required": ["from", "format"],
                        "additionalProperties": False,
                        "properties": {"from": {"type": "string"}, "format": _ID},
                    },
                ]
            },
        },
        "need_check": {
            "type": "object",
            "required": ["default", "penalty", "activities"],
            "additionalProperties": False,
            "properties": {
                "default": _ID,
                "penalty": {
                    "type": "object",
                    "required": ["article", "params", "text", "source", "brief"],
                    "additionalProperties": False,
                    "properties": {
                        "article": _POSITIVE_INT,
                        "params": _PARAMS,
                        "text": _TEXT,
                        **_CITED,
                    },
                },
                "activities": {
                    "type": "object",
                    "minProperties": 1,
                    "propertyNames": _ID,
                    "additionalProperties": {
                        "type": "object",
                        "required": ["label", "licence_needed", "answer", "source", "brief"],
                        "additionalProperties": False,
                        "properties": {
                            "label": _TEXT,
                            "licence_needed": {"enum": ["yes", "no", "ask_authority"]},
                            "answer": _TEXT,
                            **_CITED,
                        },
                    },
                },
            },
        },
        "next_steps": {
            "type": "array",
            "minItems": 1,
            "items": {
                "type": "object",
                "required": ["id", "title", "who", "timing", "source", "brief"],
                "additionalProperties": False,
                "properties": {
                    "id": _ID,
                    "when": {"type": "array", "minItems": 1, "items": {"enum": list(VERDICTS)}},
                    "title": _TEXT,
                    "who": _TEXT,
                    "timing": _TEXT,
                    "deadline_key": {"enum": list(DEADLINE_KEYS)},
                    **_CITED,
                },
            },
        },
        "texts": {
            "type": "object",
            "required": ["month_day", "authority_unknown"],
            "additionalProperties": _TEXT,
        },
    },
}


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


def _schema_message(error: jsonschema.ValidationError) -> str:
    if error.validator == "required":
        # "'remedy' is a required property" -> "missing 'remedy'"
        return "missing " + error.message.split(" is a required property")[0]
    if error.validator == "oneOf" and isinstance(error.instance, Mapping):
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
    sources = set(data["sources"])

    def cite(path: list[Any], entry: Mapping[str, Any]) -> None:
        for sid in entry.get("source", ()):
            if sid not in sources:
                problems.append(f"{locate(data, path)}: unknown source '{sid}'")

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
    for name, activity in need["activities"].items():
        cite(["need_check", "activities", name], activity)
    if need["default"] not in need["activities"]:
        problems.append(f"need_check.default: unknown activity '{need['default']}'")

    for i, step in enumerate(data["next_steps"]):
        cite(["next_steps", i], step)
    _unique_ids(data, ["next_steps"], problems)

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


def placeholders(text: str) -> Iterator[str]:
    """Names used as ``{name}`` in ``text`` (format specs are not allowed)."""
    for _, field, spec, conversion in string.Formatter().parse(text):
        if field is not None:
            if spec or conversion:
                raise ValueError(f"format spec not allowed in {{{field}}}")
            yield field


def check_placeholders(
    texts: Iterable[tuple[str, str, frozenset[str]]],
    file_name: str,
) -> None:
    """Check ``(location, text, allowed names)`` triples; raise on unknown names."""
    problems: list[str] = []
    for where, text, allowed in texts:
        try:
            names = list(placeholders(text))
        except ValueError as exc:
            problems.append(f"{file_name}: {where}: {exc}")
            continue
        for name in names:
            if name not in allowed:
                problems.append(f"{file_name}: {where}: unknown placeholder {{{name}}}")
    if problems:
        raise RuleSetError(problems)
