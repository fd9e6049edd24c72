#!/usr/bin/env python3
"""Render deploy/nginx/callcentre.conf.template into a complete nginx.conf.

    python3 deploy/render_nginx.py --rasa 127.0.0.1:5005 --rasa 127.0.0.1:5006 \
        --listen 127.0.0.1:18080 --runtime-dir /tmp/nginx-run -o /tmp/nginx-run/nginx.conf

``--down HOST:PORT`` renders the same file with that server marked ``down`` in
every upstream: the first step of a rolling restart (the template's header says
the rest), so that nginx sends it nothing new while its requests finish.

Only upper-case ``${...}`` placeholders are replaced (nginx's own variables are lower
case and stay as they are), like envsubst in the official nginx image (which
deploy/docker-compose.yml uses); a placeholder left without a value is an error,
so a rendered file never reaches nginx half-filled. Standard library only, so
`make test-scale` (or anything else on the machine) can put nginx in front of
its two Rasa servers with the same file and its own ports.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path
from typing import Dict, List, Optional, Sequence

TEMPLATE = Path(__file__).resolve().parent / "nginx" / "callcentre.conf.template"
PLACEHOLDER = re.compile(r"\$\{([A-Z][A-Z0-9_]*)\}")
# MAX_BODY_BYTES as in .env.example and scripts/env.sh
DEFAULT_MAX_BODY_BYTES = 65536


def placeholders(text: str) -> List[str]:
    """The names of the placeholders in ``text``, in order, once each."""
    return list(dict.fromkeys(PLACEHOLDER.findall(text)))


def render(text: str, values: Dict[str, str]) -> str:
    """Fill every placeholder of ``text`` from ``values``; ValueError names what is missing."""
    missing = [name for name in placeholders(text) if name not in values]
    if missing:
        raise ValueError(f"no value for {', '.join(missing)}")
    return PLACEHOLDER.sub(lambda match: values[match.group(1)], text)


def mark_down(text: str, down: Sequence[str]) -> str:
    """``text`` (a rendered file) with each ``server`` line of the servers in ``down``
    ending in ``down``, in every upstream. nginx then sends them no new request,
    and keeps the hash of the sticky upstreams (a server's share moves to the
    others only while it is down). ValueError if a server is not in the file, or
    if no server would be left up."""
    for address in dict.fromkeys(down):
        text, found = re.subn(
            rf"^([ \t]*server[ \t]+{re.escape(address)}(?:[ \t][^;\n]*)?);", r"\1 down;", text, flags=re.M
        )
        if not found:
            raise ValueError(f"{address} is not a server of this file")
    servers = re.findall(r"^[ \t]*server[ \t]+[^\s;{]+[^;{\n]*;", text, flags=re.M)
    if servers and all(line.endswith(" down;") for line in servers):
        raise ValueError("every server would be down")
    return text


def template_values(
    rasa: Sequence[str], listen: str, runtime_dir: str, max_body_bytes: int = DEFAULT_MAX_BODY_BYTES
) -> Dict[str, str]:
    if len(rasa) != 2:
        raise ValueError(f"the template has two Rasa servers (RASA_1, RASA_2), got {len(rasa)}")
    if max_body_bytes < 1024:
        raise ValueError(f"MAX_BODY_BYTES must be >= 1024 (channels/rest.py), not {max_body_bytes}")
    for address in rasa:
        if not re.fullmatch(r"[A-Za-z0-9_.\-\[\]:]+:[0-9]{1,5}", address):
            raise ValueError(f"a Rasa server is host:port, not {address!r}")
    return {
        "RASA_1": rasa[0],
        "RASA_2": rasa[1],
        "LISTEN": listen,
        "RUNTIME_DIR": runtime_dir.rstrip("/") or "/",
        "MAX_BODY_BYTES": str(max_body_bytes),
    }


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--rasa", action="append", required=True, metavar="HOST:PORT", help="a Rasa server (give it twice)"
    )
    parser.add_argument("--listen", default="8080", help="nginx's listen address (default 8080)")
    parser.add_argument(
        "--runtime-dir",
        default="/var/cache/nginx",
        help="pid file and temporary files (default /var/cache/nginx)",
    )
    parser.add_argument("--max-body-bytes", type=int, default=DEFAULT_MAX_BODY_BYTES)
    parser.add_argument(
        "--down",
        action="append",
        default=[],
        metavar="HOST:PORT",
        help="mark this server down (drain it before stopping it); may be given twice",
    )
    parser.add_argument("--template", type=Path, default=TEMPLATE)
    parser.add_argument("-o", "--output", type=Path, help="write here (default: standard output)")
    args = parser.parse_args(argv)
    try:
        values = template_values(args.rasa, args.listen, args.runtime_dir, args.max_body_bytes)
        text = mark_down(render(args.template.read_text(encoding="utf-8"), values), args.down)
    except ValueError as error:
        print(f"render_nginx: {error}", file=sys.stderr)
        return 2
    if args.output:
        args.output.write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
