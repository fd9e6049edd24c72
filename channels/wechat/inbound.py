"""Reading what WeChat posts: the safe-mode envelope and the message itself."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Dict, Mapping

import xmltodict
from wechatpy import parse_message
from wechatpy.crypto import WeChatCrypto

from channels.wechat.security import signature_matches, wechat_signature


_WECHATPY_SUBSCRIBE_NAMES = frozenset({"subscribe_scan", "subscribe_scan_product"})


class MalformedMessage(ValueError):
    """The request body is not a WeChat message we can read."""


class BadMsgSignature(Exception):
    """The safe-mode ``msg_signature`` does not match the encrypted body."""


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
    """Parses a decrypted message body; raises ``MalformedMessage``.

    wechatpy parses the XML (once); its message object addresses the reply.
    Its field accessors convert leniently, so the fields the channel relies on
    are checked on the parsed document it keeps.
    """
    try:
        message = parse_message(xml)
    except Exception as exc:  # expat errors, entity refusal, no <xml> root, ...
        raise MalformedMessage(f"wechatpy cannot parse it: {type(exc).__name__}") from exc
    # wechatpy keeps no public handle on the parsed document; requirements.lock
    # pins the version this relies on.
    root = getattr(message, "_data", None)
    if not isinstance(root, dict):
        raise MalformedMessage("no <xml> root element with children")
    msg_type = _text_field(root, "MsgType", required=True).lower()
    openid = _text_field(root, "FromUserName", required=True)
    account = _text_field(root, "ToUserName", required=True)
    create_time = _int_field(root, "CreateTime", required=True)
    msg_id = _int_field(root, "MsgId", required=False)
    event = _event_name(root) if msg_type == "event" else ""
    content = _text_field(root, "Content").strip() if msg_type == "text" else ""
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


def _event_name(root: Mapping[str, Any]) -> str:
    event = _text_field(root, "Event").lower()
    # wechatpy renames a subscribe through a QR code or a product scan in the
    # document it keeps; for the channel it is a subscribe like any other.
    return "subscribe" if event in _WECHATPY_SUBSCRIBE_NAMES else event


def decrypt_envelope(
    crypto: WeChatCrypto,
    token: str,
    envelope: str,
    timestamp: str,
    nonce: str,
    msg_signature: str,
) -> str:
    """The message XML inside a safe-mode envelope.

    Raises ``BadMsgSignature`` (checked in constant time) or ``MalformedMessage``.
    """
    encrypt = _encrypted_payload(envelope)
    expected = wechat_signature(token, timestamp, nonce, encrypt)
    if not signature_matches(expected, msg_signature):
        raise BadMsgSignature()
    try:
        # wechatpy checks msg_signature again (with !=); ours came first.
        return str(crypto.decrypt_message({"Encrypt": encrypt}, msg_signature, timestamp, nonce))
    except Exception as exc:  # bad base64/padding/length, wrong appid
        raise MalformedMessage(f"cannot decrypt: {type(exc).__name__}") from exc


def _envelope_root(xml: str) -> Dict[str, Any]:
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
    encrypt = _text_field(_envelope_root(xml), "Encrypt", required=True).strip()
    if not encrypt:
        raise MalformedMessage("<Encrypt> is empty")
    return encrypt
