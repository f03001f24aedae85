"""The VS options every user-facing piece shares, their validation, and the model plumbing.

:class:`VerbalizedOptions` is a pydantic mixin: :class:`~langchain_vs.sampler.VerbalizedSampler`
and the other wrappers inherit the same fields, checks and helpers instead of copying them.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from typing import Any, Literal

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage
from langchain_core.runnables import Runnable, RunnableSequence
from pydantic import BaseModel, ConfigDict, PrivateAttr, model_validator

from langchain_vs.conversation import ModelRequest, SamplingOutcome, VerbalizedConversation
from langchain_vs.distribution import (
    SELECTION_STRATEGIES,
    Candidate,
    SelectionStrategy,
    VerbalizedDistribution,
)
from langchain_vs.methods import Method, ProbabilityDefinition, response_schema

__all__ = [
    "MAX_K",
    "MAX_RETRIES",
    "Draw",
    "StructuredOutputMode",
    "VerbalizedOptions",
    "configured_copy",
]

MAX_K = 50
"""The largest k accepted: beyond it replies outgrow most context windows and parsers."""
MAX_RETRIES = 10

StructuredOutputMode = Literal["auto", "json_schema", "function_calling", "json_mode", "none"]


def _check_unit_interval(name: str, value: float | None) -> None:
    if value is not None and not (math.isfinite(value) and 0.0 < value <= 1.0):
        raise ValueError(f"{name} must be in (0, 1], got {value!r}")


def configured_copy(model: BaseChatModel, settings: dict[str, Any]) -> BaseChatModel:
    """A copy of ``model`` with the given settings (by field name or alias).

    ``None`` values and settings the model does not have are left out; ``model`` is unchanged.
    """
    fields = type(model).model_fields
    aliases = {info.alias: name for name, info in fields.items() if info.alias}
    update = {}
    for key, value in settings.items():
        name = key if key in fields else aliases.get(key)
        if value is not None and name is not None:
            update[name] = value
    return model.model_copy(update=update) if update else model


class VerbalizedOptions(BaseModel):
    """Options for Verbalized Sampling over a wrapped chat model (a mixin)."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    model: BaseChatModel
    """The chat model that is asked for the distribution (any LangChain chat model)."""
    method: Method = Method.VS_STANDARD
    """How the model is asked (see :class:`~langchain_vs.methods.Method`)."""
    k: int = 5
    """How many candidate responses to ask for (1 to ``MAX_K``)."""
    tail_threshold: float | None = None
    """Prompt-level, more diversity: ask for responses whose probability is each below this
    value (the paper's tail sampling, e.g. 0.1). In (0, 1]; ``None`` asks for no threshold."""
    min_probability: float | None = None
    """Post-hoc, less diversity: drop candidates whose normalized probability is below this
    floor, keeping at least ``min_survivors``. In (0, 1]; ``None`` keeps all."""
    min_survivors: int = 1
    """How many candidates the post-hoc floor always keeps."""
    probability_definition: ProbabilityDefinition | None = None
    """How the weight is described to the model; ``None``: the paper's best for the method."""
    selection: SelectionStrategy = "sample"
    """How one candidate is picked: ``sample``, ``argmax``, ``uniform`` or ``tail``."""
    seed: int | None = None
    """Seed for the pick: the same seed and distribution always give the same pick."""
    structured_output: StructuredOutputMode = "auto"
    """``auto`` uses the model's structured output when it has it, else text; a named method
    forces it. Any failure of a structured call falls back to text."""
    max_retries: int = 2
    """Re-asks per turn when a reply cannot be parsed (the model is told what was wrong)."""
    per_turn: int | None = None
    """VS-Multi: responses per turn (default: half of k, rounded up)."""
    merge_duplicates: bool = False
    """Merge candidates with the same text (ignoring case and white space), adding weights."""
    length_hint: str | None = None
    """Optional phrase on each response's length, e.g. ``"at most 40 words"``."""

    _structured_failed: bool = PrivateAttr(default=False)

    @model_validator(mode="after")
    def _check_options(self) -> VerbalizedOptions:
        if not isinstance(self.model, BaseChatModel):
            raise ValueError(
                f"model must be a LangChain chat model (BaseChatModel), got "
                f"{type(self.model).__name__}"
            )
        if not 1 <= self.k <= MAX_K:
            raise ValueError(f"k must be between 1 and {MAX_K}, got {self.k}")
        _check_unit_interval("tail_threshold", self.tail_threshold)
        _check_unit_interval("min_probability", self.min_probability)
        if self.min_survivors < 1:
            raise ValueError(f"min_survivors must be at least 1, got {self.min_survivors}")
        if not 0 <= self.max_retries <= MAX_RETRIES:
            raise ValueError(
                f"max_retries must be between 0 and {MAX_RETRIES}, got {self.max_retries}"
            )
        if self.per_turn is not None and not 1 <= self.per_turn <= self.k:
            raise ValueError(f"per_turn must be between 1 and k={self.k}, got {self.per_turn}")
        if self.selection not in SELECTION_STRATEGIES:
            raise ValueError(
                f"unknown selection {self.selection!r}; use one of "
                f"{', '.join(SELECTION_STRATEGIES)}"
            )
        if self.probability_definition is not None and not self.method.is_verbalized:
            raise ValueError(
                f"probability_definition applies to the vs_* methods only, not {self.method.value}"
            )
        return self

    # -- the conversation ---------------------------------------------------------------------

    @property
    def effective_definition(self) -> ProbabilityDefinition | None:
        """The probability definition in force (the method's default when none is set)."""
        return self.probability_definition or self.method.default_definition

    def _structured_method(self) -> str | None:
        """The ``with_structured_output`` method to use, or ``None`` for plain text."""
        if self.structured_output == "none" or not self.method.asks_json:
            return None
        if self.structured_output != "auto":
            return self.structured_output
        if self._structured_failed:
            return None
        profile = getattr(self.model, "profile", None) or {}
        model_type = type(self.model)
        if profile.get("structured_output") or (
            model_type.with_structured_output is not BaseChatModel.with_structured_output
        ):
            return "json_schema"
        if profile.get("tool_calling") or model_type.bind_tools is not BaseChatModel.bind_tools:
            return "function_calling"
        return None

    def new_conversation(self, messages: list[BaseMessage]) -> VerbalizedConversation:
        """A fresh, I/O-free conversation for one request."""
        structured = self._structured_method()
        return VerbalizedConversation(
            messages,
            method=self.method,
            k=self.k,
            probability_definition=self.effective_definition,
            tail_threshold=self.tail_threshold,
            length_hint=self.length_hint,
            per_turn=self.per_turn or math.ceil(self.k / 2),
            structured=structured is not None,
            format_in_prompt=structured == "json_mode",
            max_retries=self.max_retries,
        )

    def inner_model(self) -> BaseChatModel:
        """The wrapped model as it is called (subclasses may adjust its settings)."""
        return self.model

    def runnable_for(self, request: ModelRequest) -> Runnable[Any, Any]:
        """The model, or its structured-output binding, that answers ``request``."""
        method = self._structured_method()
        if not request.structured or method is None:
            return self.inner_model()
        schema = response_schema(
            request.parser.method,
            count=request.parser.k or self.k,
            definition=request.parser.probability_definition,
        )
        assert schema is not None
        # A JSON-schema dict, not the class: some clients validate pydantic schemas strictly
        # and would reject the out-of-range weights that the repair rules exist for.
        wrapped = self.inner_model().with_structured_output(
            schema.model_json_schema(), method=method
        )
        # Keep the bound model, not its parser: the reply's text and token usage are needed.
        return wrapped.first if isinstance(wrapped, RunnableSequence) else wrapped

    def draw(self, outcome: SamplingOutcome, *, rng: random.Random | None = None) -> Draw:
        """Apply merging and the post-hoc floor, then pick one candidate.

        The pick uses ``rng`` when given (e.g. one derived per simulation turn), else ``seed``.
        """
        if not outcome.structured and outcome.structured_error and self.structured_output == "auto":
            self._structured_failed = True  # it failed twice: don't pay for that every time
        distribution = outcome.distribution
        if self.merge_duplicates:
            distribution = distribution.merge_duplicates()
        if self.min_probability is not None:
            distribution = distribution.with_floor(
                self.min_probability, min_survivors=self.min_survivors
            )
        chosen = distribution.select(self.selection, seed=self.seed if rng is None else rng)
        record = {
            **distribution.to_dict(),
            "k": self.k,
            "chosen_index": chosen.index,
            "selection": self.selection,
            "seed": self.seed,
            "model_calls": len(outcome.replies),
            "structured_output": outcome.structured,
            "structured_output_error": outcome.structured_error,
        }
        return Draw(distribution, chosen, record, outcome)


@dataclass(frozen=True)
class Draw:
    """One finished VS request: the distribution, the pick and its JSON-able record."""

    distribution: VerbalizedDistribution
    chosen: Candidate
    record: dict[str, Any]
    """What goes into ``response_metadata["verbalized_sampling"]`` and the custom event."""
    outcome: SamplingOutcome

    def message(self, *, chunk: bool = False) -> AIMessage:
        """The pick as an ``AIMessage`` (or ``AIMessageChunk``) with the record and usage."""
        metadata: dict[str, Any] = {"verbalized_sampling": self.record}
        replies = self.outcome.replies
        if replies and (model_name := replies[-1].response_metadata.get("model_name")):
            metadata["model_name"] = model_name
        message_type = AIMessageChunk if chunk else AIMessage
        return message_type(
            content=self.chosen.text,
            response_metadata=metadata,
            usage_metadata=self.outcome.usage,
        )
