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
import yaml

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
    values = render_nginx.template_values(["127.0.0.1:15005", "127.0.0.1:15006"], listen, str(tmp_path))
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
    code = render_nginx.main(
        [
            "--rasa",
            "127.0.0.1:15005",
            "--rasa",
            "127.0.0.1:15006",
            "--listen",
            "127.0.0.1:18080",
            "--runtime-dir",
            str(tmp_path),
            "-o",
            str(out),
        ]
    )
    assert code == 0
    assert out.read_text(encoding="utf-8") == rendered(tmp_path)


def test_rendered_config_routes_as_documented(tmp_path: Path) -> None:
    """Structure, checked whether or not nginx is installed (nginx -t is the next test)."""
    text = rendered(tmp_path)
    assert not re.search(r"\$\{[A-Z]", text), "a placeholder was left in the rendered file"
    tree = parse_nginx(text)
    http = one(tree, "http")[2]
    assert one(tree, "pid")[1] == [f"{tmp_path}/nginx.pid"]
    # a reload drains: websockets and long polls cannot keep an old worker forever,
    # and no REST answer (reply_timeout 20 s) is cut
    assert one(tree, "worker_shutdown_timeout")[1] == ["30s"]

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

    def headers(block: Block) -> Dict[str, str]:
        return {d[1][0]: d[1][1] for d in find(block, "proxy_set_header")}

    socketio = headers(locations[("/socket.io/",)])
    assert socketio["Upgrade"] == "$http_upgrade" and socketio["Connection"] == "$connection_upgrade"
    assert one(server, "proxy_http_version")[1] == ["1.1"]
    for key, body in locations.items():
        if find(body, "proxy_pass"):
            assert find(body, "proxy_read_timeout"), f"location {key} has no read timeout"
            # nginx: a location with any proxy_set_header of its own inherits none
            effective = headers(body) or headers(server)
            assert effective["X-Forwarded-For"] == "$proxy_add_x_forwarded_for", key
            assert effective["Host"] == "$host" and effective["X-Real-IP"] == "$remote_addr", key
    # the query string (OpenID, API token) never reaches the access log
    log_format = " ".join(one(http, "log_format")[1])
    assert "$request " not in log_format and "$args" not in log_format and "$uri" in log_format


def test_rest_messages_move_on_only_when_no_server_took_them(tmp_path: Path) -> None:
    """A refused or timed-out connection sends a REST message to the other server;
    never "non_idempotent", with which nginx would send a POST a server had
    already received to the other one too, and the turn would be handled twice."""
    http = one(parse_nginx(rendered(tmp_path)), "http")[2]
    server = one(http, "server")[2]
    rest = one(server, "location", "=", "/webhooks/rest/webhook")[2]
    assert one(rest, "proxy_next_upstream")[1] == ["error", "timeout"]
    assert one(rest, "proxy_next_upstream_tries")[1] == ["2"]

    def directives(block: Block) -> List[List[str]]:
        found: List[List[str]] = []
        for name, args, children in block:
            found.append([name, *args])
            if children:
                found.extend(directives(children))
        return found

    assert not any("non_idempotent" in d for d in directives(http))


def test_a_server_marked_down_is_down_in_every_upstream(tmp_path: Path) -> None:
    """render_nginx.py --down, step 1 of the rolling restart in the template's
    header: the server is ``down`` in all three upstreams, nothing else changes,
    and the last server up cannot be taken out."""
    text = rendered(tmp_path)
    drained = render_nginx.mark_down(text, ["127.0.0.1:15006"])
    http = one(parse_nginx(drained), "http")[2]
    upstreams = find(http, "upstream")
    assert len(upstreams) == 3
    for _, (name, *_), body in upstreams:
        servers = {d[1][0]: d[1][1:] for d in find(body, "server")}
        assert servers["127.0.0.1:15006"][-1] == "down", name
        assert "down" not in servers["127.0.0.1:15005"], name
    assert drained.replace(" down;", ";") == text
    assert render_nginx.mark_down(drained, []) == drained
    with pytest.raises(ValueError, match="every server"):
        render_nginx.mark_down(drained, ["127.0.0.1:15005"])
    with pytest.raises(ValueError, match="not a server"):
        render_nginx.mark_down(text, ["127.0.0.1:1500"])

    out = tmp_path / "nginx.conf"
    code = render_nginx.main(
        [
            "--rasa",
            "127.0.0.1:15005",
            "--rasa",
            "127.0.0.1:15006",
            "--listen",
            "127.0.0.1:18080",
            "--runtime-dir",
            str(tmp_path),
            "--down",
            "127.0.0.1:15006",
            "-o",
            str(out),
        ]
    )
    assert code == 0
    assert out.read_text(encoding="utf-8") == drained


