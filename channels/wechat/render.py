"""Bot answers as WeChat shows them: plain text within its size limit.

Bot buttons become a numbered list ("1. 是"); ``parse_choice`` reads a later
bare "1", "１" or "一" back. Answers longer than WeChat's limit are split at
sentence ends. The handoff's custom payload (``TRANSFER_PAYLOAD``) becomes
WeChat's transfer reply, which hands the user to the customer service (客服).
"""

from __future__ import annotations

import logging
import re
import unicodedata
from dataclasses import dataclass
from typing import Any, Iterable, List, Mapping, Optional, Tuple

logger = logging.getLogger(__name__)

# WeChat drops text replies longer than this many UTF-8 bytes.
WECHAT_TEXT_LIMIT_BYTES = 2048
# The custom payload of domain.yml's WeChat variation of utter_human_handoff.
TRANSFER_PAYLOAD = {"wechat_reply": "transfer_customer_service"}
# The part of an answer that stands for WeChat's transfer reply
# (MsgType transfer_customer_service). It exists only as a passive reply; the
# NUL keeps it apart from any text (bot texts never hold control characters).
TRANSFER = "\x00transfer_customer_service"
_SENTENCE_BOUNDARY = re.compile(r"(?<=[。！？\n])")
_CHINESE_NUMERALS = {
    "一": 1, "二": 2, "三": 3, "四": 4, "五": 5,
    "六": 6, "七": 7, "八": 8, "九": 9, "十": 10,
}  # fmt: skip


def split_text(text: str, limit: int = WECHAT_TEXT_LIMIT_BYTES) -> List[str]:
    """Cuts ``text`` into parts of at most ``limit`` UTF-8 bytes.

    Cuts fall after 。！？ or a line break when possible; a single sentence
    longer than the limit is cut between characters.
    """
    text = text.strip()
    if not text:
        return []
    if _utf8_len(text) <= limit:
        return [text]
    parts: List[str] = []
    current = ""
    for sentence in _SENTENCE_BOUNDARY.split(text):
        for piece in _cut_to_bytes(sentence, limit):
            if _utf8_len(current) + _utf8_len(piece) <= limit:
                current += piece
                continue
            if current.strip():
                parts.append(current.strip())
            current = piece
    if current.strip():
        parts.append(current.strip())
    return parts


def _utf8_len(text: str) -> int:
    return len(text.encode("utf-8", "replace"))


def _cut_to_bytes(text: str, limit: int) -> Iterable[str]:
    if _utf8_len(text) <= limit:
        yield text
        return
    current = ""
    size = 0
    for char in text:
        char_size = _utf8_len(char)
        if size + char_size > limit:
            yield current
            current, size = "", 0
        current += char
        size += char_size
    if current:
        yield current


def parse_choice(text: str) -> Optional[int]:
    """The 1-based number in a bare reply such as "1", "１", "①" or "一"."""
    stripped = unicodedata.normalize("NFKC", text).strip()
    if stripped.isascii() and stripped.isdigit() and len(stripped) <= 3:
        number = int(stripped)
    elif stripped in _CHINESE_NUMERALS:
        number = _CHINESE_NUMERALS[stripped]
    else:
        return None
    return number if number >= 1 else None


@dataclass(frozen=True)
class Choice:
    """A bot button, shown as a numbered line."""

    title: str
    payload: str


def render_answer(messages: Iterable[Mapping[str, Any]]) -> Tuple[str, List[Choice]]:
    """Turns the bot's messages into one text and the numbered choices in it.

    Buttons are numbered across the whole answer ("1. 是\\n2. 否"); images and
    attachments become their URL; custom JSON is dropped (WeChat cannot show it).
    Messages are separated by a blank line.
    """
    blocks: List[str] = []
    choices: List[Choice] = []
    for message in messages:
        lines: List[str] = []
        text = message.get("text")
        if text:
            lines.append(str(text).strip())
        for button in message.get("buttons") or []:
            title = str(button.get("title") or button.get("payload") or "").strip()
            payload = str(button.get("payload") or title).strip()
            if not payload:
                continue
            choices.append(Choice(title=title, payload=payload))
            lines.append(f"{len(choices)}. {title}")
        for key in ("image", "attachment"):
            if message.get(key):
                lines.append(str(message[key]))
        if message.get("custom") and message.get("custom") != TRANSFER_PAYLOAD:
            logger.debug("WeChat channel: dropped a custom JSON message")
        block = "\n".join(line for line in lines if line)
        if block:
            blocks.append(block)
    return "\n\n".join(blocks), choices


def wants_transfer(messages: Iterable[Mapping[str, Any]]) -> bool:
    """True when the bot handed the user over (``TRANSFER_PAYLOAD``)."""
    return any(message.get("custom") == TRANSFER_PAYLOAD for message in messages)


def answer_parts(messages: List[Mapping[str, Any]], body: str) -> List[str]:
    """The parts of an answer: ``TRANSFER`` first when the bot handed over,
    then ``body`` cut to WeChat's size (the first part is the passive reply,
    the rest are pushed)."""
    parts = split_text(body)
    return [TRANSFER, *parts] if wants_transfer(messages) else parts


def cdata_safe(text: str) -> str:
    """``text`` made safe for wechatpy's reply XML."""
    # wechatpy puts the content in CDATA without escaping; keep "]]>" from
    # closing it early.
    return text.replace("]]>", "]]]]><![CDATA[>")
