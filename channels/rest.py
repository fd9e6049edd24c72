"""The REST channel, never silent.

Rasa's own ``RestInput`` (same name, so the webhook stays
``/webhooks/rest/webhook``) with two guards:

- When the action server is down, Rasa logs the failed action and the user gets
  an empty list. Here an answer without any bot message gets the domain's
  ``utter_action_unavailable`` ("暂时无法完成…", with the offer of a human).
- Rasa waits up to 300 s for a custom action, which is not configurable in 3.6.
  Here the user gets that answer after ``reply_timeout`` seconds instead, while
  the turn finishes in the background (shielded, so the tracker still records
  it and no conversation data is lost).

Never silent, except by intent: a conversation paused for a person (Rasa's
``ConversationPaused``, see ``channels.handoff``) gets the empty answer Rasa
gives it, not an apology.

It also bounds the size of request bodies for the whole Rasa server (every
channel and the HTTP API): Sanic answers 413 to a body over ``MAX_BODY_BYTES``
(default 64 KiB) instead of reading up to its own 100 MB. It is set here, on the
Rasa server's app, and not with Sanic's ``SANIC_REQUEST_MAX_SIZE`` variable,
which the action server (also Sanic) would read too: Rasa sends it the whole
domain (about 46 KB) and the tracker with every action call.
"""

from __future__ import annotations

import asyncio
import logging
import os
from typing import Any, Awaitable, Callable, Dict, Optional, Text

from rasa.core.channels.channel import UserMessage
from rasa.core.channels.rest import RestInput as RasaRestInput
from sanic import Blueprint

from channels.handoff import is_paused
from channels.responses import response_text

import patches

patches.apply()  # fixes to Rasa itself, see patches/

logger = logging.getLogger(__name__)

UNAVAILABLE = "utter_action_unavailable"
MAX_BODY_ENV = "MAX_BODY_BYTES"
DEFAULT_MAX_BODY_BYTES = 64 * 1024


def max_body_bytes() -> int:
    """The largest request body the Rasa server accepts, from ``MAX_BODY_BYTES``."""
    value = (os.environ.get(MAX_BODY_ENV) or "").strip()
    if not value:
        return DEFAULT_MAX_BODY_BYTES
    if not value.isdigit() or int(value) < 1024:
        raise ValueError(f"{MAX_BODY_ENV} must be a number of bytes >= 1024, not {value!r}")
    return int(value)


async def limit_request_size(app: Any, _loop: Any) -> None:
    """Before the server listens: Sanic reads this for every new connection."""
    app.config.REQUEST_MAX_SIZE = max_body_bytes()


class RestInput(RasaRestInput):
    """REST channel that always answers, within ``reply_timeout`` seconds."""

    def __init__(self, reply_timeout: float = 20.0) -> None:
        self.reply_timeout = float(reply_timeout)
        self._app: Any = None

    @classmethod
    def name(cls) -> Text:
        return "rest"

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> "RestInput":
        credentials = credentials or {}
        return cls(reply_timeout=float(credentials.get("reply_timeout") or 20.0))

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        blueprint = super().blueprint(self._guarded(on_new_message))
        blueprint.listener("before_server_start")(limit_request_size)
        blueprint.listener("before_server_start")(self._remember_app)
        return blueprint

    async def _remember_app(self, app: Any, _loop: Any) -> None:
        """The Rasa server's app: its agent holds the trackers (``app.ctx.agent``)."""
        self._app = app

    async def _paused(self, sender_id: str) -> bool:
        agent = getattr(getattr(self._app, "ctx", None), "agent", None)
        try:
            return await is_paused(agent, sender_id)
        except Exception:
            logger.exception("cannot read whether %s is paused", sender_id)
            return False

    def _guarded(
        self, on_new_message: Callable[[UserMessage], Awaitable[Any]]
    ) -> Callable[[UserMessage], Awaitable[None]]:
        async def handle(message: UserMessage) -> None:
            collector = message.output_channel
            turn = asyncio.ensure_future(on_new_message(message))
            try:
                await asyncio.wait_for(asyncio.shield(turn), timeout=self.reply_timeout)
            except asyncio.TimeoutError:
                logger.warning(
                    "no answer within %.0fs for %s; the turn goes on in the background",
                    self.reply_timeout,
                    message.sender_id,
                )
                await self._apologise(collector, message, replace=True)
                return
            except Exception:
                logger.exception("message from %s failed", message.sender_id)
                await self._apologise(collector, message)
                return
            if not getattr(collector, "messages", None) and not await self._paused(message.sender_id):
                await self._apologise(collector, message)

        return handle

    @staticmethod
    async def _apologise(collector: Any, message: UserMessage, replace: bool = False) -> None:
        if replace and hasattr(collector, "messages"):
            # what the slow turn says later must not be mixed into this answer
            collector.messages = []
        await collector.send_text_message(message.sender_id, response_text(UNAVAILABLE))
