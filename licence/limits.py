"""Whether a number the user gave is usable as an interview answer.

The readers of ``zhtext.numbers`` return the amount or count the user wrote,
even a negative or absurd one; these bounds decide whether it can stand as the
company's registered capital (in 万元) or insured head count, and name the
problem to report when it cannot (the codes of ``licence.extract.PROBLEM_CODES``).
"""

from __future__ import annotations

import math

from zhtext.numbers import parse_money_wan

__all__ = ["MONEY_MAX_WAN", "COUNT_MAX", "money_value_problem", "money_problem", "count_value_problem"]

#: Largest registered capital accepted, in 万元 (10^11 元).
MONEY_MAX_WAN = 1e7
#: Largest head count accepted.
COUNT_MAX = 1_000_000


def money_value_problem(wan: float) -> str | None:
    """Why ``wan`` is not a usable registered capital, or ``None`` if it is.

    One of "negative", "out_of_range" (zero) or "too_large" (over
    ``MONEY_MAX_WAN``).
    """
    if not math.isfinite(wan):
        return "too_large"
    if wan < 0:
        return "negative"
    if wan == 0:
        return "out_of_range"
    if wan > MONEY_MAX_WAN:
        return "too_large"
    return None


def money_problem(text: str) -> str | None:
    """``None`` when ``text`` states a usable registered capital, else one of
    "not_a_number", "negative", "out_of_range", "too_large"."""
    wan = parse_money_wan(text)
    if wan is None:
        return "not_a_number"
    return money_value_problem(wan)


def count_value_problem(count: int) -> str | None:
    """Why ``count`` is not a usable head count: "negative", "too_large", or ``None``."""
    if count < 0:
        return "negative"
    if count > COUNT_MAX:
        return "too_large"
    return None
