"""The staff console through the real scripts/serve_web.py, started on a free port on
127.0.0.1 over a tracker database Rasa's SQLTrackerStore wrote, and stopped by PID."""

from __future__ import annotations

from pathlib import Path
from typing import Iterator

import pytest
import yaml

from console.texts import t

from tests.unit.console_server import Server
from tests.unit.console_trackers import ALICE, OPENID, write

TOKEN = "staff-test-token-Zq81"
BEARER = {"Authorization": f"Bearer {TOKEN}"}


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    workdir = Path(tmp_path_factory.mktemp("console"))
    url = write(workdir / "tracker.db")
    started = Server(workdir, {"STAFF_TOKEN": TOKEN, "TRACKER_DB_URL": url})
    try:
        yield started
    finally:
        started.stop()


@pytest.mark.parametrize(
    "path",
    [
        "/staff/api/conversations",
        "/staff/api/unanswered",
        "/staff/api/metrics",
        f"/staff/api/conversations/{ALICE}",
    ],
)
def test_the_api_needs_the_token(server: Server, path: str) -> None:
    refused = server.get(path)
    assert refused.status_code == 401 and "token" in refused.json()["error"]
    assert server.get(path, headers={"Authorization": "Bearer wrong"}).status_code == 401
    assert server.get(path, headers=BEARER).status_code == 200


@pytest.mark.parametrize(
    "path",
    [
        "/staff/",
        "/staff/unanswered",
        "/staff/metrics",
        "/staff/static/console.css",
        "/staff/plots/per-day.svg",
    ],
)
def test_every_page_needs_the_token_and_offers_the_sign_in_form(server: Server, path: str) -> None:
    refused = server.get(path)
    assert refused.status_code == 401 and 'action="/staff/login"' in refused.text
    assert server.get(path, headers=BEARER).status_code == 200


def test_the_sign_in_form_sets_a_strict_http_only_cookie(server: Server) -> None:
    assert server.post("/staff/login", data={"token": "wrong"}).status_code == 401
    signed_in = server.post("/staff/login", data={"token": TOKEN})
    assert signed_in.status_code == 303 and signed_in.headers["Location"] == "/staff/"
    cookie = signed_in.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie and "Path=/staff" in cookie
    assert TOKEN not in cookie
    jar = {"staff_session": signed_in.cookies["staff_session"]}
    page = server.get("/staff/", cookies=jar)
    assert page.status_code == 200 and t("conversations.count", total=3, shown=3) in page.text
    foreign = server.post(
        "/staff/export",
        cookies=jar,
        headers={"Origin": "http://evil.example"},
        data={"intent": "greet", "text": "你好"},
    )
    assert foreign.status_code == 403


def test_conversations_are_listed_and_filtered(server: Server) -> None:
    listed = server.get("/staff/api/conversations", headers=BEARER).json()
    assert listed["total"] == 3
    by_channel = {c["channel"]: c for c in listed["conversations"]}
    assert set(by_channel) == {"rest", "socketio", "wechat"}
    assert by_channel["rest"]["outcomes"] == ["fallback"]
    wechat = server.get("/staff/api/conversations?channel=wechat", headers=BEARER).json()["conversations"]
    assert [c["verdicts"] for c in wechat] == [["eligible"]]
    completed = server.get("/staff/api/conversations?outcome=interview_completed", headers=BEARER).json()
    assert [c["channel"] for c in completed["conversations"]] == ["wechat"]
    second_day = server.get(
        "/staff/api/conversations?since=2026-12-02&until=2026-12-02", headers=BEARER
    ).json()
    assert [c["channel"] for c in second_day["conversations"]] == ["socketio"]


def test_wechat_openids_are_masked_everywhere(server: Server) -> None:
    wechat = server.get("/staff/api/conversations?channel=wechat", headers=BEARER).json()["conversations"][0]
    assert wechat["sender_id"] == OPENID[:4] + "…"
    assert wechat["id"].startswith("wx-")
    detail = server.get(f"/staff/api/conversations/{wechat['id']}", headers=BEARER)
    assert detail.status_code == 200
    assert detail.json()["turns"][1]["replies"][0]["text"] == f"可以办理。({OPENID[:4]}…)"
    bodies = [detail.text] + [
        server.get(path, headers=BEARER).text
        for path in [
            "/staff/api/conversations",
            "/staff/api/unanswered",
            "/staff/api/metrics",
            "/staff/",
            "/staff/unanswered",
            "/staff/metrics",
            f"/staff/conversations/{wechat['id']}",
        ]
    ]
    assert all(OPENID not in body for body in bodies)
    assert all(OPENID[:4] + "…" in body for body in bodies[:4])


def test_a_conversation_shows_intents_confidences_and_response_names(server: Server) -> None:
    detail = server.get(f"/staff/api/conversations/{ALICE}", headers=BEARER).json()
    capital = detail["turns"][1]
    assert (capital["intent"], capital["fine_intent"], capital["confidence"]) == ("faq", "faq/capital", 0.93)
    assert capital["replies"][0]["action"] == "utter_faq/capital"
    assert detail["turns"][2]["reason"] == "out_of_scope"
    page = server.get(f"/staff/conversations/{ALICE}", headers=BEARER).text
    assert "faq/capital" in page and "utter_out_of_scope" in page
    assert server.get("/staff/api/conversations/nobody", headers=BEARER).status_code == 404


