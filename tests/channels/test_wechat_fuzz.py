"""Property: whatever arrives at the webhook, the answer is never a server error."""

from __future__ import annotations

import time
from typing import Dict, Iterator, Tuple
from urllib.parse import quote
from xml.sax.saxutils import escape

import pytest
import requests
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from channels.wechat import WeChatInput
from tests.channels.conftest import ChannelApp, FakeBot, make_config
from tests.channels.fake_wechat import (
    TOKEN,
    FakeWeChatServer,
    new_nonce,
    read_reply,
    sign,
)

FUZZ = settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)


def _to_xml(fields: Dict[str, str]) -> str:
    return "<xml>" + "".join(f"<{k}>{escape(v)}</{k}>" for k, v in fields.items()) + "</xml>"


FIELDS = ["ToUserName", "FromUserName", "CreateTime", "MsgType", "Content",
          "MsgId", "Event", "EventKey", "Encrypt"]  # fmt: skip
xml_text = st.text(st.characters(blacklist_categories=("Cs", "Cc")), max_size=40)
field_value = st.one_of(
    xml_text,
    st.integers(min_value=-(2**70), max_value=2**70).map(str),
    st.sampled_from(["text", "event", "image", "voice", "subscribe", "unsubscribe"]),
)
xml_bodies = st.dictionaries(st.sampled_from(FIELDS), field_value, max_size=8).map(_to_xml)

# Near-valid messages: the required fields present, the rest arbitrary, so that
# examples get past parsing into the dispatch and reply code.
message_bodies = st.fixed_dictionaries(
    {
        "ToUserName": st.just("gh_fuzz"),
        "FromUserName": st.sampled_from(["oFuzzUser0000000000000000001", "x"]) | xml_text,
        "CreateTime": st.integers(min_value=0, max_value=2**40).map(str),
        "MsgType": st.sampled_from(["text", "event", "image", "link", "file"]) | xml_text,
    },
    optional={
        "Content": xml_text,
        "MsgId": field_value,
        "Event": field_value,
        "EventKey": field_value,
    },
).map(_to_xml)
bodies = st.one_of(
    st.binary(max_size=400),
    st.text(max_size=200).map(lambda t: t.encode("utf-8", "replace")),
    xml_bodies.map(str.encode),
    message_bodies.map(str.encode),
)
query_keys = st.one_of(
    st.sampled_from(["signature", "timestamp", "nonce", "msg_signature", "echostr",
                     "encrypt_type", "openid"]),
    st.text(max_size=8),
)  # fmt: skip
queries = st.dictionaries(query_keys, st.text(max_size=50), max_size=7)


@pytest.fixture(scope="module")
def apps() -> Iterator[Tuple[ChannelApp, ChannelApp]]:
    """A plain-mode and a safe-mode channel, shared by all examples."""
    with FakeWeChatServer() as server:
        # The real clock: the examples' timestamps are real time, nothing waits.
        plain_channel = WeChatInput(make_config(server.base_url))
        safe_channel = WeChatInput(make_config(server.base_url, safe=True))
        plain = ChannelApp(plain_channel, FakeBot(plain_channel.clock)).start()
        safe = ChannelApp(safe_channel, FakeBot(safe_channel.clock)).start()
        yield plain, safe
        plain.stop()
        safe.stop()


def signed_params(*extra: str) -> Dict[str, str]:
    timestamp, nonce = str(int(time.time())), new_nonce()
    params = {"signature": sign(TOKEN, timestamp, nonce), "timestamp": timestamp,
              "nonce": nonce}  # fmt: skip
    if extra:
        params["msg_signature"] = sign(TOKEN, timestamp, nonce, *extra)
    return params


def assert_sane(resp: requests.Response) -> None:
    assert resp.status_code in {200, 400, 403, 413}, resp.text
    if resp.status_code == 200 and resp.text != "success":
        assert read_reply(resp.text)["MsgType"] == "text"  # a well-formed reply


@FUZZ
@given(query=queries, body=bodies)
def test_unsigned_requests_never_fail(
    apps: Tuple[ChannelApp, ChannelApp], query: Dict[str, str], body: bytes
) -> None:
    for app in apps:
        seen = len(app.bot.received)
        assert_sane(app.http.post(app.webhook, params=query, data=body, timeout=10))
        assert_sane(app.http.get(app.webhook, params=query, timeout=10))
        assert len(app.bot.received) == seen  # nothing unsigned reaches the bot


@FUZZ
@given(raw=st.text(max_size=120))
def test_raw_query_strings_never_fail(apps: Tuple[ChannelApp, ChannelApp], raw: str) -> None:
    plain, _ = apps
    url = f"{plain.webhook}?{quote(raw, safe='=&;%+')}"
    assert_sane(plain.http.post(url, data=b"<xml/>", timeout=10))
    assert_sane(plain.http.get(url, timeout=10))


@FUZZ
@given(body=bodies)
def test_signed_plain_bodies_never_fail(apps: Tuple[ChannelApp, ChannelApp], body: bytes) -> None:
    plain, _ = apps
    resp = plain.http.post(plain.webhook, params=signed_params(), data=body, timeout=10)
    event(f"status {resp.status_code}")
    assert resp.status_code in {200, 400}, resp.text
    assert_sane(resp)


@FUZZ
@given(encrypt=xml_text, extra=xml_bodies)
def test_signed_safe_bodies_never_fail(apps: Tuple[ChannelApp, ChannelApp], encrypt: str, extra: str) -> None:
    _, safe = apps
    body = f"<xml><Encrypt>{escape(encrypt)}</Encrypt>{extra}</xml>"
    params = signed_params(encrypt.strip())
    seen = len(safe.bot.received)
    resp = safe.http.post(safe.webhook, params=params, data=body.encode(), timeout=10)
    event(f"status {resp.status_code}")
    assert resp.status_code in {400, 403}, resp.text  # no valid ciphertext by chance
    assert len(safe.bot.received) == seen
