"""Where the channels share state between Rasa servers: the project's Redis.

The WeChat channel (retries, answers owed, the access token) and the socket.io
channel (messages emitted on one server for a visitor connected to another) read
the same variables, in this order: the project's Redis (``REDIS_URL``), or the
lock store's (``LOCK_STORE_URL``, which defaults to ``REDIS_URL``;
stores/lock_store.py). Neither set: each channel keeps its state in its process.
"""

from __future__ import annotations

import os
from typing import Mapping, Optional

REDIS_URL_VARIABLES = ("REDIS_URL", "LOCK_STORE_URL")


def redis_url_from_env(environ: Optional[Mapping[str, str]] = None) -> str:
    """The first of ``REDIS_URL_VARIABLES`` that is set and not blank, else ''."""
    environ = os.environ if environ is None else environ
    for name in REDIS_URL_VARIABLES:
        url = (environ.get(name) or "").strip()
        if url:
            return url
    return ""
