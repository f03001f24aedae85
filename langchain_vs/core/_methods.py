"""What the model is asked: sampling methods, probability definitions, prompts and schemas.

Seven methods share one interface. ``VS_STANDARD``, ``VS_COT`` and ``VS_MULTI`` are Verbalized
Sampling proper: the model verbalizes k responses *with* probabilities, and we sample from that
distribution. ``DIRECT``, ``DIRECT_COT``, ``SEQUENCE`` and ``MULTI_TURN`` are the baselines the VS
paper compares against; they give a distribution too (one candidate, or uniform weights), so every
method has the same result type.

Examples:
    >>> Method("vs_standard").default_definition
    <ProbabilityDefinition.EXPLICIT: 'explicit'>
    >>> ProbabilityDefinition.NLL.field_name
    'nll'
"""

from __future__ import annotations

import json
from enum import StrEnum
from typing import Any

from langchain_vs.core._candidate_schema import CandidateSchema

__all__ = [
    "MAX_K",
    "MAX_RETRIES",
    "Method",
    "ProbabilityDefinition",
    "format_instructions",
    "follow_up_prompt",
    "response_json_schema",
    "system_prompt",
]

MAX_K = 50
"""The most responses one request may ask for: beyond it replies outgrow most context windows."""
MAX_RETRIES = 10
"""The most re-asks per turn that may be configured."""


class ProbabilityDefinition(StrEnum):
    """How the weight of each response is described to the model (and which field carries it)."""

    IMPLICIT = "implicit"
    EXPLICIT = "explicit"
    RELATIVE = "relative"
    PERCENTAGE = "percentage"
    CONFIDENCE = "confidence"
    PERPLEXITY = "perplexity"
    NLL = "nll"

    @property
    def field_name(self) -> str:
        """The JSON field the model fills: probability, confidence, perplexity or nll."""
        if self in (ProbabilityDefinition.CONFIDENCE, ProbabilityDefinition.PERPLEXITY):
            return self.value
        if self is ProbabilityDefinition.NLL:
            return "nll"
        return "probability"

    @property
    def lower_is_likelier(self) -> bool:
        """True for ``perplexity`` and ``nll``: a lower value means a more likely response."""
        return self in (ProbabilityDefinition.PERPLEXITY, ProbabilityDefinition.NLL)

    @property
    def description(self) -> str:
        """The sentence that tells the model what the field means."""
        return _DEFINITION_TEXT[self]

    @property
    def example_value(self) -> float:
        """A plausible value, used in the format example shown to the model."""
        return {"percentage": 12.0, "perplexity": 3.4, "nll": 18.5}.get(self.value, 0.12)

    def json_bounds(self) -> dict[str, float]:
        """The field's range, as JSON-schema bounds (``ge``, and ``le`` when it has one).

        Declared on a ``number``, they are not enforced by llama.cpp's grammar (nor by most
        constrained decoders): `weight_json_schema()` with ``constrained=True`` is.
        """
        if self is ProbabilityDefinition.PERCENTAGE:
            return {"ge": 0.0, "le": 100.0}
        if self is ProbabilityDefinition.PERPLEXITY:
            return {"ge": 1.0}
        if self is ProbabilityDefinition.NLL:
            return {"ge": 0.0}
        return {"ge": 0.0, "le": 1.0}

    def weight_json_schema(self, *, constrained: bool = False) -> dict[str, Any]:
        """The JSON schema of the weight field.

        Unconstrained: a ``number`` with the `json_bounds()` (what any server accepts).
        Constrained: values a JSON-schema grammar does enforce — llama.cpp's enforces ``enum``
        and an ``integer``'s bounds, but no ``number``'s — with the same meaning: the model
        still writes a probability (or percentage, perplexity, NLL) as a JSON number, only from
        a fixed set, and it is read as before (a percentage is divided by 100, repair
        ``percent_scale``; nothing is rescaled by the sum).

        - a bounded range (``[0, 1]``; ``[0, 100]`` for ``percentage``): steps of 1/100 of the
          range, and of 1/1000 below the first step — 0.0, 0.001 … 0.009, 0.01 … 1.0
          (``percentage``: 0, 0.1 … 0.9, 1 … 100); 110 values;
        - ``perplexity`` (≥ 1) and ``nll`` (≥ 0), which have no upper bound: one decimal below
          10 (1.0 … 9.9; 0.0 … 9.9), then whole numbers from 10 to 9999 (weights below 1e-4).

        Examples:
            >>> ProbabilityDefinition.EXPLICIT.weight_json_schema()["maximum"]
            1.0
            >>> grid = ProbabilityDefinition.EXPLICIT.weight_json_schema(constrained=True)["enum"]
            >>> len(grid), grid[:3], grid[-2:]
            (110, [0.0, 0.001, 0.002], [0.99, 1.0])
        """
        bounds = self.json_bounds()
        weight: dict[str, Any] = {"type": "number", "description": self.description}
        if not constrained:
            if "ge" in bounds:
                weight["minimum"] = bounds["ge"]
            if "le" in bounds:
                weight["maximum"] = bounds["le"]
            return weight
        if "le" in bounds:
            top = bounds["le"]
            steps = [top * i / 1000 for i in range(10)] + [top * i / 100 for i in range(1, 101)]
            grid = [round(value, 4) for value in steps]
            weight["enum"] = [int(v) if top > 1 and v.is_integer() else v for v in grid]
            return weight
        low = round(bounds["ge"] * 10)
        decimals = [round(tenths / 10, 1) for tenths in range(low, 100)]
        return {
            "description": self.description,
            "anyOf": [
                {"type": "number", "enum": decimals},
                {"type": "integer", "minimum": 10, "maximum": _WHOLE_MAX},
            ],
        }


