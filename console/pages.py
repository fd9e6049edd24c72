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

OUTCOME_NAMES = {
    "answered": "已回答",
    "fallback": "未理解/超出范围",
    "low_confidence": "低置信度",
    "handoff": "转人工",
    "paused": "人工接管中",
    "interview_completed": "评估完成",
    "interview_abandoned": "评估中断",
}
REASON_NAMES = {
    "fallback": "未理解",
    "out_of_scope": "超出范围",
    "unclear": "追问不清",
    "error": "系统错误",
    "no_reply": "无回复",
    "low_confidence": "低置信度",
}
CHANNELS = ("rest", "socketio", "wechat", "cmdline")
NAV = (
    ("/staff/", "对话"),
    ("/staff/tickets", "工单"),
    ("/staff/unanswered", "未解决的问题"),
    ("/staff/metrics", "统计"),
    ("/staff/leads", "线索"),
)
# where a staff reply reaches the user (console.replies)
REPLY_VIA = {"socketio": "网页聊天窗口", "wechat": "微信客服消息（用户最后一条消息后 48 小时内）"}
MARK_NAMES = {"pause": "机器人已暂停（转人工）", "resume": "机器人已恢复"}


def e(value: Any) -> str:
    return escape("" if value is None else str(value), quote=True)


def layout(title: str, body: str, active: Optional[str] = None) -> str:
    links = "".join(
        f'<a href="{href}"{" class=active" if href == active else ""}>{label}</a>' for href, label in NAV
    )
    nav = (
        f'<nav>{links}<form method="post" action="/staff/logout" class="logout">'
        '<button type="submit">退出</button></form></nav>'
        if active
        else ""
    )
    return (
        '<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f'<title>{e(title)} · 员工控制台</title><link rel="stylesheet" href="/staff/static/console.css">'
        '<link rel="icon" href="/staff/static/favicon.svg">'
        f'<script src="/staff/static/console.js" defer></script></head><body>{nav}'
        f"<main><h1>{e(title)}</h1>{body}</main></body></html>"
    )


def signin(message: str = "") -> str:
    note = f'<p class="error">{e(message)}</p>' if message else ""
    return (
        '<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>员工控制台 · 登录</title>'
        '<link rel="icon" href="data:,">'
        "</head><body><main><h1>员工控制台</h1>"
        f"{note}<p>请输入控制台令牌（STAFF_TOKEN，未设置时为 RASA_AUTH_TOKEN）。</p>"
        '<form method="post" action="/staff/login"><label>令牌 <input type="password" name="token" '
        'autocomplete="current-password" required autofocus></label> <button type="submit">登录</button>'
        "</form></main></body></html>"
    )


def message_page(title: str, message: str) -> str:
    return layout(title, f'<p class="error">{e(message)}</p><p><a href="/staff/">返回</a></p>')


def _select(name: str, options: Iterable[str], chosen: Optional[str], names: Mapping[str, str]) -> str:
    items = "".join(
        f'<option value="{e(o)}"{" selected" if o == chosen else ""}>{e(names.get(o, o))}</option>'
        for o in options
    )
    return f'<select name="{name}"><option value="">全部</option>{items}</select>'


