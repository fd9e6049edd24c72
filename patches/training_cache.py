"""Skip fingerprinting a node's inputs and output when Rasa's training cache is off.

Around every node of the training graph, Rasa 3.6's ``TrainingHook`` fingerprints
the node's inputs (``on_before_node``, the cache key) and its output
(``on_after_node``) and hands both to the cache. For the NLU nodes input and
output are the whole training data with every token and feature matrix, and the
fingerprints serialise all of it: py-spy put them at over half of a full training
run. ``LocalTrainingCache.cache_output`` then does nothing when the cache is
disabled (``RASA_MAX_CACHE_SIZE=0``), so both are thrown away. This fix skips them
in that case; with the cache on, nothing changes.
The project trains with the cache off (see the Makefile): Rasa's cache keys leave
out the code of our own components, so a cached step could feed stale features.
"""

from __future__ import annotations

from typing import Any, Dict, Text

from rasa.engine.graph import ExecutionContext
from rasa.engine.training.hooks import TrainingHook

_ORIGINAL_BEFORE = TrainingHook.on_before_node
_ORIGINAL = TrainingHook.on_after_node


def _disabled(hook: TrainingHook) -> bool:
    return bool(getattr(hook._cache, "_is_disabled", lambda: False)())


def _on_before_node(
    self: TrainingHook,
    node_name: Text,
    execution_context: ExecutionContext,
    config: Dict[Text, Any],
    received_inputs: Dict[Text, Any],
) -> Dict:
    if _disabled(self):
        return {}
    return _ORIGINAL_BEFORE(self, node_name, execution_context, config, received_inputs)


def _on_after_node(
    self: TrainingHook,
    node_name: Text,
    execution_context: ExecutionContext,
    config: Dict[Text, Any],
    output: Any,
    input_hook_data: Dict,
) -> None:
    if _disabled(self):
        return None
    return _ORIGINAL(self, node_name, execution_context, config, output, input_hook_data)


def apply() -> None:
    TrainingHook.on_before_node = _on_before_node  # type: ignore[method-assign]
    TrainingHook.on_after_node = _on_after_node  # type: ignore[method-assign]