_WHOLE_MAX = 9999
"""Constrained ``perplexity`` / ``nll``: the largest whole number the model may write."""


_DEFINITION_TEXT: dict[ProbabilityDefinition, str] = {
    ProbabilityDefinition.IMPLICIT: "how likely this response is, from 0.0 to 1.0",
    ProbabilityDefinition.EXPLICIT: (
        "the probability of this response given the request, from 0.0 to 1.0, relative to the "
        "full distribution of responses you could give"
    ),
    ProbabilityDefinition.RELATIVE: (
        "a number from 0.0 to 1.0 giving how likely this response is compared with the other "
        "responses you could give"
    ),
    ProbabilityDefinition.PERCENTAGE: (
        "the probability of this response relative to the full distribution of responses, as a "
        "percentage from 0 to 100"
    ),
    ProbabilityDefinition.CONFIDENCE: (
        "a score from 0.0 to 1.0 for how typical this response is of everything you could answer"
    ),
    ProbabilityDefinition.PERPLEXITY: (
        "the perplexity you would assign to this response (1.0 or more); LOWER means MORE likely"
    ),
    ProbabilityDefinition.NLL: (
        "the total negative log-likelihood of this response's tokens (0 or more); LOWER means "
        "MORE likely"
    ),
}


class Method(StrEnum):
    """A way of asking the model for responses."""

    DIRECT = "direct"
    DIRECT_COT = "direct_cot"
    SEQUENCE = "sequence"
    MULTI_TURN = "multi_turn"
    VS_STANDARD = "vs_standard"
    VS_COT = "vs_cot"
    VS_MULTI = "vs_multi"

    @property
    def is_verbalized(self) -> bool:
        """True when the model states a probability for each response."""
        return self in (Method.VS_STANDARD, Method.VS_COT, Method.VS_MULTI)

    @property
    def is_single(self) -> bool:
        """True when one call gives exactly one response."""
        return self in (Method.DIRECT, Method.DIRECT_COT)

    @property
    def has_reasoning(self) -> bool:
        """True when the model writes its reasoning before the responses."""
        return self in (Method.DIRECT_COT, Method.VS_COT)

    @property
    def asks_json(self) -> bool:
        """True when the reply is a JSON object (every method but DIRECT and MULTI_TURN)."""
        return self not in (Method.DIRECT, Method.MULTI_TURN)

    @property
    def default_definition(self) -> ProbabilityDefinition | None:
        """The paper's best definition: explicit for VS-Standard/VS-CoT, confidence for VS-Multi."""
        if self is Method.VS_MULTI:
            return ProbabilityDefinition.CONFIDENCE
        if self.is_verbalized:
            return ProbabilityDefinition.EXPLICIT
        return None


