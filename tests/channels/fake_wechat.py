"""WeChat's side of the WeChat channel, for tests.

* ``FakeWeChatServer``: the WeChat API the channel calls (``/cgi-bin/token`` and
  ``/cgi-bin/message/custom/send``), on 127.0.0.1 and a free port, in a
  background thread; it records every call. Point the channel's ``api_base`` at
  ``server.base_url``.
* Request builders that sign and encrypt exactly as WeChat's servers do, with
  wechatpy's own signer and crypto (independent of the channel's code):
  ``verification_request``, ``plain_request``, ``safe_request``, and the XML
  bodies ``text_xml``, ``event_xml``, ``media_xml``.
* ``read_reply`` / ``decrypt_reply`` turn the channel's HTTP answer back into
  the reply's fields.

Run it alone for a manual or end-to-end test against a running bot::

    python -m tests.channels.fake_wechat --port 8089
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import socket
import threading
import time
from concurrent.futures import Future
from dataclasses import dataclass
from typing import Any, Coroutine, Dict, List, Optional, TypeVar
from urllib.parse import urlencode

import xmltodict
from aiohttp import web
from wechatpy.crypto import WeChatCrypto
from wechatpy.utils import WeChatSigner

T = TypeVar("T")

# Credentials used by the tests (not real ones). The AES key is 43 characters
# of base64 as the Official Account settings page generates it.
TOKEN = "test-token-9f3a"
APPID = "wx0123456789abcdef"
SECRET = "test-secret-7c1d2e"
AES_KEY = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"
ACCOUNT = "gh_0123456789ab"  # the Official Account's original id (ToUserName)
OPENID = "oUserOpenId1234567890abcdefg"  # 28 characters, like a real OpenID

_msg_ids = itertools.count(int(time.time()) * 1000)


# --------------------------------------------------------------------------- #
# A background event loop
# --------------------------------------------------------------------------- #


class LoopThread:
    """An asyncio event loop running in a daemon thread."""

    def __init__(self, name: str = "loop") -> None:
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)

    def _run(self) -> None:
        asyncio.set_event_loop(self.loop)
        self.loop.run_forever()

    def start(self) -> "LoopThread":
        self._thread.start()
        return self

    def submit(self, coro: Coroutine[Any, Any, T]) -> "Future[T]":
        return asyncio.run_coroutine_threadsafe(coro, self.loop)

    def run(self, coro: Coroutine[Any, Any, T], timeout: float = 10.0) -> T:
        return self.submit(coro).result(timeout)

    def stop(self) -> None:
        async def cancel_rest() -> None:
            current = asyncio.current_task()
            rest = [t for t in asyncio.all_tasks() if t is not current]
            for task in rest:
                task.cancel()
            await asyncio.gather(*rest, return_exceptions=True)
            await self.loop.shutdown_asyncgens()

        self.run(cancel_rest())
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(5)
        self.loop.close()


def free_socket() -> socket.socket:
    """A listening TCP socket on 127.0.0.1 with a port chosen by the system."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    sock.listen(100)
    return sock


# --------------------------------------------------------------------------- #
# The fake WeChat API
# --------------------------------------------------------------------------- #


