"""A visitor's contact details as typed: a name, a company, a phone, WeChat id or e-mail.

Every reader takes raw text and never raises on any ``str``; it returns the
cleaned value, or ``None`` when the text is not that kind of answer (so the
caller asks again). The words (refusals, the labels people put before a name,
a company or a number) are in ``zhtext/data/contacts.yml``.

Accepted shapes:

- mobile: ``1[3-9]`` and nine more digits, spaces or dashes between groups
  allowed, an optional ``+86``/``86`` in front;
- landline: an area code ``0xx``/``0xxx`` and a 7- or 8-digit number, an
  optional extension, or a ``400``/``800`` service number;
- e-mail: ``local@domain.tld``;
- WeChat id: 6 to 20 letters, digits, ``_`` or ``-``, starting with a letter
  (WeChat's own rule for ids).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Literal

from zhtext.normalise import normalise
from zhtext.replies import is_question, is_unknown
from zhtext.vocabulary import load_yaml, longest_first

__all__ = ["Contact", "ContactKind", "is_refusal", "parse_name", "parse_company", "parse_contact"]

ContactKind = Literal["mobile", "landline", "email", "wechat"]

NAME_MIN, NAME_MAX = 2, 20
COMPANY_MIN, COMPANY_MAX = 2, 50

_MOBILE = re.compile(r"(?<!\d)(?:\+?86)?(1[3-9]\d{9})(?!\d)")
_LANDLINE = re.compile(r"(?<![\d-])(0\d{2,3}-?\d{7,8}(?:-\d{1,6})?|[48]00-?\d{3}-?\d{4})(?![\d-])")
_EMAIL = re.compile(r"[a-z0-9._%+-]+@[a-z0-9-]+(?:\.[a-z0-9-]+)*\.[a-z]{2,}", re.IGNORECASE)
_WECHAT = re.compile(r"(?<![\w-])([a-z][\w-]{5,19})(?![\w-])", re.IGNORECASE | re.ASCII)
# spaces and dashes inside a phone number ("138 1234 5678", "138-1234-5678")
_DIGIT_GAPS = re.compile(r"(?<=\d)[\s-]+(?=\d)")
_EDGE = re.compile(r"^[\W_]+|[\W_]+$")
# a name: Chinese characters, Latin letters, the middle dot of transcribed names
_NAME_CHARS = re.compile(r"^[\u3400-\u9fff\u00b7a-z .'-]+$", re.IGNORECASE)


@dataclass(frozen=True)
class Contact:
    """A way to reach the visitor: its kind and the value as a consultant dials or adds it."""

    kind: ContactKind
    value: str


def _words(key: str) -> tuple[str, ...]:
    return longest_first(str(word).lower() for word in load_yaml("contacts.yml")[key])


def _clean(text: str) -> str:
    """NFKC (full-width digits and letters to ASCII), trimmed of spaces and punctuation."""
    return _EDGE.sub("", unicodedata.normalize("NFKC", text).strip())


def _strip_prefix(text: str, key: str) -> str:
    """``text`` without one leading label of the list ``key`` ("我叫", "公司名称是");
    an English label only as a whole word ("name" is not the start of "Nameer")."""
    lowered = text.lower()
    for word in _words(key):
        if not lowered.startswith(word):
            continue
        following = lowered[len(word) : len(word) + 1]
        if word.isascii() and following.isascii() and following.isalpha():
            continue
        return _clean(text[len(word) :])
    return text


def is_refusal(text: str) -> bool:
    """The visitor no longer wants to leave details ("算了", "不用了", "不方便留")."""
    prepared = normalise(text).lower()
    return any(word in prepared for word in _words("refusals"))


def parse_name(text: str) -> str | None:
    """What to call the visitor ("我叫王磊" -> "王磊", "李工就行" -> "李工", "Tom Lee"),
    2 to 20 characters; ``None`` for a sentence, a question, a number or a refusal."""
    if is_refusal(text) or is_question(text) or is_unknown(text):
        return None
    name = _strip_prefix(_clean(text), "name_prefixes")
    lowered = name.lower()
    suffix = next((s for s in _words("name_suffixes") if lowered.endswith(s)), None)
    if suffix is not None:
        name = _clean(name[: -len(suffix)])
    name = re.sub(r"\s+", " ", name)
    if not NAME_MIN <= len(name) <= NAME_MAX or not _NAME_CHARS.match(name):
        return None
    if any(word in name.lower() for word in _words("not_name_words")):
        return None
    if name.isascii() and len(name.split()) > 4:
        return None  # an English sentence, not a name
    return name


def parse_company(text: str) -> str | None:
    """The company's name as given ("公司叫深圳某某科技有限公司" -> "深圳某某科技有限公司"),
    2 to 50 characters; ``None`` for a question, a refusal or an unknown."""
    if is_refusal(text) or is_question(text) or is_unknown(text):
        return None
    company = re.sub(r"\s+", " ", _strip_prefix(_clean(text), "company_prefixes"))
    if not COMPANY_MIN <= len(company) <= COMPANY_MAX or "@" in company:
        return None
    if _MOBILE.search(_DIGIT_GAPS.sub("", company)):
        return None  # a phone number given one question early
    return company


def parse_contact(text: str) -> Contact | None:
    """The first way to reach the visitor the text gives, a mobile first, then a
    landline, an e-mail, a WeChat id; ``None`` when it gives none."""
    if is_refusal(text):
        return None
    prepared = unicodedata.normalize("NFKC", text)
    joined = _DIGIT_GAPS.sub("", prepared)
    mobile = _MOBILE.search(joined)
    if mobile:
        return Contact("mobile", mobile.group(1))
    landline = _LANDLINE.search(re.sub(r"(?<=\d)\s+(?=\d)", "", prepared))
    if landline:
        return Contact("landline", landline.group(1))
    email = _EMAIL.search(prepared)
    if email:
        return Contact("email", email.group(0).lower())
    unlabelled = _unlabelled(prepared)
    wechat = _WECHAT.search(unlabelled)
    if wechat is None:
        return None
    word = wechat.group(1)
    if unlabelled == prepared and word.isalpha() and prepared.strip() != word:
        # "thanks a lot": an English word among others, with no label before it
        # and no digit or sign in it, is a reply, not an id
        return None
    return Contact("wechat", word)


def _unlabelled(text: str) -> str:
    """``text`` with the labels people put before a contact replaced by spaces
    ("微信：zhang_san88" -> "  zhang_san88"), so no label is read as an id."""
    labels = [w for w in _words("contact_labels") if w.isascii()]
    pattern = r"(?<![a-z])(?:" + "|".join(re.escape(w) for w in labels) + r")(?![a-z0-9_])"
    return re.sub(pattern, " ", text, flags=re.IGNORECASE)
