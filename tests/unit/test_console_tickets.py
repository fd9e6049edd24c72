"""Tickets (the paused conversations) and staff replies in the console, in-process:
Rasa's HTTP API is the recording stand-in of test_console_resume.py, WeChat the
imitated server of tests/channels/fake_wechat.py (its 45015 included)."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any, Dict, Iterator, Optional
from urllib.parse import quote, urlencode

import pytest
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActiveLoop, BotUttered, ConversationPaused, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from console import app, queries
from console.auth import Auth
from console.masking import public_id
from console.rasa_api import RasaApi
from console.replies import WeChatApi
from console.texts import t
from tests.channels.fake_wechat import APPID, SECRET, FakeWeChatServer
from tests.unit.console_trackers import ALICE, OPENID, at
from tests.unit.test_console_resume import FakeRasa

STAFF, RASA = "staff-t", "rasa-t"
VISITOR = "9f8e7d6c5b4a"  # a widget session id
CAROL = "rest-carol"


def handoff(text: str, channel: str, ts: float) -> list:
    return [
        UserUttered(text, {"name": "human_handoff"}, timestamp=ts, input_channel=channel),
        BotUttered(
            "好的，已为你登记人工服务。",
            metadata={"utter_action": "utter_handoff_ticket"},
            timestamp=ts + 0.1,
        ),
    ]


@pytest.fixture(scope="module")
def db_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A widget visitor who left a phone, a WeChat user and a REST user, all paused
    (WeChat's the earliest); Alice, never paused."""
    db = Path(tmp_path_factory.mktemp("tickets")) / "tracker.db"
    store = SQLTrackerStore(Domain.empty(), dialect="sqlite", db=str(db))
    conversations = {
        VISITOR: [
            *handoff("我要找真人", "socketio", at(3, 9, 0)),
            SlotSet("handoff_contact", None, timestamp=at(3, 9, 0, 0.2)),
            ActiveLoop("handoff_form", timestamp=at(3, 9, 0, 0.3)),
            # the NLU has no intent for a phone number; the form reads it all the same
            UserUttered(
                "我的手机13812345678",
                {"name": "nlu_fallback"},
                timestamp=at(3, 9, 1),
                input_channel="socketio",
            ),
            SlotSet("handoff_contact", "13812345678", timestamp=at(3, 9, 1, 0.1)),
            ActiveLoop(None, timestamp=at(3, 9, 1, 0.15)),
            BotUttered("已记下你的联系方式", metadata={"utter_action": "utter_handoff_ticket_contact"}),
            ConversationPaused(timestamp=at(3, 9, 1, 0.3)),
        ],
        OPENID: [*handoff("转人工", "wechat", at(3, 8, 0)), ConversationPaused(timestamp=at(3, 8, 0, 0.2))],
        CAROL: [*handoff("转人工", "rest", at(3, 10, 0)), ConversationPaused(timestamp=at(3, 10, 0, 0.2))],
        ALICE: [
            UserUttered("你好", {"name": "greet"}, timestamp=at(3, 11, 0), input_channel="socketio"),
            BotUttered("你好！", metadata={"utter_action": "utter_greet"}, timestamp=at(3, 11, 0, 0.1)),
        ],
    }
    for sender, events in conversations.items():
        asyncio.run(store.save(DialogueStateTracker.from_events(sender, events)))
    store.engine.dispose()
    return f"sqlite:///{db}"


@pytest.fixture
def rasa() -> Iterator[FakeRasa]:
    fake = FakeRasa()
    yield fake
    fake.stop()


@pytest.fixture
def wechat() -> Iterator[FakeWeChatServer]:
    with FakeWeChatServer() as server:
        yield server


def config(db_url: str, rasa: FakeRasa, wechat: Optional[FakeWeChatServer] = None) -> app.Config:
    client = WeChatApi(APPID, SECRET, wechat.base_url, timeout=5) if wechat else WeChatApi()
    return app.Config(Auth(STAFF), db_url, RasaApi(rasa.url, RASA, timeout=5), client)


def call(
    method: str,
    path: str,
    cfg: app.Config,
    body: Any = None,
    token: Optional[str] = STAFF,
    form: bool = False,
) -> app.Response:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    if body is None:
        raw = b""
    elif form:
        raw = urlencode(body).encode()
    else:
        raw = json.dumps(body, ensure_ascii=False).encode()
    return app.handle(app.Request(method, path, "", headers, raw), cfg)