def filter_form(action: str, params: Mapping[str, str], outcome: bool = False, reason: bool = False) -> str:
    parts = [
        f'<label>渠道 {_select("channel", CHANNELS, params.get("channel"), {})}</label>',
        f'<label>从 <input type="date" name="since" value="{e(params.get("since"))}"></label>',
        f'<label>到 <input type="date" name="until" value="{e(params.get("until"))}"></label>',
    ]
    if outcome:
        parts.append(
            f'<label>结果 {_select("outcome", OUTCOMES, params.get("outcome"), OUTCOME_NAMES)}</label>'
        )
    if reason:
        parts.append(
            f'<label>原因 {_select("reason", UNANSWERED_REASONS, params.get("reason"), REASON_NAMES)}</label>'
        )
    return (
        f'<form method="get" action="{action}" class="filters">{"".join(parts)}<button>筛选</button></form>'
    )


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
        "<table><thead><tr><th>用户</th><th>渠道</th><th>开始</th><th>最后</th><th>消息</th>"
        f"<th>结果</th><th>评估结论</th></tr></thead><tbody>{rows}</tbody></table>"
        if rows
        else '<p class="empty">没有符合条件的对话。</p>'
    )
    shown = len(data["conversations"])
    return layout(
        "对话",
        filter_form("/staff/", params, outcome=True)
        + f'<p>共 {data["total"]} 个对话，显示 {shown} 个。</p>{table}',
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
        f'<li class="staff"><span class="who">人工</span> {e(r["text"])}</li>'
        if r.get("staff")
        else f'<li class="bot"><span class="who">机器人</span> {e(r["text"])}'
        f' <code>{e(r["action"] or "")}</code></li>'
        for r in turn["replies"]
    ]
    # pauses and resumes where they happened among the replies (last first, so indexes hold)
    for mark in reversed(turn["marks"]):
        replies.insert(
            mark["after_replies"],
            f'<li class="mark">{e(MARK_NAMES.get(mark["event"], mark["event"]))} · {e(mark["timestamp"])}</li>',
        )
    paused = ' <span class="badge paused">暂停期间（给人工的消息）</span>' if turn["paused"] else ""
    return (
        f'<li class="user"><span class="who">用户</span> {e(turn["text"])}'
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
        f'<p>用户留下的联系方式：<strong class="contact">{e(detail["contact"])}</strong></p>'
        if detail.get("contact")
        else ""
    )
    via = REPLY_VIA.get(detail["channel"])
    reply = (
        f'<form method="post" action="{path}/reply" class="reply"><label>回复用户（{e(via)}）'
        '<textarea name="text" rows="3" maxlength="600" required></textarea></label>'
        '<button type="submit">发送回复</button></form>'
        if via
        else ""
    )
    timeout = (
        "（微信）超过 HANDOFF_TIMEOUT_MIN 分钟后，用户的下一条消息会让机器人自动恢复。"
        if detail["channel"] == "wechat"
        else ""
    )
    return (
        f'<div class="pause"><p>机器人已暂停（{e(detail["paused_since"])} 起转人工），用户的消息由人工处理，'
        f"回复后机器人仍保持暂停，处理完请按“恢复机器人”。{timeout}</p>{contact}{reply}"
        f'<form method="post" action="{path}/resume"><button type="submit">恢复机器人</button></form></div>'
    )


def tickets_page(data: Mapping[str, Any]) -> str:
    """The paused conversations, oldest first: each a ticket a person owns."""
    rows = "".join(
        f'<tr><td><a href="{e(t["transcript"])}">{e(t["sender_id"])}</a></td><td>{e(t["channel"])}</td>'
        f'<td>{e(t["since"])}</td><td class="contact">{e(t["contact"] or "—")}</td>'
        f'<td>{"可在对话页回复" if t["can_reply"] else "无法从控制台回复"}</td></tr>'
        for t in data["tickets"]
    )
    table = (
        "<table><thead><tr><th>用户</th><th>渠道</th><th>转人工时间</th><th>联系方式</th><th>回复</th>"
        f"</tr></thead><tbody>{rows}</tbody></table>"
        if rows
        else '<p class="empty">没有等待人工处理的工单。</p>'
    )
    return layout(
        "工单",
        f'<p>转人工后机器人暂停的对话，最早的在前，共 {data["total"]} 个。打开对话可回复用户或恢复机器人。</p>{table}',
        "/staff/tickets",
    )


def conversation_page(detail: Mapping[str, Any]) -> str:
    head = (
        f'<p>{e(detail["channel"])} · {e(detail["started"])} – {e(detail["last"])} · '
        f'{_badges(detail["outcomes"])}</p>'
    )
    turns = "".join(_turn(t) for t in detail["turns"]) or '<li class="empty">这个对话没有用户消息。</li>'
    return layout(
        f'对话 {detail["sender_id"]}',
        f'{head}{_pause_box(detail)}<ol class="transcript">{turns}</ol>',
        "/staff/",
    )


