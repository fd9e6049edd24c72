"""The Rasa input channel: routes, the checks of each request, and the reply.

How one POST is handled:

1. The body size is capped (413) and the query signature is checked in
   constant time together with a timestamp window (403); in safe mode the
   ``msg_signature`` over the encrypted body is checked as well (403).
2. The XML is decrypted (safe mode) and parsed with wechatpy (400 if broken).
3. Text and the ``subscribe`` event go to the bot as a ``UserMessage`` whose
   sender id is the user's OpenID; other message types get a fixed text-only
   answer, other events nothing. A conversation whose handoff has timed out
   is resumed first (``channels.handoff``), and the bot says it is back; one
   still paused reaches Rasa, which logs it and stays silent.
4. ``exchanges`` decides between the passive reply (encrypted in safe mode)
   and ``success`` with a later push, and keeps retries away from the bot.
   A handoff's passive reply is WeChat's transfer to the customer service.
"""

from __future__ import annotations

import logging
import traceback
from typing import Any, Awaitable, Callable, Dict, List, Optional, Text

from rasa.core.channels.channel import (
    CollectingOutputChannel,
    InputChannel,
    UserMessage,
)
from rasa.shared.exceptions import RasaException
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse
from wechatpy.crypto import WeChatCrypto
from wechatpy.replies import TransferCustomerServiceReply, create_reply

from channels.handoff import HandoffConfig, PauseGate
from channels.wechat.api import WeChatApiClient
from channels.wechat.clock import SYSTEM_CLOCK, Clock
from channels.wechat.config import TEXTS, WELCOME_PAYLOAD, WeChatConfig
from channels.wechat.exchanges import Exchanges
from channels.wechat.inbound import (
    BadMsgSignature,
    Inbound,
    MalformedMessage,
    decrypt_envelope,
    parse_inbound,
)
from channels.wechat.render import (
    TRANSFER,
    Choice,
    answer_parts,
    cdata_safe,
    parse_choice,
    render_answer,
)
from channels.wechat.security import (
    describe_error,
    install_access_log_filter,
    mask_openid,
    query_refusal,
    scrub,
)
from channels.wechat.cache import Cache, dataclass_list_codec
from channels.wechat.store import channel_state

logger = logging.getLogger(__name__)

# What WeChat expects when there is no passive reply (it then does not retry).
SUCCESS = "success"

OnNewMessage = Callable[[UserMessage], Awaitable[Any]]


class WeChatOutput(CollectingOutputChannel):
    """Collects what the bot says to one WeChat message."""

    @classmethod
    def name(cls) -> Text:
        return WeChatInput.name()


