"""The staff console in headless Chromium: the sign-in form, a masked WeChat
conversation, ticking a group of unanswered messages (the page's script under its
own policy), the YAML download and the server-drawn charts.

The browser is driven by drive_console.mjs; this test judges its report.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any, Dict, Iterator

import pytest
import yaml

from tests.browser.servers import CHROMIUM, PLAYWRIGHT, stop
from tests.e2e.servers import ROOT
from tests.unit.console_server import Server
from tests.unit.console_trackers import OPENID, write

pytestmark = pytest.mark.browser

DRIVER = Path(__file__).with_name("drive_console.mjs")
TOKEN = "staff-browser-token-7Kp"
TIMEOUT_MS = 30_000


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Dict[str, Any]]:
    missing = [str(p) for p in (CHROMIUM, PLAYWRIGHT) if not p.exists()]
    if missing:
        pytest.fail(f"the console browser test needs {', '.join(missing)}: run `make setup browser-deps`")
    workdir = Path(tmp_path_factory.mktemp("console-browser"))
    server = Server(workdir, {"STAFF_TOKEN": TOKEN, "TRACKER_DB_URL": write(workdir / "tracker.db")})
    try:
        arguments = json.dumps(
            {"base": server.base, "token": TOKEN, "chromium": str(CHROMIUM), "timeoutMs": TIMEOUT_MS}
        )
        driver = subprocess.Popen(
            ["node", str(DRIVER), arguments],
            cwd=ROOT,
            text=True,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            start_new_session=True,
        )
        try:
            stdout, stderr = driver.communicate(timeout=180)
        except subprocess.TimeoutExpired:
            stop(driver)
            pytest.fail("the console browser driver did not finish in 180s")
        if not stdout.strip():
            pytest.fail(f"the console browser driver printed no report:\n{stderr[-3000:]}")
        found: Dict[str, Any] = json.loads(stdout.strip().splitlines()[-1])
        assert found["ok"], f"{found.get('failedStep')}: {found.get('error')}\n{stderr[-2000:]}"
        yield found
    finally:
        server.stop()


def test_the_sign_in_form_leads_to_the_conversations(report: Dict[str, Any]) -> None:
    assert report["firstStatus"] == 401
    assert report["title"] == "对话" and report["rows"] == 3
    assert {"name": "staff_session", "httpOnly": True, "sameSite": "Strict"} in report["cookies"]


def test_a_wechat_conversation_is_shown_without_its_openid(report: Dict[str, Any]) -> None:
    assert "火星上能办吗" in report["transcript"] and "utter_human_handoff" in report["transcript"]
    assert OPENID[:4] + "…" in report["conversationHtml"] and OPENID not in report["conversationHtml"]


def test_a_ticked_group_downloads_as_nlu_yaml(report: Dict[str, Any]) -> None:
    assert report["groupTicked"] == [True, True]  # console.js ran under the console's policy
    assert report["downloadName"] == "nlu-candidates-out_of_scope.yml"
    assert yaml.safe_load(report["download"]) == {
        "version": "3.1",
        "nlu": [{"intent": "out_of_scope", "examples": "- 你们卖保险吗？\n- 你们卖保险吗\n"}],
    }


def test_the_charts_load_and_nothing_is_blocked(report: Dict[str, Any]) -> None:
    assert len(report["charts"]) == 3 and all(width > 0 for width in report["charts"])
    assert report["problems"] == []
