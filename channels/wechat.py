"""WeChat Official Account (公众号) message push as a Rasa input channel.

Load it from ``credentials.yml``::

    channels.wechat.WeChatInput:
      token: ${WECHAT_TOKEN}        # empty: the channel is off, its routes answer 503
      appid: ${WECHAT_APPID}
      secret: ${WECHAT_SECRET}
      aes_key: ${WECHAT_AES_KEY}    # EncodingAESKey; set: safe mode, empty: plain mode
      api_base: ${WECHAT_API_BASE}  # empty: https://api.weixin.qq.com

WeChat calls ``/webhooks/wechat/webhook``: GET once to verify the URL (echo
``echostr``), then POST for every message and event. How one POST is handled:

1. The body size is capped (413) and the query signature is checked in
   constant time together with a timestamp window (403); in safe mode the
   ``msg_signature`` over the encrypted body is checked as well (403).
2. The XML is decrypted (safe mode) and parsed with wechatpy (400 if broken).
3. Text and the ``subscribe`` event go to the bot as a ``UserMessage`` whose
   sender id is the user's OpenID; other message types get a fixed text-only
   answer, other events nothing.
4. The bot runs as a task. If it answers within ``reply_budget`` seconds (WeChat
   gives up after 5 s and retries), the answer is the passive reply (encrypted
   in safe mode); otherwise the channel answers ``success`` at once and pushes
   the answer later through the customer-service message API.
5. WeChat's retries of a message (same MsgId; for events same FromUserName and
   CreateTime) never reach the bot again: they get the same reply, wait for it
   within the budget, or get ``success`` once the answer is bound for the
   customer-service API. This memory is per process (see ``wechat_store``).

WeChat shows plain text only: bot buttons become a numbered list ("1. 是") and
a later bare "1", "１" or "一" from that user is sent to the bot as that
button's payload. Answers longer than WeChat's 2048-byte limit are split at
sentence ends; the first part is the passive reply, the rest is pushed.

Logs never hold a full OpenID (see ``mask_openid``), the token, the secret, the
AES key or an access token.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import logging
import re
import time
import traceback
import unicodedata
from dataclasses import dataclass, field
from typing import (
    Any,
    Awaitable,
    Callable,
    Coroutine,
    Dict,
    Iterable,
    Iterator,
    List,
    Mapping,
    Optional,
    Set,
    Text,
    Tuple,
    TypeVar,
)

import aiohttp
import xmltodict
from rasa.core.channels.channel import (
    CollectingOutputChannel,
    InputChannel,
    UserMessage,
)
from rasa.shared.exceptions import RasaException
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse
from wechatpy import parse_message
from wechatpy.crypto import WeChatCrypto
from wechatpy.replies import create_reply

from channels.responses import response_text
from channels.wechat_store import TTLCache

logger = logging.getLogger(__name__)

# What the channel says without asking the bot: responses in domain.yml.
class _DomainTexts(Mapping[str, str]):
    """What the channel says by itself, read lazily from domain.yml responses."""

    _names = {"non_text": "utter_non_text_message", "error": "utter_action_unavailable"}

    def __getitem__(self, key: str) -> str:
        return response_text(self._names[key])

    def __iter__(self) -> Iterator[str]:
        return iter(self._names)

    def __len__(self) -> int:
        return len(self._names)


TEXTS: Mapping[str, str] = _DomainTexts()

# What a new follower "says" to the bot: the domain's welcome intent.
WELCOME_PAYLOAD = "/greet"

DEFAULT_API_BASE = "https://api.weixin.qq.com"
# WeChat drops text replies longer than this many UTF-8 bytes.
WECHAT_TEXT_LIMIT_BYTES = 2048
# What WeChat expects when there is no passive reply (it then does not retry).
SUCCESS = "success"
# Access-token errors after which a fresh token is fetched before the retry.
_TOKEN_ERRCODES = frozenset({40001, 40014, 42001})
_SENTENCE_BOUNDARY = re.compile(r"(?<=[。！？\n])")
_PLACEHOLDER = re.compile(r"^\$\{[^}]*\}$")
# An Official Account OpenID: 28 characters of URL-safe base64, starting with "o".
_OPENID_SHAPE = re.compile(r"(?<![A-Za-z0-9_-])o[A-Za-z0-9_-]{27}(?![A-Za-z0-9_-])")
_SECRET_QUERY = re.compile(r"(access_token|secret|appid)=[^&\s'\"]*", re.IGNORECASE)
_CHINESE_NUMERALS = {
    "一": 1, "二": 2, "三": 3, "四": 4, "五": 5,
    "六": 6, "七": 7, "八": 8, "九": 9, "十": 10,
}  # fmt: skip

T = TypeVar("T")


# --------------------------------------------------------------------------- #
# Configuration
# --------------------------------------------------------------------------- #


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
        cls, credentials: Optional[Mapping[str, Any]]
    ) -> "WeChatConfig":
        """Reads the ``credentials.yml`` section; unknown keys are ignored.

        Keys: token, appid, secret, aes_key, api_base, and optionally
        reply_budget (seconds, default 4).
        """
        creds = dict(credentials or {})
        api_base = (_credential(creds, "api_base") or DEFAULT_API_BASE).rstrip("/")
        if not api_base.startswith(("http://", "https://")):
            raise RasaException(
                "WeChat channel: api_base must start with http:// or https://"
            )
        budget_raw = _credential(creds, "reply_budget")
        try:
            reply_budget = float(budget_raw) if budget_raw else cls.reply_budget
        except ValueError:
            raise RasaException(
                "WeChat channel: reply_budget must be a number"
            ) from None
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


# --------------------------------------------------------------------------- #
# Pure helpers
# --------------------------------------------------------------------------- #


def mask_openid(openid: Optional[str]) -> str:
    """The form in which an OpenID may appear in a log line."""
    return f"{openid[:4]}…" if openid else "(none)"


def wechat_signature(token: str, *parts: str) -> str:
    """WeChat's SHA1 signature: the token and the parts, sorted, concatenated.

    With (timestamp, nonce) it is the ``signature`` query parameter; with
    (timestamp, nonce, encrypt) it is ``msg_signature`` in safe mode.
    """
    items = sorted(p.encode("utf-8", "replace") for p in (token, *parts))
    return hashlib.sha1(b"".join(items)).hexdigest()


def signature_matches(expected: str, received: Optional[str]) -> bool:
    """Constant-time comparison (wechatpy's own checks use ``!=``)."""
    if not received:
        return False
    return hmac.compare_digest(
        expected.encode("ascii"), received.encode("utf-8", "replace")
    )


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
        if message.get("custom"):
            logger.debug("WeChat channel: dropped a custom JSON message")
        block = "\n".join(line for line in lines if line)
        if block:
            blocks.append(block)
    return "\n\n".join(blocks), choices


def _cdata_safe(text: str) -> str:
    # wechatpy puts the content in CDATA without escaping; keep "]]>" from
    # closing it early.
    return text.replace("]]>", "]]]]><![CDATA[>")


def _redact(text: str) -> str:
    return _SECRET_QUERY.sub(lambda m: f"{m.group(1)}=***", text)


def _scrub(text: str, openid: str) -> str:
    return text.replace(openid, mask_openid(openid)) if openid else text


class OpenIdMaskingFilter(logging.Filter):
    """Masks anything shaped like an OpenID in a log record.

    WeChat appends ``openid=...`` to every webhook URL, so Sanic's access log
    (when enabled, e.g. LOG_LEVEL_LIBRARIES=INFO) would hold it in full; the
    channel installs this filter on ``sanic.access``. Rasa's own DEBUG logs
    name the sender id too: attach the filter to your handlers through
    ``--logging-config-file`` to mask those as well.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a broken record is the logging module's business
            return True
        masked = _OPENID_SHAPE.sub(_mask_match, message)
        if masked != message:
            record.msg, record.args = masked, None
        request_line = getattr(record, "request", None)
        if isinstance(request_line, str):
            record.__dict__["request"] = _OPENID_SHAPE.sub(_mask_match, request_line)
        return True


def _mask_match(match: "re.Match[str]") -> str:
    return mask_openid(match.group(0))


def _install_access_log_filter() -> None:
    access_logger = logging.getLogger("sanic.access")
    if not any(isinstance(f, OpenIdMaskingFilter) for f in access_logger.filters):
        access_logger.addFilter(OpenIdMaskingFilter())


# --------------------------------------------------------------------------- #
# Incoming messages
# --------------------------------------------------------------------------- #


class MalformedMessage(ValueError):
    """The request body is not a WeChat message we can read."""


@dataclass(frozen=True)
class Inbound:
    """The fields of one WeChat message or event that the channel uses."""

    msg_type: str  # "text", "image", ..., "event"
    event: str  # lower-case event name for events, "" otherwise
    openid: str  # FromUserName: the user
    account: str  # ToUserName: our Official Account
    create_time: int
    msg_id: int  # 0 for events
    content: str  # text messages only
    message: Any = field(repr=False)  # the wechatpy object, to address the reply

    @property
    def dedupe_key(self) -> str:
        if self.msg_type != "event" and self.msg_id:
            return f"msg:{self.msg_id}"
        return f"evt:{self.openid}:{self.create_time}"


def parse_inbound(xml: str) -> Inbound:
    """Parses a decrypted message body; raises ``MalformedMessage``."""
    root = _xml_root(xml)
    msg_type = _text_field(root, "MsgType", required=True).lower()
    openid = _text_field(root, "FromUserName", required=True)
    account = _text_field(root, "ToUserName", required=True)
    create_time = _int_field(root, "CreateTime", required=True)
    msg_id = _int_field(root, "MsgId", required=False)
    event = _text_field(root, "Event").lower() if msg_type == "event" else ""
    content = _text_field(root, "Content").strip() if msg_type == "text" else ""
    try:
        message = parse_message(xml)
    except Exception as exc:  # wechatpy raises whatever its parsing hits
        raise MalformedMessage(
            f"wechatpy cannot parse it: {type(exc).__name__}"
        ) from exc
    return Inbound(
        msg_type=msg_type,
        event=event,
        openid=openid,
        account=account,
        create_time=create_time,
        msg_id=msg_id,
        content=content,
        message=message,
    )


def _xml_root(xml: str) -> Dict[str, Any]:
    try:
        document = xmltodict.parse(xml)
    except Exception as exc:  # expat errors, entity refusal, encoding errors
        raise MalformedMessage(f"not well-formed XML: {type(exc).__name__}") from exc
    root = document.get("xml") if isinstance(document, dict) else None
    if not isinstance(root, dict):
        raise MalformedMessage("no <xml> root element with children")
    return root


def _text_field(root: Mapping[str, Any], name: str, required: bool = False) -> str:
    value = root.get(name)
    if value is None:
        if required:
            raise MalformedMessage(f"<{name}> is missing")
        return ""
    if not isinstance(value, str):
        raise MalformedMessage(f"<{name}> is not a single text element")
    return value


def _int_field(root: Mapping[str, Any], name: str, required: bool) -> int:
    value = _text_field(root, name, required).strip()
    if not value:
        return 0
    if not (value.isascii() and value.isdigit() and len(value) <= 20):
        raise MalformedMessage(f"<{name}> is not a number")
    return int(value)


def _encrypted_payload(xml: str) -> str:
    encrypt = _text_field(_xml_root(xml), "Encrypt", required=True).strip()
    if not encrypt:
        raise MalformedMessage("<Encrypt> is empty")
    return encrypt


# --------------------------------------------------------------------------- #
# Outgoing: the customer-service message API
# --------------------------------------------------------------------------- #


class WeChatApiError(Exception):
    """WeChat answered with an error code (the message holds no secret)."""

    def __init__(self, errcode: int, errmsg: str) -> None:
        super().__init__(f"errcode={errcode} errmsg={_redact(errmsg)}")
        self.errcode = errcode


class WeChatApiClient:
    """Sends text through the customer-service API, caching the access token."""

    def __init__(
        self,
        appid: str,
        secret: str,
        api_base: str = DEFAULT_API_BASE,
        timeout: float = 5.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._appid = appid
        self._secret = secret
        self._api_base = api_base.rstrip("/")
        self._timeout = aiohttp.ClientTimeout(total=timeout)
        self._clock = clock
        self._token: Optional[str] = None
        self._token_expires_at = 0.0
        self._token_lock = asyncio.Lock()

    async def send_text(self, openid: str, content: str) -> bool:
        """Sends one text message; one retry on failure. True if delivered."""
        payload = {"touser": openid, "msgtype": "text", "text": {"content": content}}
        body = json.dumps(payload, ensure_ascii=False).encode("utf-8")
        async with aiohttp.ClientSession(timeout=self._timeout) as session:
            for attempt in (1, 2):
                try:
                    token = await self._access_token(session)
                    result = await self._post(session, token, body)
                    errcode = _errcode(result)
                    if errcode == 0:
                        return True
                    if errcode in _TOKEN_ERRCODES:
                        self._token = None
                    raise WeChatApiError(errcode, str(result.get("errmsg", "")))
                except (aiohttp.ClientError, asyncio.TimeoutError, ValueError,
                        WeChatApiError) as exc:  # fmt: skip
                    logger.warning(
                        "WeChat customer-service send to %s failed (attempt %d/2): %s",
                        mask_openid(openid),
                        attempt,
                        _describe(exc),
                    )
        return False

    async def _post(
        self, session: aiohttp.ClientSession, token: str, body: bytes
    ) -> Dict[str, Any]:
        async with session.post(
            f"{self._api_base}/cgi-bin/message/custom/send",
            params={"access_token": token},
            data=body,
            headers={"Content-Type": "application/json; charset=utf-8"},
        ) as resp:
            return await _json_object(resp)

    async def _access_token(self, session: aiohttp.ClientSession) -> str:
        async with self._token_lock:
            if self._token and self._clock() < self._token_expires_at:
                return self._token
            async with session.get(
                f"{self._api_base}/cgi-bin/token",
                params={
                    "grant_type": "client_credential",
                    "appid": self._appid,
                    "secret": self._secret,
                },
            ) as resp:
                result = await _json_object(resp)
            token = result.get("access_token")
            if not isinstance(token, str) or not token:
                raise WeChatApiError(_errcode(result), str(result.get("errmsg", "")))
            try:
                expires_in = float(result.get("expires_in", 7200))
            except (TypeError, ValueError):
                expires_in = 7200.0
            # Renew a little before WeChat's expiry.
            self._token_expires_at = (
                self._clock() + expires_in - min(300.0, expires_in / 2)
            )
            self._token = token
            logger.info("WeChat access token fetched (valid %ds)", int(expires_in))
            return token


async def _json_object(resp: aiohttp.ClientResponse) -> Dict[str, Any]:
    if resp.status >= 400:
        raise ValueError(f"HTTP {resp.status}")
    result = await resp.json(content_type=None)  # WeChat says text/plain
    if not isinstance(result, dict):
        raise ValueError("response is not a JSON object")
    return result


def _errcode(result: Mapping[str, Any]) -> int:
    try:
        return int(result.get("errcode", 0) or 0)
    except (TypeError, ValueError):
        return -1


def _describe(exc: BaseException) -> str:
    detail = _redact(str(exc))
    return f"{type(exc).__name__}: {detail}" if detail else type(exc).__name__


# --------------------------------------------------------------------------- #
# The channel
# --------------------------------------------------------------------------- #


class WeChatOutput(CollectingOutputChannel):
    """Collects what the bot says to one WeChat message."""

    @classmethod
    def name(cls) -> Text:
        return WeChatInput.name()


@dataclass
class _Exchange:
    """One WeChat message and the bot's answer to it."""

    task: Optional["asyncio.Task[List[str]]"] = None
    # The answer will go (or went) through the customer-service API: every
    # repeat of the message gets "success" from now on.
    push_committed: bool = False
    overflow_scheduled: bool = False


OnNewMessage = Callable[[UserMessage], Awaitable[Any]]


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
        return cls(config)

    def __init__(self, config: Optional[WeChatConfig] = None) -> None:
        self.config = config or WeChatConfig()
        self._crypto: Optional[WeChatCrypto] = None
        if self.config.enabled and self.config.safe_mode:
            if not self.config.appid:
                raise RasaException("WeChat channel: safe mode (aes_key) needs appid")
            try:
                self._crypto = WeChatCrypto(
                    self.config.token, self.config.aes_key, self.config.appid
                )
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
        self.client = WeChatApiClient(
            self.config.appid,
            self.config.secret,
            self.config.api_base,
            self.config.http_timeout,
        )
        self._exchanges: TTLCache[_Exchange] = TTLCache(
            self.config.dedupe_ttl, self.config.dedupe_max_entries
        )
        self._choices: TTLCache[List[Choice]] = TTLCache(
            self.config.buttons_ttl, self.config.buttons_max_entries
        )
        self._tasks: Set["asyncio.Task[Any]"] = set()

    # ------------------------------------------------------------- routes --

    def blueprint(self, on_new_message: OnNewMessage) -> Blueprint:
        _install_access_log_filter()
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

        return bp

    def _disabled(self) -> HTTPResponse:
        logger.warning("WeChat channel is disabled (no token configured); answered 503")
        return response.text("wechat channel disabled", status=503)

    def _check_query(self, request: Request) -> Optional[HTTPResponse]:
        """Signature and timestamp window of the query string; 403 if bad."""
        args = request.args
        signature = args.get("signature")
        timestamp = args.get("timestamp")
        nonce = args.get("nonce")
        if not (signature and timestamp and nonce):
            return _forbidden("missing signature, timestamp or nonce")
        if not self._timestamp_fresh(timestamp):
            return _forbidden("timestamp outside the allowed window")
        if not signature_matches(
            wechat_signature(self.config.token, timestamp, nonce), signature
        ):
            return _forbidden("bad signature")
        return None

    def _timestamp_fresh(self, timestamp: str) -> bool:
        if not (timestamp.isascii() and timestamp.isdigit() and len(timestamp) <= 12):
            return False
        return abs(time.time() - int(timestamp)) <= self.config.timestamp_tolerance

    async def _receive(
        self, request: Request, on_new_message: OnNewMessage
    ) -> HTTPResponse:
        started = time.monotonic()
        if not self.config.enabled:
            return self._disabled()
        limit = self.config.max_body_bytes
        declared = request.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > limit:
            return _too_large(limit)
        refusal = self._check_query(request)
        if refusal:
            return refusal
        if self._crypto and not request.args.get("msg_signature"):
            return _forbidden("missing msg_signature (safe mode)")
        body = await _read_body(request, limit)
        if body is None:
            return _too_large(limit)
        try:
            xml = body.decode("utf-8")
            if self._crypto:
                xml_or_refusal = self._decrypt(request, xml)
                if isinstance(xml_or_refusal, HTTPResponse):
                    return xml_or_refusal
                xml = xml_or_refusal
            inbound = parse_inbound(xml)
        except (UnicodeDecodeError, MalformedMessage) as exc:
            logger.warning("WeChat request refused (400): %s", _describe(exc))
            return response.text("malformed message", status=400)

        reply = await self._dispatch(inbound, on_new_message, started)
        return self._reply(inbound, reply, request.args.get("nonce", ""))

    def _decrypt(self, request: Request, envelope: str) -> "str | HTTPResponse":
        assert self._crypto is not None
        args = request.args
        timestamp, nonce = args.get("timestamp", ""), args.get("nonce", "")
        msg_signature = args.get("msg_signature", "")
        encrypt = _encrypted_payload(envelope)
        expected = wechat_signature(self.config.token, timestamp, nonce, encrypt)
        if not signature_matches(expected, msg_signature):
            return _forbidden("bad msg_signature")
        try:
            # wechatpy checks msg_signature again (with !=); ours came first.
            return str(
                self._crypto.decrypt_message(
                    {"Encrypt": encrypt}, msg_signature, timestamp, nonce
                )
            )
        except Exception as exc:  # bad base64/padding/length, wrong appid
            raise MalformedMessage(f"cannot decrypt: {type(exc).__name__}") from exc

    def _reply(self, inbound: Inbound, text: Optional[str], nonce: str) -> HTTPResponse:
        if not text:
            return response.text(SUCCESS)
        xml = create_reply(_cdata_safe(text), message=inbound.message, render=True)
        if self._crypto:
            xml = self._crypto.encrypt_message(xml, nonce)
        return response.text(xml, content_type="application/xml; charset=utf-8")

    # ----------------------------------------------------------- dispatch --

    async def _dispatch(
        self, inbound: Inbound, on_new_message: OnNewMessage, started: float
    ) -> Optional[str]:
        """The passive reply text for a message, or None for ``success``."""
        who = mask_openid(inbound.openid)
        if inbound.msg_type == "text":
            logger.debug("WeChat: text message %s from %s", inbound.msg_id, who)
            if not inbound.content:
                return None
            return await self._answer(inbound, inbound.content, on_new_message, started)
        if inbound.msg_type == "event":
            if inbound.event == "subscribe":
                logger.info("WeChat: new follower %s", who)
                return await self._answer(
                    inbound, WELCOME_PAYLOAD, on_new_message, started
                )
            logger.debug("WeChat: event '%s' from %s ignored", inbound.event, who)
            return None
        logger.info(
            "WeChat: %s message from %s answered as text-only", inbound.msg_type, who
        )
        return TEXTS["non_text"]

    async def _answer(
        self,
        inbound: Inbound,
        text: str,
        on_new_message: OnNewMessage,
        started: float,
    ) -> Optional[str]:
        who = mask_openid(inbound.openid)
        exchange = self._exchanges.get(inbound.dedupe_key)
        if exchange is None:
            exchange = _Exchange()
            exchange.task = self._spawn(
                self._run_bot(exchange, inbound, text, on_new_message)
            )
            self._exchanges.set(inbound.dedupe_key, exchange)
        else:
            logger.info(
                "WeChat: repeat of message %s from %s, not passed to the bot",
                inbound.msg_id or inbound.create_time,
                who,
            )
        task = exchange.task
        assert task is not None
        remaining = self.config.reply_budget - (time.monotonic() - started)
        if not task.done() and not exchange.push_committed and remaining > 0:
            await asyncio.wait({task}, timeout=remaining)
        if exchange.push_committed:
            return None
        if not task.done():
            exchange.push_committed = True
            logger.info(
                "WeChat: answer to %s not ready within %.1fs; replied 'success', "
                "it will be pushed",
                who,
                self.config.reply_budget,
            )
            return None
        if task.cancelled():
            return None
        parts = task.result()
        if not parts:
            return None
        if len(parts) > 1 and not exchange.overflow_scheduled:
            exchange.overflow_scheduled = True
            self._spawn(
                self._push(inbound.openid, parts[1:], self.config.overflow_delay)
            )
        return parts[0]

    async def _run_bot(
        self,
        exchange: _Exchange,
        inbound: Inbound,
        text: str,
        on_new_message: OnNewMessage,
    ) -> List[str]:
        openid = inbound.openid
        metadata: Dict[str, Any] = {
            "wechat": {"msg_type": inbound.msg_type, "msg_id": inbound.msg_id}
        }
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
                _scrub("".join(traceback.format_exception(exc)), openid),
            )
            output.messages.append({"text": TEXTS["error"]})
        body, choices = render_answer(output.messages)
        if choices:
            self._choices.set(openid, choices)
        else:
            # A later bare number is an answer (e.g. a head count), not a choice.
            self._choices.pop(openid)
        parts = split_text(body)
        if exchange.push_committed and parts:
            # No await between the check and returning: _answer sees either a
            # finished task or a committed push, never neither.
            self._spawn(self._push(openid, parts))
        return parts

    async def _push(self, openid: str, parts: List[str], delay: float = 0.0) -> None:
        who = mask_openid(openid)
        try:
            if delay > 0:
                await asyncio.sleep(delay)
            if not self.config.can_push:
                logger.error(
                    "WeChat: %d message(s) for %s dropped: no appid/secret for the "
                    "customer-service API",
                    len(parts),
                    who,
                )
                return
            for index, part in enumerate(parts, start=1):
                if not await self.client.send_text(openid, part):
                    logger.error(
                        "WeChat: gave up pushing part %d/%d to %s",
                        index,
                        len(parts),
                        who,
                    )
                    return
            logger.info("WeChat: pushed %d message(s) to %s", len(parts), who)
        except Exception as exc:  # a background task has nobody else to tell
            logger.error(
                "WeChat: pushing to %s failed: %s", who, _scrub(_describe(exc), openid)
            )

    def _spawn(self, coro: Coroutine[Any, Any, T]) -> "asyncio.Task[T]":
        task = asyncio.ensure_future(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task


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
