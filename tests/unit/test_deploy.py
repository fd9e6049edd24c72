"""The deployment kit (deploy/): what can be checked without containers or network.

The nginx template renders, holds together and routes as the README says (and
`nginx -t` accepts it when nginx is installed; deploy/validate.sh installs it);
the Dockerfiles, the compose file and the Helm values refer only to things that
exist, pass only the project's own variables (.env.example), and carry no secret.
None of this builds or starts a container: see the README's "Deploying".
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any, Dict, List, Tuple

import pytest

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
TEMPLATE = DEPLOY / "nginx" / "callcentre.conf.template"

sys.path.insert(0, str(DEPLOY))
import render_nginx  # noqa: E402


def env_example() -> Dict[str, str]:
    values: Dict[str, str] = {}
    for line in (ROOT / ".env.example").read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#") and "=" in line:
            key, value = line.split("=", 1)
            values[key] = value
    return values


# --- nginx -------------------------------------------------------------------

Block = List[Tuple[str, List[str], Any]]  # (directive, arguments, children or None)


def parse_nginx(text: str) -> Block:
    """A small parser of nginx's syntax: directives end with ';' or open a block.
    Raises ValueError on unbalanced braces or a directive left without ';'."""
    tokens = re.findall(r'"(?:[^"\\]|\\.)*"|\'(?:[^\'\\]|\\.)*\'|#[^\n]*|[{};]|[^\s{};"\']+', text)
    stack: List[Block] = [[]]
    words: List[str] = []
    for token in tokens:
        if token.startswith("#"):
            continue
        if token == ";":
            if not words:
                raise ValueError("empty directive")
            stack[-1].append((words[0], words[1:], None))
            words = []
        elif token == "{":
            if not words:
                raise ValueError("block without a name")
            block: Block = []
            stack[-1].append((words[0], words[1:], block))
            stack.append(block)
            words = []
        elif token == "}":
            if words or len(stack) == 1:
                raise ValueError(f"unexpected '}}' after {words}")
            stack.pop()
        else:
            words.append(token.strip("\"'"))
    if words or len(stack) != 1:
        raise ValueError("unterminated directive or block")
    return stack[0]


def find(block: Block, name: str, *args: str) -> List[Tuple[str, List[str], Any]]:
    return [d for d in block if d[0] == name and (not args or d[1][: len(args)] == list(args))]


def one(block: Block, name: str, *args: str) -> Tuple[str, List[str], Any]:
    found = find(block, name, *args)
    assert len(found) == 1, f"expected one {name} {' '.join(args)}, found {len(found)}"
    return found[0]


def rendered(tmp_path: Path, listen: str = "127.0.0.1:18080") -> str:
    values = render_nginx.template_values(
        ["127.0.0.1:15005", "127.0.0.1:15006"], listen, str(tmp_path)
    )
    return render_nginx.render(TEMPLATE.read_text(encoding="utf-8"), values)


def test_template_placeholders_are_what_the_renderer_and_start_script_fill() -> None:
    names = set(render_nginx.placeholders(TEMPLATE.read_text(encoding="utf-8")))
    assert names == {"LISTEN", "RASA_1", "RASA_2", "MAX_BODY_BYTES", "RUNTIME_DIR"}
    start = (DEPLOY / "nginx" / "start.sh").read_text(encoding="utf-8")
    envsubst_list = re.search(r"envsubst '([^']*)'", start)
    assert envsubst_list is not None
    assert set(re.findall(r"\$\{(\w+)\}", envsubst_list.group(1))) == names


def test_renderer_refuses_missing_values_and_bad_addresses(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="RASA_2"):
        render_nginx.render("${RASA_1} ${RASA_2}", {"RASA_1": "a:1"})
    with pytest.raises(ValueError):
        render_nginx.template_values(["127.0.0.1:5005"], "8080", str(tmp_path))
    with pytest.raises(ValueError):
        render_nginx.template_values(["127.0.0.1:5005", "x; evil"], "8080", str(tmp_path))
    with pytest.raises(ValueError):
        render_nginx.template_values(["a:1", "b:2"], "8080", str(tmp_path), max_body_bytes=10)
    # nginx's own variables are left alone
    assert render_nginx.render("$host ${RASA_1}", {"RASA_1": "a:1"}) == "$host a:1"


def test_renderer_command_line_writes_the_file(tmp_path: Path) -> None:
    out = tmp_path / "nginx.conf"
    code = render_nginx.main([
        "--rasa", "127.0.0.1:15005", "--rasa", "127.0.0.1:15006", "--listen", "127.0.0.1:18080",
        "--runtime-dir", str(tmp_path), "-o", str(out),
    ])
    assert code == 0
    assert out.read_text(encoding="utf-8") == rendered(tmp_path)


def test_rendered_config_routes_as_documented(tmp_path: Path) -> None:
    """Structure, checked whether or not nginx is installed (nginx -t is the next test)."""
    text = rendered(tmp_path)
    assert not re.search(r"\$\{[A-Z]", text), "a placeholder was left in the rendered file"
    tree = parse_nginx(text)
    http = one(tree, "http")[2]
    assert one(tree, "pid")[1] == [f"{tmp_path}/nginx.pid"]

    # the request body limit is the Rasa server's (MAX_BODY_BYTES in .env.example)
    assert one(http, "client_max_body_size")[1] == [env_example()["MAX_BODY_BYTES"]]
    assert render_nginx.DEFAULT_MAX_BODY_BYTES == int(env_example()["MAX_BODY_BYTES"])
    for timeout in ("client_header_timeout", "client_body_timeout", "send_timeout"):
        assert one(http, timeout)

    upstreams = {d[1][0]: d[2] for d in find(http, "upstream")}
    for name, body in upstreams.items():
        servers = [d[1][0] for d in find(body, "server")]
        assert servers == ["127.0.0.1:15005", "127.0.0.1:15006"], name
    assert find(upstreams["rasa_socketio"], "ip_hash"), "socket.io must be sticky"
    assert one(upstreams["rasa_wechat"], "hash")[1] == ["$arg_openid", "consistent"]
    assert one(http, "map", "$http_upgrade", "$connection_upgrade")

    server = one(http, "server")[2]
    assert one(server, "listen")[1] == ["127.0.0.1:18080"]
    locations = {tuple(d[1]): d[2] for d in find(server, "location")}

    def proxied_to(key: Tuple[str, ...]) -> str:
        target = one(locations[key], "proxy_pass")[1][0]
        assert target.startswith("http://") and target[7:] in upstreams, target
        return target[7:]

    assert proxied_to(("=", "/webhooks/rest/webhook")) == "rasa_any"
    assert proxied_to(("=", "/webhooks/wechat/webhook")) == "rasa_wechat"
    assert proxied_to(("/socket.io/",)) == "rasa_socketio"
    assert proxied_to(("/",)) == "rasa_any"  # the HTTP API
    socketio = locations[("/socket.io/",)]
    headers = {d[1][0]: d[1][1] for d in find(socketio, "proxy_set_header")}
    assert headers == {"Upgrade": "$http_upgrade", "Connection": "$connection_upgrade"}
    assert one(server, "proxy_http_version")[1] == ["1.1"]
    for key, body in locations.items():
        if find(body, "proxy_pass"):
            assert find(body, "proxy_read_timeout"), f"location {key} has no read timeout"
    # the query string (OpenID, API token) never reaches the access log
    log_format = " ".join(one(http, "log_format")[1])
    assert "$request " not in log_format and "$args" not in log_format and "$uri" in log_format


def test_envsubst_in_the_container_renders_the_same_file(tmp_path: Path) -> None:
    """deploy/nginx/start.sh (compose) and render_nginx.py (tests, test-scale) agree."""
    envsubst = shutil.which("envsubst")
    if envsubst is None:
        pytest.skip("envsubst (gettext-base) is not installed; the Python renderer is checked above")
    env = dict(os.environ, LISTEN="127.0.0.1:18080", RASA_1="127.0.0.1:15005",
               RASA_2="127.0.0.1:15006", RUNTIME_DIR=str(tmp_path), MAX_BODY_BYTES="65536")
    out = subprocess.run(
        [envsubst, "${LISTEN} ${RASA_1} ${RASA_2} ${RUNTIME_DIR} ${MAX_BODY_BYTES}"],
        input=TEMPLATE.read_text(encoding="utf-8"), env=env, capture_output=True, text=True, check=True,
    ).stdout
    assert out == rendered(tmp_path)


def test_nginx_accepts_the_rendered_config(tmp_path: Path) -> None:
    """`nginx -t` when nginx is installed (deploy/validate.sh installs Debian's);
    without it the structural test above is what checks the file."""
    nginx = shutil.which("nginx") or next(
        (p for p in ("/usr/sbin/nginx", "/usr/local/sbin/nginx") if os.access(p, os.X_OK)), None
    )
    conf = tmp_path / "nginx.conf"
    conf.write_text(rendered(tmp_path), encoding="utf-8")
    if nginx is None:
        # not a silent skip: the structure is still checked, and the output says nginx was absent
        parse_nginx(conf.read_text(encoding="utf-8"))
        print("nginx is not installed: checked the rendered config structurally only")
        return
    result = subprocess.run(
        [nginx, "-t", "-q", "-e", "stderr", "-p", str(tmp_path), "-c", str(conf)],
        capture_output=True, text=True, timeout=60,
    )
    assert result.returncode == 0, result.stderr
