#!/usr/bin/env python3
"""Run nginx with the rendered template in front of two stub Rasa servers on
loopback and check what the template promises, by sending it requests.

    python3 deploy/check_nginx.py [--nginx /usr/sbin/nginx]

Checks: REST and the HTTP API reach both servers; a body over MAX_BODY_BYTES gets
413 from nginx (the stub never sees it) and one of exactly MAX_BODY_BYTES passes;
socket.io requests keep their websocket upgrade headers and always reach the
same server from one client; WeChat requests of one OpenID always reach the same
server while different OpenIDs spread; the access log holds no query string (the
API token, the OpenID). Everything listens on 127.0.0.1 on free ports, and nginx
is stopped by its PID at the end. Standard library only.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple

sys.path.insert(0, str(Path(__file__).resolve().parent))
import render_nginx  # noqa: E402

MAX_BODY = render_nginx.DEFAULT_MAX_BODY_BYTES


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def stub(name: str) -> ThreadingHTTPServer:
    """A stand-in for a Rasa server: answers every request with what it received."""

    class Handler(BaseHTTPRequestHandler):
        def _answer(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            payload = json.dumps(
                {
                    "server": name,
                    "path": self.path,
                    "bytes": len(body),
                    "upgrade": self.headers.get("Upgrade"),
                    "connection": self.headers.get("Connection"),
                    "forwarded_for": self.headers.get("X-Forwarded-For"),
                }
            ).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        do_GET = do_POST = _answer

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", free_port()), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def request(
    port: int, method: str, path: str, body: bytes = b"", headers: Optional[Dict[str, str]] = None
) -> Tuple[int, Dict[str, Any]]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.request(method, path, body=body or None, headers=headers or {})
        response = conn.getresponse()
        data = response.read()
        try:
            return response.status, json.loads(data)
        except ValueError:
            return response.status, {"text": data.decode(errors="replace")}
    finally:
        conn.close()


def find_nginx() -> Optional[str]:
    return shutil.which("nginx") or next(
        (p for p in ("/usr/sbin/nginx", "/usr/local/sbin/nginx") if os.access(p, os.X_OK)), None
    )


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--nginx", default=find_nginx())
    args = parser.parse_args(argv)
    if not args.nginx:
        print("check_nginx: nginx is not installed", file=sys.stderr)
        return 2
    failures: List[str] = []

    def check(ok: bool, what: str) -> None:
        print(f"  {'ok  ' if ok else 'FAIL'} {what}")
        if not ok:
            failures.append(what)

    a, b = stub("A"), stub("B")
    work = Path(tempfile.mkdtemp(prefix="deploy-nginx-"))
    listen_port = free_port()
    conf = work / "nginx.conf"
    values = render_nginx.template_values(
        [f"127.0.0.1:{a.server_address[1]}", f"127.0.0.1:{b.server_address[1]}"],
        f"127.0.0.1:{listen_port}",
        str(work),
    )
    conf.write_text(render_nginx.render(render_nginx.TEMPLATE.read_text(encoding="utf-8"), values))
    log = open(work / "nginx.out", "wb")
    nginx = subprocess.Popen(
        [args.nginx, "-p", str(work), "-e", "stderr", "-c", str(conf), "-g", "daemon off;"],
        stdout=log,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
        start_new_session=True,
    )
    print(f"nginx started, PID {nginx.pid}, on 127.0.0.1:{listen_port}")
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                if request(listen_port, "GET", "/nginx-health")[0] == 200:
                    break
            except OSError:
                pass
            if nginx.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("nginx did not start:\n" + (work / "nginx.out").read_text())
            time.sleep(0.2)

        rest = [
            request(
                listen_port,
                "POST",
                "/webhooks/rest/webhook",
                b'{"sender":"s","message":"hi"}',
                {"Content-Type": "application/json"},
            )
            for _ in range(8)
        ]
        check(all(status == 200 for status, _ in rest), "REST webhook answers through nginx")
        check({body.get("server") for _, body in rest} == {"A", "B"}, "REST requests reach both servers")
        check(all(body.get("forwarded_for") == "127.0.0.1" for _, body in rest), "X-Forwarded-For is set")

        status, body = request(listen_port, "POST", "/webhooks/rest/webhook", b"x" * MAX_BODY)
        check(
            status == 200 and body.get("bytes") == MAX_BODY, f"a body of MAX_BODY_BYTES ({MAX_BODY}) passes"
        )
        status, _ = request(listen_port, "POST", "/webhooks/rest/webhook", b"x" * (MAX_BODY + 1))
        check(status == 413, "a body of MAX_BODY_BYTES + 1 gets 413 from nginx")

        socketio = [
            request(
                listen_port,
                "GET",
                "/socket.io/?EIO=4&transport=websocket",
                headers={"Upgrade": "websocket", "Connection": "Upgrade"},
            )
            for _ in range(6)
        ]
        check(
            all(b.get("upgrade") == "websocket" and b.get("connection") == "upgrade" for _, b in socketio),
            "socket.io keeps the websocket upgrade headers",
        )
        polling = [request(listen_port, "GET", "/socket.io/?EIO=4&transport=polling")[1] for _ in range(6)]
        servers = {b.get("server") for _, b in socketio} | {b.get("server") for b in polling}
        check(len(servers) == 1, "socket.io from one client always reaches one server (ip_hash)")
        check(all(b.get("connection") == "close" for b in polling), "socket.io polling is not upgraded")

        def wechat(openid: str) -> str:
            status, body = request(
                listen_port,
                "POST",
                f"/webhooks/wechat/webhook?openid={openid}&nonce=1",
                b"<xml></xml>",
                {"Content-Type": "text/xml"},
            )
            return str(body.get("server")) if status == 200 else f"HTTP {status}"

        check(len({wechat("oUser1") for _ in range(6)}) == 1, "one OpenID always reaches one server")
        check({wechat(f"oUser{n}") for n in range(40)} == {"A", "B"}, "different OpenIDs spread over both")

        status, body = request(listen_port, "GET", "/conversations/me/tracker?token=SECRET-TOKEN")
        check(
            status == 200 and body.get("path") == "/conversations/me/tracker?token=SECRET-TOKEN",
            "the HTTP API is proxied with its query string",
        )
    finally:
        os.kill(nginx.pid, signal.SIGQUIT)  # graceful stop of this nginx, by its PID
        try:
            nginx.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.kill(nginx.pid, signal.SIGKILL)
            nginx.wait(timeout=5)
        log.close()
        a.shutdown()
        b.shutdown()
        print(f"nginx stopped (PID {nginx.pid}, exit {nginx.returncode})")
    access = (work / "nginx.out").read_text(errors="replace")
    check(
        "SECRET-TOKEN" not in access and "oUser" not in access and "/webhooks/rest/webhook" in access,
        "the access log has the paths but no query string (token, OpenID)",
    )
    shutil.rmtree(work, ignore_errors=True)
    print(f"{'all checks passed' if not failures else f'{len(failures)} check(s) failed'}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
