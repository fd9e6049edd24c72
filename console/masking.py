"""How sender ids appear in the console: WeChat OpenIDs never in full.

``mask_openid`` has the format of the WeChat channel's log masking (channels/wechat.py,
which this layer must not import; tests/unit/test_console_masking.py checks that the
two agree). A masked id cannot open a conversation, so a WeChat conversation is
addressed by ``public_id``: a keyed hash of its OpenID.
"""

from __future__ import annotations

import hashlib
import hmac
from typing import Optional

WECHAT = "wechat"
PUBLIC_PREFIX = "wx-"


def mask_openid(openid: Optional[str]) -> str:
    """The form in which an OpenID may appear: its first four characters."""
    return f"{openid[:4]}…" if openid else "(none)"


def shown_sender(sender_id: str, channel: str) -> str:
    return mask_openid(sender_id) if channel == WECHAT else sender_id


def public_id(sender_id: str, channel: str, key: bytes) -> str:
    """What links and the API use to name a conversation."""
    if channel != WECHAT:
        return sender_id
    digest = hmac.new(key, sender_id.encode("utf-8"), hashlib.sha256).hexdigest()
    return PUBLIC_PREFIX + digest[:20]


def scrub(text: str, sender_id: str, channel: str) -> str:
    """A text of a WeChat conversation with its OpenID masked wherever it appears."""
    if channel != WECHAT or not sender_id or not text:
        return text
    return text.replace(sender_id, mask_openid(sender_id))
