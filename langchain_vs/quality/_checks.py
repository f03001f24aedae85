"""The argument checks and the request rendering that the judges of this sub-package share.

Example:
    >>> check_retries(2)
    2
    >>> print(request_text([("system", "Be brief."), ("human", "A hot drink?")]))
    system: Be brief.
    human: A hot drink?
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from typing import Any, get_args

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import convert_to_messages

from langchain_vs.core import MAX_RETRIES, Candidate, StructuredOutputMode

__all__ = [
    "check_model",
    "check_retries",
    "check_seed",
    "check_structured_output",
    "check_text",
    "request_text",
    "shown_candidates",
    "shown_order",
]


def check_model(model: Any) -> BaseChatModel:
    """``model`` if it is a LangChain chat model; ``TypeError`` naming what it is otherwise."""
    if not isinstance(model, BaseChatModel):
        raise TypeError(
            f"model must be a LangChain chat model (BaseChatModel), got {type(model).__name__}; "
            "for a model by name, use langchain_vs.local.resolve_chat_model"
        )
    return model


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