def test_unanswered_messages_have_their_reason_and_similar_ones_are_grouped(server: Server) -> None:
    data = server.get("/staff/api/unanswered", headers=BEARER).json()
    assert {(i["text"], i["reason"], i["channel"]) for i in data["items"]} == {
        ("你们卖保险吗", "out_of_scope", "rest"),
        ("你们卖保险吗？", "out_of_scope", "socketio"),
        ("注册资夲要多少？", "low_confidence", "socketio"),
        ("火星上能办吗", "fallback", "wechat"),
    }
    assert set(data["items"][0]) >= {"sender_id", "channel", "text", "timestamp", "reason"}
    assert [i["timestamp"] for i in data["items"]] == sorted(
        (i["timestamp"] for i in data["items"]), reverse=True
    )
    counts = {g["text"]: g["count"] for g in data["groups"]}
    assert counts["你们卖保险吗？"] == 2
    only = server.get("/staff/api/unanswered?reason=fallback", headers=BEARER).json()["items"]
    assert [(i["text"], i["sender_id"]) for i in only] == [("火星上能办吗", OPENID[:4] + "…")]


def test_the_export_is_nlu_yaml_with_the_chosen_intent_and_no_sender_ids(server: Server) -> None:
    exported = server.post(
        "/staff/api/export",
        headers=BEARER,
        json={
            "intent": "out_of_scope",
            "items": [{"text": "你们卖保险吗", "sender_id": ALICE}, "火星上能办吗"],
        },
    )
    assert exported.status_code == 200 and "attachment" in exported.headers["Content-Disposition"]
    data = yaml.safe_load(exported.text)
    assert data == {
        "version": "3.1",
        "nlu": [{"intent": "out_of_scope", "examples": "- 你们卖保险吗\n- 火星上能办吗\n"}],
    }
    assert ALICE not in exported.text
    form = server.post(
        "/staff/export", headers=BEARER, data={"intent": "faq/capital", "text": ["注册资夲要多少？"]}
    )
    assert yaml.safe_load(form.text)["nlu"][0]["intent"] == "faq/capital"
    bad = server.post("/staff/api/export", headers=BEARER, json={"intent": "no_such_intent", "items": ["x"]})
    assert bad.status_code == 400 and "unknown intent" in bad.json()["error"]
    assert server.post("/staff/api/export", headers=BEARER, data=b"{oops").status_code == 400


@pytest.mark.parametrize(
    "query, word",
    [
        ("since=yesterday", "since"),
        ("outcome=happy", "outcome"),
        ("limit=0", "limit"),
        ("colour=red", "unknown parameter"),
        ("since=2026-12-03&until=2026-12-01", "after"),
    ],
)
def test_bad_parameters_are_a_400_with_a_message(server: Server, query: str, word: str) -> None:
    response = server.get(f"/staff/api/conversations?{query}", headers=BEARER)
    assert response.status_code == 400 and word in response.json()["error"]


def test_metrics_and_their_chart(server: Server) -> None:
    figures = server.get("/staff/api/metrics", headers=BEARER).json()
    assert figures["per_day"] == {"2026-12-01": {"rest": 1, "wechat": 1}, "2026-12-02": {"socketio": 1}}
    assert figures["interview"]["verdicts"] == {"eligible": 1} and figures["interview"]["abandoned"] == 1
    assert figures["handoff_rate"] == pytest.approx(1 / 3, abs=1e-3)
    assert figures["slowest"][0]["seconds"] == pytest.approx(2.5, abs=0.01)
    chart = server.get("/staff/plots/per-day.svg", headers=BEARER)
    assert (
        chart.headers["Content-Type"] == "image/svg+xml" and "<svg" in chart.text and "对话数" in chart.text
    )


def test_the_widget_keeps_its_policy_and_the_console_has_its_own(server: Server) -> None:
    page = server.get("/")
    assert page.status_code == 200 and "form-action 'none'" in page.headers["Content-Security-Policy"]
    console = server.get("/staff/", headers=BEARER).headers["Content-Security-Policy"]
    assert (
        "form-action 'self'" in console and "script-src 'self'" in console and "unsafe-inline" not in console
    )
    # under no-referrer a browser sends its form POSTs with "Origin: null", which the console refuses
    assert page.headers["Referrer-Policy"] == "no-referrer"
    assert server.get("/staff/", headers=BEARER).headers["Referrer-Policy"] == "same-origin"
    same_origin = server.post("/staff/login", data={"token": TOKEN}, headers={"Origin": server.base})
    assert same_origin.status_code == 303
    assert server.post("/staff/login", data={"token": TOKEN}, headers={"Origin": "null"}).status_code == 403
    assert server.post("/").status_code == 501


def test_without_a_token_the_console_is_off(tmp_path: Path) -> None:
    off = Server(
        tmp_path, {"STAFF_TOKEN": "", "RASA_AUTH_TOKEN": "", "TRACKER_DB_URL": "sqlite:///nowhere.db"}
    )
    try:
        for path in ["/staff/", "/staff/api/conversations"]:
            response = off.get(path, headers={"Authorization": "Bearer "})
            assert response.status_code == 503 and "STAFF_TOKEN" in response.text
        assert off.get("/").status_code == 200
    finally:
        off.stop()
