"""The console's resume of a paused conversation, in-process, against a stand-in for
Rasa's HTTP API on 127.0.0.1 that records what it is sent. (The WeChat channel tests
resume a real handoff end to end: tests/channels/test_wechat_handoff.py.)"""

from __future__ import annotations

import asyncio
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Dict, Iterator, List, Optional
from urllib.parse import parse_qs, quote, urlsplit

import pytest
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import BotUttered, ConversationPaused, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from console import app
from console.auth import Auth
from console.rasa_api import RESUME_EVENTS, RasaApi
from console.texts import names, t
from tests.unit.console_trackers import ALICE, at

STAFF, RASA = "staff-t", "rasa-t"
CAROL = "rest carol/1"  # a REST sender id that needs quoting in a URL


class FakeRasa:
    """Answers POST /conversations/<id>/tracker/events with ``status``; records each call."""

    def __init__(self, status: int = 200) -> None:
        self.status = status
        self.calls: List[Dict[str, Any]] = []
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 (http.server's name)
                parts = urlsplit(self.path)
                body = self.rfile.read(int(self.headers["Content-Length"]))
                fake.calls.append(
                    {"path": parts.path, "query": parse_qs(parts.query), "json": json.loads(body)}
                )
                self.send_response(fake.status)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(b"{}")

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def rasa() -> Iterator[FakeRasa]:
    fake = FakeRasa()
    yield fake
    fake.stop()


@pytest.fixture(scope="module")
def db_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    """Carol handed off and still paused; Alice never paused."""
    db = Path(tmp_path_factory.mktemp("resume")) / "tracker.db"
    store = SQLTrackerStore(Domain.empty(), dialect="sqlite", db=str(db))
    conversations = {
        CAROL: [
            UserUttered("转人工", {"name": "human_handoff"}, timestamp=at(3, 9, 0), input_channel="rest"),
            BotUttered("好的", metadata={"utter_action": "utter_human_handoff"}, timestamp=at(3, 9, 0, 0.1)),
            ConversationPaused(timestamp=at(3, 9, 0, 0.2)),
        ],
        ALICE: [
            UserUttered("你好", {"name": "greet"}, timestamp=at(3, 10, 0), input_channel="rest"),
            BotUttered("你好！", metadata={"utter_action": "utter_greet"}, timestamp=at(3, 10, 0, 0.1)),
        ],
    }
    for sender, events in conversations.items():
        asyncio.run(store.save(DialogueStateTracker.from_events(sender, events)))
    store.engine.dispose()
    return f"sqlite:///{db}"


def post(path: str, db_url: str, rasa_api: RasaApi, token: Optional[str] = STAFF) -> app.Response:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return app.handle(app.Request("POST", path, "", headers), app.Config(Auth(STAFF), db_url, rasa_api))


def carol_path(api: bool = True) -> str:
    return f"/staff/{'api/' if api else ''}conversations/{quote(CAROL, safe='')}/resume"


def test_a_resume_appends_resume_and_action_listen_through_rasas_http_api(
    db_url: str, rasa: FakeRasa
) -> None:
    answer = post(carol_path(), db_url, RasaApi(rasa.url, RASA))

    assert answer.status == 200, answer.body
    assert json.loads(answer.body) == {"id": CAROL, "sender_id": CAROL, "resumed": True}
    [call] = rasa.calls
    assert call["path"] == "/conversations/rest%20carol%2F1/tracker/events"
    assert call["query"] == {"token": [RASA]}
    assert (
        call["json"] == RESUME_EVENTS == [{"event": "resume"}, {"event": "action", "name": "action_listen"}]
    )


def test_without_the_staff_token_rasa_hears_nothing(db_url: str, rasa: FakeRasa) -> None:
    assert post(carol_path(), db_url, RasaApi(rasa.url, RASA), token=None).status == 401
    assert post(carol_path(), db_url, RasaApi(rasa.url, RASA), token=RASA).status == 401
    assert rasa.calls == []


def test_a_conversation_that_is_not_paused_is_a_conflict(db_url: str, rasa: FakeRasa) -> None:
    answer = post(f"/staff/api/conversations/{ALICE}/resume", db_url, RasaApi(rasa.url, RASA))
    assert answer.status == 409 and "not paused" in json.loads(answer.body)["error"]
    assert rasa.calls == []


@pytest.mark.parametrize(
    "path", ["/staff/api/conversations/nobody/resume", "/staff/api/conversations//resume"]
)
def test_an_unknown_conversation_is_not_found(db_url: str, rasa: FakeRasa, path: str) -> None:
    assert post(path, db_url, RasaApi(rasa.url, RASA)).status == 404
    assert rasa.calls == []


def test_without_rasas_token_the_console_says_what_to_set(db_url: str, rasa: FakeRasa) -> None:
    answer = post(carol_path(), db_url, RasaApi(rasa.url, None))
    assert answer.status == 503 and "RASA_AUTH_TOKEN" in json.loads(answer.body)["error"]
    assert rasa.calls == []


def test_a_refusal_or_an_absent_rasa_is_a_bad_gateway_that_names_no_token(db_url: str) -> None:
    refusing = FakeRasa(status=500)
    try:
        answer = post(carol_path(), db_url, RasaApi(refusing.url, RASA))
    finally:
        refusing.stop()
    assert answer.status == 502 and "HTTP 500" in json.loads(answer.body)["error"]
    gone = post(carol_path(), db_url, RasaApi(refusing.url, RASA, timeout=2))
    assert gone.status == 502 and RASA not in gone.body.decode()


def test_the_page_button_resumes_and_goes_back_to_the_conversation(db_url: str, rasa: FakeRasa) -> None:
    answer = post(carol_path(api=False), db_url, RasaApi(rasa.url, RASA))
    assert answer.status == 303
    assert ("Location", "/staff/conversations/rest%20carol%2F1") in answer.headers
    assert len(rasa.calls) == 1


def test_a_form_post_from_another_site_is_refused(db_url: str, rasa: FakeRasa) -> None:
    auth = Auth(STAFF)
    headers = {
        "Cookie": f"staff_session={auth.session}",
        "Origin": "https://evil.example",
        "Host": "127.0.0.1",
    }
    config = app.Config(auth, db_url, RasaApi(rasa.url, RASA))
    assert app.handle(app.Request("POST", carol_path(api=False), "", headers), config).status == 403
    assert rasa.calls == []


def test_the_paused_conversation_page_has_the_resume_button(db_url: str, rasa: FakeRasa) -> None:
    config = app.Config(Auth(STAFF), db_url, RasaApi(rasa.url, RASA))
    headers = {"Authorization": f"Bearer {STAFF}"}
    listed = app.handle(app.Request("GET", "/staff/", "outcome=paused", headers), config).body.decode()
    assert "rest carol/1" in listed and ALICE not in listed and names("outcomes")["paused"] in listed
    page = app.handle(app.Request("GET", "/staff/conversations/rest%20carol%2F1", "", headers), config)
    html = page.body.decode()
    assert 'action="/staff/conversations/rest%20carol%2F1/resume"' in html and t("pause.resume") in html
    assert names("transcript.marks")["pause"] in html


def test_the_rasa_server_is_the_one_make_run_starts() -> None:
    api = RasaApi.from_env({"RASA_PORT": "5123", "RASA_AUTH_TOKEN": " tok "})
    assert (api.url, api.token, api.enabled) == ("http://127.0.0.1:5123", "tok", True)
    assert RasaApi.from_env({}).url == "http://127.0.0.1:5005" and not RasaApi.from_env({}).enabled
    assert "tok" not in repr(api)
    assert app.Config.from_env({"RASA_AUTH_TOKEN": "tok"}).rasa.token == "tok"
