"""Validate action-server responses with a validator built once, not per call.

Rasa 3.6's ``RemoteAction._validate_action_result`` calls ``jsonschema.validate``
on every response of the action server. That function first checks the *schema*
itself against the JSON-Schema meta-schema (``check_schema``) and builds a new
validator, every time. Profiled with py-spy under load (4 conversations, mixed
FAQ and interview turns), this took 46% of the Rasa server's CPU: more than the
whole NLU pipeline, the policies and the tracker store together. The schema
(``RemoteAction.action_response_format_spec()``) is a constant, so it is checked
once here and the same validator is reused. What is accepted and rejected, and
the error raised (the best-matching ``ValidationError``, with Rasa's hint added
to its message), are unchanged.
"""

from __future__ import annotations

import functools
from typing import Any, Dict, Text

from jsonschema import exceptions
from jsonschema.validators import validator_for
from rasa.core.actions.action import RemoteAction

_ORIGINAL = RemoteAction._validate_action_result
HINT = (
    ". Failed to validate Action server response from API, "
    "make sure your response from the Action endpoint is valid. "
    "For more information about the format visit "
)


@functools.lru_cache(maxsize=1)
def response_validator() -> Any:
    """The validator of the action-server response format, schema checked once."""
    schema = RemoteAction.action_response_format_spec()
    cls = validator_for(schema)
    cls.check_schema(schema)
    return cls(schema)


def validate_action_result(self: RemoteAction, result: Dict[Text, Any]) -> bool:
    from rasa.shared.constants import DOCS_BASE_URL

    error = exceptions.best_match(response_validator().iter_errors(result))
    if error is not None:
        error.message += f"{HINT}{DOCS_BASE_URL}/custom-actions"
        raise error
    return True


def apply() -> None:
    RemoteAction._validate_action_result = validate_action_result  # type: ignore[assignment]


def restore() -> None:
    """Undo ``apply`` (for tests)."""
    RemoteAction._validate_action_result = _ORIGINAL  # type: ignore[assignment]
