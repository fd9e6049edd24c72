"""A staff member's reply to a handed-off user, on the user's own channel.

* The widget (socket.io): one call to Rasa's HTTP API appends the reply as a bot
  event with ``output_channel=socketio&execute_side_effects=true``, so Rasa both
  records it and emits it to the visitor's socket (its room is the sender id).
* WeChat: the customer-service message API (``/cgi-bin/message/custom/send``),
  then the same bot event without side effects, so the transcript has it. WeChat
  refuses with 45015 once 48 hours have passed since the user last wrote:
  ``WindowClosed``, which staff see as a 409 with what to do instead.

The console must not import channels/, so ``WeChatApi`` is its own small client,
configured from the same environment variables as credentials.yml's WeChat
section. It keeps its access token in this process; a 40001/42001 answer (the
channel fetched a newer one, which retires ours) fetches a fresh one and retries once.
"""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from typing import Any, Callable, Dict, List, Mapping, Optional
from urllib.parse import urlencode

from console.queries import STAFF_REPLY
from console.rasa_api import RasaApi
from console.texts import t

DEFAULT_API_BASE = "https://api.weixin.qq.com"
TIMEOUT = 10.0
# WeChat: the 48-hour window for customer-service messages has closed
WINDOW_CLOSED = 45015
# WeChat: the access token is invalid or expired (fetch another, retry once)
TOKEN_ERRCODES = frozenset({40001, 40014, 42001})
# a WeChat text message holds at most 2048 bytes; staff replies stay well inside
MAX_REPLY_CHARS = 600
# channels a reply can reach: the widget's socket, WeChat's customer-service API
REPLY_CHANNELS = ("socketio", "wechat")


class ReplyError(RuntimeError):
    """The reply could not be sent (HTTP 502; the message names no secret)."""


class ReplyUnavailable(ReplyError):
    """The console is not configured to send on this channel (HTTP 503)."""


class WindowClosed(ReplyError):
    """WeChat's 48-hour window has closed (errcode 45015; HTTP 409)."""


def staff_event(text: str) -> Dict[str, Any]:
    """The bot event that records (and, in the widget, delivers) a staff reply."""
    return {"event": "bot", "text": text, "metadata": {STAFF_REPLY: True}}


@dataclass
class WeChatApi:
    """The Official Account's customer-service API, as the console uses it."""

    appid: str = ""
    secret: str = field(default="", repr=False)
    api_base: str = DEFAULT_API_BASE
    timeout: float = TIMEOUT
    now: Callable[[], float] = time.time
    # (token, renew after): kept between requests of this process
    _token: Optional[List[Any]] = field(default=None, repr=False)

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> "WeChatApi":
        """``WECHAT_APPID``, ``WECHAT_SECRET``, ``WECHAT_API_BASE`` (as credentials.yml)."""
        base = (env.get("WECHAT_API_BASE") or "").strip().rstrip("/") or DEFAULT_API_BASE
        return cls((env.get("WECHAT_APPID") or "").strip(), (env.get("WECHAT_SECRET") or "").strip(), base)

    @property
    def enabled(self) -> bool:
        return bool(self.appid and self.secret)

    def send_text(self, openid: str, text: str) -> None:
        if not self.enabled:
            raise ReplyUnavailable(
                "WECHAT_APPID and WECHAT_SECRET are not set: the console cannot reach WeChat"
            )
        body = json.dumps(
            {"touser": openid, "msgtype": "text", "text": {"content": text}}, ensure_ascii=False
        )
        for attempt in (1, 2):
            errcode, errmsg = self._send(self._access_token(), body.encode("utf-8"))
            if errcode == 0:
                return
            if errcode == WINDOW_CLOSED:
                raise WindowClosed(t("pause.window_closed"))
            if errcode in TOKEN_ERRCODES and attempt == 1:
                self._token = None
                continue
            raise ReplyError(f"WeChat refused the message (errcode {errcode}: {errmsg[:80]})")

    def _access_token(self) -> str:
        if self._token is not None and self.now() < self._token[1]:
            return str(self._token[0])
        query = urlencode({"grant_type": "client_credential", "appid": self.appid, "secret": self.secret})
        answer = self._call(urllib.request.Request(f"{self.api_base}/cgi-bin/token?{query}"))
        token = answer.get("access_token")
        if not isinstance(token, str) or not token:
            raise ReplyError(f"WeChat gave no access token (errcode {answer.get('errcode')})")
        try:
            expires_in = float(answer.get("expires_in", 7200))
        except (TypeError, ValueError):
            expires_in = 7200.0
        self._token = [token, self.now() + expires_in - min(300.0, expires_in / 2)]
        return token

    def _send(self, token: str, body: bytes) -> "tuple[int, str]":
        request = urllib.request.Request(
            f"{self.api_base}/cgi-bin/message/custom/send?{urlencode({'access_token': token})}",
            data=body,
            headers={"Content-Type": "application/json; charset=utf-8"},
            method="POST",
        )
        answer = self._call(request)
        try:
            errcode = int(answer.get("errcode", 0) or 0)
        except (TypeError, ValueError):
            errcode = -1
        return errcode, str(answer.get("errmsg", ""))

    def _call(self, request: urllib.request.Request) -> Dict[str, Any]:
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as answer:
                data = json.loads(answer.read().decode("utf-8"))
        except urllib.error.HTTPError as error:
            raise ReplyError(f"WeChat answered HTTP {error.code}") from None
        except (urllib.error.URLError, OSError) as error:
            raise ReplyError(f"WeChat cannot be reached ({getattr(error, 'reason', error)})") from None
        except ValueError:
            raise ReplyError("WeChat's answer is not JSON") from None
        if not isinstance(data, dict):
            raise ReplyError("WeChat's answer is not a JSON object")
        return data


def send_reply(rasa: RasaApi, wechat: WeChatApi, sender_id: str, channel: str, text: str) -> None:
    """Delivers ``text`` to the user on ``channel`` and records it in the transcript."""
    if channel == "wechat":
        wechat.send_text(sender_id, text)
        rasa.append_events(sender_id, [staff_event(text)])
    elif channel == "socketio":
        rasa.append_events(sender_id, [staff_event(text)], output_channel="socketio")
    else:
        raise ValueError(f"no reply reaches a {channel} user")
