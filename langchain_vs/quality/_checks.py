"""The argument checks and the request rendering that the judges of this sub-package share.

Examples:
    >>> check_retries(2)
    2
    >>> print(request_text([("system", "Be brief."), ("human", "A hot drink?")]))
    system: Be brief.
    human: A hot drink?
"""

from __future__ import annotations

import math
import random
from collections.abc import Sequence
from typing import Any, get_args

from langchain_core.messages import convert_to_messages

from langchain_vs.core import MAX_RETRIES, Candidate, StructuredOutputMode

__all__ = [
    "numbered_entries",
    "numbered_schema",
    "check_flag",
    "check_positive",
    "check_retries",
    "check_seed",
    "check_structured_output",
    "check_text",
    "request_text",
    "shown_candidates",
    "shown_order",
]


def check_text(value: Any, what: str, *, example: str) -> str:
    """``value`` if it is a non-blank string."""
    if not isinstance(value, str):
        raise TypeError(f"{what} must be a string such as {example}, got {type(value).__name__}")
    if not value.strip():
        raise ValueError(f"{what} is empty: give one, such as {example}")
    return value


def check_retries(max_retries: Any) -> int:
    """``max_retries`` if it is an int from 0 to ``MAX_RETRIES``."""
    if (
        not isinstance(max_retries, int)
        or isinstance(max_retries, bool)
        or not 0 <= max_retries <= MAX_RETRIES
    ):
        raise ValueError(f"max_retries must be an int from 0 to {MAX_RETRIES}, got {max_retries!r}")
    return max_retries


def check_flag(value: Any, what: str) -> bool:
    """``value`` if it is a bool."""
    if not isinstance(value, bool):
        raise TypeError(f"{what} must be True or False, got {value!r}")
    return value


def check_positive(value: Any, what: str, *, why: str) -> float:
    """``value`` as a float if it is a finite number > 0 (not a bool); ``why`` it must be."""
    if (
        not isinstance(value, int | float)
        or isinstance(value, bool)
        or not math.isfinite(value)
        or value <= 0
    ):
        raise ValueError(f"{what} must be a finite number > 0 ({why}), got {value!r}")
    return float(value)


def check_seed(seed: Any) -> int:
    """``seed`` if it is an int (not a bool)."""
    if not isinstance(seed, int) or isinstance(seed, bool):
        raise TypeError(f"seed must be an int, got {seed!r}")
    return seed


def check_structured_output(mode: Any) -> StructuredOutputMode:
    """``mode`` if it is one of the structured-output modes."""
    modes = get_args(StructuredOutputMode)
    if mode not in modes:
        raise ValueError(f"structured_output must be one of {', '.join(modes)}; got {mode!r}")
    result: StructuredOutputMode = mode
    return result


def request_text(request: Sequence[Any]) -> str:
    """The request as a judge reads it: its one message's text, or each message by role."""
    messages = [m for m in convert_to_messages(request) if m.text.strip()]
    if len(messages) == 1:
        return messages[0].text.strip()
    return "\n".join(f"{m.type}: {m.text.strip()}" for m in messages)


def shown_order(
    candidates: Sequence[Candidate], *, shuffle: bool, seed: int
) -> tuple[list[int], random.Random]:
    """Which candidate a judge is shown at each position, and the generator that shuffled them.

    Seeded by ``seed`` and the texts, so the same candidates are always shown the same way (sync
    and async alike), while a draw's likeliest candidate does not always come first.
    """
    rng = random.Random("\x1f".join([str(seed), *(c.text for c in candidates)]))
    order = list(range(len(candidates)))
    if shuffle:
        rng.shuffle(order)
    return order, rng


def shown_candidates(
    request: Sequence[Any], candidates: Sequence[Candidate], order: Sequence[int]
) -> str:
    """The request and the candidates as a judge is shown them, numbered from 1 in ``order``."""
    shown = "\n\n".join(
        f'<candidate index="{position}">\n{candidates[i].text}\n</candidate>'
        for position, i in enumerate(order, 1)
    )
    asked = request_text(request)
    return (f"The request:\n{asked}\n\n" if asked else "") + f"The candidates:\n\n{shown}"


def numbered_schema(title: str, field: str, entries: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """A reply's schema: ``{field: {"1": entries[0], "2": entries[1], ...}}``, all required.

    Keyed by number rather than a list of ``{index, ...}``: a schema-constrained decoder then
    writes each entry exactly once, in order (a list cannot forbid an index twice, and a small
    model does repeat one).
    """
    numbers = [str(n) for n in range(1, len(entries) + 1)]
    return {
        "title": title,
        "type": "object",
        "properties": {
            field: {
                "type": "object",
                "properties": dict(zip(numbers, entries, strict=True)),
                "required": numbers,
                "additionalProperties": False,
            }
        },
        "required": [field],
        "additionalProperties": False,
    }


def numbered_entries(value: Any, field: str, count: int, what: str) -> list[dict[str, Any]]:
    """The entries ``1..count`` of a reply shaped by `numbered_schema()`, in order.

    Raises:
        ValueError: Saying what makes the reply unusable (told to the model when re-asked).
    """
    entries = value.get(field) if isinstance(value, dict) else None
    if not isinstance(entries, dict):
        raise ValueError(f'it has no "{field}" object keyed by {what} number')
    numbers = [str(n) for n in range(1, count + 1)]
    extra = [key for key in entries if key not in numbers]
    if extra:
        raise ValueError(f"there is no {what} {extra[0]}; they are 1 to {count}")
    missing = [key for key in numbers if key not in entries]
    if missing:
        raise ValueError(f"{what}(s) {', '.join(missing)} have no entry; give one for every {what}")
    found = [entries[key] for key in numbers]
    for number, entry in zip(numbers, found, strict=True):
        if not isinstance(entry, dict):
            raise ValueError(f"the entry of {what} {number} is {entry!r}, not an object")
    return found