class WeChatInput(InputChannel):
    """WeChat Official Account channel; webhook ``/webhooks/wechat/webhook``."""

    @classmethod
    def name(cls) -> Text:
        return "wechat"

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> "WeChatInput":
        config = WeChatConfig.from_credentials(credentials)
        if not config.enabled:
            logger.warning(
                "WeChat channel disabled: no 'token' in the "
                "channels.wechat.WeChatInput credentials (is WECHAT_TOKEN empty?); "
                "/webhooks/wechat/webhook answers 503."
            )
        return cls(config, handoff=HandoffConfig.from_env())

    def __init__(
        self,
        config: Optional[WeChatConfig] = None,
        clock: Clock = SYSTEM_CLOCK,
        handoff: Optional[HandoffConfig] = None,
    ) -> None:
        self.config = config or WeChatConfig()
        self.clock = clock
        self.pauses = PauseGate(handoff or HandoffConfig(), clock.now)
        self._crypto: Optional[WeChatCrypto] = None
        if self.config.enabled and self.config.safe_mode:
            if not self.config.appid:
                raise RasaException("WeChat channel: safe mode (aes_key) needs appid")
            try:
                self._crypto = WeChatCrypto(self.config.token, self.config.aes_key, self.config.appid)
            except Exception:  # binascii.Error, AssertionError on a bad length
                raise RasaException(
                    "WeChat channel: aes_key must be the 43-character EncodingAESKey "
                    "from the Official Account settings"
                ) from None
        if self.config.enabled and not self.config.can_push:
            logger.warning(
                "WeChat channel: no appid/secret, so answers slower than %.1fs "
                "and the overflow of long answers cannot be delivered",
                self.config.reply_budget,
            )
        # In this process, or in Redis for every server (store.py).
        self.state = channel_state(self.config, clock)
        self.client = WeChatApiClient(
            self.config.appid,
            self.config.secret,
            self.config.api_base,
            self.config.http_timeout,
            clock,
            self.state,
        )
        self.exchanges = Exchanges(
            self._push,
            reply_budget=self.config.reply_budget,
            overflow_delay=self.config.overflow_delay,
            ttl=self.config.dedupe_ttl,
            max_entries=self.config.dedupe_max_entries,
            clock=clock,
            state=self.state,
        )
        # The buttons each user was last shown, so that a bare "1" maps back.
        self._choices: Cache[List[Choice]] = self.state.cache(
            "choices",
            self.config.buttons_ttl,
            self.config.buttons_max_entries,
            *dataclass_list_codec(Choice),
        )

    # ------------------------------------------------------------- routes --

    def blueprint(self, on_new_message: OnNewMessage) -> Blueprint:
        install_access_log_filter()
        bp = Blueprint("wechat_webhook", __name__)

        @bp.route("/", methods=["GET"])
        async def health(request: Request) -> HTTPResponse:
            if not self.config.enabled:
                return self._disabled()
            return response.json({"status": "ok"})

        @bp.route("/webhook", methods=["GET"])
        async def verify(request: Request) -> HTTPResponse:
            if not self.config.enabled:
                return self._disabled()
            refusal = self._check_query(request)
            if refusal:
                return refusal
            echostr = request.args.get("echostr")
            if not echostr:
                return response.text("missing echostr", status=400)
            logger.info("WeChat URL verification succeeded")
            return response.text(echostr)

        @bp.route("/webhook", methods=["POST"], stream=True)
        async def receive(request: Request) -> HTTPResponse:
            return await self._receive(request, on_new_message)

        @bp.listener("after_server_stop")
        async def finish_answers(app: Any, loop: Any) -> None:
            await self.finish_answers()

        return bp

    async def finish_answers(self) -> None:
        """On SIGTERM, once Sanic has closed the connections: the answers still
        being computed or pushed here are finished, as only this process can
        (exchanges.py); the server exits after, at the latest after drain_timeout."""
        if self.exchanges.in_flight:  # a warning: Rasa logs no info once it serves
            logger.warning(
                "WeChat: finishing %d answer(s) in flight before exiting", self.exchanges.in_flight
            )
        left = await self.exchanges.drain(self.config.drain_timeout)
        if left:
            logger.error(
                "WeChat: %d answer(s) still in flight after %.0fs are lost", left, self.config.drain_timeout
            )

    def _disabled(self) -> HTTPResponse:
        logger.warning("WeChat channel is disabled (no token configured); answered 503")
        return response.text("wechat channel disabled", status=503)

    def _check_query(self, request: Request) -> Optional[HTTPResponse]:
        """Signature and timestamp window of the query string; 403 if bad."""
        reason = query_refusal(
            request.args,
            self.config.token,
            self.clock.now(),
            self.config.timestamp_tolerance,
        )
        return _forbidden(reason) if reason else None

    async def _receive(self, request: Request, on_new_message: OnNewMessage) -> HTTPResponse:
        started = self.clock.monotonic()
        if not self.config.enabled:
            return self._disabled()
        limit = self.config.max_body_bytes
        declared = request.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > limit:
            return _too_large(limit)
        refusal = self._check_query(request)
        if refusal:
            return refusal
        args = request.args
        if self._crypto and not args.get("msg_signature"):
            return _forbidden("missing msg_signature (safe mode)")
        body = await _read_body(request, limit)
        if body is None:
            return _too_large(limit)
        try:
            xml = body.decode("utf-8")
            if self._crypto:
                xml = decrypt_envelope(
                    self._crypto,
                    self.config.token,
                    xml,
                    args.get("timestamp", ""),
                    args.get("nonce", ""),
                    args.get("msg_signature", ""),
                )
            inbound = parse_inbound(xml)
        except BadMsgSignature:
            return _forbidden("bad msg_signature")
        except (UnicodeDecodeError, MalformedMessage) as exc:
            logger.warning("WeChat request refused (400): %s", describe_error(exc))
            return response.text("malformed message", status=400)

        # Rasa's agent: the tracker store and locks the handoff's pause lives in.
        agent = getattr(request.app.ctx, "agent", None)
        reply = await self._dispatch(inbound, on_new_message, started, agent)
        return self._reply(inbound, reply, args.get("nonce", ""))

    def _reply(self, inbound: Inbound, text: Optional[str], nonce: str) -> HTTPResponse:
        if not text:
            return response.text(SUCCESS)
        if text == TRANSFER:
            xml = TransferCustomerServiceReply(message=inbound.message).render()
        else:
            xml = create_reply(cdata_safe(text), message=inbound.message, render=True)
        if self._crypto:
            xml = self._crypto.encrypt_message(xml, nonce)
        return response.text(xml, content_type="application/xml; charset=utf-8")

    # ----------------------------------------------------------- dispatch --

    async def _push(self, openid: str, parts: List[str]) -> None:
        """Pushes an answer's parts; a transfer cannot be pushed, only its text."""
        texts = [part for part in parts if part != TRANSFER]
        if len(texts) < len(parts):
            logger.warning(
                "WeChat: the handoff of %s was not ready within %.1fs; WeChat's transfer "
                "exists only as a passive reply, so only its text is pushed",
                mask_openid(openid),
                self.config.reply_budget,
            )
        if texts:
            await self.client.push(openid, texts)

    async def _dispatch(
        self, inbound: Inbound, on_new_message: OnNewMessage, started: float, agent: Any = None
    ) -> Optional[str]:
        """The passive reply text for a message, or None for ``success``."""
        who = mask_openid(inbound.openid)
        if inbound.msg_type == "text":
            logger.debug("WeChat: text message %s from %s", inbound.msg_id, who)
            if not inbound.content:
                return None
            return await self._answer(inbound, inbound.content, on_new_message, started, agent)
        if inbound.msg_type == "event":
            if inbound.event == "subscribe":
                logger.info("WeChat: new follower %s", who)
                return await self._answer(inbound, WELCOME_PAYLOAD, on_new_message, started, agent)
            logger.debug("WeChat: event '%s' from %s ignored", inbound.event, who)
            return None
        logger.info("WeChat: %s message from %s answered as text-only", inbound.msg_type, who)
        return TEXTS["non_text"]

    async def _answer(
        self,
        inbound: Inbound,
        text: str,
        on_new_message: OnNewMessage,
        started: float,
        agent: Any = None,
    ) -> Optional[str]:
        async def produce() -> List[str]:
            return await self._run_bot(inbound, text, on_new_message, agent)

        return await self.exchanges.reply(inbound, produce, started)

    async def _run_bot(
        self, inbound: Inbound, text: str, on_new_message: OnNewMessage, agent: Any = None
    ) -> List[str]:
        """Asks the bot once; its answer as the parts WeChat can show.

        A handoff that has timed out ends first, and the answer begins with the
        bot saying it is back.
        """
        openid = inbound.openid
        metadata: Dict[str, Any] = {"wechat": {"msg_type": inbound.msg_type, "msg_id": inbound.msg_id}}
        choice_number = parse_choice(text) if inbound.msg_type == "text" else None
        if choice_number is not None:
            choices = self._choices.get(openid) or []
            if choice_number <= len(choices):
                chosen = choices[choice_number - 1]
                metadata["wechat"]["choice"] = {
                    "number": choice_number,
                    "title": chosen.title,
                }
                text = chosen.payload
        output = WeChatOutput()
        try:
            back = await self.pauses.before_message(agent, openid)
            if back is not None:
                output.messages.append(back)
            await on_new_message(
                UserMessage(
                    text,
                    output,
                    openid,
                    input_channel=self.name(),
                    message_id=str(inbound.msg_id) if inbound.msg_id else None,
                    metadata=metadata,
                )
            )
        except Exception as exc:  # the user must still get an answer
            logger.error(
                "WeChat: the bot failed on a message from %s:\n%s",
                mask_openid(openid),
                scrub("".join(traceback.format_exception(exc)), openid),
            )
            output.messages.append({"text": TEXTS["error"]})
        body, choices = render_answer(output.messages)
        if choices:
            self._choices.set(openid, choices)
        else:
            # A later bare number is an answer (e.g. a head count), not a choice.
            self._choices.pop(openid)
        return answer_parts(output.messages, body)


def _forbidden(reason: str) -> HTTPResponse:
    logger.warning("WeChat request refused (403): %s", reason)
    return response.text("forbidden", status=403)


def _too_large(limit: int) -> HTTPResponse:
    logger.warning("WeChat request refused (413): body over %d bytes", limit)
    return response.text("payload too large", status=413)


async def _read_body(request: Request, limit: int) -> Optional[bytes]:
    """The request body, or None once it exceeds ``limit`` bytes."""
    if request.body:  # already read (non-streaming route)
        return request.body if len(request.body) <= limit else None
    if request.stream is None:
        return b""
    chunks: List[bytes] = []
    size = 0
    async for chunk in request.stream:
        size += len(chunk)
        if size > limit:
            return None
        chunks.append(chunk)
    return b"".join(chunks)
