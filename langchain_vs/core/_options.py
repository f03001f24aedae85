"""The VS options: declared once, validated strictly, frozen for the engine.

[`VerbalizedConfig`][langchain_vs.core.VerbalizedConfig] is the one configuration of a VS request.
The faces (the sampler, the
chat model, the LangGraph node) take the same options as keyword arguments — they declare them
by extending this class, which is what lets LangChain's ``configurable_fields`` reach them — and
hand a frozen copy
([`VerbalizedConfig.frozen_options()`][langchain_vs.core.VerbalizedConfig.frozen_options]) to the
engine they hold.
[`Persona`][langchain_vs.graph.Persona] uses the same field types for its own overrides.

Unknown names and wrong types fail at construction, with the valid names:

Examples:
    >>> VerbalizedConfig(k=3).k
    3
    >>> VerbalizedConfig(kk=3)
    Traceback (most recent call last):
    ...
    pydantic_core._pydantic_core.ValidationError: 1 validation error for VerbalizedConfig
      Value error, unknown option 'kk' (did you mean 'k'?); VerbalizedConfig takes: ...
"""

from __future__ import annotations

import difflib
import math
from collections.abc import Mapping, Sequence
from functools import cached_property
from typing import Annotated, Any, Literal, Self

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from langchain_vs.core._candidate_schema import CandidateSchema
from langchain_vs.core._distribution import SelectionStrategy
from langchain_vs.core._methods import MAX_K, MAX_RETRIES, Method, ProbabilityDefinition
from langchain_vs.core._scoring import Scorer
from langchain_vs.core._utility import UTILITY_NAMES, Utility, UtilityName
from langchain_vs.core.parsing import DEFAULT_MAX_REPLY_CHARS

__all__ = [
    "CandidateCount",
    "FACE_MODEL_CONFIG",
    "MAX_K",
    "MAX_RETRIES",
    "StructuredOutputMode",
    "UnitInterval",
    "VerbalizedConfig",
    "did_you_mean",
]

StructuredOutputMode = Literal["auto", "json_schema", "function_calling", "json_mode", "none"]

CandidateCount = Annotated[int, Field(strict=True, ge=1, le=MAX_K)]
"""A number of candidates: an ``int`` (not ``"5"``, not ``True``) from 1 to ``MAX_K``."""
UnitInterval = Annotated[float, Field(strict=True, gt=0.0, le=1.0, allow_inf_nan=False)]
"""A probability threshold in (0, 1]."""


def did_you_mean(name: str, known: Sequence[str], *, cutoff: float = 0.6) -> str:
    """``" (did you mean 'x'?)"`` for the known name closest to a misspelt one, else ``""``."""
    guess = difflib.get_close_matches(name, known, n=1, cutoff=cutoff)
    return f" (did you mean {guess[0]!r}?)" if guess else ""


def _unknown_names_error(
    owner: str, given: Any, known: list[str], shown: list[str]
) -> ValueError | None:
    """A ``ValueError`` naming the first unknown key of ``given``, or ``None``.

    The message guesses among, and lists, the ``shown`` names (``known`` may hold internal ones).
    """
    if not isinstance(given, dict):
        return None
    unknown = [name for name in given if name not in known]
    if not unknown:
        return None
    name = unknown[0]
    hint = did_you_mean(str(name), shown)
    return ValueError(f"unknown option {name!r}{hint}; {owner} takes: {', '.join(sorted(shown))}")


FACE_MODEL_CONFIG = ConfigDict(
    frozen=False,
    extra="forbid",
    arbitrary_types_allowed=True,
    populate_by_name=True,
    validate_assignment=True,
)
"""The pydantic settings every face (sampler, chat model, node) shares: unknown names refused,
and an assigned option re-validated so the face's engine follows it."""


