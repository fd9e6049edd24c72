"""patches/nlu_cache.py: a text parsed before is answered from the cache, the same
parse as the graph's, and no two messages share one parse."""

from __future__ import annotations

from typing import Any, Dict, List

import pytest
from rasa.core.channels.channel import UserMessage
from rasa.core.processor import MessageProcessor
from rasa.shared.core.trackers import DialogueStateTracker

from patches import nlu_cache


class Processor:
    """Stands in for Rasa's processor: a graph that counts its runs."""

    def __init__(self) -> None:
        self.runs: List[str] = []


def graph(self: Processor, message: UserMessage, tracker: Any, only_output_properties: bool = True) -> Dict:
    self.runs.append(message.text)
    return {
        "text": message.text,
        "intent": {"name": f"intent_of_{message.text}", "confidence": 0.9},
        "entities": [],
    }


@pytest.fixture
def parse(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(nlu_cache, "_ORIGINAL", graph)
    tracker = DialogueStateTracker.from_events("s", [])

    def run(processor: Processor, text: str) -> Dict:
        return nlu_cache._parse_message_with_graph(processor, UserMessage(text, sender_id="s"), tracker)  # type: ignore[arg-type]

    return run


def test_a_repeated_text_is_parsed_once_with_the_same_result(parse) -> None:
    processor = Processor()
    first = parse(processor, "有")
    again = parse(processor, "有")
    assert again == first
    assert processor.runs == ["有"]
    parse(processor, "没有")
    assert processor.runs == ["有", "没有"]


def test_changing_one_parse_leaves_the_next_message_alone(parse) -> None:
    processor = Processor()
    first = parse(processor, "你好")
    first["intent"]["full_retrieval_intent_name"] = "changed"
    assert "full_retrieval_intent_name" not in parse(processor, "你好")["intent"]


def test_the_oldest_text_goes_first_when_full(parse, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(nlu_cache.ENV_VAR, "2")
    processor = Processor()
    for text in ["a", "b", "a", "c", "a", "b"]:
        parse(processor, text)
    assert processor.runs == ["a", "b", "c", "b"]


def test_size_zero_turns_it_off(parse, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(nlu_cache.ENV_VAR, "0")
    processor = Processor()
    parse(processor, "谢谢")
    parse(processor, "谢谢")
    assert processor.runs == ["谢谢", "谢谢"]


def test_each_processor_has_its_own_cache(parse) -> None:
    old, new = Processor(), Processor()
    parse(old, "你好")
    parse(new, "你好")
    assert new.runs == ["你好"]


def test_a_size_that_is_not_a_number_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(nlu_cache.ENV_VAR, "many")
    with pytest.raises(ValueError):
        nlu_cache.cache_size()


def test_the_server_uses_it() -> None:
    import patches

    from patches import context_parse

    patches.apply()
    # the context reading wraps the cache, so both of its parses are cached
    assert MessageProcessor._parse_message_with_graph is context_parse._parse_message_with_graph
    assert context_parse._inner is nlu_cache._parse_message_with_graph


def test_a_text_is_parsed_again_on_a_new_day(parse, monkeypatch: pytest.MonkeyPatch) -> None:
    # the NLU reads "明天" relative to today: yesterday's parse must not answer today
    processor = Processor()
    monkeypatch.setenv("BOT_TODAY", "2026-12-06")
    parse(processor, "明天提交")
    parse(processor, "明天提交")
    monkeypatch.setenv("BOT_TODAY", "2026-12-07")
    parse(processor, "明天提交")
    assert processor.runs == ["明天提交", "明天提交"]
