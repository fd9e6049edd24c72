"""The console's routes, independent of the HTTP server that carries them.

scripts/serve_web.py hands every request under /staff to ``handle`` and writes the
``Response`` back. Every route needs the staff token (``console.auth``); without a
configured token every route answers 503.

    GET  /staff/                        conversations (filters: channel, since, until, outcome)
    GET  /staff/conversations/<id>      one transcript
    GET  /staff/unanswered              未解决的问题, grouped; POST /staff/export downloads YAML
    GET  /staff/metrics                 figures and charts (/staff/plots/<name>.svg)
    GET  /staff/tickets                 the paused (handed-off) conversations: the tickets staff own
    GET  /staff/leads, /staff/leads.csv  线索: the call-backs visitors asked for (console.leads)
    POST /staff/conversations/<id>/resume  the bot answers a paused (handed-off) user again
    POST /staff/conversations/<id>/reply   a staff member's answer to a paused user (form: text)
    POST /staff/login, /staff/logout    the sign-in cookie
    GET  /staff/api/conversations[/<id>], /staff/api/unanswered, /staff/api/metrics,
         /staff/api/intents, /staff/api/leads;  POST /staff/api/export  {"intent": ..., "items": [...]}
    POST /staff/api/conversations/<id>/resume  (404 unknown, 409 not paused, 502/503 Rasa)
    GET  /staff/api/tickets
    POST /staff/api/conversations/<id>/reply  {"text": ...}  (404 unknown; 409 not paused, a channel
         no reply reaches, or WeChat's 48-hour window closed; 502/503 Rasa or WeChat)

The console writes only through Rasa's HTTP API (``console.rasa_api``) and, for a reply
to a WeChat user, WeChat's customer-service API (``console.replies``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, List, Mapping, Optional, Sequence, Tuple
from urllib.parse import parse_qs, quote, unquote

from console import api, leads, pages
from console.auth import OFF_MESSAGE, Auth
from console.rasa_api import RasaApi, RasaApiError
from console.replies import ReplyError, ReplyUnavailable, WeChatApi, WindowClosed
from console.queries import Conversation
from console.store import StoreError
from console.texts import t
from console.unanswered import ExportError, export_yaml

STATIC = Path(__file__).resolve().parent / "static"
STATIC_TYPES = {
    ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".svg": "image/svg+xml",
}
MAX_BODY = 1 << 20
PAGE_POLICY = "; ".join(
    [
        "default-src 'none'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self'",
        "form-action 'self'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
    ]
)
# matplotlib's SVG styles its elements inline; shown through <img>, it runs nothing
SVG_POLICY = "default-src 'none'; style-src 'unsafe-inline'"
JSON = "application/json; charset=utf-8"
HTML = "text/html; charset=utf-8"


@dataclass
class Request:
    method: str
    path: str
    query: str
    headers: Mapping[str, str]
    body: bytes = b""


@dataclass
class Response:
    status: int
    body: bytes
    content_type: str
    headers: List[Tuple[str, str]] = field(default_factory=list)
    policy: str = PAGE_POLICY


@dataclass(frozen=True)
class Config:
    auth: Auth
    db_url: str
    rasa: RasaApi = RasaApi()
    # one client for the process, so its access token is kept between requests
    wechat: WeChatApi = field(default_factory=WeChatApi)

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> "Config":
        return cls(
            Auth.from_env(env),
            env.get("TRACKER_DB_URL") or "sqlite:///var/tracker.db",
            RasaApi.from_env(env),
            WeChatApi.from_env(env),
        )


def is_console(path: str) -> bool:
    return path == "/staff" or path.startswith("/staff/")


def _json(status: int, data: Any, headers: Optional[List[Tuple[str, str]]] = None) -> Response:
    body = json.dumps(data, ensure_ascii=False, indent=1).encode("utf-8")
    return Response(status, body, JSON, headers or [])


def _html(status: int, text: str, headers: Optional[List[Tuple[str, str]]] = None) -> Response:
    return Response(status, text.encode("utf-8"), HTML, headers or [])


def _redirect(location: str, headers: Optional[List[Tuple[str, str]]] = None) -> Response:
    return Response(303, b"", HTML, [("Location", location), *(headers or [])])


def _error(request: Request, status: int, message: str) -> Response:
    if request.path.startswith("/staff/api/"):
        return _json(status, {"error": message})
    return _html(status, pages.message_page(t("error_title"), message))


def _same_origin(request: Request) -> bool:
    """A form POST must come from a console page (cookies are SameSite=Strict too)."""
    origin = request.headers.get("Origin")
    host = request.headers.get("Host")
    return origin is None or (host is not None and origin in (f"http://{host}", f"https://{host}"))


def handle(request: Request, config: Config) -> Response:
    if not config.auth.enabled:
        return _error(request, 503, OFF_MESSAGE)
    if len(request.body) > MAX_BODY:
        return _error(request, 413, "request body too large")
    path = unquote(request.path)
    if request.method == "POST" and path in ("/staff/login", "/staff/logout"):
        return _session(request, config.auth, path)
    if not config.auth.allows(request.headers):
        if path.startswith("/staff/api/"):
            return _json(
                401,
                {"error": "staff token required (Authorization: Bearer <STAFF_TOKEN>)"},
                [("WWW-Authenticate", 'Bearer realm="staff"')],
            )
        return _html(401, pages.signin())
    if request.method == "POST" and request.headers.get("Cookie") and not _same_origin(request):
        return _error(request, 403, "cross-origin request refused")
    console = api.Console(config.db_url, config.auth.id_key, config.rasa, config.wechat)
    try:
        return _route(request, path, parse_qs(request.query, keep_blank_values=False), console)
    except api.BadRequest as error:
        return _error(request, 400, str(error))
    except (api.NotPaused, api.CannotReply, WindowClosed) as error:
        return _error(request, 409, str(error))
    except ReplyUnavailable as error:
        return _error(request, 503, str(error))
    except ReplyError as error:
        return _error(request, 502, str(error))
    except RasaApiError as error:
        return _error(request, 502 if console.rasa.enabled else 503, str(error))
    except ExportError as error:
        return _error(request, 400, str(error))
    except StoreError as error:
        return _error(request, 503, str(error))


def _session(request: Request, auth: Auth, path: str) -> Response:
    if not _same_origin(request):
        return _html(403, pages.signin(t("signin.from_console")))
    if path == "/staff/logout":
        return _redirect("/staff/", [("Set-Cookie", auth.clear_cookie())])
    form = parse_qs(request.body.decode("utf-8", "replace"))
    if auth.token_matches((form.get("token") or [""])[0]):
        return _redirect("/staff/", [("Set-Cookie", auth.set_cookie())])
    return _html(401, pages.signin(t("signin.wrong_token")))


def _route(request: Request, path: str, query: Dict[str, List[str]], console: api.Console) -> Response:
    if path == "/staff":
        return _redirect("/staff/")
    if request.method == "POST":
        if path == "/staff/api/export":
            return _api_export(request)
        if path == "/staff/export":
            return _form_export(request)
        if path.startswith(("/staff/api/conversations/", "/staff/conversations/")):
            if path.endswith(RESUME):
                return _resume(request, path, console)
            if path.endswith(REPLY):
                return _reply(request, path, console)
        return _error(request, 405, "method not allowed")
    if request.method not in ("GET", "HEAD"):
        return _error(request, 405, "method not allowed")
    if path.startswith("/staff/static/"):
        return _static(path[len("/staff/static/") :])
    if path.startswith("/staff/api/"):
        return _api(path[len("/staff/api/") :], query, console, request)
    if path.startswith("/staff/plots/"):
        return _plot(path[len("/staff/plots/") :], query, console)
    params = {k: v[0] for k, v in query.items() if v}
    if path == "/staff/":
        return _html(200, pages.conversations_page(console.conversations(api.parse_query(query)), params))
    if path.startswith("/staff/conversations/"):
        found = console.find(path[len("/staff/conversations/") :])
        if found is None:
            return _error(request, 404, "no such conversation")
        return _html(200, pages.conversation_page(console.detail(found)))
    if path == "/staff/unanswered":
        data = console.unanswered(api.parse_query(query))
        return _html(200, pages.unanswered_page(data, params, api.labels()))
    if path == "/staff/metrics":
        return _html(200, pages.metrics_page(console.metrics(api.parse_query(query)), params))
    if path == "/staff/tickets":
        return _html(200, pages.tickets_page(console.tickets()))
    if path in ("/staff/leads", "/staff/leads.csv"):
        return _leads(path, query, params, console)
    return _error(request, 404, "not found")


def _leads(path: str, query: Dict[str, List[str]], params: Dict[str, str], console: api.Console) -> Response:
    data = leads.leads_data(console, api.parse_query(query))
    if path.endswith(".csv"):
        disposition = [("Content-Disposition", 'attachment; filename="leads.csv"')]
        return Response(200, leads.leads_csv(data).encode("utf-8"), "text/csv; charset=utf-8", disposition)
    return _html(200, leads.leads_page(data, params))


RESUME = "/resume"
REPLY = "/reply"


def _target(path: str, suffix: str, console: api.Console) -> Optional[Conversation]:
    """The conversation of a POST .../conversations/<id><suffix>, if it exists."""
    prefix = "/staff/api/conversations/" if path.startswith("/staff/api/") else "/staff/conversations/"
    conversation_id = path[len(prefix) : -len(suffix)]
    return console.find(conversation_id) if conversation_id else None


def _resume(request: Request, path: str, console: api.Console) -> Response:
    """POST .../conversations/<id>/resume: the JSON answer, or back to the page."""
    found = _target(path, RESUME, console)
    if found is None:
        return _error(request, 404, "no such conversation")
    result = console.resume(found)
    if path.startswith("/staff/api/"):
        return _json(200, result)
    return _redirect("/staff/conversations/" + quote(result["id"], safe=""))


def _reply(request: Request, path: str, console: api.Console) -> Response:
    """POST .../conversations/<id>/reply: JSON {"text": ...} to the API, a form's
    ``text`` from the conversation page (back to it)."""
    found = _target(path, REPLY, console)
    if found is None:
        return _error(request, 404, "no such conversation")
    if not path.startswith("/staff/api/"):
        text = (parse_qs(request.body.decode("utf-8", "replace")).get("text") or [""])[0]
        result = console.reply(found, text)
        return _redirect("/staff/conversations/" + quote(result["id"], safe=""))
    try:
        body = json.loads(request.body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        body = None
    if not isinstance(body, dict):
        raise api.BadRequest('the body must be JSON: {"text": "..."}')
    return _json(200, console.reply(found, body.get("text")))


def _api(name: str, query: Dict[str, List[str]], console: api.Console, request: Request) -> Response:
    if name == "conversations":
        return _json(200, console.conversations(api.parse_query(query)))
    if name.startswith("conversations/"):
        found = console.find(name[len("conversations/") :])
        if found is None:
            return _json(404, {"error": "no such conversation"})
        return _json(200, console.detail(found))
    if name == "unanswered":
        return _json(200, console.unanswered(api.parse_query(query)))
    if name == "metrics":
        return _json(200, console.metrics(api.parse_query(query)))
    if name == "intents":
        return _json(200, {"intents": list(api.labels())})
    if name == "tickets":
        return _json(200, console.tickets())
    if name == "leads":
        return _json(200, leads.leads_data(console, api.parse_query(query)))
    return _json(404, {"error": "not found"})


def _plot(name: str, query: Dict[str, List[str]], console: api.Console) -> Response:
    from console import plots  # matplotlib: loaded when a chart is first asked for, not at start

    figures = console.metrics(api.parse_query(query))
    if name == "per-day.svg":
        body = plots.per_day_svg(figures["per_day"])
    elif name == "verdicts.svg":
        body = plots.bars_svg(figures["interview"]["verdicts"], t("metrics.verdicts"))
    elif name == "reasons.svg":
        body = plots.bars_svg(figures["unanswered_reasons"], t("metrics.reasons"))
    else:
        return _json(404, {"error": "not found"})
    return Response(200, body, "image/svg+xml", policy=SVG_POLICY)


def _static(name: str) -> Response:
    path = STATIC / name
    if "/" in name or path.suffix not in STATIC_TYPES or not path.is_file():
        return _json(404, {"error": "not found"})
    return Response(200, path.read_bytes(), STATIC_TYPES[path.suffix])


def _download(text: str, intent: str) -> Response:
    filename = "nlu-candidates-" + intent.replace("/", "-") + ".yml"
    return Response(
        200,
        text.encode("utf-8"),
        "application/x-yaml; charset=utf-8",
        [("Content-Disposition", f'attachment; filename="{filename}"')],
    )


def _texts(items: Sequence[Any]) -> List[str]:
    texts = []
    for item in items:
        text = item.get("text") if isinstance(item, dict) else item
        if not isinstance(text, str):
            raise ExportError("each item must be a text or an object with a text")
        texts.append(text)
    return texts


def _api_export(request: Request) -> Response:
    try:
        body = json.loads(request.body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise ExportError('the body must be JSON: {"intent": ..., "items": [...]}') from None
    if not isinstance(body, dict) or not isinstance(body.get("items"), list):
        raise ExportError('the body must be JSON: {"intent": ..., "items": [...]}')
    intent = body.get("intent")
    return _download(export_yaml(_texts(body["items"]), intent, api.labels()), str(intent))


def _form_export(request: Request) -> Response:
    form = parse_qs(request.body.decode("utf-8", "replace"))
    intent = (form.get("intent") or [""])[0]
    return _download(export_yaml(form.get("text") or [], intent, api.labels()), intent)
