"""The interview's slots as the parsers see them: their names in the order the
rule set asks them, which hold a yes/no and which a number. The rule set
(licence/ruleset.yml, ``questions``) is where a slot is defined; these constants
let the parsers work without loading it, and tests/unit/test_extract.py checks
that they agree with it, as test_action_registry checks domain.yml.
"""

from __future__ import annotations

SLOTS: tuple[str, ...] = (
    "coverage",
    "province",
    "is_company",
    "registered_capital",
    "foreign_investment",
    "on_dishonest_list",
    "violations_3y",
    "business_scope_ok",
    "insured_staff",
    "has_premises",
    "has_call_centre_system",
    "has_service_measures",
)
BOOLEAN_SLOTS: frozenset[str] = frozenset(
    {
        "is_company",
        "foreign_investment",
        "on_dishonest_list",
        "violations_3y",
        "business_scope_ok",
        "has_premises",
        "has_call_centre_system",
        "has_service_measures",
    }
)
NUMERIC_SLOTS: frozenset[str] = frozenset({"registered_capital", "insured_staff"})
UNKNOWN = "unknown"
#: Values of ``Extraction.problems``.
PROBLEM_CODES: frozenset[str] = frozenset({"not_a_number", "negative", "too_large", "out_of_range"})
