"""The VS faces that wrap any chat model.

[`VerbalizedSampler`][langchain_vs.runnables.VerbalizedSampler] (a chain component),
[`VerbalizedChatModel`][langchain_vs.runnables.VerbalizedChatModel] (a drop-in chat
model), [`verbalize()`][langchain_vs.runnables.verbalize] (one call) and
[`VerbalizedSamplingMiddleware`][langchain_vs.runnables.VerbalizedSamplingMiddleware] (for
``create_agent``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from langchain_vs._imports import lazy_attributes

if TYPE_CHECKING:
    from langchain_vs.runnables._chat_model import VerbalizedChatModel
    from langchain_vs.runnables._middleware import VerbalizedSamplingMiddleware
    from langchain_vs.runnables._sampler import (
        CANDIDATE_EVENT,
        DISTRIBUTION_EVENT,
        OutputKind,
        VerbalizedSampler,
        to_messages,
        verbalize,
    )

_HOMES = {
    "CANDIDATE_EVENT": "_sampler",
    "DISTRIBUTION_EVENT": "_sampler",
    "OutputKind": "_sampler",
    "VerbalizedChatModel": "_chat_model",
    "VerbalizedSampler": "_sampler",
    "VerbalizedSamplingMiddleware": "_middleware",
    "to_messages": "_sampler",
    "verbalize": "_sampler",
}

__all__ = [
    "CANDIDATE_EVENT",
    "DISTRIBUTION_EVENT",
    "OutputKind",
    "VerbalizedChatModel",
    "VerbalizedSampler",
    "VerbalizedSamplingMiddleware",
    "to_messages",
    "verbalize",
]

__getattr__, __dir__ = lazy_attributes(__name__, _HOMES, globals())
