"""scripts/serve_web.py in-process: what a browser gets from it (no bot, no browser)."""

from __future__ import annotations

import importlib.util
import re
import sys
import threading
from functools import lru_cache
from http.server import ThreadingHTTPServer
from types import ModuleType
from typing import Iterator, Tuple

import pytest
import requests

from tests.browser.servers import WEBCHAT_BUNDLE
from tests.e2e.servers import ROOT

RASA_URL = "https://bot.example.com:8443"


@lru_cache(maxsize=None)
def load_serve_web() -> ModuleType:
    """scripts/ is not a package: load the script as a module (once)."""
    spec = importlib.util.spec_from_file_location("serve_web", ROOT / "scripts" / "serve_web.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def served() -> Iterator[Tuple[ModuleType, str]]:
    serve_web = load_serve_web()
    settings = serve_web.Settings("127.0.0.1", 0, RASA_URL, "/socket.io/")
    server = ThreadingHTTPServer(("127.0.0.1", 0), serve_web.make_handler(settings))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield serve_web, f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


def get(url: str) -> requests.Response:
    return requests.get(url, timeout=10)


def test_the_page_is_chinese_and_loads_config_widget_and_app_in_order(served) -> None:
    _, base = served
    page = get(base + "/")
    assert page.status_code == 200
    assert page.headers["Content-Type"] == "text/html; charset=utf-8"
    assert '<html lang="zh-CN">' in page.text
    assert re.findall(r'<script src="([^"]+)"', page.text) == ["config.js", "vendor/index.js", "app.js"]
    app = get(base + "/app.js").text
    assert "请输入您的问题…" in app and 'initPayload: "/greet"' in app


def test_config_tells_the_page_where_rasa_is(served) -> None:
    _, base = served
    config = get(base + "/config.js")
    assert config.status_code == 200
    assert f'"socketUrl": "{RASA_URL}"' in config.text
    assert '"socketPath": "/socket.io/"' in config.text
    assert config.headers["Cache-Control"] == "no-cache"


def test_the_policy_lets_the_page_reach_only_itself_and_rasa(served) -> None:
    _, base = served
    policy = get(base + "/").headers["Content-Security-Policy"]
    assert "default-src 'self'" in policy and "script-src 'self'" in policy
    assert f"connect-src 'self' {RASA_URL} wss://bot.example.com:8443" in policy


@pytest.mark.parametrize(
    "path",
    [
        "/package.json",
        "/package-lock.json",
        "/node_modules/rasa-webchat/package.json",
        "/../scripts/serve_web.py",
        "/vendor/../package.json",
        "/.gitignore",
    ],
)
def test_nothing_but_the_page_and_the_widget_is_served(served, path: str) -> None:
    _, base = served
    assert get(base + path).status_code == 404


def test_the_widget_bundle_is_served_without_the_google_fonts_import(served) -> None:
    if not WEBCHAT_BUNDLE.exists():
        pytest.fail("no rasa-webchat bundle: run `npm ci` in web/ (make setup does)")
    _, base = served
    bundle = get(base + "/vendor/index.js")
    assert bundle.status_code == 200
    assert b"fonts.googleapis.com/css" in WEBCHAT_BUNDLE.read_bytes()
    assert "fonts.googleapis.com" not in bundle.text
    assert "window" in bundle.text[:400] and "WebChat" in bundle.text[:400]


@pytest.mark.parametrize(
    "env, expected",
    [
        ({}, "http://127.0.0.1:5005"),
        ({"RASA_PORT": "6005"}, "http://127.0.0.1:6005"),
        ({"RASA_PORT": "6005", "RASA_PUBLIC_URL": "https://chat.example.cn/"}, "https://chat.example.cn"),
    ],
)
def test_the_rasa_url_comes_from_the_environment(env, expected: str) -> None:
    assert load_serve_web().rasa_url_from_env(env) == expected


@pytest.mark.parametrize("url", ["ftp://x", "127.0.0.1:5005", "https://x.cn/bot", "http://"])
def test_a_rasa_url_that_is_not_an_origin_is_refused(url: str) -> None:
    serve_web = load_serve_web()
    with pytest.raises(SystemExit):
        serve_web.parse_args(["--rasa-url", url])
