"""Fixtures shared by the unit tests."""

from __future__ import annotations

from pathlib import Path

import pytest
import spacy

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def nlp():
    """The project's spaCy pipeline (build/spacy_zh, built by `make assets`)."""
    path = ROOT / "build" / "spacy_zh"
    if not path.exists():
        pytest.skip("run `make assets` first")
    return spacy.load(path)
