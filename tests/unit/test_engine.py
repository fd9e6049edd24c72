"""Table tests for licence.eligibility and licence.queries: every rule, threshold edge and branch."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from licence.eligibility import UNKNOWN, assess, required_slots
from licence.models import Decision
from licence.queries import condition_labels, faq_vars, need_check, process_steps, process_total_text
from licence.rendering import render
from licence.ruleset_loader import load_ruleset

PROVINCES = {
    "广东": "广东省",
    "北京": "北京市",
    "内蒙古": "内蒙古自治区",
    "新疆": "新疆维吾尔自治区",
}


def full_name(short: str) -> str | None:
    return PROVINCES.get(short)


ALL_SLOTS = [
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
]


def profile(**changes: Any) -> dict[str, Any]:
    """A 地网 applicant in 广东 that meets every condition, with ``changes``."""
    base: dict[str, Any] = {
        "coverage": "地网",
        "province": "广东",
        "is_company": True,
        "registered_capital": 200.0,
        "foreign_investment": False,
        "on_dishonest_list": False,
        "violations_3y": False,
        "business_scope_ok": True,
        "insured_staff": 5,
        "has_premises": True,
        "has_call_centre_system": True,
        "has_service_measures": True,
    }
    base.update(changes)
    return base


def judge(**changes: Any) -> Decision:
    return assess(profile(**changes), province_full_name=full_name)


# Expectations come from the rule set, not from copies of its wording: a
# corrected text or number in licence/ruleset.yml moves the test with it.
RULES = load_ruleset()
LOCAL, NATIONAL = RULES.scopes["地网"], RULES.scopes["全网"]
MIN_STAFF = RULES.conditions["staff"].test.value


def has_number(text: str | None, number: float) -> bool:
    """``number``, written as people write it (100, 99.99), stands in ``text``
    on its own (100 is not found in 1000)."""
    shown = re.escape(f"{float(number):.4f}".rstrip("0").rstrip("."))  # not the engine's display()
    return re.search(rf"(?<![\d.]){shown}(?!\.?\d)", text or "") is not None


def rule_text(template: str, rules: Any = RULES, **values: Any) -> str:
    """A rule-set text filled as the engine fills it: the FAQ numbers plus ``values``."""
    return render(template, {**rules.faq_vars, **values})


def condition_text(cid: str, field: str, **values: Any) -> str:
    """The ``field`` (reason, remedy, note, check) of condition ``cid``, filled."""
    cond = RULES.conditions[cid]
    return rule_text(getattr(cond, field), **cond.params, **values)


def material_text(mid: str, rules: Any = RULES) -> str:
    return rule_text(next(m.text for m in rules.materials if m.id == mid), rules)


def provincial(full_name: str) -> str:
    """The provincial authority: the province's full name and the rule set's suffix."""
    return f"{full_name}{LOCAL.authority_suffix}"


def test_complete_profile_is_eligible() -> None:
    d = judge()
    assert (d.eligible, d.unmet, d.warnings, d.unknown) == (True, (), (), ())
    assert d.verdict == "eligible"
    assert d.alternative is None


@pytest.mark.parametrize(
    ("coverage", "capital", "eligible"),
    [
        ("地网", LOCAL.min_capital_wan - 0.01, False),
        ("地网", LOCAL.min_capital_wan, True),
        ("地网", float(LOCAL.min_capital_wan), True),
        ("地网", 0, False),
        ("全网", NATIONAL.min_capital_wan - 1, False),
        ("全网", NATIONAL.min_capital_wan - 0.01, False),
        ("全网", NATIONAL.min_capital_wan, True),
        ("全网", NATIONAL.min_capital_wan * 5, True),
    ],
)
def test_capital_threshold_depends_on_scope(coverage: str, capital: float, eligible: bool) -> None:
    d = judge(coverage=coverage, registered_capital=capital)
    assert d.eligible is eligible
    assert d.unmet == (() if eligible else ("capital",))


def test_capital_reason_quotes_the_amount_and_threshold() -> None:
    threshold = LOCAL.min_capital_wan
    capital = threshold - 0.01
    d = judge(registered_capital=capital)
    assert has_number(d.reasons["capital"], capital)
    assert has_number(d.reasons["capital"], threshold)
    assert d.remedies["capital"] == condition_text("capital", "remedy", threshold=threshold)
    assert has_number(d.remedies["capital"], threshold)
    assert d.notes["capital"] == condition_text("capital", "note")
    # paid in within N years (Company Law 2023)
    assert has_number(d.notes["capital"], RULES.conditions["capital"].params["paid_in_years"])


def test_capital_reason_for_nationwide_quotes_its_threshold() -> None:
    capital = NATIONAL.min_capital_wan - 1
    d = judge(coverage=NATIONAL.name, registered_capital=capital)
    assert has_number(d.reasons["capital"], capital)
    assert has_number(d.reasons["capital"], NATIONAL.min_capital_wan)
    assert NATIONAL.name in d.reasons["capital"]


@pytest.mark.parametrize(
    ("staff", "eligible"),
    [
        (0, False),
        (MIN_STAFF - 1, False),
        (float(MIN_STAFF - 1), False),
        (MIN_STAFF, True),
        (MIN_STAFF * 10, True),
    ],
)
def test_insured_staff_threshold(staff: float, eligible: bool) -> None:
    d = judge(insured_staff=staff)
    assert d.eligible is eligible
    assert d.unmet == (() if eligible else ("staff",))


def test_staff_reason_quotes_count_and_minimum() -> None:
    d = judge(insured_staff=MIN_STAFF - 1)
    assert has_number(d.reasons["staff"], MIN_STAFF - 1) and has_number(d.reasons["staff"], MIN_STAFF)
    assert d.notes["staff"] == condition_text("staff", "note", threshold=MIN_STAFF)
    assert has_number(d.notes["staff"], MIN_STAFF)


@pytest.mark.parametrize(
    ("slot", "value", "condition"),
    [
        ("on_dishonest_list", True, "credit"),
        ("business_scope_ok", False, "business_scope"),
        ("has_premises", False, "premises"),
        ("has_call_centre_system", False, "system"),
        ("has_service_measures", False, "service"),
    ],
)
def test_failed_requirement_is_unmet_with_reason_and_remedy(slot: str, value: bool, condition: str) -> None:
    d = judge(**{slot: value})
    assert d.eligible is False
    assert d.unmet == (condition,)
    assert d.reasons[condition] and d.remedies[condition]
    assert d.labels[condition]
    assert d.sources[condition]  # traceable to at least one source title


def test_business_scope_remedy_is_to_change_the_scope_first() -> None:
    d = judge(business_scope_ok=False)
    assert d.remedies["business_scope"] == condition_text("business_scope", "remedy")


def test_violations_are_a_warning_not_a_refusal() -> None:
    d = judge(violations_3y=True)
    assert d.eligible is True
    assert d.unmet == ()
    assert d.warnings == ("violations",)
    assert d.notes["violations"] and d.reasons["violations"]


def test_foreign_investment_is_allowed_with_a_note() -> None:
    d = judge(foreign_investment=True)
    assert d.eligible is True
    assert d.unmet == ()
    assert d.warnings == ("foreign",)
    assert d.notes["foreign"] == condition_text("foreign", "note")


def test_warnings_keep_question_order() -> None:
    d = judge(foreign_investment=True, violations_3y=True)
    assert d.warnings == ("foreign", "violations")


def test_not_a_company_stops_everything_else() -> None:
    # Every later answer would fail too, but none of them is evaluated.
    d = judge(
        is_company=False,
        registered_capital=1,
        on_dishonest_list=True,
        violations_3y=True,
        foreign_investment=True,
        insured_staff=0,
        has_premises=False,
    )
    assert d.eligible is False
    assert d.unmet == ("company",)
    assert d.warnings == () and d.unknown == ()
    assert d.reasons["company"] == condition_text("company", "reason")
    assert d.remedies["company"] == condition_text("company", "remedy")


def test_not_a_company_with_nothing_else_answered() -> None:
    d = assess({"coverage": "全网", "is_company": False})
    assert (d.eligible, d.unmet, d.unknown) == (False, ("company",), ())


@pytest.mark.parametrize("missing", [UNKNOWN, None])
def test_unknown_answers_make_the_verdict_undetermined(missing: object) -> None:
    d = judge(business_scope_ok=missing, insured_staff=missing)
    assert d.eligible is None
    assert d.verdict == "undetermined"
    assert d.unknown == ("business_scope", "staff")
    assert d.unmet == ()
    assert d.checks["business_scope"] == condition_text("business_scope", "check")  # how to find out
    assert d.checks["staff"] == condition_text("staff", "check")


def test_absent_keys_are_unknown_in_question_order() -> None:
    d = assess({"coverage": "全网"})
    assert d.eligible is None
    assert d.unknown == (
        "company",
        "capital",
        "foreign",
        "credit",
        "violations",
        "business_scope",
        "staff",
        "premises",
        "system",
        "service",
    )


def test_unmet_wins_over_unknown() -> None:
    d = judge(insured_staff=1, has_premises=UNKNOWN)
    assert d.eligible is False
    assert d.unmet == ("staff",)
    assert d.unknown == ("premises",)


def test_unmet_is_listed_in_question_order() -> None:
    d = judge(has_service_measures=False, registered_capital=10, on_dishonest_list=True)
    assert d.unmet == ("capital", "credit", "service")


@pytest.mark.parametrize("garbage", ["很多", -5, float("nan"), True, [3]])
def test_unusable_numbers_count_as_unknown(garbage: object) -> None:
    d = judge(registered_capital=garbage)
    assert d.unknown == ("capital",)
    assert d.eligible is None


def test_numeric_strings_and_bool_strings_are_accepted() -> None:
    capital, staff = f"{LOCAL.min_capital_wan * 1.5:g}", str(MIN_STAFF)  # e.g. "150", "3"
    d = judge(registered_capital=capital, insured_staff=staff, has_premises="true", on_dishonest_list="false")
    assert d.eligible is True


# --- unknown scope: decide capital only when both scopes agree ---------------


@pytest.mark.parametrize(
    ("capital", "unmet", "unknown"),
    [
        (NATIONAL.min_capital_wan * 1.5, (), ()),
        (NATIONAL.min_capital_wan, (), ()),
        (LOCAL.min_capital_wan / 2, ("capital",), ()),
        ((LOCAL.min_capital_wan + NATIONAL.min_capital_wan) / 2, (), ("capital",)),  # enough for one only
    ],
)
def test_capital_with_unknown_coverage(
    capital: float, unmet: tuple[str, ...], unknown: tuple[str, ...]
) -> None:
    d = judge(coverage=UNKNOWN, province=None, registered_capital=capital)
    assert d.scope is None and d.authority is None
    assert d.unmet == unmet
    assert d.unknown == unknown


def test_capital_below_both_scopes_quotes_the_lower_threshold() -> None:
    lowest = min(s.min_capital_wan for s in RULES.scopes.values())
    highest = max(s.min_capital_wan for s in RULES.scopes.values())
    d = judge(coverage=None, province=None, registered_capital=lowest / 2)
    assert has_number(d.reasons["capital"], lowest)
    assert not has_number(d.reasons["capital"], highest)


# --- the 地网 alternative -----------------------------------------------------


def test_nationwide_short_of_capital_is_offered_a_provincial_licence() -> None:
    d = judge(coverage="全网", province=None, registered_capital=500)
    assert d.eligible is False and d.unmet == ("capital",)
    assert d.alternative is not None
    assert d.alternative["scope"] == "地网"
    assert d.alternative["eligible"] is True
    assert d.alternative["ask"] == ["province"]  # the bot still needs the province
    assert d.alternative["licence_name"] == LOCAL.licence_name
    assert has_number(d.alternative["note"], LOCAL.min_capital_wan)
    assert has_number(d.alternative["note"], NATIONAL.min_capital_wan)


def test_alternative_is_undetermined_while_something_is_unknown() -> None:
    d = judge(coverage="全网", province=None, registered_capital=500, has_premises=UNKNOWN)
    assert d.alternative is not None
    assert d.alternative["eligible"] is None
    assert d.alternative["unknown"] == ["premises"]


@pytest.mark.parametrize(
    "changes",
    [
        {"registered_capital": 50},  # below 地网 too
        {"registered_capital": 99.99},
        {"registered_capital": 500, "insured_staff": 2},  # capital is not the only problem
        {"registered_capital": 500, "has_premises": False},
        {"registered_capital": UNKNOWN},  # capital not unmet at all
    ],
)
def test_no_alternative_when_provincial_licence_would_fail_too(changes: dict[str, Any]) -> None:
    d = judge(coverage="全网", province=None, **changes)
    assert d.alternative is None


def test_no_alternative_for_a_provincial_applicant() -> None:
    assert judge(registered_capital=50).alternative is None


# --- required_slots -----------------------------------------------------------


def test_required_slots_before_anything_is_known() -> None:
    assert required_slots({}) == [s for s in ALL_SLOTS if s != "province"]


def test_required_slots_provincial_asks_province_second() -> None:
    assert required_slots({"coverage": "地网"}) == ALL_SLOTS


@pytest.mark.parametrize("coverage", ["全网", UNKNOWN])
def test_required_slots_skip_province_unless_provincial(coverage: str) -> None:
    assert "province" not in required_slots({"coverage": coverage})


@pytest.mark.parametrize(
    ("coverage", "expected"),
    [("地网", ["coverage", "province", "is_company"]), ("全网", ["coverage", "is_company"])],
)
def test_required_slots_stop_after_not_a_company(coverage: str, expected: list[str]) -> None:
    assert required_slots({"coverage": coverage, "province": "广东", "is_company": False}) == expected


@pytest.mark.parametrize("answer", [True, UNKNOWN, None])
def test_required_slots_continue_unless_not_a_company(answer: object) -> None:
    assert required_slots({"coverage": "全网", "is_company": answer})[-1] == "has_service_measures"


# --- materials ----------------------------------------------------------------


def test_base_materials_without_extras() -> None:
    materials = judge().materials
    assert materials == tuple(material_text(m.id) for m in RULES.materials if not m.when)
    assert material_text("business_licence") in materials and material_text("articles") in materials
    social_insurance = material_text("social_insurance")
    assert social_insurance in materials and has_number(social_insurance, MIN_STAFF)
    for extra in ("foreign_investors", "branches", "subsidiaries"):
        assert material_text(extra) not in materials


def test_foreign_investment_adds_foreign_investor_material() -> None:
    base = judge().materials
    foreign = judge(foreign_investment=True).materials
    added = [m for m in foreign if m not in base]
    assert added == [material_text("foreign_investors")]


def test_unknown_foreign_investment_adds_nothing() -> None:
    assert judge(foreign_investment=UNKNOWN).materials == judge().materials


@pytest.mark.parametrize(
    ("extra", "material"),
    [("has_branches", "branches"), ("has_subsidiaries", "subsidiaries")],
)
def test_branches_and_subsidiaries_add_their_licences(extra: str, material: str) -> None:
    assert material_text(material) in judge(**{extra: True}).materials
    assert material_text(material) not in judge(**{extra: False}).materials


# --- authority ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("coverage", "province", "authority"),
    [
        ("地网", "广东", provincial("广东省")),
        ("地网", "北京", provincial("北京市")),
        ("地网", "内蒙古", provincial("内蒙古自治区")),
        ("地网", "新疆", provincial("新疆维吾尔自治区")),
        ("全网", None, NATIONAL.authority),
        ("全网", "广东", NATIONAL.authority),
        ("地网", None, None),
        ("地网", UNKNOWN, None),
        ("地网", "火星", None),
    ],
)
def test_authority(coverage: str, province: str | None, authority: str | None) -> None:
    d = judge(coverage=coverage, province=province)
    assert d.authority == authority


def test_licence_names_by_scope() -> None:
    assert LOCAL.licence_name != NATIONAL.licence_name
    assert judge().licence_name == LOCAL.licence_name
    assert judge(coverage=NATIONAL.name).licence_name == NATIONAL.licence_name


@pytest.mark.parametrize(
    ("province", "official_name"),
    [("广东", "广东省"), ("北京", "北京市"), ("内蒙古", "内蒙古自治区")],
)
def test_authority_with_the_real_province_table(province: str, official_name: str) -> None:
    assert assess(profile(province=province)).authority == provincial(official_name)


def test_no_authority_for_an_unknown_province() -> None:
    assert assess(profile(province="火星")).authority is None


def test_no_provincial_authority_outside_the_mainland() -> None:
    assert assess(profile(province="香港")).authority is None


def test_resolver_errors_leave_the_authority_open() -> None:
    def broken(short: str) -> str:
        raise KeyError(short)

    d = assess(profile(), province_full_name=broken)
    assert d.authority is None
    submit = next(s for s in d.next_steps if s.id == "submit")
    assert LOCAL.authority_generic and LOCAL.authority_generic in submit.who


def test_province_resolver_not_needed_for_nationwide() -> None:
    def must_not_be_called(short: str) -> str:
        raise AssertionError("called")

    d = assess(profile(coverage="全网", registered_capital=2000), province_full_name=must_not_be_called)
    assert d.authority == NATIONAL.authority


# --- next steps ---------------------------------------------------------------


def test_next_steps_for_an_eligible_applicant_name_the_authority() -> None:
    steps = judge().next_steps
    ids = [s.id for s in steps]
    assert ids[0] == "prepare_materials"
    assert "fix_unmet" not in ids and "confirm_unknown" not in ids
    submit = next(s for s in steps if s.id == "submit")
    assert provincial("广东省") in submit.who
    completeness = next(s for s in steps if s.id == "completeness")
    assert has_number(completeness.timing, RULES.deadlines["completeness_check_working_days"])


def test_next_steps_start_with_fixing_or_checking() -> None:
    assert judge(has_premises=False).next_steps[0].id == "fix_unmet"
    assert judge(has_premises=UNKNOWN).next_steps[0].id == "confirm_unknown"


def test_next_step_deadline_keys_exist_in_the_deadline_rules() -> None:
    deadlines = load_ruleset().deadlines
    keys = [s.deadline_key for s in judge().next_steps if s.deadline_key]
    assert keys and all(k in deadlines for k in keys)


def test_where_to_apply_names_the_authority() -> None:
    assert provincial("北京市") in (judge(province="北京").where_to_apply or "")


# --- as_slot ------------------------------------------------------------------


def test_as_slot_is_exactly_the_contract_and_json_serialisable() -> None:
    d = judge(coverage="全网", registered_capital=500, violations_3y=True, has_premises=UNKNOWN)
    slot = d.as_slot()
    assert slot == {
        "scope": "全网",
        "authority": NATIONAL.authority,
        "eligible": False,
        "unmet": ["capital"],
        "warnings": ["violations"],
        "unknown": ["premises"],
    }
    assert json.loads(json.dumps(slot, ensure_ascii=False)) == slot


# --- faq_vars, need_check, process --------------------------------------------


def test_faq_vars_have_one_source_of_truth() -> None:
    v = faq_vars()
    deadlines = RULES.deadlines

    def month_day(mm_dd: str) -> str:
        month, day = mm_dd.split("-")
        return render(RULES.texts["month_day"], {"month": int(month), "day": int(day)})

    assert (v["local_capital"], v["national_capital"]) == (LOCAL.min_capital_wan, NATIONAL.min_capital_wan)
    assert v["min_staff"] == MIN_STAFF
    assert v["paid_in_years"] == RULES.conditions["capital"].params["paid_in_years"]
    assert v["social_insurance_months"] == RULES.conditions["staff"].params["social_insurance_months"]
    assert (v["validity_years"], v["renewal_days"], v["renewal_advised_days"]) == (
        deadlines["validity_years"],
        deadlines["renewal_min_days_before_expiry"],
        deadlines["renewal_advised_days_before_expiry"],
    )
    assert (v["decision_days"], v["completeness_days"]) == (
        deadlines["decision_days_after_acceptance"],
        deadlines["completeness_check_working_days"],
    )
    window = deadlines["annual_report_window"]
    assert (v["report_start"], v["report_end"]) == (month_day(window["start"]), month_day(window["end"]))
    assert (v["change_days"], v["cancel_days"]) == (
        deadlines["change_report_days"],
        deadlines["cancellation_notice_days"],
    )
    assert v["national_authority"] == NATIONAL.authority
    assert v["national_licence_name"] == NATIONAL.licence_name
    assert v["local_licence_name"] == LOCAL.licence_name
    assert all(isinstance(x, (str, int, float)) and not isinstance(x, bool) for x in v.values())


def test_faq_vars_returns_a_copy() -> None:
    original = faq_vars()["local_capital"]
    faq_vars()["local_capital"] = original + 1
    assert faq_vars()["local_capital"] == original == LOCAL.min_capital_wan


@pytest.mark.parametrize(
    ("activity", "needed"),
    [
        ("outsourcing", "yes"),
        ("seat_rental", "yes"),
        ("system_rental", "yes"),
        ("bpo", "yes"),
        ("inhouse", "ask_authority"),
        ("other", "ask_authority"),
        ("none", "no"),
        ("no-such-activity", "ask_authority"),
        (" Outsourcing ", "yes"),
    ],
)
def test_need_check(activity: str, needed: str) -> None:
    result = need_check(activity)
    assert result.licence_needed == needed
    assert result.answer
    assert (result.penalty is None) == (needed == "no")


def test_need_check_inhouse_points_to_the_provincial_authority() -> None:
    result = need_check("inhouse")
    assert (result.activity, result.licence_needed) == ("inhouse", "ask_authority")
    assert result.answer == rule_text(RULES.activities["inhouse"].answer)


def test_penalty_text_has_the_statutory_amounts() -> None:
    penalty = need_check("outsourcing").penalty
    assert penalty == rule_text(RULES.penalty.text, **RULES.penalty.params)
    for amount in RULES.penalty.params.values():
        assert has_number(penalty, amount)


def test_process_has_six_steps_with_statutory_timing() -> None:
    authority = provincial("广东省")
    steps = process_steps(authority)
    assert [s.id for s in steps] == ["submit", "completeness", "acceptance", "review", "decision", "issue"]
    assert has_number(steps[1].timing, RULES.deadlines["completeness_check_working_days"])
    assert steps[1].who == authority
    assert has_number(steps[4].timing, RULES.deadlines["decision_days_after_acceptance"])
    total = process_total_text()
    assert total == rule_text(RULES.typical_total)
    assert has_number(total, RULES.faq_vars["typical_months_min"])
    assert has_number(total, RULES.faq_vars["typical_months_max"])


def test_process_without_an_authority_names_both_possibilities() -> None:
    who = process_steps()[1].who
    assert who == RULES.texts["authority_unknown"]
    assert NATIONAL.authority and NATIONAL.authority in who
    assert LOCAL.authority_suffix and LOCAL.authority_suffix in who


def test_condition_labels_cover_every_condition_in_order() -> None:
    assert list(condition_labels()) == [
        "company",
        "capital",
        "foreign",
        "credit",
        "violations",
        "business_scope",
        "staff",
        "premises",
        "system",
        "service",
    ]


# --- the data drives the verdict ----------------------------------------------


def _edited_copy(tmp_path: Path, edit: Any) -> Path:
    data = yaml.safe_load(load_ruleset().path.read_text(encoding="utf-8"))
    edit(data)
    path = tmp_path / "ruleset.yml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def _condition(data: dict[str, Any], cid: str) -> dict[str, Any]:
    return next(c for c in data["conditions"] if c["id"] == cid)


def test_changing_the_capital_threshold_changes_the_verdict(tmp_path: Path) -> None:
    def raise_local_minimum(data: dict[str, Any]) -> None:
        data["scopes"]["地网"]["min_capital_wan"] = 200

    rules = load_ruleset(_edited_copy(tmp_path, raise_local_minimum))
    before = assess(profile(registered_capital=150), province_full_name=full_name)
    after = assess(profile(registered_capital=150), rules, province_full_name=full_name)
    assert before.eligible is True
    assert after.eligible is False and after.unmet == ("capital",)
    assert has_number(after.reasons["capital"], 200)
    assert not has_number(after.reasons["capital"], LOCAL.min_capital_wan)
    assert faq_vars(rules)["local_capital"] == 200


def test_changing_the_staff_threshold_changes_the_verdict(tmp_path: Path) -> None:
    def lower_staff(data: dict[str, Any]) -> None:
        _condition(data, "staff")["test"]["value"] = 2

    rules = load_ruleset(_edited_copy(tmp_path, lower_staff))
    assert judge(insured_staff=2).eligible is False
    assert assess(profile(insured_staff=2), rules, province_full_name=full_name).eligible is True
    social_insurance = material_text("social_insurance", rules)
    assert has_number(social_insurance, 2)
    assert social_insurance in assess(profile(), rules, province_full_name=full_name).materials


def test_turning_a_warning_into_a_requirement_changes_the_verdict(tmp_path: Path) -> None:
    def strict(data: dict[str, Any]) -> None:
        _condition(data, "violations")["kind"] = "requirement"

    rules = load_ruleset(_edited_copy(tmp_path, strict))
    d = assess(profile(violations_3y=True), rules, province_full_name=full_name)
    assert d.eligible is False and d.unmet == ("violations",) and d.warnings == ()


def test_capital_is_compared_with_the_scope_named_or_with_both() -> None:
    from licence.queries import capital_comparison

    national = NATIONAL.min_capital_wan
    assert capital_comparison(national - 800, NATIONAL.name) == [
        {"scope": NATIONAL.name, "minimum": f"{national:g}", "enough": False, "shortfall": "800"}
    ]
    both = capital_comparison(LOCAL.min_capital_wan)
    assert [(row["scope"], row["enough"]) for row in both] == [(LOCAL.name, True), (NATIONAL.name, False)]
    assert capital_comparison(LOCAL.min_capital_wan - 0.5, LOCAL.name)[0]["shortfall"] == "0.5"
