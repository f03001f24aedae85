"""Verbalized weights to probability-scale weights: the repair rules.

Models verbalize probabilities badly: ``"8%"``, ``25.19``, ``139.88``, ``0``, ``"high"``, or
nothing.
:func:`repair_weights` turns one turn's raw values into non-negative weights on a probability
scale (not yet normalized) and records, per value, which rules changed it. Each rule:

==================== ===========================================================================
code                 rule
==================== ===========================================================================
``string``           a number written as a string (``"0.3"``) is read as that number
``fraction``         ``"1/5"`` is read as 0.2
``percent_sign``     ``"8%"`` / ``"8 %"`` is read as 0.08
``word``             ``"very high"``, ``"high"``, ``"medium"``, ``"low"``, ``"very low"`` map to
                     0.9, 0.7, 0.5, 0.3, 0.1
``percent_scale``    numeric percentages are divided by 100: always for the ``percentage``
                     definition when any value exceeds 1; otherwise when every value lies in
                     [0, 100], one exceeds 1, and they sum to 100 ± 10, or when other values
                     of the turn were written with a ``%`` sign
``rescaled``         every value exceeds 1 (the model used a scale of its own): divide by their sum,
                     which keeps their order
``clipped``          any other value above 1 is clipped to 1
``negative``         a negative value becomes 0
``inverted``         ``perplexity``: weight = 1 / perplexity; ``nll``: weight = exp(-nll) (for both,
                     lower means more likely)
``missing``          no value: filled with the mean of the readable weights
``not_finite``       NaN or infinity: filled with the mean of the readable weights
``unreadable``       anything else (``"often"``, a list, perplexity <= 0): filled with the mean
``uniform_fallback`` no positive weight at all: every weight becomes 1 (uniform), never a division
                     by zero
==================== ===========================================================================

Example:
    >>> repair_weights(["50%", 0.3, None])
    [(0.5, ('percent_sign',)), (0.3, ()), (0.4, ('missing',))]
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from typing import Any

from langchain_vs.methods import ProbabilityDefinition

__all__ = ["WORD_WEIGHTS", "repair_weights"]

WORD_WEIGHTS: dict[str, float] = {
    "very high": 0.9,
    "high": 0.7,
    "medium": 0.5,
    "moderate": 0.5,
    "low": 0.3,
    "very low": 0.1,
}

_PERCENT = re.compile(r"^\s*([-+]?\d+(?:\.\d+)?|[-+]?\.\d+)\s*%\s*$")
_FRACTION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*/\s*(\d+(?:\.\d+)?)\s*$")

RepairedWeight = tuple[float, tuple[str, ...]]


def _read_value(raw: Any) -> tuple[float | None, list[str], bool]:
    """Read one raw value as a number.

    Returns:
        The number (None when there is none), the repairs made, and whether the value was already
        a fraction of one (``"8%"``), which exempts it from the percentage rules.
    """
    if raw is None:
        return None, ["missing"], False
    if isinstance(raw, bool):  # JSON true/false is not a probability.
        return None, ["unreadable"], False
    if isinstance(raw, int | float):
        value = float(raw)
        if not math.isfinite(value):
            return None, ["not_finite"], False
        return value, [], False
    if isinstance(raw, str):
        text = raw.strip().lower()
        if match := _PERCENT.match(text):
            return float(match.group(1)) / 100.0, ["percent_sign"], True
        if match := _FRACTION.match(text):
            denominator = float(match.group(2))
            if denominator > 0:
                return float(match.group(1)) / denominator, ["fraction"], True
            return None, ["unreadable"], False
        if text in WORD_WEIGHTS:
            return WORD_WEIGHTS[text], ["word"], True
        try:
            value = float(text)
        except ValueError:
            return None, ["unreadable"], False
        if not math.isfinite(value):
            return None, ["not_finite"], False
        return value, ["string"], False
    return None, ["unreadable"], False


def _looks_like_percentages(values: Sequence[float]) -> bool:
    return (
        all(0.0 <= v <= 100.0 for v in values)
        and max(values) > 1.0
        and 90.0 <= math.fsum(values) <= 110.0
    )


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
        One ``(weight, repairs)`` pair per raw value: a finite weight >= 0 and the repair codes
        applied, in order. At least one weight is positive whenever there is any value.
    """
    read = [_read_value(raw) for raw in raw_values]
    numbers: list[float | None] = [number for number, _, _ in read]
    repairs: list[list[str]] = [codes for _, codes, _ in read]

    if definition in (ProbabilityDefinition.PERPLEXITY, ProbabilityDefinition.NLL):
        _invert(numbers, repairs, definition)
    else:
        _scale_probabilities(numbers, repairs, [scaled for _, _, scaled in read], definition)

    readable = [n for n in numbers if n is not None]
    fill = math.fsum(readable) / len(readable) if readable else 0.0
    weights = [fill if n is None else n for n in numbers]
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
            numbers[i] = 1.0 / number
        else:
            if number < 0.0:
                number = 0.0
                repairs[i].append("negative")
            numbers[i] = math.exp(-number)
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
    percent_signs = any("percent_sign" in codes for codes in repairs)
    if (
        definition is ProbabilityDefinition.PERCENTAGE
        or _looks_like_percentages(values)
        or (percent_signs and max(values) <= 100.0)  # "45%" beside a bare 20 means 20%
    ):
        code, divisor = "percent_scale", 100.0
    elif all(v > 1.0 for v in values):
        code, divisor = "rescaled", math.fsum(values)
    else:
        code, divisor = "clipped", 0.0
    for i in plain:
        value = numbers[i] or 0.0
        if code == "clipped":
            if value > 1.0:
                numbers[i] = 1.0
                repairs[i].append(code)
        else:
            numbers[i] = min(value / divisor, 1.0)
            repairs[i].append(code)
