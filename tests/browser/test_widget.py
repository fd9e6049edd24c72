"""The website widget in headless Chromium: greeting with quick replies, a typed
Chinese question, a clicked quick reply, and the conversation surviving a reload;
and a handoff: the visitor leaves a phone, a staff member answers from the console's
ticket, and the answer appears in the widget.

The browser is driven by drive_widget.mjs (playwright-core from web/node_modules);
this test writes the scenario and judges what the page showed.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any, Dict, List, Optional
from urllib.parse import urlsplit

import pytest

from tests.browser.servers import CHROMIUM, WebServer, stop
from tests.e2e.servers import ROOT

pytestmark = pytest.mark.browser

DRIVER = Path(__file__).with_name("drive_widget.mjs")
RESULTS = ROOT / "results" / "browser"
QUESTION = "办地网的呼叫中心许可证注册资本要多少？"
CONDITIONS_BUTTON = "办证需要什么条件"
STEP_TIMEOUT_MS = 60_000


def drive(
    web: WebServer, tmp_path: Path, steps: List[Dict[str, Any]], viewport: Optional[Dict[str, int]] = None
) -> Dict[str, Any]:
    scenario = {
        "viewport": viewport,
        "url": web.url,
        "chromium": str(CHROMIUM),
        "userDataDir": str(tmp_path / "chromium-profile"),
        "timeoutMs": STEP_TIMEOUT_MS,
        "failureScreenshot": str(RESULTS / "widget-failure.png"),
        "steps": steps,
    }
    scenario_file = tmp_path / "scenario.json"
    scenario_file.write_text(json.dumps(scenario, ensure_ascii=False), encoding="utf-8")
    budget = 60 + len(steps) * STEP_TIMEOUT_MS / 1000
    # its own session, so that on a timeout Chromium goes with node (by process group)
    driver = subprocess.Popen(
        ["node", str(DRIVER), str(scenario_file)],
        cwd=ROOT,
        text=True,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    try:
        stdout, stderr = driver.communicate(timeout=budget)
    except subprocess.TimeoutExpired:
        stop(driver)
        pytest.fail(f"the browser driver did not finish in {budget:.0f}s")
    if not stdout.strip():
        pytest.fail(f"the browser driver printed no report:\n{stderr[-3000:]}")
    report: Dict[str, Any] = json.loads(stdout.strip().splitlines()[-1])
    report["stderr"] = stderr[-3000:]
    return report


def diagnosis(report: Dict[str, Any], web: WebServer) -> str:
    """The failed step, what the browser said, and the bot's complaints."""
    failed = [step for step in report["steps"] if not step["ok"]]
    rasa_log = web.workdir / "rasa.log"
    complaints = (
        [
            line
            for line in rasa_log.read_text(errors="replace").splitlines()
            if any(word in line for word in ("ERROR", "Traceback", "Error:", "never awaited"))
            and "Deprecat" not in line
        ]
        if rasa_log.exists()
        else []
    )
    return "\n".join(
        [
            json.dumps(failed[:1], ensure_ascii=False, indent=1),
            "browser console: " + json.dumps(report["console"] + report["pageErrors"], ensure_ascii=False),
            "rasa.log: " + "\n".join(complaints[-15:]),
            report["stderr"],
        ]
    )


def test_a_visitor_chats_in_chinese_and_a_reload_keeps_the_conversation(
    web: WebServer, tmp_path: Path
) -> None:
    RESULTS.mkdir(parents=True, exist_ok=True)
    screenshot = RESULTS / "widget.png"
    for old in (screenshot, RESULTS / "widget-failure.png"):
        old.unlink(missing_ok=True)

    report = drive(
        web,
        tmp_path,
        [
            {"do": "open"},
            # the greeting comes by itself (initPayload "/greet"), with its buttons
            {"do": "expect_bot", "text": "咨询助手", "replies": [CONDITIONS_BUTTON]},
            {"do": "screenshot", "path": str(RESULTS / "widget-greeting.png")},
            {"do": "click_reply", "title": CONDITIONS_BUTTON},
            {"do": "expect_bot", "text": "注册资本", "name": "after_click"},
            {"do": "send", "text": QUESTION},
            {"do": "expect_bot", "text": "100万"},
            {"do": "reload"},
            # settleMs: time for a second greeting to arrive, if the widget sent one
            {
                "do": "expect_history",
                "texts": ["咨询助手", CONDITIONS_BUTTON, QUESTION, "100万"],
                "settleMs": 3000,
                "name": "after_reload",
            },
            {"do": "screenshot", "path": str(screenshot)},
        ],
    )

    assert report["ok"], diagnosis(report, web)
    seen = {step["name"]: step["seen"] for step in report["steps"] if "name" in step}

    # the clicked button shows as the visitor's message and its answer follows
    after_click = seen["after_click"]
    assert CONDITIONS_BUTTON in after_click["user"]
    # buttons are quick replies: once one is chosen, the greeting's buttons go away
    assert CONDITIONS_BUTTON not in after_click["replies"]

    # the typed question got the capital answer, and it is still there after the reload
    after_reload = seen["after_reload"]
    assert QUESTION in after_reload["user"]
    assert any("100万" in text for text in after_reload["bot"])
    # a reload does not greet again: the greeting is shown once
    assert sum("咨询助手" in text for text in after_reload["bot"]) == 1

    # nothing came from anywhere but this machine (no CDN, no web fonts)
    outside = [url for url in report["requests"] if urlsplit(url).hostname != "127.0.0.1"]
    assert outside == []
    assert not [line for line in report["console"] if "Content Security Policy" in line]
    assert report["pageErrors"] == []

    assert screenshot.stat().st_size > 10_000


