"""Texts of domain.yml responses for channels that answer without the bot.

A channel sometimes has to say something itself (the bot is down or slow, the
user sent a picture). Those words are responses in domain.yml like every other
user-facing text; this reads them once, lazily, from the domain file.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Dict, List

import yaml

DOMAIN_FILE = Path("domain.yml")


@lru_cache(maxsize=1)
def _responses() -> Dict[str, List[Dict[str, str]]]:
    with DOMAIN_FILE.open(encoding="utf-8") as handle:
        return dict(yaml.safe_load(handle)["responses"])


def response_text(name: str) -> str:
    """The (first) text of response ``name``; KeyError if the domain lacks it."""
    return str(_responses()[name][0]["text"])
