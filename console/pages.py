"""The console's HTML pages, rendered on the server from ``console.api``'s dicts.

No inline script or style (the pages' policy allows only /staff/static/ files);
every value is escaped. Forms work without JavaScript; console.js only adds
"select the whole group" to the unanswered list.
"""

from __future__ import annotations

from html import escape
from typing import Any, Dict, Iterable, Mapping, Optional, Sequence
from urllib.parse import quote, urlencode

from console.queries import OUTCOMES, UNANSWERED_REASONS
from console.texts import columns, names, t

OUTCOME_NAMES = names("outcomes")
REASON_NAMES = names("reasons")
CHANNELS = ("rest", "socketio", "wechat", "cmdline")
NAV = (
    ("/staff/", t("nav.conversations")),
    ("/staff/tickets", t("nav.tickets")),
    ("/staff/unanswered", t("nav.unanswered")),
    ("/staff/metrics", t("nav.metrics")),
    ("/staff/leads", t("nav.leads")),
)
# where a staff reply reaches the user (console.replies)
REPLY_VIA = names("pause.via")
MARK_NAMES = names("transcript.marks")


def e(value: Any) -> str:
    return escape("" if value is None else str(value), quote=True)


def head_row(key: str) -> str:
    """A table's heading row, from the column names under ``key``."""
    return "<thead><tr>" + "".join(f"<th>{c}</th>" for c in columns(key)) + "</tr></thead>"


def layout(title: str, body: str, active: Optional[str] = None) -> str:
    links = "".join(
        f'<a href="{href}"{" class=active" if href == active else ""}>{label}</a>' for href, label in NAV
    )
    nav = (
        f'<nav>{links}<form method="post" action="/staff/logout" class="logout">'
        f'<button type="submit">{t("logout")}</button></form></nav>'
        if active
        else ""
    )
    return (
        '<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f'<title>{e(title)} · {t("console")}</title><link rel="stylesheet" href="/staff/static/console.css">'
        '<link rel="icon" href="/staff/static/favicon.svg">'
        f'<script src="/staff/static/console.js" defer></script></head><body>{nav}'
        f"<main><h1>{e(title)}</h1>{body}</main></body></html>"
    )


def signin(message: str = "") -> str:
    note = f'<p class="error">{e(message)}</p>' if message else ""
    return (
        '<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">'
        f'<title>{t("console")} · {t("signin.title")}</title><link rel="icon" href="data:,">'
        f'</head><body><main><h1>{t("console")}</h1>'
        f'{note}<p>{t("signin.prompt")}</p>'
        f'<form method="post" action="/staff/login"><label>{t("signin.token")} <input type="password" name="token" '
        f'autocomplete="current-password" required autofocus></label> <button type="submit">{t("signin.button")}</button>'
        "</form></main></body></html>"
    )


def message_page(title: str, message: str) -> str:
    return layout(title, f'<p class="error">{e(message)}</p><p><a href="/staff/">{t("back")}</a></p>')


def _select(name: str, options: Iterable[str], chosen: Optional[str], names: Mapping[str, str]) -> str:
    items = "".join(
        f'<option value="{e(o)}"{" selected" if o == chosen else ""}>{e(names.get(o, o))}</option>'
        for o in options
    )
    return f'<select name="{name}"><option value="">{t("filters.all")}</option>{items}</select>'


def filter_form(action: str, params: Mapping[str, str], outcome: bool = False, reason: bool = False) -> str:
    parts = [
        f'<label>{t("filters.channel")} {_select("channel", CHANNELS, params.get("channel"), {})}</label>',
        f'<label>{t("filters.since")} <input type="date" name="since" value="{e(params.get("since"))}"></label>',
        f'<label>{t("filters.until")} <input type="date" name="until" value="{e(params.get("until"))}"></label>',
    ]
    if outcome:
        parts.append(
            f'<label>{t("filters.outcome")} {_select("outcome", OUTCOMES, params.get("outcome"), OUTCOME_NAMES)}</label>'
        )
    if reason:
        parts.append(
            f'<label>{t("filters.reason")} {_select("reason", UNANSWERED_REASONS, params.get("reason"), REASON_NAMES)}</label>'
        )
    return f'<form method="get" action="{action}" class="filters">{"".join(parts)}<button>{t("filters.apply")}</button></form>'


def _badges(outcomes: Sequence[str]) -> str:
    return " ".join(f'<span class="badge {e(o)}">{e(OUTCOME_NAMES.get(o, o))}</span>' for o in outcomes)