def test_a_visitor_who_asks_for_a_human_gets_the_staff_reply_in_the_widget(
    web: WebServer, tmp_path: Path
) -> None:
    """The widget's handoff as a ticket: the visitor leaves a phone, the ticket is on
    /staff/tickets, a staff member answers from the console, the widget shows it."""
    phone, answer = "13912345678", "您好，我是许可证顾问小王，稍后给您回电。"
    report = drive(
        web,
        tmp_path,
        [
            {"do": "open"},
            {"do": "expect_bot", "text": "咨询助手"},
            {"do": "send", "text": "我想找人工客服"},
            {"do": "expect_bot", "text": "手机号"},
            {"do": "send", "text": f"我的手机 {phone}"},
            {"do": "expect_bot", "text": phone},
            {
                "do": "staff_reply",
                "console": web.url + "staff/",
                "token": web.env["STAFF_TOKEN"],
                "find": phone,
                "text": answer,
                "name": "staff",
            },
            {"do": "expect_bot", "text": "顾问小王", "name": "after_reply"},
        ],
    )

    assert report["ok"], diagnosis(report, web)
    staff = next(step for step in report["steps"] if step.get("name") == "staff")
    assert "socketio" in staff["ticket"] and phone in staff["ticket"]
    # the console's transcript has the reply as the person's
    assert any(answer in line for line in staff["transcript"])
    # the widget shows it once; the bot said nothing of its own after the pause
    after = next(step for step in report["steps"] if step.get("name") == "after_reply")["seen"]
    assert sum(answer in text for text in after["bot"]) == 1
    assert after["bot"][-1].endswith(answer) or answer in after["bot"][-1]


# One message with every fact of the interview: the verdict comes in one turn.
ALL_FACTS = (
    "帮我评估一下：我们是上海的有限公司，只在上海做地网，注册资本500万，没有外资，不在失信名单，"
    "近三年没有违规，经营范围有第二类增值电信业务，8个人交社保，有办公场地，有呼叫中心系统，"
    "有服务保障制度、应急预案和安全措施"
)
PHONE = {"width": 390, "height": 844}


def test_on_a_phone_a_long_answer_opens_at_its_start_and_the_close_button_closes(
    web: WebServer, tmp_path: Path
) -> None:
    RESULTS.mkdir(parents=True, exist_ok=True)
    report = drive(
        web,
        tmp_path,
        [
            {"do": "open"},
            {"do": "expect_bot", "text": "咨询助手"},
            {"do": "send", "text": ALL_FACTS},
            # the last part of the verdict, then its place in the scrolled list
            {"do": "expect_bot", "text": "下一步"},
            {"do": "answer_view", "name": "verdict"},
            {"do": "screenshot", "path": str(RESULTS / "widget-phone-verdict.png")},
            {"do": "click", "selector": ".rw-close-button"},
            {"do": "expect_shown", "selector": ".rw-conversation-container", "shown": False},
            {"do": "expect_shown", "selector": ".chat-reopen", "shown": True},
            {"do": "click", "selector": ".chat-reopen"},
            {"do": "expect_shown", "selector": ".rw-conversation-container", "shown": True},
        ],
        viewport=PHONE,
    )
    assert report["ok"], diagnosis(report, web)
    view = next(step["view"] for step in report["steps"] if step.get("name") == "verdict")
    # the verdict is taller than the window, so where it opens matters
    assert view["answerHeight"] > view["boxHeight"], view
    # its first line is in sight, at the top, not scrolled past
    assert 0 <= view["startOffset"] < 40, view
    assert report["pageErrors"] == []
