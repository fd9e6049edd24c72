"""RulePolicy: the states of the last turns only, not of the whole conversation.

To predict an action, Rasa 3.6's RulePolicy turns the tracker into one state
per action taken so far (the intent, slots, active loop and previous action at
that point) and then walks them backwards against every rule, decoding each
rule from JSON again for every state. Both grow with the conversation: at the
200th message of one conversation this was most of the server's time for a
turn (bench/results/serving-steps.md).

A rule only looks as far back as it is long: once the walk is past the longest
rule, ``_is_rule_applicable`` accepts every rule for every older state
(``turn_index >= len(rule)``). So the states older than the longest rule decide
nothing, and this computes only the newest ones: the conversation is replayed
as before (the slots need every event), but a state is built only for the
last ``longest rule`` actions. Rules that must start the conversation still see
whether the state at their length is the conversation's first, because that
state is kept whenever it is within that distance. The states returned are the
same as the tail of Rasa's own list, and the rule found is the same
(tests/unit/test_patches_rules.py). Only when no rule applies does Rasa use
the whole history (as the source of the prediction); then it is built whole.

The replay itself is kept on the tracker between calls (the tracker store keeps
a conversation's tracker object between its messages, stores/tracker_store.py):
the prior tracker and the last states, and how many applied events they cover.
A later call replays only the applied events added since, so a turn's cost no
longer grows with the conversation. When the covered events are no longer the
first applied ones (a rewind, a restart, a form's runs folded together), or the
domain or the longest rule changed, the replay starts again from the beginning.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from typing import Any, Deque, Dict, List, Optional, Text, Tuple

from rasa.core.featurizers.tracker_featurizers import MaxHistoryTrackerFeaturizer
from rasa.core.policies.rule_policy import RULES, RULES_FOR_LOOP_UNHAPPY_PATH, RulePolicy
from rasa.shared.core.domain import Domain, State
from rasa.shared.core.events import ActionExecuted, Event
from rasa.shared.core.trackers import DialogueStateTracker

_ORIGINAL = RulePolicy._prediction_states
_ORIGINAL_FIND = RulePolicy._find_action_from_rules
_LONGEST = "_callcentre_longest_rule"
_REPLAY = "_callcentre_rule_replay"


def longest_rule(policy: RulePolicy) -> int:
    """The number of states of the policy's longest rule (computed once per policy)."""
    cached = getattr(policy, _LONGEST, None)
    if cached is None:
        keys = list(policy.lookup.get(RULES, {})) + list(policy.lookup.get(RULES_FOR_LOOP_UNHAPPY_PATH, {}))
        cached = max((len(policy._rule_key_to_state(key)) for key in keys), default=0)
        setattr(policy, _LONGEST, cached)
    return int(cached)


@dataclass
class Replay:
    """The conversation replayed so far for one tracker: the prior tracker after
    the first ``covered`` applied events, and the states at its latest actions."""

    domain: Domain
    keep: int
    prior: DialogueStateTracker
    ring: Deque[State]
    covered: int = 0
    last: Optional[Event] = None


def _replay(domain: Domain, tracker: DialogueStateTracker, keep: int, events: List[Event]) -> Replay:
    """The tracker's replay, continued from where the last call left it when the
    applied events it covered are still the first ones (patches/applied_events.py
    explains why the last one's identity shows that), else started afresh."""
    replay: Optional[Replay] = tracker.__dict__.get(_REPLAY)
    if (
        replay is None
        or replay.domain is not domain
        or replay.keep != keep
        or len(events) < replay.covered
        or (replay.covered and events[replay.covered - 1] is not replay.last)
    ):
        replay = Replay(domain, keep, tracker.init_copy(), deque(maxlen=max(keep - 1, 0)))
        tracker.__dict__[_REPLAY] = replay
    prior = replay.prior
    # the same walk as DialogueStateTracker.generate_all_prior_trackers
    for event in events[replay.covered :]:
        if isinstance(event, ActionExecuted):
            replay.ring.append(domain._clean_state(domain.get_active_state(prior)))
        prior.update(event)
    replay.covered = len(events)
    replay.last = events[-1] if events else None
    return replay


