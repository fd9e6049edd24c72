"""console.api and console.app in-process: an empty database, the token, the labels."""

from __future__ import annotations

from pathlib import Path

import pytest

from console import api, app
from console.auth import Auth
from console.texts import t


def request(path: str, query: str = "", headers=None, method: str = "GET", body: bytes = b"") -> app.Request:
    return app.Request(method, path, query, headers or {"Authorization": "Bearer t"}, body)


@pytest.mark.parametrize("path", ["/staff/api/conversations", "/staff/api/unanswered", "/staff/api/metrics"])
def test_a_missing_database_gives_empty_answers(tmp_path: Path, path: str) -> None:
    config = app.Config(Auth("t"), f"sqlite:///{tmp_path / 'none.db'}")
    response = app.handle(request(path), config)
    assert response.status == 200
    assert b'"total": 0' in response.body or b'"conversations": 0' in response.body
    assert not (tmp_path / "none.db").exists()


def test_the_pages_of_an_empty_database_say_so(tmp_path: Path) -> None:
    config = app.Config(Auth("t"), f"sqlite:///{tmp_path / 'none.db'}")
    assert t("conversations.empty") in app.handle(request("/staff/"), config).body.decode()
    assert t("unanswered.empty") in app.handle(request("/staff/unanswered"), config).body.decode()
    assert app.handle(request("/staff/metrics"), config).status == 200
    bad = app.handle(request("/staff/", "since=soon"), config)
    assert bad.status == 400 and "since" in bad.body.decode() and bad.content_type.startswith("text/html")


def test_the_token_is_staff_token_else_rasas() -> None:
    assert Auth.from_env({"STAFF_TOKEN": "a", "RASA_AUTH_TOKEN": "b"}).token == "a"
    assert Auth.from_env({"STAFF_TOKEN": " ", "RASA_AUTH_TOKEN": "b"}).token == "b"
    assert not Auth.from_env({}).enabled
    assert not Auth(None).allows({"Authorization": "Bearer "})


def test_the_cookie_is_derived_from_the_token_and_checked() -> None:
    auth = Auth("t")
    assert auth.allows({"Cookie": f"staff_session={auth.session}"})
    assert not auth.allows({"Cookie": "staff_session=forged"})
    assert not auth.allows({"Cookie": f"staff_session={Auth('other').session}"})
    assert not auth.allows({"Cookie": "\x00;;=="})


def test_the_export_labels_are_the_domains_intents_and_faq_cells() -> None:
    labels = api.labels()
    assert "out_of_scope" in labels and "human_handoff" in labels and "faq/capital" in labels
    assert "nlu_fallback" not in labels and "faq" not in labels


def test_a_repeated_parameter_is_refused() -> None:
    with pytest.raises(api.BadRequest, match="once"):
        api.parse_query({"channel": ["rest", "wechat"]})
    assert api.parse_query({"channel": ["wechat"], "limit": ["5"]}).limit == 5
