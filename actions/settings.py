"""Action-server configuration, read once from the environment."""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Dict

from licence.clock import pinned_today


@dataclass(frozen=True)
class Settings:
    """Everything deployment-specific the actions need.

    Contact details for the human handoff are configuration, not code: set
    HANDOFF_PHONE, HANDOFF_WECHAT and HANDOFF_HOURS (see .env.example).
    BOT_TODAY (YYYY-MM-DD) pins "today" for demos and reproducible tests
    (licence/clock.py: the NLU reads dates on the same day).
    """

    handoff_phone: str
    handoff_wechat: str
    handoff_hours: str
    today_override: dt.date | None
    faq_min_confidence: float

    def today(self) -> dt.date:
        return self.today_override or dt.date.today()


@lru_cache(maxsize=1)
def settings() -> Settings:
    return Settings(
        handoff_phone=os.environ.get("HANDOFF_PHONE", "").strip(),
        handoff_wechat=os.environ.get("HANDOFF_WECHAT", "").strip(),
        handoff_hours=os.environ.get("HANDOFF_HOURS", "").strip(),
        today_override=pinned_today(),
        faq_min_confidence=float(os.environ.get("FAQ_MIN_CONFIDENCE", "0.15")),
    )


def handoff_hours(domain: Dict[str, Any]) -> str:
    """When staff answer a handoff: HANDOFF_HOURS, else the hours domain.yml states.

    The default is words the user reads, so it lives with the other responses; the
    handoff responses fill it into their ``{hours}``.
    """
    return settings().handoff_hours or response_text(domain, response="utter_handoff_hours")


def response_text(domain: Dict[str, Any], response: str) -> str:
    """The text of a one-variation response of the domain the action server received."""
    return str(domain["responses"][response][0]["text"])