def data(answer: app.Response) -> Dict[str, Any]:
    return json.loads(answer.body)


def reply_path(sender: str) -> str:
    return f"/staff/api/conversations/{quote(sender, safe='')}/reply"


# --- the ticket list ----------------------------------------------------------


def test_the_tickets_are_the_paused_conversations_oldest_first(db_url: str, rasa: FakeRasa) -> None:
    answer = call("GET", "/staff/api/tickets", config(db_url, rasa))
    assert answer.status == 200
    tickets = data(answer)["tickets"]
    assert [t["channel"] for t in tickets] == ["wechat", "socketio", "rest"]
    wechat, widget, rest = tickets
    assert widget == {
        "id": VISITOR,
        "sender_id": VISITOR,
        "channel": "socketio",
        "since": "2026-12-03T09:01:00+08:00",
        "contact": "13812345678",
        "can_reply": True,
        "transcript": f"/staff/conversations/{VISITOR}",
    }
    # a WeChat user is never shown by OpenID, and is linked by the keyed hash
    assert wechat["sender_id"] == OPENID[:4] + "…" and OPENID not in answer.body.decode()
    assert wechat["id"] == public_id(OPENID, "wechat", Auth(STAFF).id_key) and wechat["contact"] is None
    assert rest["can_reply"] is False


def test_the_tickets_need_the_staff_token(db_url: str, rasa: FakeRasa) -> None:
    assert call("GET", "/staff/api/tickets", config(db_url, rasa), token=None).status == 401
    assert call("GET", "/staff/api/tickets", config(db_url, rasa), token=RASA).status == 401
    assert call("GET", "/staff/tickets", config(db_url, rasa), token=None).status == 401


def test_the_tickets_page_links_each_transcript_and_shows_the_contact(db_url: str, rasa: FakeRasa) -> None:
    html = call("GET", "/staff/tickets", config(db_url, rasa)).body.decode()
    assert f'href="/staff/conversations/{VISITOR}"' in html and "13812345678" in html
    assert OPENID[:4] + "…" in html and OPENID not in html and ALICE not in html


def test_a_paused_widget_conversation_has_the_reply_form_and_the_contact(db_url: str, rasa: FakeRasa) -> None:
    html = call("GET", f"/staff/conversations/{VISITOR}", config(db_url, rasa)).body.decode()
    assert f'action="/staff/conversations/{VISITOR}/reply"' in html and t("pause.send") in html
    assert "13812345678" in html and t("pause.resume") in html


def test_the_contact_left_for_a_ticket_is_no_unanswered_question(db_url: str, rasa: FakeRasa) -> None:
    unanswered = data(call("GET", "/staff/api/unanswered", config(db_url, rasa)))
    assert "13812345678" not in json.dumps(unanswered, ensure_ascii=False)
    widget = data(call("GET", f"/staff/api/conversations/{VISITOR}", config(db_url, rasa)))
    assert [t["reason"] for t in widget["turns"]] == [None, None]


# --- replies ------------------------------------------------------------------


def test_a_widget_reply_goes_to_the_socket_through_rasas_http_api(db_url: str, rasa: FakeRasa) -> None:
    answer = call("POST", reply_path(VISITOR), config(db_url, rasa), {"text": " 您好，我是顾问小王。 "})
    assert answer.status == 200, answer.body
    assert data(answer) == {"id": VISITOR, "sender_id": VISITOR, "channel": "socketio", "sent": True}
    [sent] = rasa.calls
    assert sent["path"] == f"/conversations/{VISITOR}/tracker/events"
    assert sent["query"] == {
        "token": [RASA],
        "output_channel": ["socketio"],
        "execute_side_effects": ["true"],
    }
    # one bot event, marked as the staff's; no resume: the bot stays paused
    assert sent["json"] == [
        {"event": "bot", "text": "您好，我是顾问小王。", "metadata": {"staff_reply": True}}
    ]


