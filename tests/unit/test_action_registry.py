"""Names that must agree across the action server, domain.yml and the NLU data.

A mismatch here is a conversation that breaks at run time: Rasa predicts an
action the server does not know, an action utters a response the domain lacks
(the user gets nothing), or an FAQ answer shows a raw ``{placeholder}``.
"""

from __future__ import annotations

import ast
import inspect
import re
import typing
from functools import lru_cache
from pathlib import Path
from typing import Any, Dict, Iterator, List, Set, Tuple

import pytest
import yaml
from rasa_sdk import Action
from rasa_sdk.executor import ActionExecutor

ROOT = Path(__file__).resolve().parents[2]
ACTIONS_DIR = ROOT / "actions"
NLU_DIR = ROOT / "data" / "nlu"
FAQ_PREFIX = "utter_faq/"
PLACEHOLDER = re.compile(r"\{(\w+)\}")


@lru_cache(maxsize=1)
def domain() -> Dict[str, Any]:
    with (ROOT / "domain.yml").open(encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def domain_actions() -> Set[str]:
    return set(domain()["actions"])


def domain_responses() -> Dict[str, List[Dict[str, Any]]]:
    return domain()["responses"]


def action_modules() -> List[Path]:
    return sorted(ACTIONS_DIR.glob("*.py"))


def parsed_modules() -> Iterator[Tuple[Path, ast.Module]]:
    for path in action_modules():
        yield path, ast.parse(path.read_text(encoding="utf-8"), filename=str(path))


# --------------------------------------------------------------------------
# Actions: domain.yml <-> action server


def registered_by_executor() -> Set[str]:
    """Action names the SDK's action server registers from the ``actions`` package
    (only classes defined in that package, whatever else the test run imported)."""
    executor = ActionExecutor()
    executor.register_package("actions")
    return {
        name
        for name, run in executor.actions.items()
        if type(getattr(run, "__self__", None)).__module__.startswith("actions.")
    }


def concrete_action_classes() -> List[type]:
    """Action subclasses defined in ``actions/`` that implement ``name()``."""
    import importlib

    for path in action_modules():
        if path.stem != "__init__":
            importlib.import_module(f"actions.{path.stem}")

    def subclasses(cls: type) -> Iterator[type]:
        for sub in cls.__subclasses__():
            yield sub
            yield from subclasses(sub)

    found = []
    for cls in set(subclasses(Action)):
        if not cls.__module__.startswith("actions."):
            continue
        if inspect.isabstract(cls) or "name" not in _own_and_inherited_in_package(cls):
            continue
        found.append(cls)
    return found


def _own_and_inherited_in_package(cls: type) -> Set[str]:
    """Attributes defined by ``cls`` or its ancestors in the ``actions`` package
    (rasa_sdk's own ``Action.name`` only raises NotImplementedError)."""
    names: Set[str] = set()
    for base in cls.__mro__:
        if base.__module__.startswith("actions."):
            names.update(vars(base))
    return names


def test_action_server_can_register_the_actions_package() -> None:
    executor = ActionExecutor()
    executor.register_package("actions")
    assert {"validate_eligibility_form", "action_answer_faq"} <= set(executor.actions)


def test_domain_actions_are_exactly_the_registered_actions() -> None:
    assert domain_actions() == registered_by_executor()


def test_every_domain_action_is_implemented() -> None:
    implemented = {cls().name() for cls in concrete_action_classes()}
    assert domain_actions() - implemented == set()


def test_every_implemented_action_is_in_the_domain() -> None:
    implemented = {cls().name() for cls in concrete_action_classes()}
    assert implemented, "no action classes found in actions/"
    assert implemented - domain_actions() == set()


def test_every_action_runs_inside_the_one_error_boundary() -> None:
    from actions.common import ErrorBoundary, GuardedFormValidation, SafeAction

    classes = concrete_action_classes()
    assert classes
    outside = sorted(cls.__name__ for cls in classes if not issubclass(cls, ErrorBoundary))
    assert outside == []
    # a run of its own would step around the boundary
    own_run = sorted(
        cls.__name__
        for cls in classes
        for base in cls.__mro__
        if "run" in vars(base)
        and base.__module__.startswith("actions.")
        and base not in (SafeAction, GuardedFormValidation)
    )
    assert own_run == []


def test_form_validators_match_the_forms() -> None:
    forms = set(domain()["forms"])
    validators = {a for a in domain_actions() if a.startswith("validate_")}
    assert {f"validate_{form}" for form in forms} == validators


def test_import_contract_covers_every_action_module() -> None:
    # the independence contract only guards the modules it lists
    import configparser

    config = configparser.ConfigParser()
    config.read(ROOT / ".importlinter", encoding="utf-8")
    listed = set(config["importlinter:contract:actions-independent"]["modules"].split())
    assert listed == {cls.__module__ for cls in concrete_action_classes()}


# --------------------------------------------------------------------------
# Responses uttered by the actions


# Rasa's own key in a bot event's metadata: the name of the response it came from
RASA_BOT_METADATA_KEYS = {"utter_action"}


def _literal_utter_names() -> Set[str]:
    """Every complete ``"utter_..."`` string literal in actions/ (f-string parts and Rasa's metadata keys excluded)."""
    names: Set[str] = set()
    for _, tree in parsed_modules():
        in_fstring = {
            id(part) for node in ast.walk(tree) if isinstance(node, ast.JoinedStr) for part in node.values
        }
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Constant)
                and isinstance(node.value, str)
                and node.value.startswith("utter_")
                and id(node) not in in_fstring
                and node.value not in RASA_BOT_METADATA_KEYS
            ):
                names.add(node.value)
    return names