class FakeWeChatServer:
    """WeChat's token and customer-service endpoints, recording every call.

    ``token_requests``: query parameters of each ``/cgi-bin/token`` call.
    ``sent``: each customer-service call as ``{"access_token": ..., "json": ...}``
    (``json`` is the parsed body; ``raw`` the bytes as received).
    ``fail_next_sends``: that many sends are answered with ``fail_errcode``.
    ``hold_sends``: sends get no answer until the server stops (to test timeouts).
    ``hold_tokens()`` / ``release_tokens()``: token requests get no answer in
    between (to catch two servers fetching at once).
    """

    def __init__(
        self,
        appid: str = APPID,
        secret: str = SECRET,
        access_token: str = "fake-access-token-0001",
        expires_in: int = 7200,
        port: int = 0,
        verbose: bool = False,
    ) -> None:
        self.appid = appid
        self.secret = secret
        self.access_token = access_token
        self.expires_in = expires_in
        self.token_requests: List[Dict[str, str]] = []
        self.sent: List[Dict[str, Any]] = []
        self.fail_next_sends = 0
        self.fail_errcode = 45015
        self.hold_sends = False
        self._released: Optional[asyncio.Event] = None
        self._tokens_released: Optional[asyncio.Event] = None
        self._changed = threading.Condition()
        self._loop = LoopThread("fake-wechat")
        self._runner: Optional[web.AppRunner] = None
        self._port = port
        self._verbose = verbose
        self.base_url = ""

    # lifecycle

    def start(self) -> "FakeWeChatServer":
        self._loop.start()
        self._loop.run(self._start())
        return self

    def stop(self) -> None:
        if self._runner is not None:
            self._loop.run(self._release())
            self._loop.run(self._runner.cleanup())
        self._loop.stop()

    def __enter__(self) -> "FakeWeChatServer":
        return self.start()

    def __exit__(self, *exc: Any) -> None:
        self.stop()

    async def _release(self) -> None:
        if self._released is not None:
            self._released.set()
        if self._tokens_released is not None:
            self._tokens_released.set()

    def hold_tokens(self) -> None:
        """Token requests wait for ``release_tokens`` before they are answered."""
        self._loop.run(self._hold_tokens(True))

    def release_tokens(self) -> None:
        self._loop.run(self._hold_tokens(False))

    async def _hold_tokens(self, hold: bool) -> None:
        assert self._tokens_released is not None, "start the server first"
        if hold:
            self._tokens_released.clear()
        else:
            self._tokens_released.set()

    async def _start(self) -> None:
        self._released = asyncio.Event()
        self._tokens_released = asyncio.Event()
        self._tokens_released.set()
        app = web.Application()
        app.router.add_get("/cgi-bin/token", self._token)
        app.router.add_post("/cgi-bin/message/custom/send", self._send)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=2.0)
        await self._runner.setup()
        if self._port:
            sock = socket.create_server(("127.0.0.1", self._port), reuse_port=False)
        else:
            sock = free_socket()
        site = web.SockSite(self._runner, sock)
        await site.start()
        self.base_url = f"http://127.0.0.1:{sock.getsockname()[1]}"

    # waiting from the test thread

    def wait_for_sent(self, count: int, timeout: float = 10.0) -> List[Dict[str, Any]]:
        """Blocks until ``count`` customer-service calls arrived; returns them."""
        with self._changed:
            self._changed.wait_for(lambda: len(self.sent) >= count, timeout)
            return list(self.sent)

    def wait_for_token_requests(self, count: int, timeout: float = 10.0) -> List[Dict[str, str]]:
        """Blocks until ``count`` token requests arrived (answered or held); returns them."""
        with self._changed:
            self._changed.wait_for(lambda: len(self.token_requests) >= count, timeout)
            return list(self.token_requests)

    def sent_texts(self) -> List[str]:
        """The text contents of the customer-service calls that succeeded."""
        return [item["json"]["text"]["content"] for item in self.sent if item.get("errcode") == 0]

    # handlers

    async def _token(self, request: web.Request) -> web.Response:
        query = dict(request.query)
        with self._changed:
            self.token_requests.append(query)
            self._changed.notify_all()
        if self._tokens_released is not None:
            await self._tokens_released.wait()
        if (
            query.get("grant_type") != "client_credential"
            or query.get("appid") != self.appid
            or query.get("secret") != self.secret
        ):
            return web.json_response({"errcode": 40125, "errmsg": "invalid appsecret"})
        return web.json_response({"access_token": self.access_token, "expires_in": self.expires_in})

    async def _send(self, request: web.Request) -> web.Response:
        raw = await request.read()
        if self.hold_sends and self._released is not None:
            await self._released.wait()
        record: Dict[str, Any] = {
            "access_token": request.query.get("access_token"),
            "raw": raw,
            "content_type": request.headers.get("Content-Type", ""),
        }
        try:
            record["json"] = json.loads(raw.decode("utf-8"))
        except ValueError:
            record["json"] = None
        if record["access_token"] != self.access_token:
            record["errcode"] = 40001
        elif self.fail_next_sends > 0:
            self.fail_next_sends -= 1
            record["errcode"] = self.fail_errcode
        else:
            record["errcode"] = 0
        with self._changed:
            self.sent.append(record)
            self._changed.notify_all()
        if self._verbose:
            print("customer-service send:", json.dumps(record["json"], ensure_ascii=False))
        return web.json_response(
            {
                "errcode": record["errcode"],
                "errmsg": "ok" if not record["errcode"] else "fail",
            },
            # WeChat really answers JSON as text/plain
            content_type="text/plain",
        )


# --------------------------------------------------------------------------- #
# Requests as WeChat builds them
# --------------------------------------------------------------------------- #


@dataclass(frozen=True)
class SignedRequest:
    """Query parameters and body of one webhook call."""

    params: Dict[str, str]
    body: bytes = b""

    @property
    def query(self) -> str:
        return urlencode(self.params)


def sign(*parts: str) -> str:
    """WeChat's SHA1 signature over the token and the other parts (wechatpy)."""
    signer = WeChatSigner()
    signer.add_data(*parts)
    return signer.signature


def new_nonce() -> str:
    return str(next(_msg_ids) % 1_000_000_007)


def next_msg_id() -> int:
    return next(_msg_ids)


def verification_request(
    token: str = TOKEN, echostr: str = "echo-4242", timestamp: Optional[int] = None
) -> SignedRequest:
    ts = str(timestamp if timestamp is not None else int(time.time()))
    nonce = new_nonce()
    return SignedRequest(
        {
            "signature": sign(token, ts, nonce),
            "timestamp": ts,
            "nonce": nonce,
            "echostr": echostr,
        }
    )


def text_xml(
    content: str,
    openid: str = OPENID,
    msg_id: Optional[int] = None,
    create_time: Optional[int] = None,
    account: str = ACCOUNT,
) -> str:
    return _message_xml(
        openid,
        account,
        create_time,
        {"MsgType": "text", "Content": content, "MsgId": msg_id or next_msg_id()},
    )


