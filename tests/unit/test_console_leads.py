"""线索 in the console: leads found in the tracker store, the API, the page, the CSV."""

from __future__ import annotations

import asyncio
import csv
import io
import json
from pathlib import Path
from typing import Any, Dict, List

import pytest
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import Event, SlotSet
from rasa.shared.core.trackers import DialogueStateTracker

from console import app
from console.auth import Auth
from console.leads import find_leads
from console.texts import t
from tests.unit.console_trackers import OPENID, ROOT, at, user

TOKEN = "staff-leads-token"
WEB = "socket-visitor-7"


def lead(name: str, company: str, contact: str, ts: float, submitted: bool = True) -> List[Event]:
    events: List[Event] = [
        SlotSet("lead_name", name, timestamp=ts),
        SlotSet("lead_company", company, timestamp=ts + 1),
        SlotSet("lead_contact", contact, timestamp=ts + 2),
    ]
    if submitted:
        events.append(SlotSet("lead_submitted", True, timestamp=ts + 3))
    return events


def stored() -> Dict[str, List[Event]]:
    return {
        WEB: [
            user("办证要多少钱", "faq", 0.9, "socketio", at(3, 10, 0), fine="faq/cost"),
            *lead("王磊", "=HYPERLINK(1)", "13812345678", at(3, 10, 1)),
        ],
        OPENID: [
            user("费用多少", "faq", 0.9, "wechat", at(3, 11, 0), fine="faq/cost"),
            *lead("李工", "某某科技", "li_gong88", at(3, 11, 1)),
        ],
        "rest-stopped": [
            user("多少钱", "faq", 0.9, "rest", at(3, 12, 0), fine="faq/cost"),
            *lead("赵六", "某公司", "", at(3, 12, 1), submitted=False),
        ],
    }


@pytest.fixture(scope="module")
def config(tmp_path_factory: pytest.TempPathFactory) -> app.Config:
    db = Path(tmp_path_factory.mktemp("leads")) / "tracker.db"
    domain = Domain.load(str(ROOT / "domain.yml"))
    tracker_store = SQLTrackerStore(domain=domain, dialect="sqlite", db=str(db))
    for sender, events in stored().items():
        asyncio.run(tracker_store.save(DialogueStateTracker.from_events(sender, events, domain.slots)))
    tracker_store.engine.dispose()
    return app.Config(Auth(TOKEN), f"sqlite:///{db}")


def get(config: app.Config, path: str, query: str = "", token: str = TOKEN) -> app.Response:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return app.handle(app.Request("GET", path, query, headers), config)


def event(sender: str, kind: str, ts: float, **fields: Any) -> Dict[str, Any]:
    return {"sender_id": sender, "event": kind, "timestamp": ts, **fields}


def test_a_lead_is_what_the_slots_held_when_it_was_submitted() -> None:
    events = [
        event("a", "user", 1.0, input_channel="rest", text="多少钱"),
        event("a", "slot", 2.0, name="lead_name", value="王磊"),
        event("a", "slot", 3.0, name="lead_contact", value="13812345678"),
        event("a", "slot", 4.0, name="lead_submitted", value=True),
        event("a", "slot", 5.0, name="lead_name", value=None),  # a later form started
        event("b", "slot", 6.0, name="lead_name", value="赵六"),
        event("b", "restart", 7.0),
        event("b", "slot", 8.0, name="lead_submitted", value=True),
        event("c", "slot", 9.0, name="lead_name", value="没交"),  # stopped: never submitted
    ]
    found = find_leads(events)
    assert [(x.sender_id, x.name, x.contact, x.channel) for x in found] == [
        ("b", "", "", "unknown"),
        ("a", "王磊", "13812345678", "rest"),
    ]


@pytest.mark.parametrize("path", ["/staff/api/leads", "/staff/leads", "/staff/leads.csv"])
def test_leads_need_the_token(config: app.Config, path: str) -> None:
    assert get(config, path, token="").status == 401
    assert get(config, path, token="wrong").status == 401
    assert get(config, path).status == 200


def test_the_api_lists_completed_leads_newest_first_with_openids_masked(config: app.Config) -> None:
    data = json.loads(get(config, "/staff/api/leads").body)
    assert data["total"] == 2
    wechat, web = data["leads"]
    assert (wechat["name"], wechat["contact"], wechat["contact_kind"]) == ("李工", "li_gong88", "wechat")
    assert wechat["channel"] == "wechat" and wechat["conversation"].startswith("wx-")
    assert OPENID not in json.dumps(data)
    assert (web["name"], web["contact_kind"], web["conversation"]) == ("王磊", "mobile", WEB)
    only_web = json.loads(get(config, "/staff/api/leads", "channel=socketio").body)
    assert [x["name"] for x in only_web["leads"]] == ["王磊"]


def test_the_page_links_each_lead_to_its_conversation(config: app.Config) -> None:
    page = get(config, "/staff/leads").body.decode()
    assert t("nav.leads") in page and "王磊" in page and "li_gong88" in page
    assert f'href="/staff/conversations/{WEB}"' in page and OPENID not in page
    assert "赵六" not in page  # stopped before the end


def test_the_csv_has_no_openid_and_no_formula(config: app.Config) -> None:
    response = get(config, "/staff/leads.csv")
    assert response.content_type.startswith("text/csv")
    text = response.body.decode("utf-8-sig")
    assert OPENID not in text
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [r["name"] for r in rows] == ["李工", "王磊"]
    assert rows[1]["company"] == "'=HYPERLINK(1)"
    assert "sender_id" not in rows[0]
