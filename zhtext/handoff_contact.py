"""The contact a visitor leaves for a handoff ticket: a phone, an email or a WeChat id.

Deliberately one small function: a general contact parser may replace it later, and
the handoff only needs "is there a way to reach this visitor, and which". The text
is normalised first (full-width digits and letters become ASCII), so "１３８…" counts.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Optional

_EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")
# a mainland mobile number, possibly written 138 1234 5678 or 138-1234-5678, or +86 in front
_MOBILE = re.compile(r"(?<!\d)(?:\+?86[ -]?)?(1[3-9]\d(?:[ -]?\d{4}){2})(?!\d)")
# a landline: area code 0xx or 0xxx, then 7 or 8 digits, with an optional extension
_LANDLINE = re.compile(r"(?<!\d)(0\d{2,3}[ -]?\d{7,8}(?:-\d{1,5})?)(?!\d)")
# WeChat ids: 6-20 characters, a letter first, then letters, digits, _ or -; named as such
# (a Latin prefix needs a separator, so "wxid_…" is read whole, as the bare id it is)
_WECHAT = re.compile(
    r"(?:(?:微信|v信)号?\s*(?:id)?|(?<![A-Za-z])(?:vx|wx|wechat)(?:\s*id)?[\s:：号])"
    r"\s*(?:是|为|:|：)?\s*([A-Za-z][A-Za-z0-9_-]{5,19})(?![A-Za-z0-9_-])",
    re.IGNORECASE,
)
# a message that is nothing but a WeChat-id-shaped word (the answer to "your WeChat?")
_BARE_WECHAT = re.compile(r"^\s*([A-Za-z][A-Za-z0-9_-]{5,19})\s*$")
_HAS_DIGIT_OR_SIGN = re.compile(r"[0-9_-]")


def find_contact(text: str) -> Optional[str]:
    """The first phone number, email or WeChat id in ``text``, as written; else None.

    A bare word counts as a WeChat id only when it has a digit, ``_`` or ``-`` in
    it: "hello" or "thanks" is a reply, not an id.
    """
    clean = unicodedata.normalize("NFKC", text or "")
    email = _EMAIL.search(clean)
    if email:
        return email.group(0)
    for pattern in (_MOBILE, _LANDLINE):
        found = pattern.search(clean)
        if found:
            return found.group(1)
    bare = _BARE_WECHAT.match(clean)
    if bare and _HAS_DIGIT_OR_SIGN.search(bare.group(1)):
        return bare.group(1)
    named = _WECHAT.search(clean)
    return named.group(1) if named else None
