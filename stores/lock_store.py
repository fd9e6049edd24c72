"""The lock store, chosen by ``LOCK_STORE_URL``.

Rasa processes one message per conversation at a time by taking a ticket lock
for the conversation. With one Rasa server the locks can live in memory (the
default). With several servers behind one address sharing the tracker database,
the locks must be shared too, or two servers may handle two messages of one
conversation at once and interleave or lose their events: set
``LOCK_STORE_URL=redis://[:password@]host:port/db`` (``rediss://`` for TLS),
or ``REDIS_URL``, the project's Redis, which ``LOCK_STORE_URL`` defaults to
(the WeChat channel keeps its shared state there too: channels/wechat/store.py).

Rasa's YAML fails on an unset ``${VAR}``, so endpoints.yml names this class
instead of using ``type: redis`` with variables; Rasa 3.6 builds a custom lock
store as ``cls(endpoint_config=...)`` (``rasa/core/lock_store.py``), and this
class returns Rasa's ``InMemoryLockStore`` or ``AtomicRedisLockStore`` from that
call. Other keys under ``lock_store:`` in endpoints.yml (``key_prefix``,
``socket_timeout``) go to the Redis store.

``AtomicRedisLockStore`` is Rasa's ``RedisLockStore`` with each change of a
lock made in one Redis transaction. Rasa 3.6 reads a lock, changes it and
writes it back in separate commands, so when two servers get messages of one
conversation at almost the same time, one server's cleanup can delete the
lock the other has just taken a ticket on: that server then fails the message
with ``LockError: Could not acquire lock`` and it is never stored
(``make test-scale`` showed it with two messages 50 ms apart).
"""

from __future__ import annotations

import json
import logging
import os
from typing import Any, Callable, Dict, Optional, Text, Tuple
from urllib.parse import unquote, urlsplit

from rasa.core.lock import TicketLock
from rasa.core.lock_store import (
    LOCK_LIFETIME,
    InMemoryLockStore,
    LockError,
    LockStore,
    RedisLockStore,
)
from rasa.utils.endpoints import EndpointConfig

import patches

patches.apply()  # fixes to Rasa itself, see patches/

logger = logging.getLogger(__name__)

ENV_VAR = "LOCK_STORE_URL"
# The project's Redis: LOCK_STORE_URL defaults to it.
DEFAULT_ENV_VAR = "REDIS_URL"
REDIS_KWARGS = ("key_prefix", "socket_timeout")


class AtomicRedisLockStore(RedisLockStore):
    """Rasa's Redis lock store; every read-change-write of a lock is a transaction
    (WATCH the key, read, MULTI, write, EXEC; redis-py retries when another
    client changed the key in between)."""

    def _change(
        self,
        conversation_id: Text,
        change: Callable[[Optional[TicketLock]], Tuple[Optional[TicketLock], Any]],
    ) -> Any:
        """Apply `change` (lock or None -> lock to keep or None to delete, result)."""
        key = self.key_prefix + conversation_id

        def attempt(pipe: Any) -> Any:
            raw = pipe.get(key)  # immediate: the pipeline is watching `key`
            lock = TicketLock.from_dict(json.loads(raw)) if raw else None
            new_lock, result = change(lock)
            pipe.multi()
            if new_lock is not None:
                pipe.set(key, new_lock.dumps())
            elif lock is not None:
                pipe.delete(key)
            return result

        return self.red.transaction(attempt, key, value_from_callable=True)

    def issue_ticket(self, conversation_id: Text, lock_lifetime: float = LOCK_LIFETIME) -> int:
        def change(lock: Optional[TicketLock]) -> Tuple[TicketLock, int]:
            lock = lock or self.create_lock(conversation_id)
            return lock, lock.issue_ticket(lock_lifetime)

        try:
            return int(self._change(conversation_id, change))
        except Exception as error:
            raise LockError(f"Error while acquiring lock. Error:\n{error}") from error

    def update_lock(self, conversation_id: Text) -> None:
        def change(lock: Optional[TicketLock]) -> Tuple[Optional[TicketLock], None]:
            if lock is not None:
                lock.remove_expired_tickets()
            return lock, None

        self._change(conversation_id, change)

    def cleanup(self, conversation_id: Text, ticket_number: int) -> None:
        """Give the ticket back; delete the lock only if no ticket is left in it."""

        def change(lock: Optional[TicketLock]) -> Tuple[Optional[TicketLock], None]:
            if lock is None:
                return None, None
            lock.remove_ticket_for(ticket_number)
            return (lock if lock.is_someone_waiting() else None), None

        self._change(conversation_id, change)


def redis_kwargs(url: Text, variable: Text = ENV_VAR) -> Dict[Text, Any]:
    """``RedisLockStore`` arguments from a ``redis://`` or ``rediss://`` URL (read from ``variable``)."""
    parts = urlsplit(url)
    if parts.scheme not in ("redis", "rediss") or not parts.hostname:
        raise ValueError(
            f"{variable} must be empty (locks in memory) or redis://[:password@]host:port/db, "
            f"not a {parts.scheme or 'scheme-less'} URL"
        )
    db = parts.path.strip("/")
    if db and not db.isdigit():
        raise ValueError(f"{variable}: the database after the port must be a number, not {db!r}")
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
    """The Redis lock store when ``LOCK_STORE_URL`` (or else ``REDIS_URL``) is set,
    else Rasa's in-memory one."""
    environ = os.environ if environ is None else environ
    variable = ENV_VAR if (environ.get(ENV_VAR) or "").strip() else DEFAULT_ENV_VAR
    url = (environ.get(variable) or "").strip()
    if not url:
        logger.info("lock store: in memory (one Rasa server; set %s to share locks)", ENV_VAR)
        return InMemoryLockStore()
    kwargs = redis_kwargs(url, variable)
    kwargs.update({k: v for k, v in (options or {}).items() if k in REDIS_KWARGS})
    store = AtomicRedisLockStore(**kwargs)
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
    of another class, so ``__init__`` here never runs).
    """

    def __new__(cls, endpoint_config: Optional[EndpointConfig] = None) -> LockStore:  # type: ignore[misc]
        options = dict(endpoint_config.kwargs) if endpoint_config is not None else {}
        return lock_store_from_env(options=options)
