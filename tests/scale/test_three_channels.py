"""Scale: REST, the website widget and WeChat through nginx while one Rasa server
is drained and stopped.

nginx (Debian's, running the deployment's own template) is in front of servers A
and B. At once: REST conversations, widget visitors (the real chat page in
headless Chromium, and the widget's socket.io-client in node; polling then
websocket; tests/scale/widget.py) and WeChat users whose messages WeChat retries
(same MsgId) straight to each server still in service (tests/scale/wechat_users.py).
The visitors all come
from 127.0.0.1, so nginx's ip_hash puts every transport on one server: that one
is stopped, the way the template's header tells operators to (marked down and
nginx reloaded; nginx's old workers waited for, which closes the websockets after
worker_shutdown_timeout; then SIGTERM), once half the REST turns are answered and
the visitors are halfway. To be sure a message is in flight on it when it is
taken out, the events table is locked, the visitors send their next message, and
the lock is released once PostgreSQL has shown the server waiting in the middle
of a message and the reload is in force. The visitors' further messages wait
until the server has exited; every conversation's last turn comes after that.
Right before the SIGTERM, with the action server paused, one more WeChat message
goes straight to that server and gets ``success``: its answer is still being
computed when the server is told to stop, and nothing (nginx's drain included)
has waited for it.

Checks: every REST message gets the reply a single server gives, once, and nginx
sent it once and got 200; every WeChat message is in its tracker once and WeChat
was shown each answer once (a passive reply to one of its requests, or a push);
each visitor reconnects to the other server with its session and goes on where it
stopped (its replies are a single server's, so the interview kept its answers),
and the page shows every message once, also after a reload; the answer owed by
the stopped server was pushed once; a
message the other server emits for a visitor whose transport it does not hold
(a staff reply through the HTTP API) arrives, through Redis. No conversation lost
or duplicated an event: trackers read over the HTTP API and rows counted in
PostgreSQL.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Dict, List, Tuple

import pytest
import requests

from tests.browser.servers import WebServer
from tests.e2e.servers import Bot
from tests.scale import wechat_users
from tests.scale.conftest import Stack, running
from tests.scale.conversations import (
    SCRIPTS,
    Replies,
    converse,
    count,
    events_of,
    events_table_locked,
    server_errors,
    stored_rows,
)
from tests.scale.nginx import Nginx
from tests.scale.wechat_users import Gate, WeChatUser
from tests.scale.widget import BrowserVisitor, Visitor, joined, missing, socketio_messages

pytestmark = pytest.mark.scale

REST_CONVERSATIONS = 6
# visitor -> the script it says; it stops halfway while the server goes, then goes on
WIDGET_SCRIPTS = [SCRIPTS[1], SCRIPTS[4]]  # node's socket.io-client
BROWSER_SCRIPTS = [SCRIPTS[3], SCRIPTS[0]]  # the chat page in Chromium, after its greeting
WECHAT_SCRIPTS = [
    ["地网注册资本要多少", "有效期几年", "年报什么时候交"],
    ["呼叫中心许可证要准备哪些材料", "全网注册资本要多少", "许可证到期了怎么续期"],
    ["办证大概要多久", "外资可以办吗", "分公司可以自己申请吗？"],
    ["ICP经营许可证怎么申请啊", "地网注册资本要多少", "有效期几年"],
]
# the message whose answer the stopped server still owes (answered by an action)
OWED_SCRIPT = ["全网注册资本要多少"]
# what a stopping server logs when it finishes WeChat answers (channels/wechat/channel.py)
DRAINING = "answer(s) in flight before exiting"


@dataclass
class Chat:
    """A widget visitor's conversation: what it says after connecting, the replies a
    single server gives each turn, and what its tracker holds in the end."""

    visitor: Visitor
    script: List[str]
    expected: Replies
    said: List[str]  # the user messages of its tracker (the page's greeting first)
    owed: List[str]  # the bot texts of its tracker


@dataclass
class Results:
    rest: Dict[str, Tuple[List[str], Replies]]  # sender -> (script, replies)
    widget: Dict[str, Replies]  # session -> texts received per turn
    wechat: List[WeChatUser]
    owed: WeChatUser  # its answer was in flight on the stopped server


def socketio_requests(balancer: Nginx, since: int = 0) -> List[Tuple[int, str]]:
    """(status, server) of each socket.io request nginx logged from byte ``since``
    of its log on. A websocket (101) is logged when it closes."""
    found = []
    for line in balancer.access_log(since):
        if '"GET /socket.io/' in line or '"POST /socket.io/' in line:
            status = int(line.split('" ', 1)[1].split()[0])
            found.append((status, line.rsplit(" upstream=", 1)[1]))
    return found


def test_three_channels_through_nginx_while_the_widgets_server_is_drained_and_stopped(
    stack: Stack, balancer: Nginx, page: WebServer, references: Dict[str, Replies], tmp_path: Path
) -> None:
    lacking = missing()
    if lacking:
        pytest.fail("the widget's visitors need " + ", ".join(lacking) + ": run `make setup`")
    a, b = stack.a, stack.b
    running(a, b)
    run = uuid.uuid4().hex[:6]
    # the page greets a new visitor (its initPayload) before the script: a single
    # server's replies to the greeting and the script, as REST gives them
    greeted = [
        converse([a], f"nginx-greeted-{i}-{run}", ["/greet", *s], 0) for i, s in enumerate(BROWSER_SCRIPTS)
    ]

    # the visitors connect first: their server is the one to stop
    visitors = [Visitor(balancer.url, f"widget-{i}-{run}") for i in range(len(WIDGET_SCRIPTS))]
    browsers = [BrowserVisitor(page.url, tmp_path / f"chromium-{i}") for i in range(len(BROWSER_SCRIPTS))]
    staff = Visitor(balancer.url, f"widget-staff-{run}")
    try:
        for visitor in [*visitors, staff]:
            assert visitor.confirmed()["session"] == visitor.session_id
        chats = [
            Chat(v, s, references[json.dumps(s)], s, [t for turn in references[json.dumps(s)] for t in turn])
            for v, s in zip(visitors, WIDGET_SCRIPTS)
        ]
        for browser, script, replies in zip(browsers, BROWSER_SCRIPTS, greeted):
            browser.confirmed()
            greeting = browser.receive(socketio_messages(replies[0]))
            assert joined([m.get("text", "") for m in greeting]) == joined(replies[0]), browser.stderr()
            chats.append(
                Chat(browser, script, replies[1:], ["/greet", *script], [t for turn in replies for t in turn])
            )
        held = {server for _, server in socketio_requests(balancer)}
        assert len(held) == 1, f"ip_hash put one client address on {held}"
        victim, survivor = (a, b) if held == {f"127.0.0.1:{a.rasa_port}"} else (b, a)

        # the staff visitor opens the chat as the widget does (its initPayload), so
        # that the conversation exists; then a message the other server emits for
        # it (a staff reply through its HTTP API) reaches the visitor through Redis
        welcome = [m.get("text", "") for m in survivor.say(f"probe-{run}", "/greet")]
        got = staff.say("/greet", socketio_messages(welcome))
        assert joined([m.get("text", "") for m in got]) == joined(welcome)
        # the replies are emitted before the turn is stored: wait for the store
        deadline = time.monotonic() + 60
        while not any(e["event"] == "user" for e in events_of(survivor, staff.session_id)):
            assert time.monotonic() < deadline, "the visitor's first turn was never stored"
            time.sleep(0.1)
        response = requests.post(
            f"{survivor.url}/conversations/{staff.session_id}/execute",
            params={"token": survivor.token, "output_channel": "socketio"},
            json={"name": "utter_greet"},
            timeout=60,
        )
        assert response.status_code == 200, response.text[:300]
        # the tracker the server answers with ends with what it emitted
        events = response.json()["tracker"]["events"]
        executed = max(i for i, e in enumerate(events) if e.get("name") == "utter_greet")
        greeting = [e.get("text") or "" for e in events[executed:] if e["event"] == "bot"]
        assert greeting, events[-5:]
        staff_got = staff.receive(socketio_messages(greeting))
        assert joined([m.get("text", "") for m in staff_got]) == joined(greeting)

        results, timings, drained = converse_and_stop(stack, balancer, chats, victim, run)
        pages = pages_kept(browsers, results)
    finally:
        for visitor in [*visitors, *browsers, staff]:
            visitor.close()

    check_and_report(stack, balancer, references, chats, results, timings, drained, survivor, pages)


def pages_kept(browsers: List[BrowserVisitor], results: "Results") -> int:
    """Each page shows the conversation once, in order: every message the visitor
    typed and one bot message per message the server sent, before and after a
    reload (the widget keeps it in localStorage). Returns the messages shown."""
    shown = 0
    for browser in browsers:
        said = [e["text"] for e in browser.events if e["event"] == "turn" and e["text"] is not None]
        sent = sum(len(e["replies"]) for e in browser.events if e["event"] == "turn")
        before = browser.history(sent)
        assert before["user"] == said, (browser.session_id, before)
        assert len(before["bot"]) == sent, (browser.session_id, len(before["bot"]), sent)
        browser.reload()
        after = browser.history(sent, wait=10)  # from localStorage: no delay
        assert after == before, (browser.session_id, before, after)
        shown += len(after["user"]) + len(after["bot"])
    return shown


def converse_and_stop(
    stack: Stack,
    balancer: Nginx,
    chats: List[Chat],
    victim: Bot,
    run: str,
) -> Tuple["Results", Dict[str, float], int]:
    """All the traffic at once; ``victim`` drained and stopped once half the REST
    turns are answered and the visitors are halfway. Returns what each
    conversation got, the time each step of the stop took, and the nginx log's
    size when the victim was taken out."""
    a, b = stack.a, stack.b
    rest_plan = {f"nginx-{i:02d}-{run}": SCRIPTS[i % len(SCRIPTS)] for i in range(REST_CONVERSATIONS)}
    wechat = [WeChatUser(f"oScale{i}{run}".ljust(28, "0"), script) for i, script in enumerate(WECHAT_SCRIPTS)]
    owed = WeChatUser(f"oScaleOwed{run}".ljust(28, "0"), OWED_SCRIPT)
    total = sum(len(script) for script in rest_plan.values())
    lock = threading.Lock()
    answered = [0]
    half, draining, victim_gone = threading.Event(), Gate(), Gate()
    halfway: List[str] = []  # the visitors waiting for the stop
    in_service = {a.url: True, b.url: True}  # where WeChat's retries go

    def rest(user: str, script: List[str]) -> Replies:
        replies: Replies = []
        for turn, text in enumerate(script):
            if turn == len(script) - 1:
                victim_gone.wait()  # every conversation ends on the survivor alone
            response = requests.post(
                f"{balancer.url}/webhooks/rest/webhook", json={"sender": user, "message": text}, timeout=300
            )
            # no retry of any kind: a drained server loses nothing, so anything
            # but 200 is a failure
            assert response.status_code == 200, (user, turn, response.status_code, response.text[:300])
            replies.append([m.get("text", "") for m in response.json()])
            with lock:
                answered[0] += 1
                if answered[0] >= total // 2:
                    half.set()
        return replies

    def widget(chat: Chat) -> List[List[str]]:
        got: List[List[str]] = []
        for turn, text in enumerate(chat.script):
            if turn == len(chat.script) // 2:
                halfway.append(chat.visitor.session_id)
                draining.wait()  # this turn is in flight on the victim when it is taken out
            if turn == len(chat.script) // 2 + 1:
                victim_gone.wait()  # the rest of the conversation on the survivor
            replies = chat.visitor.say(text, socketio_messages(chat.expected[turn]))
            got.append([m.get("text", "") for m in replies])
        return got

    def direct() -> List[str]:
        return [url for url, up in in_service.items() if up]

    def pace(turn: int) -> None:
        if turn == len(WECHAT_SCRIPTS[0]) - 1:
            victim_gone.wait()

    with ThreadPoolExecutor(max_workers=len(rest_plan) + len(chats) + len(wechat)) as pool:
        rest_futures = {user: pool.submit(rest, user, script) for user, script in rest_plan.items()}
        widget_futures = [pool.submit(widget, chat) for chat in chats]
        wechat_futures = [
            pool.submit(wechat_users.converse, u, balancer.url, direct, stack.wechat, pace) for u in wechat
        ]
        futures = [*rest_futures.values(), *widget_futures, *wechat_futures]
        try:
            while not (half.is_set() and len(halfway) == len(chats)):
                failed = [f.exception() for f in futures if f.done() and f.exception()]
                assert not failed, failed
                time.sleep(0.2)
            timings, drained = stop_the_way_operators_do(
                stack, balancer, victim, in_service, draining.open, owed
            )
        except BaseException:
            for chat in chats:  # their waits end at once
                chat.visitor.close(timeout=1)
            raise
        finally:
            draining.open()  # let the rest go, whatever happened above
            victim_gone.open()
        for future in wechat_futures:
            future.result()
        results = Results(
            rest={user: (rest_plan[user], f.result()) for user, f in rest_futures.items()},
            widget={chat.visitor.session_id: f.result() for chat, f in zip(chats, widget_futures)},
            wechat=[*wechat, owed],
            owed=owed,
        )
    return results, timings, drained


def stop_the_way_operators_do(
    stack: Stack,
    balancer: Nginx,
    victim: Bot,
    in_service: Dict[str, bool],
    locked: Callable[[], None],
    owed: WeChatUser,
) -> Tuple[Dict[str, float], int]:
    """The template's rolling restart, steps 1 to 3, with a message in flight on
    ``victim``: ``locked()`` is called once the events table is locked, and the
    visitors (whose transports are on the victim) send a message then. Before
    step 3, ``owed``'s message gets ``success`` from the victim, whose bot then
    waits for the paused action server: the SIGTERM finds that answer in flight.
    Returns the time each step took and the nginx log's size when the victim was
    taken out."""
    address = f"127.0.0.1:{victim.rasa_port}"
    began = time.monotonic()
    with events_table_locked(stack.postgres) as wait_for:
        locked()
        wait_for(stack.name_of(victim))  # the victim is in the middle of a message
        mid_message = time.monotonic()
        in_service[victim.url] = False  # WeChat's retries go to the survivor only
        mark = balancer.log_size()
        # 1. take it out; returns when no new request can reach it
        old_workers = balancer.take_out(address)
        reloaded = time.monotonic()
    released = time.monotonic()
    # 2. the old workers finish its requests, and close the websockets after
    #    worker_shutdown_timeout; the visitors reconnect through the new workers
    balancer.wait_exited(old_workers)
    drained = time.monotonic()
    # 3. stop it, by its PID, and wait for it to exit on its own. The answer owed
    #    is one whose request came in before the take-out and got "success" once
    #    the reply budget ran out: nginx's drain never waits for it. Sent here,
    #    straight to the victim, it is surely still being computed at the SIGTERM.
    assert victim.rasa is not None and stack.a.actions is not None
    with wechat_users.actions_paused(stack.a.actions):
        wechat_users.answer_owed(owed, victim.url)
        owing = time.monotonic()
        os.kill(victim.rasa.pid, signal.SIGTERM)
        # the action server goes on only once the victim has closed its connections
        # and says it finishes the answer, or has exited without it (the answer lost)
        log, deadline = victim.workdir / "rasa.log", time.monotonic() + 60
        while DRAINING not in log.read_text(errors="replace") and victim.rasa.poll() is None:
            assert time.monotonic() < deadline, "the server neither exited nor drained 60 s after SIGTERM"
            time.sleep(0.05)
        stopping = time.monotonic()
    try:
        code = victim.rasa.wait(timeout=90)
    except subprocess.TimeoutExpired:
        victim.stop_rasa()  # SIGKILL after SIGTERM, so that the run can end
        raise AssertionError(f"the server did not exit within 90 s of SIGTERM\n{server_errors([victim])}")
    assert code == 0, f"the server exited with {code}\n{server_errors([victim])}"
    exited = time.monotonic()
    wechat_users.wait_pushed(owed, stack.wechat)
    return {
        "seen mid-message": mid_message - began,
        "reload in force": reloaded - mid_message,
        "lock released": released - reloaded,
        "old workers gone": drained - released,
        "answer owed (success)": owing - drained,
        "draining after SIGTERM": stopping - owing,
        "exited": exited - stopping,
    }, mark


def check_and_report(
    stack: Stack,
    balancer: Nginx,
    references: Dict[str, Replies],
    chats: List[Chat],
    results: Results,
    timings: Dict[str, float],
    mark: int,
    survivor: Bot,
    shown: int,
) -> None:
    servers = [stack.a, stack.b]
    counts: Dict[str, Dict[str, int]] = {}

    def tally(channel: str, events: List[Dict[str, object]]) -> None:
        total = counts.setdefault(channel, {"conversations": 0, "events": 0, "user": 0, "bot": 0})
        total["conversations"] += 1
        for key, value in count(events).items():  # type: ignore[arg-type]
            total[key] += value

    # REST: a single server's replies, each message stored once, in order
    for user, (script, replies) in results.rest.items():
        assert replies == references[json.dumps(script)], f"{user}\n{server_errors(servers)}"
        events = events_of(survivor, user)
        assert [e["text"] for e in events if e["event"] == "user"] == script, user
        assert [e.get("text") for e in events if e["event"] == "bot"] == [
            t for turn in replies for t in turn
        ], user
        tally("rest", events)

    # the widget: the same replies as a single server's, before and after the
    # reconnection (the interview went on where it was), each message stored once
    for chat in chats:
        visitor, got = chat.visitor, results.widget[chat.visitor.session_id]
        assert [joined(turn) for turn in got] == [joined(turn) for turn in chat.expected], visitor.session_id
        assert visitor.connections() >= 2, f"{visitor.session_id} never reconnected: {visitor.events}"
        sessions = {e["session"] for e in visitor.events if e["event"] == "confirmed"}
        assert sessions == {visitor.session_id}, sessions
        events = events_of(survivor, visitor.session_id)
        assert [e["text"] for e in events if e["event"] == "user"] == chat.said, visitor.session_id
        assert joined([e.get("text") or "" for e in events if e["event"] == "bot"]) == joined(
            chat.owed
        ), visitor.session_id
        tally("widget", events)
    # from the take-out on, nginx sent the visitors' requests to the survivor; the
    # victim's lines are the websockets the drain closed (logged as they close)
    after = socketio_requests(balancer, since=mark)
    survivor_address = f"127.0.0.1:{survivor.rasa_port}"
    closed = [server for status, server in after if server != survivor_address]
    assert {status for status, server in after if server != survivor_address} <= {101}, after
    assert any(server == survivor_address for _, server in after), after
    assert len(closed) >= len(chats), after

    # WeChat: each message once in its tracker, each answer shown once
    for user in results.wechat:
        events = events_of(survivor, user.openid)
        assert [e["text"] for e in events if e["event"] == "user"] == user.script, user.openid
        shown_to, owed = wechat_users.delivered(user, stack.wechat), wechat_users.expected_parts(events)
        assert shown_to == owed, f"{user.openid}: shown {shown_to}, owed {owed}"
        tally("wechat", events)

    # no conversation lost or duplicated an event: PostgreSQL has one row per event
    senders = [*results.rest, *results.widget, *(u.openid for u in results.wechat)]
    rows = {**stored_rows(stack.postgres, "nginx-"), **stored_rows(stack.postgres, "widget-")}
    rows.update(stored_rows(stack.postgres, "oScale"))
    for chat in chats:
        rows.update(stored_rows(stack.postgres, chat.visitor.session_id))
    for sender in senders:
        assert rows[sender] == len(events_of(survivor, sender)), sender

    # nginx sent each REST message once, to one server, and got 200 every time
    posts = [line for line in balancer.access_log() if '"POST /webhooks/rest/webhook" ' in line]
    turns = sum(len(script) for script, _ in results.rest.values())
    assert len(posts) == turns, (len(posts), turns)
    assert all('" 200 ' in line and ", " not in line.rsplit(" upstream=", 1)[1] for line in posts), posts
    assert not balancer.errors(), "\n".join(balancer.errors())

    print(
        "\nthrough nginx, the widget's server stopped mid-run: "
        + ", ".join(f"{k} +{v:.1f}s" for k, v in timings.items())
    )
    for channel, total in counts.items():
        print(
            f"  {channel}: {total['conversations']} conversations, {total['user']} turns, "
            f"{total['events']} events ({total['bot']} bot messages)"
        )
    print(
        f"  all: {sum(c['conversations'] for c in counts.values())} conversations, "
        f"{sum(c['events'] for c in counts.values())} events, each stored once "
        "(0 duplicated, 0 lost: tracker = PostgreSQL rows = what was said)"
    )
    retries = sum(u.retries for u in results.wechat)
    by_retry = sum(u.answered_by_retry for u in results.wechat)
    passive = sum(len(u.passive) for u in results.wechat)
    print(
        f"  wechat: {counts['wechat']['user']} messages answered once each: {passive} passive "
        f"({by_retry} of them to one of {retries} retries of a MsgId sent straight to the servers), "
        f"{counts['wechat']['user'] - passive} pushed, 1 of them owed by the stopped server at its SIGTERM"
    )
    browsers = sum(isinstance(chat.visitor, BrowserVisitor) for chat in chats)
    print(
        f"  widget: {len(chats)} visitors ({browsers} in Chromium), {len(closed)} websockets closed by the "
        "drain, each visitor reconnected to the other server with its session and went on where it "
        f"stopped; the pages showed {shown} messages, each once, also after a reload"
    )
