"""Unanswered messages grouped by similarity, and exported as NLU training examples.

Grouping needs no model: each text is put in the project's canonical form
(``zhtext.normalise.normalise``: half-width, simplified, pinyin slips fixed), then
stripped of punctuation and spaces; equal keys are one group, and a key whose
character-bigram Jaccard similarity with a group's first key reaches
``NEAR_DUPLICATE`` joins that group.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from typing import Dict, Iterable, List, Optional, Sequence, Set

from console.queries import Unanswered
from zhtext.normalise import normalise

NEAR_DUPLICATE = 0.6
MAX_EXAMPLE_CHARS = 300
# the label of an intent or a retrieval intent's cell: "faq", "faq/capital"
LABEL = re.compile(r"^[a-z][a-z0-9_]*(/[a-z0-9_]+)?$")


def key_of(text: str) -> str:
    """The text as grouping compares it: canonical, without punctuation or spaces."""
    canonical = normalise(text).lower()
    return "".join(ch for ch in canonical if unicodedata.category(ch)[0] in "LN")


def bigrams(key: str) -> Set[str]:
    return {key[i : i + 2] for i in range(len(key) - 1)} or ({key} if key else set())


def similarity(a: str, b: str) -> float:
    """Jaccard similarity of two keys' character bigrams."""
    left, right = bigrams(a), bigrams(b)
    if not left or not right:
        return 1.0 if a == b else 0.0
    return len(left & right) / len(left | right)


@dataclass
class Group:
    key: str
    items: List[Unanswered] = field(default_factory=list)

    @property
    def text(self) -> str:
        """The newest wording of the group."""
        return self.items[0].text

    @property
    def count(self) -> int:
        return len(self.items)

    @property
    def latest(self) -> float:
        return max(item.timestamp for item in self.items)

    @property
    def reasons(self) -> Dict[str, int]:
        counts: Dict[str, int] = {}
        for item in self.items:
            counts[item.reason] = counts.get(item.reason, 0) + 1
        return counts

    @property
    def texts(self) -> List[str]:
        """The group's distinct wordings, newest first."""
        return list(dict.fromkeys(item.text for item in self.items))


def group(items: Iterable[Unanswered]) -> List[Group]:
    """Groups of similar messages, the one with the newest message first; within a
    group, newest first. Payloads ("/greet") and empty texts are left out."""
    ordered = sorted(items, key=lambda u: -u.timestamp)
    groups: List[Group] = []
    exact: Dict[str, Group] = {}
    for item in ordered:
        if item.text.startswith("/"):
            continue
        key = key_of(item.text)
        if not key:
            continue
        found = exact.get(key)
        if found is None:
            found = next((g for g in groups if similarity(key, g.key) >= NEAR_DUPLICATE), None)
        if found is None:
            found = Group(key)
            groups.append(found)
        exact.setdefault(key, found)
        found.items.append(item)
    return sorted(groups, key=lambda g: -g.latest)


class ExportError(ValueError):
    """An export request that cannot be honoured (the message says why)."""


def export_yaml(texts: Sequence[str], intent: str, labels: Optional[Iterable[str]] = None) -> str:
    """Rasa NLU training data (version 3.1) with the texts as examples of ``intent``.

    Only the texts go out: no sender ids, no channels, no times."""
    if not isinstance(intent, str) or not LABEL.match(intent):
        raise ExportError("intent must be an intent name such as faq/capital")
    if labels is not None and intent not in set(labels):
        raise ExportError(f"unknown intent {intent!r}: pick one of the domain's intents")
    examples: List[str] = []
    for text in texts:
        if not isinstance(text, str):
            raise ExportError("every item must be a text")
        line = " ".join(normalise_for_example(text).split())
        if line and line not in examples:
            examples.append(line)
    if not examples:
        raise ExportError("no example to export: select at least one message")
    lines = ['version: "3.1"', "nlu:", f"- intent: {intent}", "  examples: |"]
    lines += [f"    - {line}" for line in examples]
    return "\n".join(lines) + "\n"


def normalise_for_example(text: str) -> str:
    """One line, bounded, without the control characters YAML refuses."""
    cleaned = "".join(ch if unicodedata.category(ch)[0] != "C" else " " for ch in text)
    return cleaned.strip()[:MAX_EXAMPLE_CHARS]
