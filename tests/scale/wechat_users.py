"""WeChat users for the scale test: plain-mode message pushes signed as WeChat
signs them (tests/channels/fake_wechat.py), with WeChat's retries.

WeChat sends a message, waits for the reply, and when none comes in time
abandons that request and sends the same MsgId again, three times in all; it
shows the reply of the request it was still waiting on, and a ``success`` means
the answer comes later through the customer-service API. Here the first request
goes through nginx and the retries straight to each Rasa server still in
service (so one of them is not the server nginx chose), and a request is
abandoned after ``RETRY_AFTER`` instead of WeChat's 5 s, so that retries happen
while the bot is still answering. Whatever the timing, the checks are the same:
each message is in its tracker once and WeChat showed each answer once.
"""

from __future__ import annotations

import collections
import contextlib
import os
import signal
import subprocess
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass, field
from typing import Any, Callable, Counter, Dict, Iterator, List

import requests

from channels.wechat.render import render_answer, split_text
from tests.channels import fake_wechat as wx

SUCCESS = "success"
# How long a request waits before WeChat, here, gives up on it and retries.
RETRY_AFTER = 0.5


@dataclass
class WeChatUser:
    openid: str
    script: List[str]
    passive: List[str] = field(default_factory=list)  # the answers given as passive replies
    retries: int = 0  # requests of a MsgId after the first
    answered_by_retry: int = 0  # passive answers given to a retry (the first got "success")


def pushed_to(fake: wx.FakeWeChatServer, openid: str) -> List[str]:
    """The texts pushed to ``openid`` through the customer-service API."""
    return [str(s["json"]["text"]["content"]) for s in list(fake.sent) if s["json"].get("touser") == openid]


def converse(
    user: WeChatUser,
    nginx_url: str,
    direct: Callable[[], List[str]],
    fake: wx.FakeWeChatServer,
    pace: Callable[[int], None] = lambda turn: None,
) -> None:
    """Say the user's script, one message at a time, each once answered.
    ``direct()``: the servers the retries go to; ``pace(turn)`` is called before each message."""
    with ThreadPoolExecutor(max_workers=3) as pool:
        for turn, text in enumerate(user.script):
            pace(turn)
            xml = wx.text_xml(text, openid=user.openid, msg_id=wx.next_msg_id())
            pushed_before = len(pushed_to(fake, user.openid))

            def post(base: str) -> requests.Response:
                signed = wx.plain_request(xml, openid=user.openid)
                return requests.post(
                    f"{base}/webhooks/wechat/webhook", params=signed.params, data=signed.body, timeout=60
                )

            targets = [nginx_url, *direct()][:3]
            sent = []
            passive = False
            for attempt, target in enumerate(targets):
                sent.append(pool.submit(post, target))
                last = attempt == len(targets) - 1
                try:
                    response = sent[-1].result(timeout=None if last else RETRY_AFTER)
                except FutureTimeout:
                    continue  # abandoned, as WeChat does: its reply is never shown
                assert response.status_code == 200, (
                    user.openid,
                    text,
                    response.status_code,
                    response.text[:200],
                )
                user.retries += attempt
                if response.text.strip() != SUCCESS:
                    user.passive.append(str(wx.read_reply(response.text)["Content"]))
                    user.answered_by_retry += attempt > 0
                    passive = True
                break
            for future in sent:  # abandoned requests were still answered, with 200
                assert future.result().status_code == 200, (user.openid, text)
            if not passive:  # "success": the answer is pushed
                deadline = time.monotonic() + 120
                while len(pushed_to(fake, user.openid)) <= pushed_before:
                    assert time.monotonic() < deadline, f"{user.openid}: {text!r} was never answered"
                    time.sleep(0.1)


def expected_parts(events: List[Dict[str, Any]]) -> Counter[str]:
    """What WeChat should have shown, from the conversation's tracker: each
    turn's bot messages rendered as the channel renders them, cut to WeChat's size."""
    parts: Counter[str] = collections.Counter()
    turns: List[List[Dict[str, Any]]] = []
    for event in events:
        if event["event"] == "user":
            turns.append([])
        elif event["event"] == "bot" and turns:
            data = event.get("data") or {}
            turns[-1].append(
                {"text": event.get("text"), "buttons": data.get("buttons"), "custom": data.get("custom")}
            )
    for messages in turns:
        body, _ = render_answer(messages)
        parts.update(split_text(body))
    return parts


def delivered(user: WeChatUser, fake: wx.FakeWeChatServer) -> Counter[str]:
    """What WeChat showed the user: passive replies and pushes."""
    return collections.Counter(user.passive + pushed_to(fake, user.openid))


class Gate:
    """Holds callers of ``wait`` until ``open``; for pacing traffic around a server's stop."""

    def __init__(self) -> None:
        self._event = threading.Event()

    def open(self) -> None:
        self._event.set()

    def wait(self, timeout: float = 900) -> None:
        assert self._event.wait(timeout), "the gate never opened"


@contextlib.contextmanager
def actions_paused(actions: subprocess.Popen) -> Iterator[None]:
    """The action server (started in a session of its own) stopped with SIGSTOP,
    by its process group, and continued on leaving: a bot that calls it waits,
    without blocking its server's event loop, as it would on a slow action."""
    os.killpg(actions.pid, signal.SIGSTOP)
    try:
        yield
    finally:
        os.killpg(actions.pid, signal.SIGCONT)


def answer_owed(user: WeChatUser, server_url: str) -> None:
    """Send the user's one message straight to ``server_url``; returns once that
    server has replied ``success`` (its bot still computing the answer, which it
    now owes through the customer-service API). WeChat retries nothing after a
    ``success``."""
    xml = wx.text_xml(user.script[0], openid=user.openid, msg_id=wx.next_msg_id())
    signed = wx.plain_request(xml, openid=user.openid)
    response = requests.post(
        f"{server_url}/webhooks/wechat/webhook", params=signed.params, data=signed.body, timeout=60
    )
    assert response.status_code == 200, (response.status_code, response.text[:200])
    assert response.text.strip() == SUCCESS, f"answered within the budget: {response.text[:200]}"


def wait_pushed(user: WeChatUser, fake: wx.FakeWeChatServer, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not pushed_to(fake, user.openid):
        assert time.monotonic() < deadline, f"{user.openid}: the answer owed was never pushed"
        time.sleep(0.1)