def conversations_page(data: Mapping[str, Any], params: Mapping[str, str]) -> str:
    rows = "".join(
        f'<tr><td><a href="/staff/conversations/{quote(c["id"], safe="")}">{e(c["sender_id"])}</a></td>'
        f'<td>{e(c["channel"])}</td><td>{e(c["started"])}</td><td>{e(c["last"])}</td>'
        f'<td class="num">{c["messages"]}</td><td>{_badges(c["outcomes"])}</td>'
        f'<td>{e(", ".join(c["verdicts"]))}</td></tr>'
        for c in data["conversations"]
    )
    table = (
        f'<table>{head_row("conversations.columns")}<tbody>{rows}</tbody></table>'
        if rows
        else f'<p class="empty">{t("conversations.empty")}</p>'
    )
    shown = len(data["conversations"])
    return layout(
        t("nav.conversations"),
        filter_form("/staff/", params, outcome=True)
        + f'<p>{t("conversations.count", total=data["total"], shown=shown)}</p>{table}',
        "/staff/",
    )


def _turn(turn: Mapping[str, Any]) -> str:
    confidence = "" if turn["confidence"] is None else f'{turn["confidence"]:.2f}'
    fine = f' · {e(turn["fine_intent"])}' if turn["fine_intent"] else ""
    reason = (
        f' <span class="badge fallback">{e(REASON_NAMES.get(turn["reason"], turn["reason"]))}</span>'
        if turn["reason"]
        else ""
    )
    meta = f'<pre class="meta">{e(turn["metadata"])}</pre>' if turn["metadata"] else ""
    replies = [
        f'<li class="staff"><span class="who">{t("transcript.staff")}</span> {e(r["text"])}</li>'
        if r.get("staff")
        else f'<li class="bot"><span class="who">{t("transcript.bot")}</span> {e(r["text"])}'
        f' <code>{e(r["action"] or "")}</code></li>'
        for r in turn["replies"]
    ]
    # pauses and resumes where they happened among the replies (last first, so indexes hold)
    for mark in reversed(turn["marks"]):
        replies.insert(
            mark["after_replies"],
            f'<li class="mark">{e(MARK_NAMES.get(mark["event"], mark["event"]))} · {e(mark["timestamp"])}</li>',
        )
    paused = f' <span class="badge paused">{t("transcript.paused")}</span>' if turn["paused"] else ""
    return (
        f'<li class="user"><span class="who">{t("transcript.user")}</span> {e(turn["text"])}'
        f'<div class="nlu">{e(turn["timestamp"])} · {e(turn["intent"])}{fine} · {confidence}{reason}{paused}</div>'
        f'{meta}</li>{"".join(replies)}'
    )


def _pause_box(detail: Mapping[str, Any]) -> str:
    """A paused conversation: since when, the contact left, the reply form where a
    reply reaches the user, and the button that gives it back to the bot."""
    if not detail.get("paused_since"):
        return ""
    path = f'/staff/conversations/{quote(detail["id"], safe="")}'
    contact = (
        f'<p>{t("pause.contact")}<strong class="contact">{e(detail["contact"])}</strong></p>'
        if detail.get("contact")
        else ""
    )
    via = REPLY_VIA.get(detail["channel"])
    reply = (
        f'<form method="post" action="{path}/reply" class="reply"><label>{t("pause.reply_to", via=e(via))}'
        '<textarea name="text" rows="3" maxlength="600" required></textarea></label>'
        f'<button type="submit">{t("pause.send")}</button></form>'
        if via
        else ""
    )
    timeout = t("pause.wechat_timeout") if detail["channel"] == "wechat" else ""
    return (
        f'<div class="pause"><p>{t("pause.since", since=e(detail["paused_since"]))}{timeout}</p>{contact}{reply}'
        f'<form method="post" action="{path}/resume"><button type="submit">{t("pause.resume")}</button></form></div>'
    )


def tickets_page(data: Mapping[str, Any]) -> str:
    """The paused conversations, oldest first: each a ticket a person owns."""
    rows = "".join(
        f'<tr><td><a href="{e(ticket["transcript"])}">{e(ticket["sender_id"])}</a></td>'
        f'<td>{e(ticket["channel"])}</td><td>{e(ticket["since"])}</td>'
        f'<td class="contact">{e(ticket["contact"] or "—")}</td>'
        f'<td>{t("tickets.can_reply") if ticket["can_reply"] else t("tickets.cannot_reply")}</td></tr>'
        for ticket in data["tickets"]
    )
    table = (
        f'<table>{head_row("tickets.columns")}<tbody>{rows}</tbody></table>'
        if rows
        else f'<p class="empty">{t("tickets.empty")}</p>'
    )
    return layout(
        t("nav.tickets"),
        f'<p>{t("tickets.intro", total=data["total"])}</p>{table}',
        "/staff/tickets",
    )


