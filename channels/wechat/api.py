"""The customer-service message API: answers sent after the passive reply.

The access token is kept the way wechatpy's clients keep it: in a session
storage under ``<appid>_access_token`` (the channel's ``ChannelState`` gives
wechatpy's ``MemoryStorage``, or its ``RedisStorage`` shared by every server).
The value says when to fetch a new one, on the injected clock's wall time:
``refresh_at``, a little before WeChat's expiry. Each fetch of a token makes
WeChat retire the one before, so when servers share the storage one of them
fetches at a time, under the state's lock; the others wait, looking again
every ``poll_interval``, and take the token it stored.
"""

from __future__ import annotations

import asyncio
import json
import logging
from typing import Any, Dict, List, Mapping, Optional

import aiohttp

from channels.wechat.clock import SYSTEM_CLOCK, Clock
from channels.wechat.config import DEFAULT_API_BASE
from channels.wechat.security import describe_error, mask_openid, redact
from channels.wechat.store import ChannelState

logger = logging.getLogger(__name__)

# Access-token errors after which a fresh token is fetched before the retry.
_TOKEN_ERRCODES = frozenset({40001, 40014, 42001})


class WeChatApiError(Exception):
    """WeChat answered with an error code (the message holds no secret)."""

    def __init__(self, errcode: int, errmsg: str) -> None:
        super().__init__(f"errcode={errcode} errmsg={redact(errmsg)}")
        self.errcode = errcode


class WeChatApiClient:
    """Sends text through the customer-service API, caching the access token."""

    def __init__(
        self,
        appid: str,
        secret: str,
        api_base: str = DEFAULT_API_BASE,
        timeout: float = 5.0,
        clock: Clock = SYSTEM_CLOCK,
        state: Optional[ChannelState] = None,
    ) -> None:
        state = state or ChannelState(clock)
        self._appid = appid
        self._secret = secret
        self._api_base = api_base.rstrip("/")
        self._timeout = aiohttp.ClientTimeout(total=timeout)
        self._clock = clock
        self._state = state
        self._tokens = state.session()
        # wechatpy's key (``BaseWeChatClient.access_token_key``)
        self._token_key = f"{appid}_access_token"
        # A fetch holds the shared lock at most this long (one token request).
        self._fetch_lock_timeout = timeout + 1.0
        # The token WeChat last refused as expired or invalid: never used again.
        self._refused: Optional[str] = None
        self._token_lock = asyncio.Lock()

    @property
    def can_send(self) -> bool:
        return bool(self._appid and self._secret)

    async def push(self, openid: str, parts: List[str]) -> None:
        """Sends the parts in order, stopping at the first that fails; logs only."""
        who = mask_openid(openid)
        if not self.can_send:
            logger.error(
                "WeChat: %d message(s) for %s dropped: no appid/secret for the " "customer-service API",
                len(parts),
                who,
            )
            return
        for index, part in enumerate(parts, start=1):
            if not await self.send_text(openid, part):
                logger.error("WeChat: gave up pushing part %d/%d to %s", index, len(parts), who)
                return
        logger.info("WeChat: pushed %d message(s) to %s", len(parts), who)

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
                        self._refused = token
                    raise WeChatApiError(errcode, str(result.get("errmsg", "")))
                except (aiohttp.ClientError, asyncio.TimeoutError, ValueError,
                        WeChatApiError) as exc:  # fmt: skip
                    logger.warning(
                        "WeChat customer-service send to %s failed (attempt %d/2): %s",
                        mask_openid(openid),
                        attempt,
                        describe_error(exc),
                    )
        return False

    async def _post(self, session: aiohttp.ClientSession, token: str, body: bytes) -> Dict[str, Any]:
        async with session.post(
            f"{self._api_base}/cgi-bin/message/custom/send",
            params={"access_token": token},
            data=body,
            headers={"Content-Type": "application/json; charset=utf-8"},
        ) as resp:
            return await _json_object(resp)

    async def _access_token(self, session: aiohttp.ClientSession) -> str:
        async with self._token_lock:
            token = self._stored_token()
            if token:
                return token
            lock = self._state.lock(self._token_key, self._fetch_lock_timeout)
            give_up_at = self._clock.monotonic() + self._fetch_lock_timeout
            while not lock.try_acquire():
                # Another server is fetching: take its token when it is stored.
                if self._clock.monotonic() >= give_up_at:
                    raise asyncio.TimeoutError("another server holds the access-token lock")
                await self._clock.sleep(self._state.poll_interval)
                token = self._stored_token()
                if token:
                    return token
            try:
                # It may have been stored between the last look and the lock.
                return self._stored_token() or await self._fetch_token(session)
            finally:
                lock.release()

    def _stored_token(self) -> Optional[str]:
        """The stored token, unless WeChat refused it or it is due for renewal."""
        stored = self._tokens.get(self._token_key)
        if not isinstance(stored, dict):
            return None
        token = stored.get("access_token")
        if not isinstance(token, str) or token == self._refused:
            return None
        if self._clock.now() >= float(stored.get("refresh_at", 0)):
            return None
        return token

    async def _fetch_token(self, session: aiohttp.ClientSession) -> str:
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
        now = self._clock.now()
        stored = {
            "access_token": token,
            "expires_at": now + expires_in,
            # Renew a little before WeChat's expiry.
            "refresh_at": now + expires_in - min(300.0, expires_in / 2),
        }
        # The storage drops it once WeChat no longer accepts it.
        self._tokens.set(self._token_key, stored, max(1, int(expires_in)))
        self._refused = None
        logger.info(
            "WeChat access token fetched (valid %ds), kept %s", int(expires_in), self._state.describe()
        )
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