def _copy(state: State) -> State:
    # the featurizer deletes keys of the user sub-state in place
    return {key: dict(sub) for key, sub in state.items()}  # type: ignore[misc]


def last_states(domain: Domain, tracker: DialogueStateTracker, keep: int) -> List[State]:
    """``tracker.past_states(domain)[-keep:]``, building only those states, and
    on a later turn of the same tracker only the states of its new actions."""
    if tracker._max_event_history is not None:
        return _last_states_afresh(domain, tracker, keep)
    replay = _replay(domain, tracker, keep, tracker.applied_events())
    states = [_copy(state) for state in replay.ring]
    states.append(domain._clean_state(domain.get_active_state(replay.prior)))
    return states


def _last_states_afresh(domain: Domain, tracker: DialogueStateTracker, keep: int) -> List[State]:
    events = tracker.applied_events()
    priors = 1 + sum(isinstance(event, ActionExecuted) for event in events)
    skip = priors - keep
    states: List[State] = []
    prior = tracker.init_copy()
    seen = 0
    for event in events:
        if isinstance(event, ActionExecuted):
            if seen >= skip:
                states.append(domain._clean_state(domain.get_active_state(prior)))
            seen += 1
        prior.update(event)
    states.append(domain._clean_state(domain.get_active_state(prior)))
    return states


def _prediction_states(
    self: RulePolicy,
    tracker: DialogueStateTracker,
    domain: Domain,
    use_text_for_last_user_input: bool = False,
    rule_only_data: Optional[Dict[Text, Any]] = None,
) -> List[State]:
    keep = longest_rule(self)
    if keep == 0 or not isinstance(self.featurizer, MaxHistoryTrackerFeaturizer):
        return _ORIGINAL(self, tracker, domain, use_text_for_last_user_input, rule_only_data)
    # RulePolicy's featurizer: MaxHistoryTrackerFeaturizer without max history and
    # without ignoring rule-only turns (RulePolicy learns from rules), so its states
    # are past_states as they are, then the last user input chosen as text or intent.
    states = last_states(domain, tracker, keep)
    featurizer = self.featurizer
    states = featurizer.slice_state_history(states, featurizer.max_history)
    trackers_as_states = [states]
    featurizer._choose_last_user_input(trackers_as_states, use_text_for_last_user_input)
    return trackers_as_states[0]


def _find_action_from_rules(
    self: RulePolicy, tracker: DialogueStateTracker, domain: Domain, use_text_for_last_user_input: bool
) -> Tuple[Optional[Text], Optional[Text], bool]:
    action, source, returning = _ORIGINAL_FIND(self, tracker, domain, use_text_for_last_user_input)
    if action is None and not use_text_for_last_user_input and source not in self.lookup.get(RULES, {}):
        # No rule applied, and Rasa then names the whole history as the source (a
        # prediction's hide_rule_turn is read from it): built from all states, as
        # Rasa does. Rare: in this bot some rule applies to nearly every step. The
        # text-based search's source is used only when it found an action.
        states = _ORIGINAL(
            self, tracker, domain, use_text_for_last_user_input, rule_only_data=self._get_rule_only_data()
        )
        source = self._create_feature_key(states)
    return action, source, returning


def apply() -> None:
    RulePolicy._prediction_states = _prediction_states  # type: ignore[method-assign]
    RulePolicy._find_action_from_rules = _find_action_from_rules  # type: ignore[method-assign]


def restore() -> None:
    RulePolicy._prediction_states = _ORIGINAL  # type: ignore[method-assign]
    RulePolicy._find_action_from_rules = _ORIGINAL_FIND  # type: ignore[method-assign]
