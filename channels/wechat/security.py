"""Who may call the webhook, and what may appear in a log line.

Signatures are compared in constant time and requests outside the timestamp
window are refused. Logs never hold a full OpenID (see ``mask_openid``), the
token, the secret, the AES key or an access token.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import re
from typing import Mapping, Optional

# An Official Account OpenID: 28 characters of URL-safe base64, starting with "o".
_OPENID_SHAPE = re.compile(r"(?<![A-Za-z0-9_-])o[A-Za-z0-9_-]{27}(?![A-Za-z0-9_-])")
_SECRET_QUERY = re.compile(r"(access_token|secret|appid)=[^&\s'\"]*", re.IGNORECASE)


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
    return hmac.compare_digest(expected.encode("ascii"), received.encode("utf-8", "replace"))


def timestamp_fresh(timestamp: str, now: float, tolerance: float) -> bool:
    """Whether a request's ``timestamp`` lies within ``tolerance`` s of ``now``."""
    if not (timestamp.isascii() and timestamp.isdigit() and len(timestamp) <= 12):
        return False
    return abs(now - int(timestamp)) <= tolerance


def query_refusal(args: Mapping[str, str], token: str, now: float, tolerance: float) -> Optional[str]:
    """Why the query's signature or timestamp is refused, or None if it is fine."""
    signature = args.get("signature")
    timestamp = args.get("timestamp")
    nonce = args.get("nonce")
    if not (signature and timestamp and nonce):
        return "missing signature, timestamp or nonce"
    if not timestamp_fresh(timestamp, now, tolerance):
        return "timestamp outside the allowed window"
    if not signature_matches(wechat_signature(token, timestamp, nonce), signature):
        return "bad signature"
    return None


def redact(text: str) -> str:
    """``text`` with the values of access_token, secret and appid hidden."""
    return _SECRET_QUERY.sub(lambda m: f"{m.group(1)}=***", text)


def scrub(text: str, openid: str) -> str:
    """``text`` with one known OpenID masked."""
    return text.replace(openid, mask_openid(openid)) if openid else text


def describe_error(exc: BaseException) -> str:
    """An exception as a log line may show it."""
    detail = redact(str(exc))
    return f"{type(exc).__name__}: {detail}" if detail else type(exc).__name__


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


def install_access_log_filter() -> None:
    access_logger = logging.getLogger("sanic.access")
    if not any(isinstance(f, OpenIdMaskingFilter) for f in access_logger.filters):
        access_logger.addFilter(OpenIdMaskingFilter())
