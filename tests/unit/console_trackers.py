"""Three conversations written into a SQLite file by Rasa's own SQLTrackerStore,
for the console's store and server tests. Times are fixed (China Standard Time)."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Dict, List, Optional

from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActiveLoop, BotUttered, Event, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

ROOT = Path(__file__).resolve().parents[2]
CST = timezone(timedelta(hours=8))
OPENID = "oWx9Q2kLm3Np4Rs5Tu6Vw7Xy8Z"
ALICE, BOB = "rest-alice", "socket-bob"


def at(day: int, hour: int, minute: int, second: float = 0) -> float:
    return datetime(2026, 12, day, hour, minute, tzinfo=CST).timestamp() + second


def user(
    text: str, intent: str, confidence: float, channel: str, ts: float, fine: Optional[str] = None
) -> UserUttered:
    parse: Dict[str, Any] = {
        "text": text,
        "intent": {"name": intent, "confidence": confidence},
        "entities": [],
    }
    if fine:
        parse["fine_intent"] = {"name": fine, "confidence": confidence}
    return UserUttered(text, parse["intent"], [], parse, timestamp=ts, input_channel=channel)


def bot(text: str, action: str, ts: float) -> BotUttered:
    return BotUttered(text, metadata={"utter_action": action}, timestamp=ts)


def conversations() -> Dict[str, List[Event]]:
    return {
        ALICE: [
            user("你好", "greet", 0.99, "rest", at(1, 10, 0)),
            bot("你好！我是咨询助手。", "utter_greet", at(1, 10, 0, 0.4)),
            user("注册资本要多少", "faq", 0.93, "rest", at(1, 10, 1), fine="faq/capital"),
            bot("全网一千万元。", "utter_faq/capital", at(1, 10, 1, 2.5)),
            user("你们卖保险吗", "out_of_scope", 0.88, "rest", at(1, 10, 2)),
            bot("抱歉，我只负责呼叫中心许可证。", "utter_out_of_scope", at(1, 10, 2, 0.3)),
        ],
        OPENID: [
            user("帮我评估", "check_eligibility", 0.97, "wechat", at(1, 11, 0)),
            bot("好的，我来帮你逐项核对。", "utter_start_interview", at(1, 11, 0, 0.2)),
            ActiveLoop("eligibility_form", timestamp=at(1, 11, 0, 0.3)),
            user("全网", "inform", 0.42, "wechat", at(1, 11, 1)),
            ActiveLoop(None, timestamp=at(1, 11, 1, 0.1)),
            SlotSet(
                "eligibility_result", {"eligible": True, "scope": "national"}, timestamp=at(1, 11, 1, 0.2)
            ),
            bot(f"可以办理。({OPENID})", "utter_verdict_eligible", at(1, 11, 1, 0.3)),
            user("转人工", "human_handoff", 0.95, "wechat", at(1, 11, 2)),
            bot("好的，为你转接人工顾问。", "utter_human_handoff", at(1, 11, 2, 0.2)),
            user("火星上能办吗", "nlu_fallback", 0.3, "wechat", at(1, 11, 3)),
            bot("抱歉，我没太明白。", "utter_default", at(1, 11, 3, 0.2)),
        ],
        BOB: [
            user("帮我评估一下", "check_eligibility", 0.96, "socketio", at(2, 9, 0)),
            ActiveLoop("eligibility_form", timestamp=at(2, 9, 0, 0.1)),
            bot("覆盖范围是？", "utter_ask_coverage", at(2, 9, 0, 0.2)),
            user("算了", "stop_interview", 0.91, "socketio", at(2, 9, 1)),
            ActiveLoop(None, timestamp=at(2, 9, 1, 0.1)),
            bot("好的，评估已停止。", "utter_interview_stopped", at(2, 9, 1, 0.2)),
            user("注册资夲要多少？", "faq", 0.41, "socketio", at(2, 9, 2), fine="faq/capital"),
            bot("全网一千万元。", "utter_faq/capital", at(2, 9, 2, 0.3)),
            user("你们卖保险吗？", "out_of_scope", 0.9, "socketio", at(2, 9, 3)),
            bot("抱歉，我只负责呼叫中心许可证。", "utter_out_of_scope", at(2, 9, 3, 0.2)),
        ],
    }


def write(db: Path) -> str:
    """Write the conversations into ``db`` with SQLTrackerStore; the SQLAlchemy URL."""
    domain = Domain.load(str(ROOT / "domain.yml"))
    store = SQLTrackerStore(domain=domain, dialect="sqlite", db=str(db))
    for sender, events in conversations().items():
        tracker = DialogueStateTracker.from_events(sender, events, domain.slots)
        asyncio.run(store.save(tracker))
    store.engine.dispose()
    return f"sqlite:///{db}"
