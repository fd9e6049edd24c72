"""The rule file: it matches the shared contract, cites its sources, and a broken
copy is rejected with a message that names the file and the entry."""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from licence.ruleset_loader import DEFAULT_PATH, check_ruleset, load_ruleset
from licence.schema_checks import RuleSetError
from licence.placeholders import placeholders

LICENCE_DIR = Path(__file__).resolve().parents[2] / "licence"

CONTRACT_ORDER = [
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
CONTRACT_CONDITIONS = {
    "is_company": "company",
    "registered_capital": "capital",
    "foreign_investment": "foreign",
    "on_dishonest_list": "credit",
    "violations_3y": "violations",
    "business_scope_ok": "business_scope",
    "insured_staff": "staff",
    "has_premises": "premises",
    "has_call_centre_system": "system",
    "has_service_measures": "service",
}
CONTRACT_DEADLINES = {
    "validity_years": 5,
    "renewal_min_days_before_expiry": 90,
    "renewal_advised_days_before_expiry": 180,
    "annual_report_window": {"start": "01-01", "end": "03-31"},
    "completeness_check_working_days": 5,
    "decision_days_after_acceptance": 60,
    "change_report_days": 30,
    "cancellation_notice_days": 90,
}
CJK = re.compile(r"[\u3400-\u9fff\uff00-\uffef\u3000-\u303f]")


def raw_data() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(DEFAULT_PATH.read_text(encoding="utf-8"))
    return data


# --- the shipped file ----------------------------------------------------------


def test_default_rule_file_loads_and_is_cached() -> None:
    assert load_ruleset() is load_ruleset()


def test_check_ruleset_accepts_the_shipped_file() -> None:
    try:
        check_ruleset()
    except RuleSetError as error:  # the message lists every problem of the file
        pytest.fail(f"the shipped rule set does not pass its own checks:\n{error}")


def test_deadlines_build_the_deadline_rules() -> None:
    from licence import deadlines
    from licence.ruleset_loader import deadline_rules

    assert isinstance(deadline_rules(), deadlines.DeadlineRules)


def test_questions_follow_the_contract_order() -> None:
    rules = load_ruleset()
    assert [q.slot for q in rules.questions] == CONTRACT_ORDER
    assert all(q.response == f"utter_ask_{q.slot}" for q in rules.questions)


def test_each_slot_maps_to_its_contract_condition() -> None:
    rules = load_ruleset()
    asked = {q.slot: q.condition for q in rules.questions if q.condition}
    assert asked == CONTRACT_CONDITIONS
    assert {c.slot: c.id for c in rules.conditions.values()} == CONTRACT_CONDITIONS


def test_only_foreign_and_violations_are_warnings() -> None:
    kinds = {c.id: c.kind for c in load_ruleset().conditions.values()}
    assert {cid for cid, kind in kinds.items() if kind == "warning"} == {"foreign", "violations"}


def test_deadlines_are_exactly_the_contract() -> None:
    assert raw_data()["deadlines"] == CONTRACT_DEADLINES


def test_scopes_match_the_contract() -> None:
    scopes = load_ruleset().scopes
    assert set(scopes) == {"全网", "地网"}
    assert (scopes["全网"].authority, scopes["全网"].min_capital_wan) == ("工业和信息化部", 1000)
    assert (scopes["地网"].authority_suffix, scopes["地网"].min_capital_wan) == ("通信管理局", 100)


def test_every_rule_cites_known_sources_and_a_brief_section() -> None:
    data = raw_data()
    known = set(data["sources"])
    entries: list[dict[str, Any]] = [
        *data["scopes"].values(),
        *data["conditions"],
        *data["materials"],
        *data["process"]["steps"],
        data["process"]["typical_total"],
        data["need_check"]["penalty"],
        *data["need_check"]["activities"].values(),
        *data["next_steps"],
    ]
    for entry in entries:
        cited = {citation.split("/", 1)[0] for citation in entry["source"]}
        assert cited and cited <= known, entry
        assert re.fullmatch(r"\d+(, ?\d+)*", entry["brief"]), entry


# The article numbers the domain brief states (Order 42 Art. 6 and 27, 电信条例
# Art. 9 and 69, 行政许可法 Art. 58): the rule set cites no article besides them.
BRIEF_ARTICLES = {
    ("order42", 6),
    ("order42", 27),
    ("telecom_regs", 9),
    ("telecom_regs", 69),
    ("admin_licensing_law", 58),
}


def test_article_citations_are_only_those_the_brief_states() -> None:
    def citations(node: Any) -> list[str]:
        if isinstance(node, dict):
            own = list(node.get("source") or []) if isinstance(node.get("source"), list) else []
            return own + [c for v in node.values() for c in citations(v)]
        if isinstance(node, list):
            return [c for v in node for c in citations(v)]
        return []

    cited = {
        (sid, int(article))
        for sid, _, article in (c.partition("/") for c in citations(raw_data()))
        if article
    }
    assert cited == BRIEF_ARTICLES


def test_every_regulation_names_the_date_its_version_took_effect() -> None:
    rules = load_ruleset()
    regs = {sid: s for sid, s in rules.sources.items() if s.kind == "reg"}
    assert regs
    for sid, source in regs.items():
        assert source.in_force and re.fullmatch(r"\d{4}-\d{2}-\d{2}", source.in_force), sid
    # the brief: Order 42 in force since 1 September 2017
    assert rules.sources["order42"].in_force == "2017-09-01"
    assert {s.in_force for s in rules.sources.values() if s.kind != "reg"} == {None}


def test_every_condition_has_reason_remedy_and_a_way_to_check() -> None:
    for cond in load_ruleset().conditions.values():
        assert cond.label and cond.reason and cond.remedy and cond.check, cond.id


def test_practice_rules_say_so() -> None:
    """Where only practice backs a rule, it is flagged, cites the practice source
    and carries a note that the verdict shows the user (its wording is free)."""
    rules = load_ruleset()
    practice_sources = {sid for sid, source in rules.sources.items() if source.kind == "practice"}
    assert practice_sources
    flagged = {c.id for c in rules.conditions.values() if c.practice}
    assert flagged == {"staff", "business_scope"}
    assert flagged == {c.id for c in rules.conditions.values() if practice_sources & set(c.source)}
    for cid in flagged:
        assert rules.conditions[cid].note, cid


def test_remedies_end_a_sentence_so_the_basis_reads_as_the_next_one() -> None:
    """The verdict lays out "{label}：{reason}整改：{remedy}{basis}" (texts.unmet_item)."""
    for cond in load_ruleset().conditions.values():
        assert cond.remedy.endswith("。"), cond.id


def test_texts_have_no_stray_spaces_or_line_breaks() -> None:
    """Folded YAML would put spaces between Chinese lines."""

    def texts(node: Any) -> list[str]:
        if isinstance(node, dict):
            return [t for v in node.values() for t in texts(v)]
        if isinstance(node, list):
            return [t for v in node for t in texts(v)]
        return [node] if isinstance(node, str) else []

    for text in texts(raw_data()):
        if CJK.search(text):
            assert "\n" not in text, text
            assert not re.search(r"[\u3000-\u303f\uff00-\uffef\u4e00-\u9fff] ", text), text


def test_placeholders_only_use_known_names() -> None:
    # load_ruleset() checks this; here one concrete text proves the check ran.
    assert set(placeholders(load_ruleset().conditions["capital"].reason)) == {"value", "scope", "threshold"}


# --- house rules for the code ---------------------------------------------------


ENGINE_MODULES = [
    "basis.py",
    "eligibility.py",
    "models.py",
    "placeholders.py",
    "queries.py",
    "rendering.py",
    "ruleset_loader.py",
    "schema.py",
    "schema_checks.py",
]


@pytest.mark.parametrize("module", ENGINE_MODULES)
def test_engine_code_has_no_chinese_literals(module: str) -> None:
    """User-facing Chinese lives in the rule file, never in Python string literals
    (docstrings and comments may quote examples)."""
    tree = ast.parse((LICENCE_DIR / module).read_text(encoding="utf-8"))
    docstrings = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef))
        and node.body
        and isinstance(node.body[0], ast.Expr)
        and isinstance(node.body[0].value, ast.Constant)
    }
    literals = [
        node.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings
    ]
    assert [text for text in literals if CJK.search(text)] == []


