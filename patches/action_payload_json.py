"""The request to the action server is written with ujson, not the json module.

Rasa 3.6 sends the whole tracker, every event of the conversation, with every
custom action call, and aiohttp writes it with ``json.dumps``. That is the part
of a turn that grows most with the conversation (bench/results/serving-steps.md):
at two hundred turns the JSON of one call took about as long as the rest of the
turn. ujson (a Rasa dependency) writes the same JSON values several times
faster; the action server reads the same request. A value ujson cannot write
(NaN or infinity, which strict JSON has no words for) falls back to ``json.dumps``,
so nothing that was sent before fails now.

Applied to every endpoint Rasa calls over HTTP with its ``EndpointConfig``.
"""

from __future__ import annotations

import json
from typing import Any

import aiohttp
import ujson
from rasa.utils.endpoints import DEFAULT_REQUEST_TIMEOUT, EndpointConfig

_ORIGINAL = EndpointConfig.session


def dumps(value: Any) -> str:
    """``json.dumps(value)`` as JSON values, written by ujson when it can."""
    try:
        return str(ujson.dumps(value))
    except (OverflowError, TypeError, ValueError):
        return json.dumps(value)


def session(self: EndpointConfig) -> aiohttp.ClientSession:
    """Rasa's ``EndpointConfig.session`` with ``dumps`` for JSON bodies."""
    auth = (
        aiohttp.BasicAuth(self.basic_auth["username"], self.basic_auth["password"])
        if self.basic_auth
        else None
    )
    return aiohttp.ClientSession(
        headers=self.headers,
        auth=auth,
        timeout=aiohttp.ClientTimeout(total=DEFAULT_REQUEST_TIMEOUT),
        json_serialize=dumps,
    )


def apply() -> None:
    EndpointConfig.session = session  # type: ignore[method-assign]


def restore() -> None:
    EndpointConfig.session = _ORIGINAL  # type: ignore[method-assign]
