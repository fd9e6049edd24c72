"""The channel's settings, read from ``credentials.yml``, and its own texts."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from typing import Any, Iterator, Mapping, Optional

from rasa.shared.exceptions import RasaException

from channels.redis_url import redis_url_from_env
from channels.responses import response_text

logger = logging.getLogger(__name__)

DEFAULT_API_BASE = "https://api.weixin.qq.com"
# What a new follower "says" to the bot: the domain's welcome intent.
WELCOME_PAYLOAD = "/greet"

_PLACEHOLDER = re.compile(r"^\$\{[^}]*\}$")


class _DomainTexts(Mapping[str, str]):
    """What the channel says by itself, read lazily from domain.yml responses."""

    _names = {"non_text": "utter_non_text_message", "error": "utter_action_unavailable"}

    def __getitem__(self, key: str) -> str:
        return response_text(self._names[key])

    def __iter__(self) -> Iterator[str]:
        return iter(self._names)

    def __len__(self) -> int:
        return len(self._names)


# What the channel says without asking the bot: responses in domain.yml.
TEXTS: Mapping[str, str] = _DomainTexts()


@dataclass(frozen=True)
class WeChatConfig:
    """Everything the channel needs; secrets are left out of ``repr``."""

    token: str = field(default="", repr=False)
    appid: str = ""
    secret: str = field(default="", repr=False)
    aes_key: str = field(default="", repr=False)
    api_base: str = DEFAULT_API_BASE
    # Seconds the bot may take before the answer goes through the
    # customer-service API instead (WeChat itself waits 5 s).
    reply_budget: float = 4.0
    # Total timeout of every outgoing HTTP call, seconds.
    http_timeout: float = 5.0
    max_body_bytes: int = 64 * 1024
    # Requests whose timestamp is further than this from our clock get 403.
    timestamp_tolerance: int = 300
    dedupe_ttl: float = 300.0
    dedupe_max_entries: int = 10_000
    buttons_ttl: float = 1800.0
    buttons_max_entries: int = 10_000
    # Pause before pushing the overflow of a split answer, so that the passive
    # first part (already on its way) is shown first.
    overflow_delay: float = 0.5
    # Redis holding the retries seen, the answers owed and the access token for
    # every server (redis://[:password@]host:port/db, rediss:// for TLS; no db:
    # 1, as for the lock store). Empty: they stay in this process.
    redis_url: str = field(default="", repr=False)
    # Every key the channel writes in Redis starts with this.
    redis_prefix: str = "callcentre:wechat"
    # How often a server waiting on another (a retry's answer, the access
    # token) looks at Redis again, seconds.
    poll_interval: float = 0.1
    # How long a stopping server waits for the answers it is still computing or
    # pushing (after Sanic's own wait for its connections), seconds: longer than
    # a slow answer (the REST channel gives up after 20 s) and a push (http_timeout).
    drain_timeout: float = 30.0

    @property
    def enabled(self) -> bool:
        return bool(self.token)

    @property
    def safe_mode(self) -> bool:
        return bool(self.aes_key)

    @property
    def can_push(self) -> bool:
        return bool(self.appid and self.secret)

    @classmethod
    def from_credentials(
        cls, credentials: Optional[Mapping[str, Any]], environ: Optional[Mapping[str, str]] = None
    ) -> "WeChatConfig":
        """Reads the ``credentials.yml`` section; unknown keys are ignored.

        Keys: token, appid, secret, aes_key, api_base, and optionally
        reply_budget (seconds, default 4). The Redis URL comes from the
        environment (``redis_url_from_env``), like the lock store's: Rasa's
        YAML would refuse an unset variable.
        """
        creds = dict(credentials or {})
        api_base = (_credential(creds, "api_base") or DEFAULT_API_BASE).rstrip("/")
        if not api_base.startswith(("http://", "https://")):
            raise RasaException("WeChat channel: api_base must start with http:// or https://")
        budget_raw = _credential(creds, "reply_budget")
        try:
            reply_budget = float(budget_raw) if budget_raw else cls.reply_budget
        except ValueError:
            raise RasaException("WeChat channel: reply_budget must be a number") from None
        if not 0 < reply_budget <= 4.5:
            raise RasaException(
                "WeChat channel: reply_budget must be between 0 and 4.5 seconds "
                "(WeChat stops waiting after 5 s)"
            )
        return cls(
            token=_credential(creds, "token"),
            appid=_credential(creds, "appid"),
            secret=_credential(creds, "secret"),
            aes_key=_credential(creds, "aes_key"),
            api_base=api_base,
            reply_budget=reply_budget,
            redis_url=redis_url_from_env(environ),
        )


def _credential(creds: Mapping[str, Any], key: str) -> str:
    value = creds.get(key)
    text = "" if value is None else str(value).strip()
    if _PLACEHOLDER.match(text):
        # Rasa only expands ${VAR} in unquoted YAML values; a quoted one arrives
        # literally. Treat it as unset rather than as a password.
        logger.warning(
            "WeChat channel: credentials key '%s' holds an unexpanded placeholder; "
            "write ${VAR} unquoted in credentials.yml. Treating it as empty.",
            key,
        )
        return ""
    return text