def test_engine_imports_neither_rasa_nor_reads_files_at_import() -> None:
    code = (
        "import sys, builtins\n"
        "opened = []\n"
        "real_open = builtins.open\n"
        "builtins.open = lambda *a, **k: (opened.append(a[0]), real_open(*a, **k))[1]\n"
        "import licence.eligibility, licence.queries, licence.ruleset_loader\n"
        "assert not [m for m in sys.modules if m.split('.')[0] in ('rasa', 'rasa_sdk')], 'rasa imported'\n"
        "assert not [p for p in opened if str(p).endswith('.yml')], opened\n"
    )
    cwd = LICENCE_DIR.parent
    result = subprocess.run([sys.executable, "-c", code], cwd=cwd, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr


# --- broken copies are rejected, naming the entry -------------------------------


def write_copy(tmp_path: Path, edit: Callable[[dict[str, Any]], None], name: str = "ruleset.yml") -> Path:
    data = raw_data()
    edit(data)
    path = tmp_path / name
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def condition(data: dict[str, Any], cid: str) -> dict[str, Any]:
    return next(c for c in data["conditions"] if c["id"] == cid)


def index_of(data: dict[str, Any], cid: str) -> int:
    return next(i for i, c in enumerate(data["conditions"]) if c["id"] == cid)


def test_missing_remedy_names_file_and_entry(tmp_path: Path) -> None:
    staff = index_of(raw_data(), "staff")
    path = write_copy(tmp_path, lambda d: condition(d, "staff").pop("remedy"))
    with pytest.raises(RuleSetError) as info:
        load_ruleset(path)
    assert f"ruleset.yml: conditions[{staff}] (id=staff): missing 'remedy'" in str(info.value)


def test_check_ruleset_rejects_a_broken_file(tmp_path: Path) -> None:
    path = write_copy(tmp_path, lambda d: condition(d, "capital").pop("reason"))
    with pytest.raises(RuleSetError, match=r"\(id=capital\): missing 'reason'"):
        check_ruleset(path)


def _set(path: list[Any], value: Any) -> Callable[[dict[str, Any]], None]:
    """An edit that sets ``value`` at ``path``; conditions are addressed by id."""

    def edit(data: dict[str, Any]) -> None:
        node: Any = data
        for part in path[:-1]:
            in_conditions = node is data["conditions"] and isinstance(part, str)
            node = condition(data, part) if in_conditions else node[part]
        node[path[-1]] = value

    return edit


BROKEN = [
    pytest.param(
        ["conditions", "credit", "source"],
        ["nowhere"],
        r"\(id=credit\): unknown source 'nowhere'",
        id="unknown-source",
    ),
    pytest.param(
        ["conditions", "staff", "source"],
        ["page/12"],
        r"\(id=staff\): 'page/12' cites an article of 'page', which is no regulation",
        id="article-of-a-page",
    ),
    pytest.param(
        ["conditions", "credit", "source"],
        ["order42/six"],
        r"\(id=credit\)\.source\[0\]: 'order42/six' does not match",
        id="article-not-a-number",
    ),
    pytest.param(
        ["sources", "order42", "in_force"],
        "2017-9-1",
        r"sources\.order42\.in_force: '2017-9-1' does not match",
        id="in-force-not-a-date",
    ),
    pytest.param(
        ["sources", "page", "in_force"],
        "2020-01-01",
        r"sources\.page: ",
        id="in-force-on-a-page",
    ),
    pytest.param(
        ["faq_basis", "renewal"],
        {"source": ["statute_book/27"]},
        r"faq_basis\.renewal: unknown source 'statute_book'",
        id="faq-basis-unknown-source",
    ),
    pytest.param(
        ["faq_basis", "capital"],
        {"from": "conditions.capitol"},
        r"faq_basis\.capital: from 'conditions\.capitol' names no entry with a source",
        id="faq-basis-bad-from",
    ),
    pytest.param(
        ["need_check", "penalty", "source"],
        ["telecom_regs/68"],
        r"need_check\.penalty: article 69 is not among its citations",
        id="penalty-article-not-cited",
    ),
    pytest.param(
        ["basis", "reg"],
        "《{title}》{article_no}",
        r"basis\.reg: unknown placeholder \{article_no\}",
        id="basis-placeholder",
    ),
    pytest.param(
        ["conditions", "staff", "test"],
        {"op": ">=", "value": "three"},
        r"\(id=staff\)\.test: value 'three'",
        id="text-threshold",
    ),
    pytest.param(
        ["conditions", "premises", "test"],
        {"op": ">=", "value": True},
        r"\(id=premises\)\.test: operator",
        id="ordering-a-yes-no",
    ),
    pytest.param(
        ["conditions", "capital", "test"],
        {"op": ">=", "value_from": "scope.max_seats"},
        r"\(id=capital\): value_from 'scope.max_seats' is not a number",
        id="bad-value-from",
    ),
    pytest.param(
        ["conditions", "staff", "reason"],
        "少于{minimum}人",
        r"\(id=staff\)\.reason: unknown placeholder",
        id="unknown-placeholder",
    ),
    pytest.param(
        ["conditions", "staff", "kind"],
        "optional",
        r"\(id=staff\)\.kind: 'optional' is not one of",
        id="bad-kind",
    ),
    pytest.param(
        ["conditions", "staff", "slot"],
        "staff_count",
        r"\(id=staff\): slot 'staff_count' differs",
        id="slot-mismatch",
    ),
    pytest.param(
        ["questions", 4, "condition"],
        "foreigner",
        r"unknown condition 'foreigner'",
        id="unknown-condition",
    ),
    pytest.param(
        ["questions", 4, "response"],
        "utter_foreign",
        r"questions\[4\] \(slot=foreign_investment\)",
        id="bad-response-name",
    ),
    pytest.param(
        ["need_check", "activities", "none", "licence_needed"],
        False,
        r"activities\.none\.licence_needed",
        id="licence-needed-not-text",
    ),
    pytest.param(
        ["need_check", "default"],
        "anything",
        r"need_check\.default: unknown activity",
        id="unknown-default-activity",
    ),
    pytest.param(
        ["deadlines", "renewal_days"],
        90,
        r"deadlines: Additional properties",
        id="extra-deadline-key",
    ),
    pytest.param(
        ["deadlines", "annual_report_window"],
        {"start": "1-1", "end": "03-31"},
        r"annual_report_window\.start",
        id="bad-month-day",
    ),
    pytest.param(
        ["faq_vars", "min_staff"],
        "conditions.staff.test.limit",
        r"faq_vars\.min_staff: path",
        id="faq-var-path",
    ),
    pytest.param(
        ["materials", 0, "when"],
        {"slot": "has_boats", "op": "==", "value": True},
        r"unknown slot 'has_boats'",
        id="material-unknown-slot",
    ),
    pytest.param(
        ["scopes", "地网", "where_to_apply"],
        "向{authorty}申请",
        r"scopes\.地网\.where_to_apply: unknown",
        id="scope-placeholder",
    ),
    pytest.param(
        ["scopes", "地网", "authority"],
        "某某局",
        r"scopes\.地网: needs exactly one of",
        id="two-authorities",
    ),
]


@pytest.mark.parametrize(("path", "value", "expected"), BROKEN)
def test_broken_copies_are_rejected(tmp_path: Path, path: list[Any], value: Any, expected: str) -> None:
    with pytest.raises(RuleSetError, match=expected) as info:
        load_ruleset(write_copy(tmp_path, _set(path, value)))
    assert all(line.startswith("ruleset.yml: ") for line in info.value.problems)


def test_warning_without_a_note_is_rejected(tmp_path: Path) -> None:
    path = write_copy(tmp_path, lambda d: condition(d, "foreign").pop("note"))
    with pytest.raises(RuleSetError, match=r"\(id=foreign\): missing 'note'"):
        load_ruleset(path)


def test_invalid_yaml_and_missing_file(tmp_path: Path) -> None:
    bad = tmp_path / "ruleset.yml"
    bad.write_text("conditions: [\n", encoding="utf-8")
    with pytest.raises(RuleSetError, match=r"^ruleset\.yml: invalid YAML"):
        load_ruleset(bad)
    with pytest.raises(RuleSetError, match=r"^nothing\.yml: cannot read"):
        load_ruleset(tmp_path / "nothing.yml")


def test_unquoted_yes_no_in_yaml_is_caught(tmp_path: Path) -> None:
    """YAML 1.1 reads a bare `no` as false; the schema must notice."""
    text = DEFAULT_PATH.read_text(encoding="utf-8").replace('licence_needed: "no"', "licence_needed: no")
    path = tmp_path / "ruleset.yml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(RuleSetError, match=r"need_check\.activities\.none\.licence_needed"):
        load_ruleset(path)


def test_reasons_end_a_sentence_so_the_remedy_reads_as_the_next_one() -> None:
    """The verdict lays out "{label}：{reason}整改：{remedy}" (texts.unmet_item)."""
    from licence.ruleset_loader import load_ruleset

    for condition in load_ruleset().conditions.values():
        assert condition.reason.rstrip().endswith("。"), condition.id
