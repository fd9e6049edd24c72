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
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional, Text, Tuple

from rasa.core.featurizers.tracker_featurizers import MaxHistoryTrackerFeaturizer
from rasa.core.policies.rule_policy import RULES, RULES_FOR_LOOP_UNHAPPY_PATH, RulePolicy
from rasa.shared.core.domain import Domain, State
from rasa.shared.core.events import ActionExecuted
from rasa.shared.core.trackers import DialogueStateTracker

_ORIGINAL = RulePolicy._prediction_states
_ORIGINAL_FIND = RulePolicy._find_action_from_rules
_LONGEST = "_callcentre_longest_rule"


def longest_rule(policy: RulePolicy) -> int:
    """The number of states of the policy's longest rule (computed once per policy)."""
    cached = getattr(policy, _LONGEST, None)
    if cached is None:
        keys = list(policy.lookup.get(RULES, {})) + list(policy.lookup.get(RULES_FOR_LOOP_UNHAPPY_PATH, {}))
        cached = max((len(policy._rule_key_to_state(key)) for key in keys), default=0)
        setattr(policy, _LONGEST, cached)
    return int(cached)


def last_states(domain: Domain, tracker: DialogueStateTracker, keep: int) -> List[State]:
    """``tracker.past_states(domain)[-keep:]``, building only those states."""
    events = tracker.applied_events()
    priors = 1 + sum(isinstance(event, ActionExecuted) for event in events)
    skip = priors - keep
    states: List[State] = []
    prior = tracker.init_copy()
    seen = 0
    # the same walk as DialogueStateTracker.generate_all_prior_trackers
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