def test_a_wechat_reply_goes_through_the_customer_service_api_and_is_recorded(
    db_url: str, rasa: FakeRasa, wechat: FakeWeChatServer
) -> None:
    cfg = config(db_url, rasa, wechat)
    answer = call("POST", reply_path(public_id(OPENID, "wechat", Auth(STAFF).id_key)), cfg, {"text": "您好"})
    assert answer.status == 200, answer.body
    assert data(answer)["sender_id"] == OPENID[:4] + "…" and OPENID not in answer.body.decode()
    assert wechat.sent_texts() == ["您好"] and wechat.sent[0]["json"]["touser"] == OPENID
    [recorded] = rasa.calls
    assert recorded["query"] == {"token": [RASA]}  # recorded only: WeChat already has it
    assert recorded["json"][0]["metadata"] == {"staff_reply": True}
    # the access token is kept for the next reply
    assert call("POST", reply_path(OPENID), cfg, {"text": "还在吗"}).status == 200
    assert len(wechat.token_requests) == 1


def test_a_closed_48_hour_window_is_a_conflict_staff_can_read(
    db_url: str, rasa: FakeRasa, wechat: FakeWeChatServer
) -> None:
    wechat.fail_next_sends, wechat.fail_errcode = 1, 45015
    answer = call("POST", reply_path(OPENID), config(db_url, rasa, wechat), {"text": "您好"})
    assert answer.status == 409
    assert data(answer)["error"] == t("pause.window_closed")
    assert rasa.calls == []  # nothing recorded that the user never got


def test_without_wechat_credentials_the_reply_says_what_to_set(db_url: str, rasa: FakeRasa) -> None:
    answer = call("POST", reply_path(OPENID), config(db_url, rasa), {"text": "您好"})
    assert answer.status == 503 and "WECHAT_APPID" in data(answer)["error"]


def test_a_reply_needs_the_staff_token(db_url: str, rasa: FakeRasa) -> None:
    assert call("POST", reply_path(VISITOR), config(db_url, rasa), {"text": "hi"}, token=None).status == 401
    assert rasa.calls == []


@pytest.mark.parametrize("sender", ["nobody", ""])
def test_a_reply_to_an_unknown_conversation_is_not_found(db_url: str, rasa: FakeRasa, sender: str) -> None:
    assert call("POST", reply_path(sender), config(db_url, rasa), {"text": "hi"}).status == 404
    assert rasa.calls == []


@pytest.mark.parametrize(
    ("sender", "body", "status", "says"),
    [
        (ALICE, {"text": "hi"}, 409, "not paused"),
        (CAROL, {"text": "hi"}, 409, "rest"),
        (VISITOR, {"text": "  "}, 400, "text"),
        (VISITOR, {"text": "长" * 601}, 400, "601"),
        (VISITOR, ["hi"], 400, "JSON"),
    ],
)
def test_a_reply_that_cannot_be_sent_says_why(
    db_url: str, rasa: FakeRasa, sender: str, body: Any, status: int, says: str
) -> None:
    answer = call("POST", reply_path(sender), config(db_url, rasa), body)
    assert answer.status == status and says in data(answer)["error"]
    assert rasa.calls == []


def test_the_page_form_replies_and_goes_back_to_the_conversation(db_url: str, rasa: FakeRasa) -> None:
    path = f"/staff/conversations/{VISITOR}/reply"
    answer = call("POST", path, config(db_url, rasa), {"text": "马上联系您"}, form=True)
    assert answer.status == 303 and ("Location", f"/staff/conversations/{VISITOR}") in answer.headers
    assert rasa.calls[0]["json"][0]["text"] == "马上联系您"


def test_a_staff_reply_shows_in_the_transcript_as_the_persons() -> None:
    events = [
        {"event": "user", "text": "转人工", "timestamp": 1.0, "input_channel": "socketio", "sender_id": "s"},
        {"event": "pause", "timestamp": 1.2, "sender_id": "s"},
        {"event": "user", "text": "在吗", "timestamp": 2.0, "input_channel": "socketio", "sender_id": "s"},
        {
            "event": "bot",
            "text": "在的",
            "metadata": {"staff_reply": True},
            "timestamp": 3.0,
            "sender_id": "s",
        },
    ]
    conversation = queries.build_conversation("s", events)
    [reply] = conversation.turns[-1].replies
    assert reply.staff and reply.text == "在的"
    assert conversation.paused_since == 1.2 and conversation.turns[-1].reason is None
