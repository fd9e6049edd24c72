"""The shape of licence/ruleset.yml, as a JSON schema (draft 7).

The schema says which sections, keys and value types the rule file may hold;
``licence.schema_checks`` validates a file against it and adds the checks a
schema cannot express.
"""

from __future__ import annotations

from typing import Any

__all__ = [
    "BASIS_TEXTS",
    "BOOL_OPS",
    "CITATION_PATTERN",
    "ORDER_OPS",
    "RULESET_SCHEMA",
]

BOOL_OPS = ("==", "!=")
ORDER_OPS = (">=", ">", "<=", "<")
SLOT_TYPES = ("bool", "money_wan", "count", "coverage", "province")
VERDICTS = ("eligible", "ineligible", "undetermined")
# The wording frame of a basis line (section `basis:`), every key required.
BASIS_TEXTS = (
    "line",
    "joiner",
    "reg",
    "article",
    "article_joiner",
    "date",
    "page",
    "practice_only",
    "practice_part",
    "claim",
    "claim_joiner",
    "outdated",
)
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
# a citation: a source id, or a source id and an article number ("order42/27")
CITATION_PATTERN = r"^([a-z][a-z0-9_]*)(?:/([1-9][0-9]*))?$"
_CITATION = {"type": "string", "pattern": CITATION_PATTERN}
_SOURCE = {"type": "array", "items": _CITATION, "minItems": 1}
_DATE = {"type": "string", "pattern": r"^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$"}
_BRIEF = {"type": "string", "pattern": r"^[0-9]+(, ?[0-9]+)*$"}
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
        "faq_basis",
        "basis",
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
                "properties": {
                    "title": _TEXT,
                    # what identifies the version besides its title ("工业和信息化部令第42号")
                    "note": _TEXT,
                    "kind": {"enum": ["page", "reg", "practice"]},
                    # the date the cited version took effect; regulations only
                    "in_force": _DATE,
                },
                "if": {"properties": {"kind": {"const": "reg"}}},
                "then": {"required": ["in_force"]},
                "else": {"not": {"required": ["in_force"]}},
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
                        "properties": {k: {"type": "string", "minLength": 1} for k in ("yes", "no", "value")},
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
        "faq_basis": {
            "type": "object",
            "minProperties": 1,
            "propertyNames": _ID,
            "additionalProperties": {
                "type": "object",
                "additionalProperties": False,
                "anyOf": [{"required": ["from"]}, {"required": ["source"]}],
                "properties": {
                    # a dotted path to an entry whose citations apply ("conditions.capital")
                    "from": {"type": "string", "minLength": 1},
                    "source": _SOURCE,
                    # claims of the agency page that the regulations replaced
                    "outdated": {"type": "array", "minItems": 1, "items": _TEXT},
                },
            },
        },
        "basis": {
            "type": "object",
            "required": list(BASIS_TEXTS),
            "additionalProperties": False,
            "properties": {key: {"type": "string"} for key in BASIS_TEXTS},
        },
        "texts": {
            "type": "object",
            "required": ["month_day", "authority_unknown"],
            "additionalProperties": _TEXT,
        },
    },
}
