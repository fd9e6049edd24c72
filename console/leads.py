"""线索: the call-backs visitors asked for, read from the conversations that hold them.

A lead is what the lead form (actions/lead.py) leaves in a conversation's tracker:
the slots ``lead_name``, ``lead_company``, ``lead_contact`` and, when the form was
completed, ``lead_submitted: true``. This module finds those in the stored events
(no second database), and shapes them for the JSON API (``GET /staff/api/leads``),
the page (``/staff/leads``) and the CSV download (``/staff/leads.csv``). A WeChat
conversation is named by its public id and its sender masked, as everywhere in the
console; the CSV holds no sender id at all.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, replace
from typing import Any, Dict, Iterable, List, Mapping
from urllib.parse import quote

from console import masking, pages, store
from console.api import Console, Query, iso
from console.queries import day_of
from console.texts import names, t
from zhtext.contacts import parse_contact

SLOTS = {"lead_name": "name", "lead_company": "company", "lead_contact": "contact"}
SUBMITTED = "lead_submitted"
# what staff read for each kind of contact zhtext.contacts recognises
CONTACT_KINDS = names("leads.contact_kinds")
CSV_COLUMNS = ("time", "name", "company", "contact", "contact_kind", "channel", "conversation")
# a spreadsheet runs a cell that starts with one of these as a formula
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class Lead:
    sender_id: str
    channel: str
    timestamp: float
    name: str
    company: str
    contact: str


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def find_leads(events: Iterable[Mapping[str, Any]]) -> List[Lead]:
    """Every completed lead form of the stored ``events`` (of any senders), newest first.

    The values are those the slots held when ``lead_submitted`` was set; a restart
    or a new session clears them, as it clears the tracker's slots."""
    values: Dict[str, Dict[str, str]] = {}
    channels: Dict[str, str] = {}
    found: List[Lead] = []
    for event in events:
        sender = event["sender_id"]
        kind = event.get("event")
        if kind == "user" and sender not in channels and isinstance(event.get("input_channel"), str):
            channels[sender] = event["input_channel"]
        elif kind in ("restart", "session_started"):
            values.pop(sender, None)
        elif kind == "slot" and event.get("name") in SLOTS:
            values.setdefault(sender, {})[SLOTS[event["name"]]] = _text(event.get("value"))
        elif kind == "slot" and event.get("name") == SUBMITTED and event.get("value") is True:
            given = values.get(sender, {})
            found.append(
                Lead(
                    sender_id=sender,
                    channel="",
                    timestamp=float(event["timestamp"]),
                    name=given.get("name", ""),
                    company=given.get("company", ""),
                    contact=given.get("contact", ""),
                )
            )
    # the channel is the conversation's first message's, which may follow the slots
    leads = [replace(lead, channel=channels.get(lead.sender_id, "unknown")) for lead in found]
    return sorted(leads, key=lambda lead: -lead.timestamp)


def _kept(lead: Lead, query: Query) -> bool:
    filters = query.filters
    day = day_of(lead.timestamp)
    return (
        (not filters.channel or lead.channel == filters.channel)
        and (not filters.since or day >= filters.since)
        and (not filters.until or day <= filters.until)
    )


def leads_data(console: Console, query: Query) -> Dict[str, Any]:
    """The leads kept by the query's channel and dates (``outcome`` does not apply)."""
    found = [lead for lead in find_leads(store.read_events(console.db_url)) if _kept(lead, query)]
    page = found[query.offset : query.offset + query.limit]

    def row(lead: Lead) -> Dict[str, Any]:
        parsed = parse_contact(lead.contact)
        return {
            "time": iso(lead.timestamp),
            "name": lead.name,
            "company": lead.company,
            "contact": lead.contact,
            "contact_kind": parsed.kind if parsed else None,
            "channel": lead.channel,
            "conversation": masking.public_id(lead.sender_id, lead.channel, console.id_key),
            "sender_id": masking.shown_sender(lead.sender_id, lead.channel),
        }

    return {
        "total": len(found),
        "offset": query.offset,
        "limit": query.limit,
        "leads": [row(x) for x in page],
    }


def _cell(value: Any) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def leads_csv(data: Mapping[str, Any]) -> str:
    """The leads as CSV (UTF-8 with a byte-order mark, so spreadsheet programs read the
    Chinese); the conversation column is the console's public id, never an OpenID."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for lead in data["leads"]:
        writer.writerow([_cell(lead[column]) for column in CSV_COLUMNS])
    return "\ufeff" + out.getvalue()


def leads_page(data: Mapping[str, Any], params: Mapping[str, str]) -> str:
    e = pages.e
    rows = "".join(
        f'<tr><td>{e(x["time"])}</td><td>{e(x["name"])}</td><td>{e(x["company"])}</td>'
        f'<td>{e(x["contact"])}</td><td>{e(CONTACT_KINDS.get(x["contact_kind"] or "", ""))}</td>'
        f'<td>{e(x["channel"])}</td>'
        f'<td><a href="/staff/conversations/{quote(x["conversation"], safe="")}">{e(x["sender_id"])}</a></td></tr>'
        for x in data["leads"]
    )
    table = (
        f'<table>{pages.head_row("leads.columns")}<tbody>{rows}</tbody></table>'
        if rows
        else f'<p class="empty">{t("leads.empty")}</p>'
    )
    query = "&".join(f"{quote(k)}={quote(v)}" for k, v in params.items() if v and k != "outcome")
    download = f'<p><a href="/staff/leads.csv{"?" + e(query) if query else ""}">{t("leads.download")}</a></p>'
    head = f'<p>{t("leads.count", total=data["total"])}</p>'
    body = pages.filter_form("/staff/leads", params) + head + download + table
    return pages.layout(t("nav.leads"), body, "/staff/leads")