def conversation_page(detail: Mapping[str, Any]) -> str:
    head = (
        f'<p>{e(detail["channel"])} · {e(detail["started"])} – {e(detail["last"])} · '
        f'{_badges(detail["outcomes"])}</p>'
    )
    turns = (
        "".join(_turn(turn) for turn in detail["turns"]) or f'<li class="empty">{t("transcript.empty")}</li>'
    )
    return layout(
        t("transcript.title", sender_id=detail["sender_id"]),
        f'{head}{_pause_box(detail)}<ol class="transcript">{turns}</ol>',
        "/staff/",
    )


def unanswered_page(data: Mapping[str, Any], params: Mapping[str, str], labels: Sequence[str]) -> str:
    groups = []
    for number, group in enumerate(data["groups"]):
        reasons = "，".join(f"{REASON_NAMES.get(r, r)} {n}" for r, n in group["reasons"].items())
        texts = "".join(
            f'<li><label><input type="checkbox" name="text" value="{e(text)}" data-group="{number}"> {e(text)}'
            "</label></li>"
            for text in group["texts"]
        )
        groups.append(
            f'<tr><td><label><input type="checkbox" data-select-group="{number}"> {t("unanswered.select_group")}</label></td>'
            f'<td><ul class="texts">{texts}</ul></td><td class="num">{group["count"]}</td>'
            f'<td>{e(group["latest"])}</td><td>{e(reasons)}</td></tr>'
        )
    if not groups:
        return layout(
            t("nav.unanswered"),
            filter_form("/staff/unanswered", params, reason=True)
            + f'<p class="empty">{t("unanswered.empty")}</p>',
            "/staff/unanswered",
        )
    options = "".join(f'<option value="{e(label)}">{e(label)}</option>' for label in labels)
    export = (
        '<form method="post" action="/staff/export" class="export">'
        f'<p>{t("unanswered.intro", total=data["total"], groups=len(groups))}</p>'
        f'<label>{t("unanswered.intent")} <select name="intent" required>'
        f'<option value="">{t("unanswered.choose")}</option>{options}</select></label> '
        f'<button type="submit">{t("unanswered.export")}</button>'
        f'<table>{head_row("unanswered.columns")}<tbody>{"".join(groups)}</tbody></table></form>'
    )
    return layout(
        t("nav.unanswered"),
        filter_form("/staff/unanswered", params, reason=True) + export,
        "/staff/unanswered",
    )


def _percent(share: float) -> str:
    return f"{share * 100:.1f}%"


def metrics_page(figures: Dict[str, Any], params: Mapping[str, str]) -> str:
    query = urlencode({k: v for k, v in params.items() if v})
    suffix = f"?{query}" if query else ""
    interview = figures["interview"]
    numbers = [
        (t("metrics.conversations"), figures["conversations"]),
        (t("metrics.with_messages"), figures["with_messages"]),
        (t("metrics.messages"), figures["messages"]),
        (t("metrics.answered_share"), _percent(figures["answered_share"])),
        (t("metrics.messages_answered_share"), _percent(figures["messages_answered_share"])),
        (t("metrics.fallback_rate"), _percent(figures["fallback_rate"])),
        (
            t("metrics.low_confidence_rate", threshold=figures["low_confidence_threshold"]),
            _percent(figures["low_confidence_rate"]),
        ),
        (t("metrics.handoff_rate"), _percent(figures["handoff_rate"])),
        (t("metrics.interview"), f'{interview["completed"]} / {interview["abandoned"]}'),
        (t("metrics.completion_rate"), _percent(interview["completion_rate"])),
    ]
    table = "".join(f"<tr><th>{e(k)}</th><td class=num>{e(v)}</td></tr>" for k, v in numbers)
    slow = "".join(
        f'<tr><td class="num">{row["seconds"]:.2f}</td><td>{e(row["text"])}</td><td>{e(row["intent"])}</td>'
        f'<td>{e(row["channel"])}</td><td>{e(row["sender_id"])}</td><td>{e(row["timestamp"])}</td></tr>'
        for row in figures["slowest"]
    )
    body = (
        filter_form("/staff/metrics", params)
        + f'<table class="figures">{table}</table>'
        + f'<h2>{t("metrics.per_day")}</h2>'
        + f'<img src="/staff/plots/per-day.svg{e(suffix)}" alt="{t("metrics.per_day_image")}">'
        + f'<h2>{t("metrics.verdicts")}</h2>'
        + f'<img src="/staff/plots/verdicts.svg{e(suffix)}" alt="{t("metrics.verdicts")}">'
        + f'<h2>{t("metrics.reasons")}</h2>'
        + f'<img src="/staff/plots/reasons.svg{e(suffix)}" alt="{t("metrics.reasons")}">'
        + f'<h2>{t("metrics.slowest")}</h2><table>{head_row("metrics.slowest_columns")}<tbody>{slow}</tbody></table>'
    )
    return layout(t("nav.metrics"), body, "/staff/metrics")
