"""patches/rule_states.py: RulePolicy builds only the states its rules can see,
and predicts what Rasa's own RulePolicy predicts on long conversations."""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Iterator, List
from unittest import mock

import pytest
from rasa.core.policies.rule_policy import RULES, RULES_FOR_LOOP_UNHAPPY_PATH, RulePolicy
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import (
    ActionExecuted,
    ActionReverted,
    ActiveLoop,
    BotUttered,
    Event,
    Restarted,
    SlotSet,
    UserUtteranceReverted,
    UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker

from patches import rule_states

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def domain() -> Domain:
    return Domain.load(str(ROOT / "domain.yml"))


def conversation(domain: Domain, rng: random.Random, turns: int) -> DialogueStateTracker:
    """A random conversation in the project's domain: messages with intents, actions,
    slots set, the interview form switched on and off."""
    intents = [i for i in domain.intents if i != "nlu_fallback"]
    actions = [a for a in domain.action_names_or_texts if a.startswith(("utter_", "action_"))]
    slots = [s.name for s in domain.slots if s.name != "requested_slot"]
    forms = list(domain.form_names)
    events: List[Event] = [ActionExecuted("action_session_start"), ActionExecuted("action_listen")]
    for _ in range(turns):
        events.append(UserUttered("x", {"name": rng.choice(intents), "confidence": 1.0}))
        for _ in range(rng.randint(1, 3)):
            events.append(ActionExecuted(rng.choice(actions)))
            if rng.random() < 0.4:
                events.append(SlotSet(rng.choice(slots), rng.choice([True, False, "地网", 100, None])))
            if forms and rng.random() < 0.15:
                events.append(ActiveLoop(rng.choice(forms + [None])))
            events.append(BotUttered("y"))
        events.append(ActionExecuted("action_listen"))
    return DialogueStateTracker.from_events("t", events, domain.slots)


def policy(tmp_path: Path, rules: dict, unhappy: dict) -> RulePolicy:
    return RulePolicy(
        RulePolicy.get_default_config(),
        LocalModelStorage(tmp_path),
        Resource("rules"),
        ExecutionContext(GraphSchema({})),
        lookup={RULES: rules, RULES_FOR_LOOP_UNHAPPY_PATH: unhappy},
    )


def windows(states: List[dict], rng: random.Random, n: int) -> Iterator[str]:
    for _ in range(n):
        length = rng.randint(1, min(5, len(states)))
        start = rng.randint(0, len(states) - length)
        yield json.dumps(states[start : start + length], sort_keys=True)


@pytest.fixture
def patched() -> Iterator[None]:
    rule_states.apply()
    yield
    rule_states.apply()  # the server runs with the patch on


def test_the_states_are_the_tail_of_rasas_own(domain: Domain, tmp_path: Path, patched: None) -> None:
    rng = random.Random(7)
    tracker = conversation(domain, rng, 60)
    full = tracker.past_states(domain)
    rules = {json.dumps(full[:4], sort_keys=True): "utter_greet"}
    p = policy(tmp_path, rules, {})
    ours = p._prediction_states(tracker, domain)
    rule_states.restore()
    theirs = p._prediction_states(tracker, domain)
    assert len(ours) == 4 < len(theirs)
    assert ours == theirs[-4:]


def test_rule_predictions_match_rasas_on_long_conversations(
    domain: Domain, tmp_path: Path, patched: None
) -> None:
    rng = random.Random(42)
    trackers = [conversation(domain, rng, rng.randint(1, 40)) for _ in range(25)]
    rules, unhappy = {}, {}
    empty = policy(tmp_path, {}, {})

    def states_of(tracker: DialogueStateTracker) -> List[dict]:
        return rule_states._ORIGINAL(empty, tracker, domain)

    for tracker in trackers[:15]:
        states = states_of(tracker)
        for key in windows(states, rng, 4):
            rules[key] = rng.choice(["utter_greet", "action_answer_faq", "utter_goodbye"])
        # rules that must open the conversation
        rules[json.dumps(states[: rng.randint(1, 3)], sort_keys=True)] = "utter_greet"
        for key in windows(states, rng, 1):
            unhappy[key] = "eligibility_form"
    for i, tracker in enumerate(trackers):
        states = states_of(tracker)
        if i % 2 == 0:  # the end of a conversation, so that rules fire
            rules[json.dumps(states[-2:], sort_keys=True)] = "utter_default"
        # near misses: a conversation's last four states after a state it does not have
        other = states_of(trackers[(i + 1) % len(trackers)])[0]
        if len(states) > 4 and states[-5] != other:
            rules[json.dumps([other] + states[-4:], sort_keys=True)] = "utter_goodbye"
    p = policy(tmp_path, rules, unhappy)
    fired = 0
    for tracker in trackers:
        rule_states.apply()
        ours = p._find_action_from_rules(tracker, domain, False), p._predict(tracker, domain)
        rule_states.restore()
        theirs = p._find_action_from_rules(tracker, domain, False), p._predict(tracker, domain)
        assert ours[0] == theirs[0]
        (our_prediction, our_source), (their_prediction, their_source) = ours[1], theirs[1]
        assert our_source == their_source
        assert our_prediction.probabilities == their_prediction.probabilities
        assert our_prediction.hide_rule_turn == their_prediction.hide_rule_turn
        assert our_prediction.events == their_prediction.events
        fired += theirs[0][0] is not None
    assert fired >= len(trackers) // 2


def test_states_of_a_growing_conversation_match_rasas_at_every_turn(
    domain: Domain, tmp_path: Path, patched: None
) -> None:
    """The replay kept on the tracker between turns gives the states a fresh one
    gives, also across rewinds and restarts, which start it again."""
    rng = random.Random(3)
    source = conversation(domain, rng, 50)
    states = source.past_states(domain)
    p = policy(tmp_path, {json.dumps(states[:5], sort_keys=True): "utter_greet"}, {})
    tracker = DialogueStateTracker("t", domain.slots)
    for i, event in enumerate(source.events):
        tracker.update(event)
        if i % 7 == 0:
            tracker.update(rng.choice([UserUtteranceReverted(), ActionReverted(), Restarted()]))
        if isinstance(event, (UserUttered, BotUttered)) or i % 5 == 0:
            ours = p._prediction_states(tracker, domain)
            rule_states.restore()
            theirs = p._prediction_states(tracker, domain)
            rule_states.apply()
            assert ours == theirs[-5:]


def test_a_later_turn_replays_only_its_new_events(domain: Domain, tmp_path: Path, patched: None) -> None:
    rng = random.Random(5)
    tracker = conversation(domain, rng, 100)
    states = tracker.past_states(domain)
    p = policy(tmp_path, {json.dumps(states[:3], sort_keys=True): "utter_greet"}, {})
    p._prediction_states(tracker, domain)
    tracker.update(UserUttered("x", {"name": "faq", "confidence": 1.0}))
    replay = tracker.__dict__[rule_states._REPLAY]
    with mock.patch.object(replay.prior, "update", wraps=replay.prior.update) as update:
        ours = p._prediction_states(tracker, domain)
    assert update.call_count == 1
    rule_states.restore()
    assert ours == p._prediction_states(tracker, domain)[-3:]
