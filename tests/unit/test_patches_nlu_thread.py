"""patches/nlu_thread.py: the NLU graph runs in its own thread, and the server's
event loop answers other requests meanwhile; the parse is the graph's."""

from __future__ import annotations

import asyncio
import threading
from typing import Any, Dict, List

from rasa.core.channels.channel import UserMessage

from patches import nlu_thread


class Processor:
    """The parts of Rasa's processor that parse_message uses, with a slow graph."""

    http_interpreter = None

    def __init__(self) -> None:
        self.threads: List[str] = []
        # set by the event loop; a graph run inside the loop would never see it
        self.released = threading.Event()
        self.saw_release = False

    def _parse_message_with_graph(self, message: UserMessage, tracker: Any, only: bool = True) -> Dict:
        self.threads.append(threading.current_thread().name)
        self.saw_release = self.released.wait(timeout=10)
        return {"text": message.text, "intent": {"name": "greet", "confidence": 1.0}, "entities": []}

    def _update_full_retrieval_intent(self, parse_data: Dict) -> None:
        pass

    def _check_for_unseen_features(self, parse_data: Dict) -> None:
        pass


def test_the_loop_goes_on_while_a_message_is_parsed() -> None:
    processor = Processor()
    ticks: List[int] = []

    async def other_requests() -> None:
        for i in range(5):
            ticks.append(i)
            await asyncio.sleep(0.01)

    async def both() -> Dict:
        parse = asyncio.ensure_future(nlu_thread.parse_message(processor, UserMessage("你好", sender_id="s")))  # type: ignore[arg-type]
        await asyncio.sleep(0)
        await other_requests()
        processor.released.set()
        return await parse

    parse_data = asyncio.run(both())
    assert parse_data["intent"]["name"] == "greet"
    assert ticks == [0, 1, 2, 3, 4]
    assert processor.saw_release  # the loop ran while the graph was waiting
    assert processor.threads and processor.threads[0].startswith("nlu")
