"""The NLU parse of a text is kept, so a text seen before is not parsed again.

Every component of the pipeline (config.yml) reads only the message's text and
today's date (licence/clock.py: the NLU reads "明天" or "6月30日" relative to it),
no metadata, no tracker. So a text always parses the same with one model on one day,
and Rasa's ``MessageProcessor`` runs the whole graph again for every message
anyway: jieba, spaCy, the featurizers, the sentence encoder (the largest single
cost of a turn, bench/results/serving-steps.md) and the classifiers. Short
messages come back all the time in this bot: the interview's answers (有, 没有,
是), greetings and thanks, and the button payloads of domain.yml, which are
always the same text.

The parse data of the last texts (``NLU_CACHE_SIZE``, default 1000; 0 turns
it off) are kept per processor, so a new model starts with an empty cache. A
hit returns a deep copy: Rasa keeps the parse data inside the ``UserUttered``
event and changes it in place (the full retrieval intent), so no two messages
share one.
"""

from __future__ import annotations

import copy
import os
from collections import OrderedDict
from typing import Any, Dict, Optional, Text, Tuple

from rasa.core.channels.channel import UserMessage
from rasa.core.processor import MessageProcessor
from rasa.shared.core.trackers import DialogueStateTracker

from licence import clock

ENV_VAR = "NLU_CACHE_SIZE"
DEFAULT_SIZE = 1000
_ATTRIBUTE = "_callcentre_parse_cache"
_ORIGINAL = MessageProcessor._parse_message_with_graph

# the text, whether only output properties are kept, and the day it was read on
Key = Tuple[Optional[Text], bool, str]


def cache_size() -> int:
    """Texts whose parse is kept, from ``NLU_CACHE_SIZE`` (default 1000, 0: none)."""
    value = (os.environ.get(ENV_VAR) or "").strip()
    if not value:
        return DEFAULT_SIZE
    if not value.isdigit():
        raise ValueError(f"{ENV_VAR} must be a whole number of texts >= 0, not {value!r}")
    return int(value)


class ParseCache:
    """The parse data of the last ``size`` texts, least recently used dropped first."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._entries: "OrderedDict[Key, Dict[Text, Any]]" = OrderedDict()
        self.hits = 0
        self.misses = 0

    def get(self, key: Key) -> Optional[Dict[Text, Any]]:
        found = self._entries.get(key)
        if found is None:
            self.misses += 1
            return None
        self.hits += 1
        self._entries.move_to_end(key)
        return copy.deepcopy(found)

    def put(self, key: Key, parse_data: Dict[Text, Any]) -> None:
        if self.size < 1:
            return
        self._entries[key] = copy.deepcopy(parse_data)
        self._entries.move_to_end(key)
        while len(self._entries) > self.size:
            self._entries.popitem(last=False)

    def __len__(self) -> int:
        return len(self._entries)


def parse_cache(processor: MessageProcessor) -> ParseCache:
    """The processor's cache (made on first use, sized from the environment)."""
    cache = processor.__dict__.get(_ATTRIBUTE)
    if cache is None:
        cache = ParseCache(cache_size())
        setattr(processor, _ATTRIBUTE, cache)
    return cache


def _parse_message_with_graph(
    self: MessageProcessor,
    message: UserMessage,
    tracker: DialogueStateTracker,
    only_output_properties: bool = True,
) -> Dict[Text, Any]:
    cache = parse_cache(self)
    if cache.size < 1:
        return _ORIGINAL(self, message, tracker, only_output_properties)
    key: Key = (message.text, only_output_properties, clock.today().isoformat())
    found = cache.get(key)
    if found is not None:
        return found
    parse_data: Dict[Text, Any] = _ORIGINAL(self, message, tracker, only_output_properties)
    cache.put(key, parse_data)
    return parse_data


def apply() -> None:
    MessageProcessor._parse_message_with_graph = _parse_message_with_graph  # type: ignore[method-assign]


def restore() -> None:
    MessageProcessor._parse_message_with_graph = _ORIGINAL  # type: ignore[method-assign]