def system_prompt(
    method: Method,
    *,
    count: int,
    definition: ProbabilityDefinition | None,
    tail_threshold: float | None = None,
    length_hint: str | None = None,
    with_format: bool = True,
    candidate: CandidateSchema | None = None,
) -> str | None:
    """The instruction that turns the user's request into a request for ``count`` responses.

    Args:
        method: The sampling method.
        count: How many responses this turn asks for.
        definition: The probability definition (VS methods only).
        tail_threshold: Ask for responses whose probability is each below this value.
        length_hint: An optional phrase on length, e.g. ``"at most 40 words"``.
        with_format: Include the JSON format example (leave it out when the model's structured
            output already enforces a schema).
        candidate: The schema each response follows (structured candidates), if any.

    Returns:
        The system text, or ``None`` for ``DIRECT`` and ``MULTI_TURN`` with no length hint
        (the request goes to the model unchanged).
    """
    parts: list[str] = []
    if method is Method.DIRECT_COT:
        parts.append(
            "First think step by step about the request in the `reasoning` field, then give your "
            "single best response in the `response` field."
        )
    elif method is Method.SEQUENCE:
        parts.append(f"Give {count} different responses to the request.")
    elif method.is_verbalized:
        assert definition is not None
        if method is Method.VS_COT:
            parts.append(
                "First think step by step in the `reasoning` field about the different kinds of "
                "response the request allows and how likely each kind is."
            )
        parts.append(
            f"Then sample {count} different responses from the full distribution of responses "
            "you could give to the request."
            if method is Method.VS_COT
            else f"Sample {count} different responses from the full distribution of responses "
            "you could give to the request."
        )
        parts.append(
            f"Give each response with a `{definition.field_name}` field: {definition.description}."
        )
        if tail_threshold is not None:
            parts.append(
                "Sample from the tails of the distribution: each response should have a "
                f"probability below {tail_threshold:g}."
            )
    if length_hint:
        parts.append(f"Each response should be {length_hint}.")
    if with_format and (method.asks_json or candidate is not None):
        parts.append(
            format_instructions(method, count=count, definition=definition, candidate=candidate)
        )
    return " ".join(parts) or None


def format_instructions(
    method: Method,
    *,
    count: int,
    definition: ProbabilityDefinition | None,
    candidate: CandidateSchema | None = None,
) -> str:
    """The text that tells a model without structured output exactly what to reply."""
    if candidate is not None:
        return _object_format_instructions(
            method, count=count, definition=definition, candidate=candidate
        )
    if not method.asks_json:
        return "Reply with the response only."
    example: dict[str, Any]
    if method is Method.DIRECT_COT:
        example = {"reasoning": "...", "response": "..."}
    elif method is Method.SEQUENCE:
        example = {"responses": ["first response", "second response"]}
    else:
        assert definition is not None
        item = {"text": "a response", definition.field_name: definition.example_value}
        example = {"responses": [item, {"text": "another response", "...": "..."}]}
        if method is Method.VS_COT:
            example = {"reasoning": "...", **example}
    many = "" if method is Method.DIRECT_COT else f" The list holds exactly {count} responses."
    return (
        "Reply with only a JSON object, no other text, of this form: "
        f"{json.dumps(example)}.{many} Inside a response, write line breaks as \\n."
    )


def _object_format_instructions(
    method: Method,
    *,
    count: int,
    definition: ProbabilityDefinition | None,
    candidate: CandidateSchema,
) -> str:
    """Format instructions when each response is an object of the user's schema."""
    schema = json.dumps(candidate.json_schema, separators=(",", ":"))
    if not method.asks_json:  # DIRECT, MULTI_TURN: the reply is the object itself
        return (
            f"Reply with only a JSON object, no other text, that follows this JSON schema: {schema}"
        )
    obj = {"...": "an object of the schema below"}
    example: dict[str, Any]
    if method is Method.DIRECT_COT:
        example = {"reasoning": "...", "response": obj}
    elif method is Method.SEQUENCE:
        example = {"responses": [obj, obj]}
    else:
        assert definition is not None
        item = {"value": obj, definition.field_name: definition.example_value}
        example = {"responses": [item, {"value": obj, "...": "..."}]}
        if method is Method.VS_COT:
            example = {"reasoning": "...", **example}
    many = "" if method is Method.DIRECT_COT else f" The list holds exactly {count} responses."
    return (
        f"Reply with only a JSON object, no other text, of this form: {json.dumps(example)}."
        f"{many} Each response is a JSON object that follows this JSON schema: {schema}"
    )


