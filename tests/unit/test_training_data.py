"""Hygiene of the NLU training data (data/nlu): enough examples per intent, no
example twice, no two near-identical examples under different intents.

Near-identical is measured on the normalised text (simplified, half-width,
lower case, punctuation dropped) as the Jaccard index of character bigrams.
Writers keep new examples below 0.7 against everything; this test holds the
whole data to 0.8 across coarse intents ("thanks" / "no thanks" is 0.71 and
rightly two intents).
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from pathlib import Path
from typing import Dict, FrozenSet, List, Tuple

import pytest
from rasa.shared.nlu.training_data.loading import load_data

from zhtext.normalise import normalise

ROOT = Path(__file__).resolve().parents[2]
MIN_EXAMPLES = 25
MAX_CROSS_INTENT_SIMILARITY = 0.8


def key(text: str) -> str:
    return re.sub(r"[\W_]+", "", normalise(text).lower())


def bigrams(text: str) -> FrozenSet[str]:
    k = key(text)
    return frozenset({k[i : i + 2] for i in range(len(k) - 1)} or {k})


@pytest.fixture(scope="module")
def examples() -> List[Tuple[str, str]]:
    data = load_data(str(ROOT / "data" / "nlu"))
    return [(e.get("text"), e.get("intent_response_key") or e.get("intent")) for e in data.intent_examples]


def test_every_intent_and_faq_topic_has_enough_examples(examples) -> None:
    counts = Counter(label for _, label in examples)
    few = {label: n for label, n in counts.items() if n < MIN_EXAMPLES}
    assert not few, f"fewer than {MIN_EXAMPLES} examples: {few}"


def test_no_example_appears_twice(examples) -> None:
    seen: Dict[str, List[Tuple[str, str]]] = defaultdict(list)
    for text, label in examples:
        seen[key(text)].append((text, label))
    twice = [found for found in seen.values() if len(found) > 1]
    assert not twice, f"the same example more than once: {twice[:10]}"


def test_no_near_identical_examples_under_different_intents(examples) -> None:
    grams = [bigrams(text) for text, _ in examples]
    index: Dict[str, List[int]] = defaultdict(list)
    for i, gram_set in enumerate(grams):
        for gram in gram_set:
            index[gram].append(i)
    clashes = []
    for i, gram_set in enumerate(grams):
        shared: Counter = Counter()
        for gram in gram_set:
            shared.update(j for j in index[gram] if j > i)
        for j, common in shared.items():
            similarity = common / len(gram_set | grams[j])
            coarse_i = examples[i][1].split("/")[0]
            coarse_j = examples[j][1].split("/")[0]
            if similarity >= MAX_CROSS_INTENT_SIMILARITY and coarse_i != coarse_j:
                clashes.append((round(similarity, 2), examples[i], examples[j]))
    assert not clashes, f"near-identical examples under different intents: {clashes[:10]}"


def test_the_similarity_measure_sees_through_script_and_punctuation() -> None:
    assert key("我們是分公司！") == key("我们是分公司")
    assert bigrams("thanks") != bigrams("no thanks")