def test_envsubst_in_the_container_renders_the_same_file(tmp_path: Path) -> None:
    """deploy/nginx/start.sh (compose) and render_nginx.py (tests, test-scale) agree."""
    envsubst = shutil.which("envsubst")
    if envsubst is None:
        pytest.skip("envsubst (gettext-base) is not installed; the Python renderer is checked above")
    env = dict(
        os.environ,
        LISTEN="127.0.0.1:18080",
        RASA_1="127.0.0.1:15005",
        RASA_2="127.0.0.1:15006",
        RUNTIME_DIR=str(tmp_path),
        MAX_BODY_BYTES="65536",
    )
    out = subprocess.run(
        [envsubst, "${LISTEN} ${RASA_1} ${RASA_2} ${RUNTIME_DIR} ${MAX_BODY_BYTES}"],
        input=TEMPLATE.read_text(encoding="utf-8"),
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert out == rendered(tmp_path)


@pytest.mark.parametrize("down", [[], ["127.0.0.1:15006"]], ids=["both-up", "one-down"])
def test_nginx_accepts_the_rendered_config(tmp_path: Path, down: List[str]) -> None:
    """`nginx -t` when nginx is installed (deploy/validate.sh installs Debian's),
    as rendered and with a server marked down (a rolling restart); without nginx
    the structural tests above are what check the file."""
    nginx = shutil.which("nginx") or next(
        (p for p in ("/usr/sbin/nginx", "/usr/local/sbin/nginx") if os.access(p, os.X_OK)), None
    )
    conf = tmp_path / "nginx.conf"
    conf.write_text(render_nginx.mark_down(rendered(tmp_path), down), encoding="utf-8")
    if nginx is None:
        # not a silent skip: the structure is still checked, and the output says nginx was absent
        parse_nginx(conf.read_text(encoding="utf-8"))
        print("nginx is not installed: checked the rendered config structurally only")
        return
    result = subprocess.run(
        [nginx, "-t", "-q", "-e", "stderr", "-p", str(tmp_path), "-c", str(conf)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr


# --- images ------------------------------------------------------------------


def dockerfile(name: str) -> List[Tuple[str, str]]:
    """(INSTRUCTION, arguments) of a Dockerfile, continuation lines joined."""
    text = (DEPLOY / name).read_text(encoding="utf-8")
    text = re.sub(r"\\\n", " ", text)
    steps = []
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            instruction, _, args = line.partition(" ")
            steps.append((instruction.upper(), args.strip()))
    return steps


def final_stage(steps: List[Tuple[str, str]]) -> List[Tuple[str, str]]:
    last_from = max(i for i, (instruction, _) in enumerate(steps) if instruction == "FROM")
    return steps[last_from:]


@pytest.mark.parametrize("name", ["Dockerfile", "Dockerfile.actions"])
def test_images_run_as_a_user_on_python_310_slim_without_telemetry(name: str) -> None:
    steps = dockerfile(name)
    assert ("ARG", "PYTHON_IMAGE=python:3.10-slim-bookworm") in steps
    assert all(args.startswith("${PYTHON_IMAGE}") for instruction, args in steps if instruction == "FROM")
    final = final_stage(steps)
    users = [args for instruction, args in final if instruction == "USER"]
    assert users and users[-1] not in ("root", "0"), "the server must not run as root"
    env = " ".join(args for instruction, args in final if instruction == "ENV")
    assert "RASA_TELEMETRY_ENABLED=false" in env
    assert any(instruction == "HEALTHCHECK" for instruction, _ in final)
    assert ("ENTRYPOINT", '["/app/deploy/entrypoint.sh"]') in final
    assert os.access(DEPLOY / "entrypoint.sh", os.X_OK), "the entry point must keep its executable bit"
    # every file copied from the build context exists in the repository
    for instruction, args in steps:
        if instruction == "COPY" and "--from=" not in args:
            for source in args.split()[:-1]:
                assert (ROOT / source).exists(), f"{name}: COPY {source}: no such file"
    ignore = (DEPLOY / f"{name}.dockerignore").read_text(encoding="utf-8").splitlines()
    for private in (".venv", ".env", ".git", "models", "var/*"):
        assert private in ignore, f"{name}.dockerignore must leave out {private}"


def test_rasa_image_is_built_by_the_makefile_targets() -> None:
    runs = [args for instruction, args in dockerfile("Dockerfile") if instruction == "RUN"]
    assert "make .venv/.installed" in runs and "make train" in runs
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert re.search(r"^VENV\s*:= \.venv$", makefile, re.M)
    assert re.search(r"^\$\(VENV\)/\.installed:", makefile, re.M)
    assert "--require-hashes -r requirements.lock" in makefile
    assert re.search(r"^train: \$\(MODEL\)", makefile, re.M)
    assert "build_spacy.py" in makefile and "MODEL       := models/callcentre.tar.gz" in makefile


def test_actions_image_installs_its_own_lock_with_hashes() -> None:
    runs = " ".join(args for instruction, args in dockerfile("Dockerfile.actions") if instruction == "RUN")
    assert "--require-hashes -r requirements-actions.lock" in runs
    assert '"pip==24.0"' in runs and "scripts/find_python.sh" in runs


def fake_commands(tmp_path: Path) -> Dict[str, str]:
    """PATH with `rasa` and `python` that print their arguments and SANIC_HOST."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for name in ("rasa", "python"):
        script = bin_dir / name
        script.write_text(
            f'#!/bin/sh\necho "{name} $* SANIC_HOST=$SANIC_HOST TELEMETRY=$RASA_TELEMETRY_ENABLED"\n'
        )
        script.chmod(0o755)
    return {
        "PATH": f"{bin_dir}:/usr/bin:/bin",
        "HOME": str(tmp_path),
        "ACTIONS_PORT": "5055",
        "RASA_PORT": "5005",
        "RASA_CORS_ORIGINS": "https://a.example https://b.example",
    }


def test_entrypoint_starts_rasa_like_run_sh_but_on_all_interfaces(tmp_path: Path) -> None:
    env = dict(fake_commands(tmp_path), RASA_AUTH_TOKEN="-tok")
    out = subprocess.run(
        ["bash", str(DEPLOY / "entrypoint.sh"), "rasa", "--endpoints", "deploy/endpoints.yml"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    ).stdout.split()
    assert out[:4] == ["rasa", "run", "--model", "models/callcentre.tar.gz"]
    for expected in ("--enable-api", "--auth-token=-tok", "--credentials", "credentials.yml"):
        assert expected in out
    assert out[out.index("-i") + 1] == "0.0.0.0" and out[out.index("--port") + 1] == "5005"
    cors = out.index("--cors")
    assert out[cors + 1 : cors + 3] == ["https://a.example", "https://b.example"]
    # the compose file's --endpoints comes last, so it wins over the default
    assert out[-4:-2] == ["--endpoints", "deploy/endpoints.yml"]
    assert "TELEMETRY=false" in out


def test_entrypoint_refuses_rasa_without_a_token(tmp_path: Path) -> None:
    env = dict(fake_commands(tmp_path), RASA_AUTH_TOKEN="")
    result = subprocess.run(
        ["bash", str(DEPLOY / "entrypoint.sh"), "rasa"], env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 64 and "RASA_AUTH_TOKEN" in result.stderr


def test_entrypoint_starts_the_action_server_with_rasa_sdk(tmp_path: Path) -> None:
    env = dict(fake_commands(tmp_path), ACTIONS_HOST="0.0.0.0")
    out = subprocess.run(
        ["bash", str(DEPLOY / "entrypoint.sh"), "actions"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    ).stdout.split()
    assert out[:7] == ["python", "-m", "rasa_sdk", "--actions", "actions", "--port", "5055"]
    assert "SANIC_HOST=0.0.0.0" in out


def test_container_endpoints_differ_from_the_project_only_in_the_action_server() -> None:
    project = yaml.safe_load((ROOT / "endpoints.yml").read_text(encoding="utf-8"))
    container = yaml.safe_load((DEPLOY / "endpoints.yml").read_text(encoding="utf-8"))
    assert container["action_endpoint"]["url"] == "http://actions:${ACTIONS_PORT}/webhook"
    assert project["action_endpoint"]["url"] == "http://127.0.0.1:${ACTIONS_PORT}/webhook"
    for section in (project, container):
        section.pop("action_endpoint")
    assert container == project
    assert "actions" in compose()["services"]


# --- docker-compose.yml --------------------------------------------------------

COMPOSE = DEPLOY / "docker-compose.yml"
REQUIRED = {"RASA_AUTH_TOKEN", "TRACKER_DB_URL", "LOCK_STORE_URL"}
# literal values allowed in the compose file: settings for inside a container, no secret
LITERALS = {("actions", "ACTIONS_HOST"): "0.0.0.0"}


def compose() -> Dict[str, Any]:
    return yaml.safe_load(COMPOSE.read_text(encoding="utf-8"))


def test_compose_refers_only_to_services_networks_volumes_and_files_that_exist() -> None:
    data = compose()
    services = data["services"]
    assert {"nginx", "rasa1", "rasa2", "actions", "postgres", "redis"} <= set(services)
    for name, service in services.items():
        depends = service.get("depends_on", {})
        assert set(depends) <= set(services), f"{name} depends on a service that does not exist"
        assert name not in depends
        assert set(service.get("networks", [])) <= set(data["networks"]), name
        for volume in service.get("volumes", []):
            source = volume.split(":")[0]
            if source.startswith("."):
                assert (DEPLOY / source).exists(), f"{name}: bind mount {source} does not exist"
            else:
                assert source in data["volumes"], f"{name}: named volume {source} is not declared"
        build = service.get("build")
        if build:
            assert (DEPLOY / build["context"] / build["dockerfile"]).is_file(), name
        # scripts run from a mount exist in deploy/
        for word in service.get("entrypoint", []):
            if word.startswith("/deploy/"):
                assert (DEPLOY / word[len("/deploy/") :]).is_file(), f"{name}: {word}"
        for word in service.get("healthcheck", {}).get("test", []):
            if word.startswith("/deploy/"):
                assert (DEPLOY / word[len("/deploy/") :]).is_file(), f"{name}: {word}"
    # the nginx upstreams are the two Rasa services, on the port they listen on
    listen, *upstreams = services["nginx"]["command"]
    assert upstreams == ["rasa1:${RASA_PORT:-5005}", "rasa2:${RASA_PORT:-5005}"]
    assert set(services["nginx"]["depends_on"]) == {"rasa1", "rasa2"}
    assert services["nginx"]["ports"] == ["${RASA_PORT:-5005}:" + listen]
    assert [n for n, s in services.items() if "ports" in s] == ["nginx"], "only nginx is published"
    assert data["networks"]["backend"] == {"internal": True}


def test_compose_passes_only_the_project_variables_and_no_secret() -> None:
    example = env_example()
    text = COMPOSE.read_text(encoding="utf-8")
    for match in re.finditer(r"\$\{(\w+)(?:(:?[-?])([^}]*))?\}", text):
        name, operator, default = match.groups()
        assert name in example, f"${{{name}}} is not in .env.example"
        if operator == ":-":
            assert default == example[name], f"{name}: the default differs from .env.example"
        elif name in REQUIRED:
            assert operator == ":?", f"{name} is required: ${{{name}:?...}}"
        else:
            pytest.fail(f"${{{name}}} without a default")
    for service_name, service in compose()["services"].items():
        for key, value in service.get("environment", {}).items():
            assert key in example, f"{service_name} passes {key}, which is not in .env.example"
            value = str(value)
            if (service_name, key) in LITERALS:
                assert value == LITERALS[(service_name, key)]
            else:
                assert re.fullmatch(
                    r"\$\{%s(:[-?][^}]*)?\}" % key, value
                ), f"{service_name}.{key} must come from the environment, not be written here"
    rasa = compose()["services"]
    assert rasa["rasa1"]["environment"] == rasa["rasa2"]["environment"]
    assert REQUIRED <= set(rasa["rasa1"]["environment"])


@pytest.mark.parametrize(
    "url, expected",
    [
        (
            "postgresql://rasa:s3cret@postgres:5432/rasa",
            {"scheme": "postgresql", "user": "rasa", "password": "s3cret", "host": "postgres", "db": "rasa"},
        ),
        (
            "postgresql://bot:pw@db:5433/tracker?sslmode=disable",
            {"user": "bot", "password": "pw", "host": "db", "port": "5433", "db": "tracker"},
        ),
        ("redis://:abc123@redis:6379/1", {"scheme": "redis", "user": "", "password": "abc123", "db": "1"}),
    ],
)
def test_store_containers_read_their_credentials_from_the_project_urls(
    url: str, expected: Dict[str, str]
) -> None:
    out = subprocess.run(
        ["sh", str(DEPLOY / "stores" / "from-url.sh"), "parse", url],
        capture_output=True,
        text=True,
        timeout=30,
        check=True,
    ).stdout
    fields = dict(line.split("=", 1) for line in out.splitlines())
    assert {key: fields[key] for key in expected} == expected


@pytest.mark.parametrize(
    "mode, env",
    [
        ("postgres-ready", {"TRACKER_DB_URL": "sqlite:///var/tracker.db"}),
        ("postgres-ready", {"TRACKER_DB_URL": "postgresql://rasa@postgres:5432/rasa"}),
        ("postgres-ready", {"TRACKER_DB_URL": "postgresql://rasa:p@ss@postgres:5432/rasa"}),
        ("redis-ready", {"LOCK_STORE_URL": "redis://redis:6379/1"}),
        ("redis-ready", {"LOCK_STORE_URL": "rediss://:pw@redis:6379/1"}),
        ("redis-ready", {}),
    ],
)
def test_store_containers_refuse_urls_they_cannot_serve(mode: str, env: Dict[str, str]) -> None:
    result = subprocess.run(
        ["sh", str(DEPLOY / "stores" / "from-url.sh"), mode],
        env=dict(env, PATH="/usr/bin:/bin"),
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode == 64, result.stderr


# --- Helm values -----------------------------------------------------------------

HELM_VALUES = DEPLOY / "helm" / "values.yaml"
# Keys documented by the `rasa` chart 1.17.3 (its README's Values table) and, under
# `rasa-action-server.`, by the rasa-action-server chart's values.yaml.
DOCUMENTED = {
    "applicationSettings.port",
    "applicationSettings.enableAPI",
    "applicationSettings.debugMode",
    "applicationSettings.initialModel",
    "applicationSettings.trainInitialModel",
    "applicationSettings.telemetry.enabled",
    "applicationSettings.credentials.enabled",
    "applicationSettings.endpoints.trackerStore.enabled",
    "applicationSettings.endpoints.trackerStore.type",
    "applicationSettings.endpoints.trackerStore.dialect",
    "applicationSettings.endpoints.trackerStore.url",
    "applicationSettings.endpoints.trackerStore.port",
    "applicationSettings.endpoints.trackerStore.username",
    "applicationSettings.endpoints.trackerStore.password",
    "applicationSettings.endpoints.trackerStore.db",
    "applicationSettings.endpoints.trackerStore.login_db",
    "applicationSettings.endpoints.lockStore.enabled",
    "applicationSettings.endpoints.action.endpointURL",
    "replicaCount",
    "image.repository",
    "image.tag",
    "image.pullPolicy",
    "args",
    "nginx.enabled",
    "ingress.enabled",
    "ingress.hostname",
    "ingress.path",
    "ingress.pathType",
    "ingress.tls",
    "global.postgresql.postgresqlUsername",
    "global.postgresql.postgresqlDatabase",
    "global.postgresql.existingSecret",
    "global.postgresql.servicePort",
    "postgresql.install",
    "postgresql.external.enabled",
    "postgresql.external.host",
    "redis.install",
    "rasa-action-server.install",
    "rasa-action-server.image.repository",
    "rasa-action-server.image.tag",
    "rasa-action-server.replicaCount",
    "rasa-action-server.applicationSettings.port",
    "rasa-action-server.args",
}
# Documented keys whose value is free-form (a list, or an object passed as it is).
FREE_FORM = {
    "applicationSettings.credentials.additionalChannelCredentials",
    "applicationSettings.endpoints.additionalEndpoints",
    "extraEnv",
    "podSecurityContext",
    "securityContext",
    "readinessProbe",
    "livenessProbe",
    "strategy",
    "ingress.annotations",
    "rasa-action-server.extraEnv",
    "rasa-action-server.podSecurityContext",
    "rasa-action-server.securityContext",
    "rasa-action-server.readinessProbe",
    "rasa-action-server.livenessProbe",
}
SECRET_VARIABLES = {
    "RASA_AUTH_TOKEN",
    "LOCK_STORE_URL",
    "WECHAT_TOKEN",
    "WECHAT_APPID",
    "WECHAT_SECRET",
    "WECHAT_AES_KEY",
    "TRACKER_DB_URL",
}


def helm_values() -> Dict[str, Any]:
    return yaml.safe_load(HELM_VALUES.read_text(encoding="utf-8"))


def leaf_keys(data: Dict[str, Any], prefix: str = "") -> List[str]:
    keys = []
    for key, value in data.items():
        path = f"{prefix}{key}"
        if path in FREE_FORM or not isinstance(value, dict) or not value:
            keys.append(path)
        else:
            keys.extend(leaf_keys(value, path + "."))
    return keys


def test_helm_values_use_only_documented_keys() -> None:
    unknown = [key for key in leaf_keys(helm_values()) if key not in DOCUMENTED | FREE_FORM]
    assert unknown == []


def test_helm_values_scale_out_on_postgresql_and_the_projects_redis_lock_store() -> None:
    values = helm_values()
    assert values["replicaCount"] >= 2 and values["rasa-action-server"]["replicaCount"] >= 1
    settings = values["applicationSettings"]
    assert settings["telemetry"]["enabled"] is False
    assert settings["initialModel"] == "" and settings["trainInitialModel"] is False
    tracker = settings["endpoints"]["trackerStore"]
    assert tracker["enabled"] is True and tracker["type"] == "sql" and tracker["dialect"] == "postgresql"
    assert values["postgresql"]["external"]["enabled"] or values["postgresql"]["install"]
    # the lock store is the project's (atomic Redis), as in endpoints.yml
    project = yaml.safe_load((ROOT / "endpoints.yml").read_text(encoding="utf-8"))
    assert settings["endpoints"]["lockStore"]["enabled"] is False
    assert settings["endpoints"]["additionalEndpoints"]["lock_store"] == project["lock_store"]
    # the channels are the project's credentials.yml
    credentials = yaml.safe_load((ROOT / "credentials.yml").read_text(encoding="utf-8"))
    assert settings["credentials"]["additionalChannelCredentials"] == credentials
    for probe in ("readinessProbe", "livenessProbe"):
        assert values[probe]["httpGet"]["path"] == "/"
        assert values["rasa-action-server"][probe]["httpGet"]["path"] == "/health"
    assert values["livenessProbe"]["initialDelaySeconds"] > values["readinessProbe"]["initialDelaySeconds"]
    assert values["args"] == ["rasa"] and values["rasa-action-server"]["args"] == ["actions"]


def test_helm_values_take_every_secret_from_an_existing_secret() -> None:
    values = helm_values()
    assert values["global"]["postgresql"]["existingSecret"]
    assert "postgresqlPassword" not in values["global"]["postgresql"]
    example = env_example()
    env = values["extraEnv"] + values["rasa-action-server"]["extraEnv"]
    names = [item["name"] for item in env]
    assert len(names) == len(set(names)) and "RASA_TELEMETRY_ENABLED" not in names
    assert {"RASA_AUTH_TOKEN", "LOCK_STORE_URL"} <= set(names)
    for item in env:
        assert item["name"] in example, f"{item['name']} is not in .env.example"
        if item["name"] in SECRET_VARIABLES:
            assert set(item) == {"name", "valueFrom"} and "secretKeyRef" in item["valueFrom"], item["name"]
    # credential keys hold only ${VARIABLES} that Rasa fills from the environment
    text = HELM_VALUES.read_text(encoding="utf-8")
    credentials = re.findall(r"^\s*(?:password|token|secret|aes_key)\s*:\s*(.*)$", text, re.M)
    assert len(credentials) == 4  # WeChat token, secret, AES key; the database password
    for value in credentials:
        assert re.fullmatch(
            r"\$\{[A-Z_]+\}", value.strip()
        ), f"a credential is written in the values: {value}"