def follow_up_prompt(
    method: Method,
    *,
    count: int,
    definition: ProbabilityDefinition | None,
    with_format: bool = True,
    candidate: CandidateSchema | None = None,
) -> str:
    """The user turn that asks for more responses in ``MULTI_TURN`` and ``VS_MULTI``."""
    if method is Method.MULTI_TURN:
        text = "Give another response to the original request, different from your earlier ones."
    else:
        assert definition is not None
        text = (
            f"Give {count} more responses to the original request, different from all the ones "
            f"above, each with its `{definition.field_name}`."
        )
    if with_format:
        text += " " + format_instructions(
            method, count=count, definition=definition, candidate=candidate
        )
    return text


_TEXT_SCHEMA: dict[str, Any] = {
    "type": "string",
    "minLength": 1,  # constrained decoders would emit empty texts otherwise
    "description": "The response.",
}
_REASONING_SCHEMA: dict[str, Any] = {
    "type": "string",
    "description": "Step-by-step thinking before answering.",
}


def response_json_schema(
    method: Method,
    *,
    count: int,
    definition: ProbabilityDefinition | None,
    candidate: CandidateSchema | None = None,
    constrained_weights: bool = False,
) -> dict[str, Any] | None:
    """The JSON schema structured output enforces, or ``None`` when the reply is plain text.

    One builder for both kinds of candidate. A text candidate is a non-empty string (in an
    item ``{"text": ..., <weight>: ...}`` for VS methods). A structured candidate is an object
    of the user's schema (in an item ``{"value": ..., <weight>: ...}``; the reply itself for
    ``DIRECT`` and ``MULTI_TURN``), the schema's definitions moved to the top and its
    references kept pointing where they did (see
    [`CandidateSchema.nested_json_schema()`][langchain_vs.core.CandidateSchema.nested_json_schema]).
    ``constrained_weights`` puts the weight's constrained schema in (see
    [`weight_json_schema()`][langchain_vs.core.ProbabilityDefinition.weight_json_schema]); it
    changes nothing else.

    A dict, not a pydantic class: some clients validate a class's replies strictly and would
    reject the out-of-range weights the repair rules exist for; and a structured candidate's
    schema is the user's JSON schema, which no class describes.

    Examples:
        >>> schema = response_json_schema(Method.VS_STANDARD, count=3,
        ...                               definition=ProbabilityDefinition.CONFIDENCE)
        >>> list(schema["properties"]["responses"]["items"]["properties"])
        ['text', 'confidence']
        >>> pet = CandidateSchema.of({"type": "object", "properties": {"name": {"type": "string"}}})
        >>> schema = response_json_schema(Method.VS_STANDARD, count=2,
        ...                               definition=ProbabilityDefinition.EXPLICIT, candidate=pet)
        >>> schema["properties"]["responses"]["items"]["required"]
        ['value', 'probability']
    """
    shared: dict[str, Any] = {}  # the candidate schema's definitions, for the top
    if candidate is None:
        if not method.asks_json:
            return None
        body, name = dict(_TEXT_SCHEMA), "text"
    else:
        body, shared = candidate.nested_json_schema()  # references rewritten to stay correct
        if not method.asks_json:
            return {"title": candidate.name, **body, **shared}
        name = "value"
    properties: dict[str, Any] = {}
    if method.has_reasoning:
        properties["reasoning"] = dict(_REASONING_SCHEMA)
    if method is Method.DIRECT_COT:
        properties["response"] = body
        title, description = "VerbalizedAnswer", "One response, after reasoning."
    else:
        item = body
        description = f"{count} different responses."
        if method.is_verbalized:
            assert definition is not None
            weight = definition.weight_json_schema(constrained=constrained_weights)
            item = {
                "type": "object",
                "description": "One response and its weight.",
                "properties": {name: body, definition.field_name: weight},
                "required": [name, definition.field_name],
            }
            description = f"{count} different responses, each with its weight."
        properties["responses"] = {
            "type": "array",
            "items": item,
            "minItems": count,
            "maxItems": count,
        }
        title = "VerbalizedResponses"
    return {
        "title": title,
        "description": description,
        "type": "object",
        "properties": properties,
        "required": list(properties),
        **shared,
    }
