"""Fixes to Rasa 3.6 itself, applied when the Rasa server loads our modules.

Each fix names what it changes and why; ``apply()`` is idempotent and is called
from modules Rasa imports at start-up (``stores.lock_store``, named in
endpoints.yml, and ``channels.rest``, named in credentials.yml).
"""

from __future__ import annotations

from patches.action_payload_json import apply as _apply_action_payload_json
from patches.applied_events import apply as _apply_applied_events
from patches.action_result_schema import apply as _apply_action_result_schema
from patches.action_tracker_tail import apply as _apply_action_tracker_tail
from patches.context_parse import apply as _apply_context_parse
from patches.event_types import apply as _apply_event_types
from patches.nlu_cache import apply as _apply_nlu_cache
from patches.nlu_thread import apply as _apply_nlu_thread
from patches.rule_states import apply as _apply_rule_states
from patches.sqlite_pragmas import apply as _apply_sqlite_pragmas
from patches.tracker_copy import apply as _apply_tracker_copy


def apply() -> None:
    _apply_action_payload_json()
    _apply_action_result_schema()
    _apply_action_tracker_tail()
    _apply_applied_events()
    _apply_event_types()
    _apply_nlu_cache()
    # after the cache: the message and the message read in context are both cached
    _apply_context_parse()
    _apply_nlu_thread()
    _apply_rule_states()
    _apply_sqlite_pragmas()
    _apply_tracker_copy()
