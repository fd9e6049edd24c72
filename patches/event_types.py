"""Look up event classes by name in a table instead of a class-tree walk.

Rasa 3.6's ``Event.resolve_by_type`` walks every subclass of ``Event``
(``all_subclasses``, about 40 classes, recursively) for every event it reads
back, and the SQL tracker store reads every event of a conversation on every
message. py-spy put this walk at 7% of the Rasa server's CPU under load. The
table is filled on first use from the same walk, in the same order, so the
class found for a name is the one Rasa would find (the first match); names it
has not seen (and the ``default``/``topic``/error cases) go to Rasa's own code.
"""

from __future__ import annotations

from typing import Dict, Optional, Text, Type

import rasa.shared.utils.common
from rasa.shared.core.events import Event

_ORIGINAL = Event.resolve_by_type
_TABLE: Dict[Text, Type[Event]] = {}


def _fill() -> None:
    for cls in rasa.shared.utils.common.all_subclasses(Event):
        name = getattr(cls, "type_name", None)
        if isinstance(name, str):
            _TABLE.setdefault(name, cls)


def resolve_by_type(type_name: Text, default: Optional[Type[Event]] = None) -> Optional[Type[Event]]:
    if not _TABLE:
        _fill()
    found = _TABLE.get(type_name)
    if found is not None:
        return found
    return _ORIGINAL(type_name, default)


def apply() -> None:
    Event.resolve_by_type = staticmethod(resolve_by_type)  # type: ignore[assignment]


def restore() -> None:
    Event.resolve_by_type = staticmethod(_ORIGINAL)  # type: ignore[assignment]
