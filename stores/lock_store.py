"""The lock store, chosen by ``LOCK_STORE_URL``.

Rasa processes one message per conversation at a time by taking a ticket lock
for the conversation. With one Rasa server the locks can live in memory (the
default). With several servers behind one address sharing the tracker database,
the locks must be shared too, or two servers may handle two messages of one
conversation at once and interleave or lose their events: set
``LOCK_STORE_URL=redis://[:password@]host:port/db`` (``rediss://`` for TLS).

Rasa's YAML fails on an unset ``${VAR}``, so endpoints.yml names this class
instead of using ``type: redis`` with variables; Rasa 3.6 builds a custom lock
store as ``cls(endpoint_config=...)`` (``rasa/core/lock_store.py``), and this
class returns Rasa's own ``RedisLockStore`` or ``InMemoryLockStore`` from that
call. Other keys under ``lock_store:`` in endpoints.yml (``key_prefix``,
``socket_timeout``) go to ``RedisLockStore``.
"""

from __future__ import annotations

import logging
import os
from typing import Any, Dict, Optional, Text
from urllib.parse import unquote, urlsplit

from rasa.core.lock_store import InMemoryLockStore, LockStore, RedisLockStore
from rasa.utils.endpoints import EndpointConfig

logger = logging.getLogger(__name__)

ENV_VAR = "LOCK_STORE_URL"
REDIS_KWARGS = ("key_prefix", "socket_timeout")


def redis_kwargs(url: Text) -> Dict[Text, Any]:
    """``RedisLockStore`` arguments from a ``redis://`` or ``rediss://`` URL."""
    parts = urlsplit(url)
    if parts.scheme not in ("redis", "rediss") or not parts.hostname:
        raise ValueError(
            f"{ENV_VAR} must be empty (locks in memory) or redis://[:password@]host:port/db, "
            f"not a {parts.scheme or 'scheme-less'} URL"
        )
    db = parts.path.strip("/")
    if db and not db.isdigit():
        raise ValueError(f"{ENV_VAR}: the database after the port must be a number, not {db!r}")
    return {
        "host": parts.hostname,
        "port": parts.port or 6379,
        "db": int(db) if db else 1,  # Rasa's own default for the lock store
        "username": unquote(parts.username) if parts.username else None,
        "password": unquote(parts.password) if parts.password else None,
        "use_ssl": parts.scheme == "rediss",
    }


def lock_store_from_env(
    environ: Optional[Dict[Text, Text]] = None, options: Optional[Dict[Text, Any]] = None
) -> LockStore:
    """Rasa's Redis lock store when ``LOCK_STORE_URL`` is set, else the in-memory one."""
    environ = os.environ if environ is None else environ
    url = (environ.get(ENV_VAR) or "").strip()
    if not url:
        logger.info("lock store: in memory (one Rasa server; set %s to share locks)", ENV_VAR)
        return InMemoryLockStore()
    kwargs = redis_kwargs(url)
    kwargs.update({k: v for k, v in (options or {}).items() if k in REDIS_KWARGS})
    store = RedisLockStore(**kwargs)
    try:
        store.red.ping()
    except Exception as error:  # redis' errors are not builtin ConnectionErrors
        raise ConnectionError(
            f"lock store: no Redis at {kwargs['host']}:{kwargs['port']} ({error})"
        ) from error
    logger.info("lock store: Redis at %s:%s db %s", kwargs["host"], kwargs["port"], kwargs["db"])
    return store


class EnvLockStore(LockStore):
    """``type: stores.lock_store.EnvLockStore`` in endpoints.yml.

    Constructing it returns the store ``lock_store_from_env`` picks (an instance
    of Rasa's own class, so ``__init__`` here never runs).
    """

    def __new__(cls, endpoint_config: Optional[EndpointConfig] = None) -> LockStore:  # type: ignore[misc]
        options = dict(endpoint_config.kwargs) if endpoint_config is not None else {}
        return lock_store_from_env(options=options)
