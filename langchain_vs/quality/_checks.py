"""The argument checks and the request rendering that the judges of this sub-package share.

Example:
    >>> check_retries(2)
    2
    >>> print(request_text([("system", "Be brief."), ("human", "A hot drink?")]))
    system: Be brief.
    human: A hot drink?
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, get_args

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import convert_to_messages

from langchain_vs.core import MAX_RETRIES, StructuredOutputMode

__all__ = ["check_model", "check_retries", "check_structured_output", "check_text", "request_text"]


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