def _response_keyword_literals() -> Set[str]:
    """``response="..."`` keyword literals in actions/."""
    names: Set[str] = set()
    for _, tree in parsed_modules():
        for node in ast.walk(tree):
            if isinstance(node, ast.keyword) and node.arg == "response":
                if isinstance(node.value, ast.Constant) and isinstance(node.value.value, str):
                    names.add(node.value.value)
    return names


def test_actions_utter_responses_at_all() -> None:
    # guards the two scans below against silently finding nothing
    assert len(_response_keyword_literals()) >= 20


@pytest.mark.parametrize("name", sorted(_literal_utter_names() | _response_keyword_literals()))
def test_response_named_in_actions_exists_in_domain(name: str) -> None:
    missing = [] if name in domain_responses() else [name]
    assert missing == []


def _invalid_problems() -> List[Any]:
    from actions.interview import SLOT_PROBLEMS
    from licence.extract import PROBLEM_CODES

    # the form also reports these itself (actions/interview.py)
    problems = sorted(PROBLEM_CODES | {"not_understood"} | set(SLOT_PROBLEMS.values()))
    params = []
    for problem in problems:
        marks = ()
        if problem == "out_of_range":
            marks = ()
        params.append(pytest.param(problem, marks=marks, id=problem))
    return params


@pytest.mark.parametrize("problem", _invalid_problems())
def test_every_invalid_answer_problem_has_a_response(problem: str) -> None:
    # ValidateEligibilityForm utters f"utter_invalid_{problem}"
    name = f"utter_invalid_{problem}"
    missing = [] if name in domain_responses() else [name]
    assert missing == []


def test_every_renewal_status_has_a_response() -> None:
    from licence.deadlines import RenewalStatus

    # actions/deadline_answers.py utters f"utter_deadline_renewal_status_{info.status}"
    statuses = typing.get_args(RenewalStatus)
    assert statuses
    missing = [s for s in statuses if f"utter_deadline_renewal_status_{s}" not in domain_responses()]
    assert missing == []


def _answer_topic_literals() -> Set[str]:
    """Topics passed as literals to ``answer_topic(dispatcher, "<topic>", ...)``."""
    topics: Set[str] = set()
    for _, tree in parsed_modules():
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id == "answer_topic"
                and len(node.args) >= 2
                and isinstance(node.args[1], ast.Constant)
            ):
                topics.add(node.args[1].value)
    return topics


def test_faq_topics_the_actions_name_have_answers() -> None:
    from actions.deadline_answers import DATE_TOPICS

    topics = set(DATE_TOPICS) | _answer_topic_literals()
    assert {"foreign", "individual"} <= topics  # the follow-up's fallbacks
    missing = sorted(t for t in topics if f"{FAQ_PREFIX}{t}" not in domain_responses())
    assert missing == []


# --------------------------------------------------------------------------
# FAQ: domain responses <-> NLU sub-intents <-> template variables


def domain_faq_topics() -> Set[str]:
    return {name[len(FAQ_PREFIX) :] for name in domain_responses() if name.startswith(FAQ_PREFIX)}


def nlu_faq_examples() -> Dict[str, Tuple[str, List[str]]]:
    """faq sub-intent -> (file name, examples), from every data/nlu/*.yml."""
    found: Dict[str, Tuple[str, List[str]]] = {}
    for path in sorted(NLU_DIR.glob("*.yml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for block in data.get("nlu") or []:
            intent = block.get("intent") or ""
            if not intent.startswith("faq/"):
                continue
            examples = [
                line.strip()[2:].strip()
                for line in (block.get("examples") or "").splitlines()
                if line.strip().startswith("- ")
            ]
            assert intent[4:] not in found, f"faq sub-intent {intent} defined twice"
            found[intent[4:]] = (path.name, examples)
    return found


def test_faq_responses_and_nlu_sub_intents_match() -> None:
    assert domain_faq_topics(), "no utter_faq/* responses in domain.yml"
    assert domain_faq_topics() == set(nlu_faq_examples())


@pytest.mark.parametrize("topic", sorted(domain_faq_topics()))
def test_faq_topic_has_its_own_training_file(topic: str) -> None:
    examples = nlu_faq_examples()
    assert topic in examples, f"no faq/{topic} examples in data/nlu/"
    file_name, lines = examples[topic]
    assert file_name == f"faq_{topic}.yml"
    distinct = {line for line in lines if line}
    # the shared contract asks for at least 30 clearly different examples
    assert len(distinct) >= 30, f"faq/{topic}: only {len(distinct)} distinct examples"


def _faq_placeholders() -> List[Tuple[str, str]]:
    pairs = []
    for name, variants in domain_responses().items():
        if not name.startswith(FAQ_PREFIX):
            continue
        for variant in variants:
            for placeholder in PLACEHOLDER.findall(variant.get("text") or ""):
                pairs.append((name, placeholder))
    return sorted(set(pairs))


def test_some_faq_answers_use_rule_set_numbers() -> None:
    assert len(_faq_placeholders()) >= 10


@pytest.mark.parametrize(("response", "placeholder"), _faq_placeholders())
def test_faq_placeholder_is_a_rule_set_variable(response: str, placeholder: str) -> None:
    from licence.queries import faq_vars

    assert placeholder in faq_vars(), f"{response} uses {{{placeholder}}}"