class VerbalizedConfig(BaseModel):
    """How a VS request is asked, read and drawn from.

    Every option is keyword-only, strictly typed and checked when it is set: a typo or a wrong
    type raises ``ValueError`` naming the valid options, before any model call.
    """

    model_config = ConfigDict(
        extra="forbid", frozen=True, arbitrary_types_allowed=True, populate_by_name=True
    )

    method: Method = Method.VS_STANDARD
    """How the model is asked (see [`Method`][langchain_vs.core.Method])."""
    k: CandidateCount = 5
    """How many candidate responses to ask for (1 to ``MAX_K``)."""
    tail_threshold: UnitInterval | None = None
    """Prompt-level, more diversity: ask for responses whose probability is each below this
    value (the paper's tail sampling, e.g. 0.1). In (0, 1]; ``None`` asks for no threshold."""
    min_probability: UnitInterval | None = None
    """Post-hoc, less diversity: drop candidates whose normalized probability is below this
    floor, keeping at least ``min_survivors``. In (0, 1]; ``None`` keeps all."""
    min_survivors: CandidateCount = 1
    """How many candidates the post-hoc floor always keeps (1 to ``k``)."""
    probability_definition: ProbabilityDefinition | None = None
    """How the weight is described to the model; ``None``: the paper's best for the method."""
    selection: SelectionStrategy = "sample"
    """How one candidate is picked: ``sample``, ``argmax``, ``uniform``, ``tail``, ``best`` (the
    highest-scored; needs ``scorer``; ties: likelier, then earlier) or ``mbr`` (the highest
    expected ``utility`` under the distribution: the consensus answer)."""
    scorer: Scorer | None = None
    """Scores every candidate of a draw in one batch (see [`Scorer`][langchain_vs.core.Scorer];
    wrap a function or Runnable with [`as_scorer()`][langchain_vs.quality.as_scorer]). Its scores go
    into the draw record; ``best``, ``tilt`` and ``min_score`` use them."""
    tilt: Annotated[float, Field(strict=True, gt=0.0, allow_inf_nan=False)] | None = None
    """Reweight by score before the pick, ``p'`` proportional to ``p * exp(score / tilt)``
    (needs ``scorer``): small values near best-of-k, large ones keep the distribution."""
    min_score: Annotated[float, Field(strict=True, allow_inf_nan=False)] | None = None
    """Drop candidates scored below this before the pick (needs ``scorer``); when none
    reaches it, the best-scored one is kept, so a draw always answers."""
    utility: UtilityName | Utility = "auto"
    """``selection="mbr"``'s agreement between two candidates: ``lexical`` (token-set F1),
    ``embedding`` (cosine of the texts' embeddings), ``auto`` (embedding when the
    ``embeddings`` extra is installed, else lexical) or a callable from the k texts to their
    k x k matrix."""
    seed: Annotated[int, Field(strict=True)] | None = None
    """Seed for the pick: the same seed and distribution always give the same pick."""
    structured_output: StructuredOutputMode = "auto"
    """``auto`` uses the model's structured output when it has it, else text; a named method
    forces it. A capability error (no structured output, a rejected schema) or structured
    replies that do not parse switch *that request* to text; the next request tries again."""
    constrained_weights: Annotated[bool, Field(strict=True)] | None = None
    """Structured output: constrain each weight to its definition's range in the decoding
    itself, by sending a JSON schema whose weight is a set of numbers the grammar enforces (see
    [`weight_json_schema()`][langchain_vs.core.ProbabilityDefinition.weight_json_schema]), not a
    ``number``
    with bounds that llama.cpp ignores. ``None``: on for the embedded local server (and other
    servers declared with [`declare_grammar_server()`][langchain_vs.core.declare_grammar_server]),
    off for any
    other model; ``True`` for a llama.cpp or vLLM server of your own (any server whose
    JSON-schema decoding enforces ``enum``); ``False``: never. Text mode is unaffected."""
    max_retries: Annotated[int, Field(strict=True, ge=0, le=MAX_RETRIES)] = 2
    """Re-asks per turn when a reply cannot be parsed (the model is told what was wrong)."""
    per_turn: CandidateCount | None = None
    """VS-Multi: responses per turn (default: half of k, rounded up)."""
    merge_duplicates: Annotated[bool, Field(strict=True)] = False
    """Merge candidates with the same text (ignoring case and white space), adding weights."""
    length_hint: str | None = None
    """Optional phrase on each response's length, e.g. ``"at most 40 words"``."""
    max_reply_chars: Annotated[int, Field(strict=True, ge=1)] = DEFAULT_MAX_REPLY_CHARS
    """A longer reply is refused with ``OutputParserException`` (and re-asked)."""
    candidate_schema: CandidateSchema | None = Field(default=None, alias="schema")
    """Structured candidates (pass it as ``schema=``): each response is an object of this
    pydantic model class, ``TypedDict`` or JSON-schema dict; ``Candidate.value`` holds it."""

    @field_validator("candidate_schema", mode="before")
    @classmethod
    def _wrap_schema(cls, schema: Any) -> CandidateSchema | None:
        return None if schema is None else CandidateSchema.of(schema)

    @field_validator("scorer", mode="before")
    @classmethod
    def _a_scorer(cls, scorer: Any) -> Any:
        if scorer is not None and not isinstance(scorer, Scorer):
            raise TypeError(
                f"scorer must be a Scorer (with score() and ascore()), got "
                f"{type(scorer).__name__}; wrap a function or Runnable with "
                "langchain_vs.as_scorer(...)"
            )
        return scorer

    @field_validator("utility", mode="before")
    @classmethod
    def _a_utility(cls, utility: Any) -> Any:
        if isinstance(utility, str) and utility not in UTILITY_NAMES:
            raise ValueError(
                f"unknown utility {utility!r}{did_you_mean(utility, UTILITY_NAMES)}; use one of "
                f"{', '.join(UTILITY_NAMES)} or a callable from the texts to their k x k matrix"
            )
        if not isinstance(utility, str) and not callable(utility):
            raise TypeError(
                f"utility must be one of {', '.join(UTILITY_NAMES)} or a callable from the "
                f"texts to their k x k matrix, got {type(utility).__name__}"
            )
        return utility

    @model_validator(mode="before")
    @classmethod
    def _known_names(cls, data: Any) -> Any:
        # A face's assignment is checked with every field, internal ones (exclude=True) too,
        # and the values its cached properties keep (e.g. BaseChatModel._serialized).
        aliases = [info.alias for info in cls.model_fields.values() if info.alias]
        cached = [name for name in dir(cls) if isinstance(getattr(cls, name), cached_property)]
        known = [*cls.model_fields, *aliases, *cached]
        shown = [name for name, info in cls.model_fields.items() if not info.exclude] + aliases
        if (error := _unknown_names_error(cls.__name__, data, known, shown)) is not None:
            raise error
        return data

    @model_validator(mode="after")
    def _consistent(self) -> Any:
        if self.per_turn is not None and self.per_turn > self.k:
            raise ValueError(f"per_turn must be between 1 and k={self.k}, got {self.per_turn}")
        if self.min_survivors > self.k:
            raise ValueError(
                f"min_survivors must be between 1 and k={self.k}, got {self.min_survivors}: "
                "the post-hoc floor cannot keep more candidates than are asked for; lower "
                "min_survivors or raise k"
            )
        needs_scores = {
            'selection="best"': self.selection == "best",
            "tilt": self.tilt is not None,
            "min_score": self.min_score is not None,
        }
        for option, used in needs_scores.items():
            if used and self.scorer is None:
                raise ValueError(
                    f"{option} uses the candidates' scores: pass scorer= too (a Scorer, or a "
                    "function or Runnable wrapped by langchain_vs.as_scorer)"
                )
        if self.probability_definition is not None and not self.method.is_verbalized:
            raise ValueError(
                f"probability_definition applies to the vs_* methods only, not {self.method.value}"
            )
        return self

    @property
    def effective_definition(self) -> ProbabilityDefinition | None:
        """The probability definition in force (the method's default when none is set)."""
        return self.probability_definition or self.method.default_definition

    @property
    def asks_json(self) -> bool:
        """Whether replies are JSON: the method's format, or objects of a candidate schema."""
        return self.method.asks_json or self.candidate_schema is not None

    @property
    def call_plan(self) -> tuple[int, ...]:
        """How many responses each model call of one request asks for, in order.

        ``k`` is what the user asked for; this is how the method spreads it over calls: one
        response for the direct methods, ``k`` calls of one for ``MULTI_TURN``, turns of
        ``per_turn`` (default: half of ``k``, rounded up) for ``VS_MULTI``, else one call of
        ``k``.

        Examples:
            >>> VerbalizedConfig(method="vs_multi", k=5).call_plan
            (3, 2)
        """
        if self.method.is_single:
            return (1,)
        if self.method is Method.MULTI_TURN:
            return (1,) * self.k
        if self.method is Method.VS_MULTI:
            size = self.per_turn or math.ceil(self.k / 2)
            return tuple(min(size, self.k - start) for start in range(0, self.k, size))
        return (self.k,)

    @property
    def candidates_asked(self) -> int:
        """How many candidates one request asks the model for in all (1 for the direct methods)."""
        return sum(self.call_plan)

    @property
    def responses_per_call(self) -> int:
        """The most responses one model call asks for (what a call's token budget must hold)."""
        return max(self.call_plan)

    def model_copy(self, *, update: Mapping[str, Any] | None = None, deep: bool = False) -> Self:
        """A copy; with ``update``, built anew, so the changed options are checked and in force.

        (Pydantic's own copy skips validation, which would leave a face's engine on the old
        options.)
        """
        if not update:
            return super().model_copy(deep=deep)
        fields = type(self).model_fields
        current = {name: value for name, value in self.__dict__.items() if name in fields}
        return type(self)(**{**current, **update})

    def __setattr__(self, name: str, value: Any) -> None:
        """Assign an option: checked with all the others, or refused and the object unchanged.

        The faces validate assignment (``validate_assignment=True``) and rebuild their engine in
        a model validator, so an assigned option is in force for the next call. Pydantic would
        keep a value its model validators refuse (``per_turn`` above ``k``); it is put back.
        """
        fields, fields_set = self.__dict__.copy(), set(self.__pydantic_fields_set__)
        try:
            super().__setattr__(name, value)
        except ValidationError:
            object.__setattr__(self, "__dict__", fields)
            object.__setattr__(self, "__pydantic_fields_set__", fields_set)
            raise

    def frozen_options(self) -> VerbalizedConfig:
        """These options as a frozen `VerbalizedConfig`: a face's copy for its engine."""
        if type(self) is VerbalizedConfig:
            return self
        names = VerbalizedConfig.model_fields
        return VerbalizedConfig(**{name: getattr(self, name) for name in names})