def unanswered_page(data: Mapping[str, Any], params: Mapping[str, str], labels: Sequence[str]) -> str:
    groups = []
    for number, group in enumerate(data["groups"]):
        reasons = "，".join(f"{REASON_NAMES.get(r, r)} {n}" for r, n in group["reasons"].items())
        texts = "".join(
            f'<li><label><input type="checkbox" name="text" value="{e(t)}" data-group="{number}"> {e(t)}'
            "</label></li>"
            for t in group["texts"]
        )
        groups.append(
            f'<tr><td><label><input type="checkbox" data-select-group="{number}"> 全选</label></td>'
            f'<td><ul class="texts">{texts}</ul></td><td class="num">{group["count"]}</td>'
            f'<td>{e(group["latest"])}</td><td>{e(reasons)}</td></tr>'
        )
    if not groups:
        return layout(
            "未解决的问题",
            filter_form("/staff/unanswered", params, reason=True) + '<p class="empty">没有未解决的问题。</p>',
            "/staff/unanswered",
        )
    options = "".join(f'<option value="{e(label)}">{e(label)}</option>' for label in labels)
    export = (
        '<form method="post" action="/staff/export" class="export">'
        f'<p>共 {data["total"]} 条消息，{len(groups)} 组（按相似度合并，最新在前）。勾选消息，'
        f'选择意图，导出为 Rasa NLU 训练数据（YAML 文件下载，不写入 data/，不含用户 ID）。</p>'
        f'<label>意图 <select name="intent" required><option value="">请选择</option>{options}</select></label> '
        '<button type="submit">导出 YAML</button>'
        "<table><thead><tr><th></th><th>消息</th><th>次数</th><th>最近</th><th>原因</th></tr></thead>"
        f'<tbody>{"".join(groups)}</tbody></table></form>'
    )
    return layout(
        "未解决的问题", filter_form("/staff/unanswered", params, reason=True) + export, "/staff/unanswered"
    )


def _percent(share: float) -> str:
    return f"{share * 100:.1f}%"


def metrics_page(figures: Dict[str, Any], params: Mapping[str, str]) -> str:
    query = urlencode({k: v for k, v in params.items() if v})
    suffix = f"?{query}" if query else ""
    interview = figures["interview"]
    numbers = [
        ("对话", figures["conversations"]),
        ("有用户消息的对话", figures["with_messages"]),
        ("用户消息", figures["messages"]),
        ("全部回答的对话", _percent(figures["answered_share"])),
        ("已回答的消息", _percent(figures["messages_answered_share"])),
        ("有未理解/超出范围的对话", _percent(figures["fallback_rate"])),
        (
            f"有低置信度（<{figures['low_confidence_threshold']}）消息的对话",
            _percent(figures["low_confidence_rate"]),
        ),
        ("请求转人工的对话", _percent(figures["handoff_rate"])),
        ("评估完成 / 中断", f'{interview["completed"]} / {interview["abandoned"]}'),
        ("评估完成率", _percent(interview["completion_rate"])),
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
        + f'<h2>每日对话（按渠道）</h2><img src="/staff/plots/per-day.svg{e(suffix)}" alt="每日对话数">'
        + f'<h2>评估结论</h2><img src="/staff/plots/verdicts.svg{e(suffix)}" alt="评估结论">'
        + f'<h2>未解决原因</h2><img src="/staff/plots/reasons.svg{e(suffix)}" alt="未解决原因">'
        + "<h2>最慢的回复</h2><table><thead><tr><th>秒</th><th>消息</th><th>意图</th><th>渠道</th>"
        + f"<th>用户</th><th>时间</th></tr></thead><tbody>{slow}</tbody></table>"
    )
    return layout("统计", body, "/staff/metrics")
