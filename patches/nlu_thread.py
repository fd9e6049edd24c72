"""The NLU pipeline runs beside Rasa's event loop, not inside it.

Rasa 3.6's ``MessageProcessor.parse_message`` is a coroutine that runs the NLU
graph synchronously: while one message is parsed, the server does nothing else
for anyone (no policy, no action call, no tracker save, no reply written). Most
of that time is the sentence encoder (components/sentence_embedding.py), whose C
engine releases the GIL, and py-spy put the NLU graph at about 60% of the
server's CPU under ten concurrent conversations (bench/results/serving-steps.md).

Here the graph runs in one worker thread, so the event loop goes on with the
other conversations' turns meanwhile and a second core can be used. One thread,
not a pool: messages are parsed one at a time, in order, as before, so the
pipeline's components (jieba, spaCy, the encoder, scikit-learn) never run
concurrently with themselves and the numeric libraries' thread limit
(components/threads.py) is set once in the thread that uses them. A message's
parse is the same as Rasa's (the same code, awaited instead of called), and
the conversation's lock is held across it as before.
"""

from __future__ import annotations

import asyncio
import copy
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Dict, Optional, Text

from rasa.core.channels.channel import UserMessage
from rasa.core.processor import MessageProcessor, structlogger
from rasa.shared.core.trackers import DialogueStateTracker

_ORIGINAL = MessageProcessor.parse_message
_EXECUTOR: Optional[ThreadPoolExecutor] = None


def executor() -> ThreadPoolExecutor:
    """The process's one NLU thread (made on first use)."""
    global _EXECUTOR
    if _EXECUTOR is None:
        _EXECUTOR = ThreadPoolExecutor(max_workers=1, thread_name_prefix="nlu")
    return _EXECUTOR


async def parse_message(
    self: MessageProcessor,
    message: UserMessage,
    tracker: Optional[DialogueStateTracker] = None,
    only_output_properties: bool = True,
) -> Dict[Text, Any]:
    """Rasa's ``parse_message`` with the graph run in the NLU thread."""
    if self.http_interpreter:
        return await _ORIGINAL(self, message, tracker, only_output_properties)
    if tracker is None:
        tracker = DialogueStateTracker.from_events(message.sender_id, [])
    loop = asyncio.get_running_loop()
    parse_data: Dict[Text, Any] = await loop.run_in_executor(
        executor(), self._parse_message_with_graph, message, tracker, only_output_properties
    )
    self._update_full_retrieval_intent(parse_data)
    structlogger.debug(
        "processor.message.parse",
        parse_data_text=copy.deepcopy(parse_data["text"]),
        parse_data_intent=parse_data["intent"],
        parse_data_entities=copy.deepcopy(parse_data["entities"]),
    )
    self._check_for_unseen_features(parse_data)
    return parse_data


def apply() -> None:
    MessageProcessor.parse_message = parse_message  # type: ignore[method-assign]


def restore() -> None:
    MessageProcessor.parse_message = _ORIGINAL  # type: ignore[method-assign]
