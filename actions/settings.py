"""Action-server configuration, read once from the environment."""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass
from functools import lru_cache

# When staff answer a handoff, unless HANDOFF_HOURS says otherwise (the responses fill
# it into "顾问会在{hours}…").
DEFAULT_HANDOFF_HOURS = "工作日 9:00-18:00"


@dataclass(frozen=True)
class Settings:
    """Everything deployment-specific the actions need.

    Contact details for the human handoff are configuration, not code: set
    HANDOFF_PHONE, HANDOFF_WECHAT and HANDOFF_HOURS (see .env.example).
    BOT_TODAY (YYYY-MM-DD) pins "today" for demos and reproducible tests.
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
    today = os.environ.get("BOT_TODAY", "").strip()
    return Settings(
        handoff_phone=os.environ.get("HANDOFF_PHONE", "").strip(),
        handoff_wechat=os.environ.get("HANDOFF_WECHAT", "").strip(),
        handoff_hours=os.environ.get("HANDOFF_HOURS", "").strip() or DEFAULT_HANDOFF_HOURS,
        today_override=dt.date.fromisoformat(today) if today else None,
        faq_min_confidence=float(os.environ.get("FAQ_MIN_CONFIDENCE", "0.15")),
    )
