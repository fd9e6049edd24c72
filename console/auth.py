"""Who may use the console: the holder of ``STAFF_TOKEN`` (default ``RASA_AUTH_TOKEN``).

A request carries the token as ``Authorization: Bearer <token>`` or, after the
sign-in form, as a session cookie (HttpOnly, SameSite=Strict, path /staff) whose
value is derived from the token, so the token itself is never stored in the browser.
Every comparison is constant-time. Without either variable the console is off.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from http.cookies import CookieError, SimpleCookie
from typing import Mapping, Optional

from console.texts import t

COOKIE = "staff_session"
OFF_MESSAGE = t("signin.off")


def _same(given: str, expected: str) -> bool:
    return hmac.compare_digest(given.encode("utf-8"), expected.encode("utf-8"))


@dataclass(frozen=True)
class Auth:
    token: Optional[str]

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> "Auth":
        token = (env.get("STAFF_TOKEN") or "").strip() or (env.get("RASA_AUTH_TOKEN") or "").strip()
        return cls(token or None)

    @property
    def enabled(self) -> bool:
        return bool(self.token)

    def _derive(self, purpose: bytes) -> bytes:
        assert self.token
        return hmac.new(self.token.encode("utf-8"), purpose, hashlib.sha256).digest()

    @property
    def session(self) -> str:
        return self._derive(b"staff-console session").hex()

    @property
    def id_key(self) -> bytes:
        """The key of WeChat conversations' public ids (stable while the token is)."""
        return self._derive(b"staff-console conversation id")

    def token_matches(self, given: str) -> bool:
        return self.enabled and _same(given.strip(), self.token or "")

    def allows(self, headers: Mapping[str, str]) -> bool:
        if not self.enabled:
            return False
        authorization = headers.get("Authorization") or ""
        scheme, _, value = authorization.partition(" ")
        if scheme.lower() == "bearer" and value.strip():
            return self.token_matches(value)
        return self._cookie_matches(headers.get("Cookie") or "")

    def _cookie_matches(self, header: str) -> bool:
        try:
            cookie = SimpleCookie(header)
        except CookieError:
            return False
        morsel = cookie.get(COOKIE)
        return morsel is not None and _same(morsel.value, self.session)

    def set_cookie(self) -> str:
        return f"{COOKIE}={self.session}; Path=/staff; HttpOnly; SameSite=Strict"

    @staticmethod
    def clear_cookie() -> str:
        return f"{COOKIE}=; Path=/staff; HttpOnly; SameSite=Strict; Max-Age=0"