def event_xml(
    event: str,
    openid: str = OPENID,
    create_time: Optional[int] = None,
    account: str = ACCOUNT,
    event_key: Optional[str] = None,
) -> str:
    fields: Dict[str, Any] = {"MsgType": "event", "Event": event}
    if event_key is not None:
        fields["EventKey"] = event_key
    return _message_xml(openid, account, create_time, fields)


def media_xml(
    msg_type: str,
    openid: str = OPENID,
    msg_id: Optional[int] = None,
    account: str = ACCOUNT,
) -> str:
    """An image, voice, video, location or link message with plausible fields."""
    extra = {
        "image": {"PicUrl": "http://mmbiz.qpic.cn/x.jpg", "MediaId": "media_1"},
        "voice": {"MediaId": "media_2", "Format": "amr"},
        "video": {"MediaId": "media_3", "ThumbMediaId": "thumb_3"},
        "location": {
            "Location_X": "23.134",
            "Location_Y": "113.358",
            "Scale": "20",
            "Label": "x",
        },
        "link": {"Title": "t", "Description": "d", "Url": "http://example.com/"},
    }.get(msg_type, {})
    return _message_xml(
        openid,
        account,
        None,
        {"MsgType": msg_type, **extra, "MsgId": msg_id or next_msg_id()},
    )


def _message_xml(openid: str, account: str, create_time: Optional[int], fields: Dict[str, Any]) -> str:
    head = {
        "ToUserName": account,
        "FromUserName": openid,
        "CreateTime": str(create_time if create_time is not None else int(time.time())),
    }
    nodes = []
    for name, value in {**head, **fields}.items():
        if isinstance(value, int) or (isinstance(value, str) and value.isdigit()):
            nodes.append(f"<{name}>{value}</{name}>")
        else:
            nodes.append(f"<{name}><![CDATA[{value}]]></{name}>")
    return "<xml>" + "".join(nodes) + "</xml>"


def plain_request(
    xml: str,
    token: str = TOKEN,
    timestamp: Optional[int] = None,
    nonce: Optional[str] = None,
    openid: str = OPENID,
) -> SignedRequest:
    """A plain-mode (明文模式) message push."""
    ts = str(timestamp if timestamp is not None else int(time.time()))
    nonce = nonce or new_nonce()
    params = {
        "signature": sign(token, ts, nonce),
        "timestamp": ts,
        "nonce": nonce,
        "openid": openid,
    }
    return SignedRequest(params, xml.encode("utf-8"))


def safe_request(
    xml: str,
    token: str = TOKEN,
    aes_key: str = AES_KEY,
    appid: str = APPID,
    timestamp: Optional[int] = None,
    nonce: Optional[str] = None,
    openid: str = OPENID,
    account: str = ACCOUNT,
) -> SignedRequest:
    """A safe-mode (安全模式) message push, encrypted with wechatpy's WeChatCrypto."""
    ts = str(timestamp if timestamp is not None else int(time.time()))
    nonce = nonce or new_nonce()
    crypto = WeChatCrypto(token, aes_key, appid)
    encrypted = xmltodict.parse(crypto.encrypt_message(xml, nonce, ts))["xml"]
    encrypt = encrypted["Encrypt"]
    assert encrypted["MsgSignature"] == sign(token, ts, nonce, encrypt)
    body = (
        f"<xml><ToUserName><![CDATA[{account}]]></ToUserName>"
        f"<Encrypt><![CDATA[{encrypt}]]></Encrypt></xml>"
    )
    params = {
        "signature": sign(token, ts, nonce),
        "timestamp": ts,
        "nonce": nonce,
        "openid": openid,
        "encrypt_type": "aes",
        "msg_signature": encrypted["MsgSignature"],
    }
    return SignedRequest(params, body.encode("utf-8"))


# --------------------------------------------------------------------------- #
# Reading the channel's answer
# --------------------------------------------------------------------------- #


def read_reply(body: str) -> Dict[str, Any]:
    """The fields of a plain passive reply, e.g. ``{"MsgType": "text", ...}``."""
    return dict(xmltodict.parse(body)["xml"])


def decrypt_reply(
    body: str, token: str = TOKEN, aes_key: str = AES_KEY, appid: str = APPID
) -> Dict[str, Any]:
    """Checks the MsgSignature of a safe-mode reply and decrypts it."""
    envelope = xmltodict.parse(body)["xml"]
    crypto = WeChatCrypto(token, aes_key, appid)
    xml = crypto.decrypt_message(envelope, envelope["MsgSignature"], envelope["TimeStamp"], envelope["Nonce"])
    return read_reply(xml)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--port", type=int, default=8089)
    args = parser.parse_args()
    server = FakeWeChatServer(port=args.port, verbose=True).start()
    print(f"fake WeChat API on {server.base_url} (appid {APPID}, secret {SECRET})")
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        server.stop()


if __name__ == "__main__":
    main()
