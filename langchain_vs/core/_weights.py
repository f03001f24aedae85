"""Verbalized weights to probability-scale weights: the repair rules.

Models verbalize probabilities badly: ``"8%"``, ``25.19``, ``139.88``, ``0``, ``"high"``, ``1e308``,
or nothing. `repair_weights()` turns one turn's raw values into finite weights in [0, 1] (not
yet normalized) and records, per value, which rules changed it. It never raises on a value, and
it keeps the model's order: a value the model gave as likelier never ends up less likely.

==================== ===========================================================================
code                 rule
==================== ===========================================================================
``string``           a number written as a string (``"0.3"``) is read as that number
``fraction``         ``"1/5"`` is read as 0.2
``percent_sign``     ``"8%"`` / ``"8 %"`` is read as 0.08
``word``             ``"very high"``, ``"high"``, ``"medium"``, ``"low"``, ``"very low"`` map to
                     0.9, 0.7, 0.5, 0.3, 0.1
``percent_scale``    numeric percentages are divided by 100: when every value lies in [0, 100],
                     one exceeds 1, and either the definition is ``percentage``, they sum to
                     100 ± 10, or other values of the turn were written with a ``%`` sign
``rescaled``         any other set with a value above 1 (the model used a scale of its own):
                     every value is divided by their sum, which keeps their order
``negative``         a negative value becomes 0
``inverted``         ``perplexity``: weight = 1 / perplexity; ``nll``: weight = exp(-nll) (for both,
                     lower means more likely)
``clipped``          a perplexity below 1 (impossible) is read as 1, the likeliest
``missing``          no value: filled with the mean of the readable weights
``not_finite``       NaN, infinity, or a number too large for a float (``1e400``, 400 digits):
                     invalid, filled with the mean of the readable weights
``unreadable``       anything else (``"often"``, a list, perplexity <= 0): filled with the mean
``uniform_fallback`` no positive weight at all: every weight becomes 1 (uniform), never a division
                     by zero
==================== ===========================================================================

Examples:
    >>> repair_weights(["50%", 0.3, None])
    [(0.5, ('percent_sign',)), (0.3, ()), (0.4, ('missing',))]
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from typing import Any

from langchain_vs.core._methods import ProbabilityDefinition

__all__ = ["WORD_WEIGHTS", "repair_weights"]

WORD_WEIGHTS: dict[str, float] = {
    "very high": 0.9,
    "high": 0.7,
    "medium": 0.5,
    "moderate": 0.5,
    "low": 0.3,
    "very low": 0.1,
}

_MAX_VALUE_CHARS = 64
"""A verbalized value longer than this is no number a model meant (and parsing it costs)."""
_PERCENT = re.compile(r"^\s*([-+]?\d+(?:\.\d+)?|[-+]?\.\d+)\s*%\s*$")
_FRACTION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*/\s*(\d+(?:\.\d+)?)\s*$")

RepairedWeight = tuple[float, tuple[str, ...]]
_PLAIN_NUMBERS = (float, int)
"""What JSON numbers decode to (``bool`` is neither: ``type(True)`` is ``bool``)."""


def _finite(value: Any) -> float | None:
    """``value`` as a finite float, or ``None`` (NaN, inf, or an int beyond float range)."""
    try:
        number = float(value)
    except (OverflowError, ValueError):
        return None
    return number if math.isfinite(number) else None


def _read_value(raw: Any) -> tuple[float | None, list[str], bool]:
    """Read one raw value as a finite number.

    Returns:
        The number (None when there is none), the repairs made, and whether the value was already
        a fraction of one (``"8%"``), which exempts it from the scale rules.
    """
    if raw is None:
        return None, ["missing"], False
    if isinstance(raw, bool):  # JSON true/false is not a probability.
        return None, ["unreadable"], False
    if isinstance(raw, int | float):
        number = _finite(raw)
        return (number, [], False) if number is not None else (None, ["not_finite"], False)
    if not isinstance(raw, str) or len(raw) > _MAX_VALUE_CHARS:
        return None, ["unreadable"], False
    text = raw.strip().lower()
    if match := _PERCENT.match(text):
        number = _finite(match.group(1))
        if number is None:
            return None, ["not_finite"], False
        return number / 100.0, ["percent_sign"], True
    if match := _FRACTION.match(text):
        numerator, denominator = _finite(match.group(1)), _finite(match.group(2))
        if numerator is None or not denominator:
            return None, ["unreadable"], False
        return numerator / denominator, ["fraction"], True
    if text in WORD_WEIGHTS:
        return WORD_WEIGHTS[text], ["word"], True
    try:
        number = float(text)
    except ValueError:
        return None, ["unreadable"], False
    if not math.isfinite(number):
        return None, ["not_finite"], False
    return number, ["string"], False


def _looks_like_percentages(values: Sequence[float]) -> bool:
    return 90.0 <= math.fsum(values) <= 110.0


def repair_weights(
    raw_values: Sequence[Any],
    definition: ProbabilityDefinition | None = None,
) -> list[RepairedWeight]:
    """Turn one turn's verbalized values into probability-scale weights.

    Args:
        raw_values: The values as the model gave them, one per candidate (``None`` when missing).
        definition: How the value was described to the model; decides the field's direction
            (perplexity and NLL: lower is more likely) and the percentage rule.
            ``None`` reads the values as probabilities.

    Returns:
        One ``(weight, repairs)`` pair per raw value: a weight in [0, 1] and the repair codes
        applied, in order. At least one weight is positive whenever there is any value.
    """
    # A clean reply's values are JSON numbers in [0, 1], one of them positive: no rule changes
    # such a value, so it is read as it stands (the rules cost more than decoding the reply).
    inverted = definition is not None and definition.lower_is_likelier
    if not inverted and _plain_fractions(raw_values):
        return [(float(raw), ()) for raw in raw_values]
    return _repaired(raw_values, definition)


def _plain_fractions(raw_values: Sequence[Any]) -> bool:
    """Whether every value is a JSON number in [0, 1] and one is positive."""
    for raw in raw_values:  # a loop, not all(): building a generator costs more than k values
        if type(raw) not in _PLAIN_NUMBERS or not 0.0 <= raw <= 1.0:
            return False
    return bool(raw_values) and max(raw_values) > 0.0


def _repaired(
    raw_values: Sequence[Any], definition: ProbabilityDefinition | None
) -> list[RepairedWeight]:
    """Every rule applied to every value: what `repair_weights()` returns."""
    read = [_read_value(raw) for raw in raw_values]
    numbers: list[float | None] = [number for number, _, _ in read]
    repairs: list[list[str]] = [codes for _, codes, _ in read]

    if definition is not None and definition.lower_is_likelier:
        _invert(numbers, repairs, definition)
    else:
        _scale_probabilities(numbers, repairs, [scaled for _, _, scaled in read], definition)

    # Every readable number is in [0, 1] now: the mean cannot overflow.
    readable = [min(max(n, 0.0), 1.0) for n in numbers if n is not None]
    fill = math.fsum(readable) / len(readable) if readable else 0.0
    weights = [fill if n is None else min(max(n, 0.0), 1.0) for n in numbers]
    if not any(w > 0.0 for w in weights):
        weights = [1.0] * len(weights)
        for codes in repairs:
            codes.append("uniform_fallback")
    return [(w, tuple(codes)) for w, codes in zip(weights, repairs, strict=True)]


def _invert(
    numbers: list[float | None],
    repairs: list[list[str]],
    definition: ProbabilityDefinition,
) -> None:
    for i, number in enumerate(numbers):
        if number is None:
            continue
        if definition is ProbabilityDefinition.PERPLEXITY:
            if number <= 0.0:
                numbers[i] = None
                repairs[i].append("unreadable")
                continue
            if number < 1.0:  # 1 / 1e-320 would overflow; no perplexity is below 1
                number = 1.0
                repairs[i].append("clipped")
            numbers[i] = 1.0 / number
        else:
            if number < 0.0:
                number = 0.0
                repairs[i].append("negative")
            numbers[i] = math.exp(-number)  # underflows to 0.0 for huge values, never raises
        repairs[i].append("inverted")


def _scale_probabilities(
    numbers: list[float | None],
    repairs: list[list[str]],
    already_fractions: list[bool],
    definition: ProbabilityDefinition | None,
) -> None:
    for i, number in enumerate(numbers):
        if number is not None and number < 0.0:
            numbers[i] = 0.0
            repairs[i].append("negative")
    # Values written as "8%", "1/5" or "high" are already fractions of one.
    plain = [i for i, n in enumerate(numbers) if n is not None and not already_fractions[i]]
    values = [numbers[i] or 0.0 for i in plain]
    if not values or max(values) <= 1.0:
        return
    top = max(values)
    if top <= 100.0 and (
        definition is ProbabilityDefinition.PERCENTAGE
        or _looks_like_percentages(values)
        or any("percent_sign" in codes for codes in repairs)  # "45%" beside a bare 20 is 20%
    ):
        for i in plain:
            numbers[i] = (numbers[i] or 0.0) / 100.0
            repairs[i].append("percent_scale")
        return
    # Divide by the largest value first: a sum of values near 1e308 would overflow.
    total = math.fsum(v / top for v in values)
    for i in plain:
        numbers[i] = (numbers[i] or 0.0) / top / total
        repairs[i].append("rescaled")
