"""components/activity.py: the activity a description means, only when it is clear."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from components.activity import nearest_activity, read_descriptions
from licence.ruleset_loader import load_ruleset

ROOT = Path(__file__).resolve().parents[2]


def unit(*values: float) -> np.ndarray:
    vector = np.asarray(values, dtype=np.float32)
    return vector / np.linalg.norm(vector)


EXAMPLES = np.vstack([unit(1, 0, 0), unit(0.9, 0.1, 0), unit(0, 1, 0), unit(0, 0, 1)])
LABELS = ["seat_rental", "seat_rental", "system_rental", "other"]


def test_the_nearest_activity_when_near_and_clearly_ahead() -> None:
    found = nearest_activity(unit(1, 0.05, 0), EXAMPLES, LABELS, 0.9, 0.05)
    assert found is not None and found["name"] == "seat_rental"
    assert found["similarity"] > 0.9 and found["margin"] >= 0.05


def test_nothing_when_far_or_between_two() -> None:
    assert nearest_activity(unit(1, 1, 1), EXAMPLES, LABELS, 0.9, 0.0) is None  # far from all
    assert nearest_activity(unit(1, 1, 0), EXAMPLES, LABELS, 0.5, 0.2) is None  # seat vs system
    assert nearest_activity(unit(1, 0, 0), np.zeros((0, 3), dtype=np.float32), [], 0.5, 0.0) is None


def test_every_description_names_an_activity_of_the_rule_set() -> None:
    texts, labels = read_descriptions(ROOT / "licence" / "data" / "activities.yml")
    rules = load_ruleset()
    activities = set(rules.activities) | {rules.default_activity}
    assert texts and set(labels) <= activities
    assert len(set(texts)) == len(texts)
    # every activity of the rule set can be recognised by meaning
    assert set(labels) >= activities


def test_the_reader_writes_the_likely_activity_on_lower_terms_than_the_clear_one() -> None:
    from rasa.shared.nlu.training_data.message import Message

    from components.activity import BusinessActivityReader
    from licence.context import BUSINESS_ACTIVITY, LIKELY_ACTIVITY

    config = {
        **BusinessActivityReader.get_default_config(),
        "min_similarity": 0.99,
        "min_margin": 0.5,
        "reply_min_similarity": 0.8,
        "reply_min_margin": 0.01,
    }
    reader = BusinessActivityReader(config, None, None, EXAMPLES, LABELS)  # type: ignore[arg-type]
    message = Message(data={"text": "x"})
    import components.activity as activity

    original = activity.sentence_vector
    activity.sentence_vector = lambda message, featurizer: unit(1, 0.3, 0)
    try:
        reader.process([message])
    finally:
        activity.sentence_vector = original
    assert message.get(BUSINESS_ACTIVITY) is None
    assert message.get(LIKELY_ACTIVITY)["name"] == "seat_rental"
