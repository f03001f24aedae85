"""Model output to `VerbalizedDistribution`: the VS output parser.

Examples:
    >>> parser = VerbalizedOutputParser(k=2)
    >>> dist = parser.parse('{"responses": [{"text": "A", "probability": 30},'
    ...                     ' {"text": "B", "probability": 70},]}')
    >>> [(c.text, round(c.probability, 2)) for c in dist]
    [('A', 0.3), ('B', 0.7)]
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from langchain_core.exceptions import OutputParserException
from langchain_core.messages import AIMessage, BaseMessage
from langchain_core.output_parsers import BaseTransformOutputParser
from langchain_core.outputs import ChatGeneration, Generation
from pydantic import BaseModel, ConfigDict, Field, model_validator

from langchain_vs.core._candidate_schema import CandidateSchema, CandidateTooDeepError
from langchain_vs.core._distribution import VerbalizedDistribution, WeightedText, as_json_scalar
from langchain_vs.core._methods import Method, ProbabilityDefinition, format_instructions
from langchain_vs.core._slots import slot_setting_init
from langchain_vs.core._weights import repair_weights
from langchain_vs.core.parsing._json_text import find_json, read_json_document
from langchain_vs.core.parsing._partial import PartialParse
from langchain_vs.core.parsing._text_formats import find_list_items, find_xml_items, valid_utf8

__all__ = [
    "DEFAULT_MAX_REPLY_CHARS",
    "ParsedTurn",
    "VerbalizedOutputParser",
    "message_payload",
]

DEFAULT_MAX_REPLY_CHARS = 1_000_000
"""The default cap on a reply's length: ~250k tokens, far beyond any k responses."""

_TEXT_KEYS = ("text", "response", "content", "answer", "output")
_LIST_KEYS = ("responses", "candidates", "answers", "samples", "items")
_VALUE_KEYS = (
    "probability",
    "prob",
    "p",
    "confidence",
    "percentage",
    "likelihood",
    "weight",
    "perplexity",
    "nll",
)
_KEY_ORDER: dict[ProbabilityDefinition | None, tuple[str, ...]] = {
    None: _VALUE_KEYS,
    **{
        d: (d.field_name, *(k for k in _VALUE_KEYS if k != d.field_name))
        for d in ProbabilityDefinition
    },
}
"""The weight fields to look for per definition, its own field first (built once, not per reply)."""
_SHOWN_CHARS = 300


def message_payload(message: BaseMessage | str) -> str | dict[str, Any]:
    """What a reply carries: tool-call arguments (structured output by tool calling) or text.

    Content blocks are joined; non-text blocks (images, reasoning) are left out.
    """
    if isinstance(message, str):
        return message
    if isinstance(message, AIMessage) and message.tool_calls:
        return dict(message.tool_calls[0]["args"])
    return message.text


@slot_setting_init
@dataclass(frozen=True, slots=True)
class ParsedTurn:
    """The responses read from one reply, with weights repaired but not yet normalized."""

    items: list[WeightedText]
    reasoning: str | None
    repairs: tuple[str, ...]
    complete: bool


def _shown(raw: Any) -> str:
    text = raw if isinstance(raw, str) else repr(raw)
    return text if len(text) <= _SHOWN_CHARS else text[:_SHOWN_CHARS] + "…"


def _last_closed(raw: Any, how: str, items: list[Any]) -> bool:
    """Whether a cut-off JSON reply ended right after its last item (that item is whole).

    VS items are flat, so a reply that stops (trailing comma aside) after ``}`` or ``]`` — or
    after a closing quote, when the items are plain strings — stopped between items.
    """
    if how != "json" or not isinstance(raw, str):
        return False
    closers = ('"', "]") if isinstance(items[-1], str) else ("}", "]")
    return raw.rstrip(" \t\r\n,").endswith(closers)


def _text_of(item: Any) -> str | None:
    if isinstance(item, str):
        return item
    if isinstance(item, dict):
        for key in _TEXT_KEYS:
            value = item.get(key)
            if isinstance(value, str):
                return value
            if isinstance(value, int | float) and not isinstance(value, bool):
                return str(value)  # "roll a die" -> {"text": 4}
    return None


class VerbalizedOutputParser(BaseTransformOutputParser[VerbalizedDistribution]):
    """Parse a model's reply into a `VerbalizedDistribution`, repairing its weights.

    Reads a JSON object (bare, in ``` fences, after prose, with trailing commas), a JSON list of
    objects or strings, XML-style ``<response><text>…</text><probability>…</probability>``
    tags, numbered or bulleted lists with ``(probability: 0.08)`` / ``— 8%``, already-structured
    dicts or pydantic objects, and messages with string or content-block content. Texts keep
    their newlines. Streaming (``transform``) yields distributions of the responses completed so
    far, then the full one.

    Anything it cannot read raises ``OutputParserException`` carrying the raw output.

    Examples:
        >>> VerbalizedOutputParser(method="sequence").parse('["Hi", "Hello"]').texts
        ['Hi', 'Hello']
    """

    method: Method = Method.VS_STANDARD
    """The method the reply answers; decides what shape is expected."""
    k: int | None = None
    """How many responses what it reads was asked for: the user's ``k`` for a whole reply (the
    engine gives each turn of a multi-turn method its own parser, with that turn's count). Used
    for the format instructions and the fewer/more record."""
    probability_definition: ProbabilityDefinition | None = None
    """How the weights were defined; ``None`` takes the method's default."""
    max_reply_chars: int = Field(default=DEFAULT_MAX_REPLY_CHARS, ge=1)
    """A longer reply is refused with ``OutputParserException`` (parsing is linear, but a
    runaway reply is no distribution)."""
    candidate_schema: CandidateSchema | None = None
    """Structured candidates: each response is an object of this schema (``Candidate.value``);
    responses that do not validate are dropped (repair ``dropped_invalid``; ``dropped_too_deep``
    for one nested deeper than ``CandidateSchema``'s ``MAX_DEPTH``)."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    @model_validator(mode="after")
    def _default_definition(self) -> VerbalizedOutputParser:
        if self.probability_definition is None:
            self.probability_definition = self.method.default_definition
        return self

    @property
    def _type(self) -> str:
        return "verbalized_distribution"

    @property
    def OutputType(self) -> type[VerbalizedDistribution]:
        """The parser's output type."""
        return VerbalizedDistribution

    def get_format_instructions(self) -> str:
        """What to tell a model without structured output."""
        return format_instructions(
            self.method,
            count=self.k or 5,
            definition=self.probability_definition,
            candidate=self.candidate_schema,
        )

    # -- parsing ----------------------------------------------------------------------------

    def parse(self, text: str) -> VerbalizedDistribution:
        """Parse a reply's text."""
        return self.parse_payload(text)

    def parse_result(  # type: ignore[override]  # None while nothing is complete (as JsonOutputParser)
        self, result: list[Generation], *, partial: bool = False
    ) -> VerbalizedDistribution | None:
        """Parse a generation; with ``partial=True``, the responses completed so far or ``None``."""
        generation = result[0]
        payload: Any = (
            message_payload(generation.message)
            if isinstance(generation, ChatGeneration)
            else generation.text
        )
        if partial:
            return self.parse_partial(payload)
        return self.parse_payload(payload)

    def parse_payload(self, payload: Any) -> VerbalizedDistribution:
        """Parse text, a dict, a list, a pydantic object or a message."""
        turn = self.parse_turn(payload)
        return self.to_distribution([turn])

    def parse_partial(
        self, payload: Any, *, document: bool = False
    ) -> VerbalizedDistribution | None:
        """The responses completed so far in a reply that is still streaming, or ``None``."""
        try:
            turn = self.parse_turn(payload, partial=True, document=document)
        except OutputParserException:
            return None
        return self.to_distribution([turn]) if turn.items else None

    def to_distribution(self, turns: Sequence[ParsedTurn]) -> VerbalizedDistribution:
        """Join one or more turns (VS-Multi, multi-turn) into one normalized distribution."""
        items: list[WeightedText] = []
        repairs: dict[str, None] = {}  # (an ordered set)
        reasonings: list[str] = []
        for turn in turns:  # one loop, not three comprehensions: each is a call in Python 3.11
            items += turn.items
            repairs.update(dict.fromkeys(turn.repairs))
            if turn.reasoning:
                reasonings.append(turn.reasoning)
        if self.k is not None and len(items) != self.k and not self.method.is_single:
            repairs["fewer_than_asked" if len(items) < self.k else "more_than_asked"] = None
        reasoning = "\n\n".join(reasonings) or None
        return VerbalizedDistribution.from_weighted(
            items,
            method=self.method,
            probability_definition=self.probability_definition,
            reasoning=reasoning,
            repairs=repairs,
        )

    def parse_turn(
        self, payload: Any, *, partial: bool = False, document: bool = False
    ) -> ParsedTurn:
        """Read one reply's responses; raise ``OutputParserException`` if there are none.

        Args:
            payload: The reply: text, a message, a dict or list, or a pydantic object.
            partial: The reply is still streaming: return the responses completed so far.
            document: The reply is one JSON document (structured output): it is read as that
                document, never searched for other JSON, XML tags or lists.

        Raises:
            OutputParserException: No responses could be read (the only exception it raises,
                whatever the input).
        """
        try:
            return self._parse_turn(payload, partial=partial, document=document)
        except OutputParserException:
            raise
        except (ArithmeticError, ValueError, TypeError, RecursionError, MemoryError) as error:
            # The contract is one exception type, carrying what the model said.
            name = type(error).__name__
            raise self._error(f"a reply it failed on ({name}: {error})", payload) from error

    def _parse_turn(self, payload: Any, *, partial: bool, document: bool) -> ParsedTurn:
        if not isinstance(payload, str):  # most replies are: skip pydantic's slower isinstance
            if isinstance(payload, BaseMessage):
                payload = message_payload(payload)
            if isinstance(payload, BaseModel):
                payload = payload.model_dump()
        if isinstance(payload, str) and len(payload) > self.max_reply_chars:
            raise self._error(
                f"a reply of {len(payload):,} characters, over max_reply_chars="
                f"{self.max_reply_chars:,} (ask for fewer or shorter responses, or raise the cap)",
                payload,
            )
        if isinstance(payload, str) and not self.method.asks_json and not self.candidate_schema:
            text = valid_utf8(payload).strip()
            if partial:  # a plain-text reply is one response, complete only at the end
                return ParsedTurn([], None, (), complete=False)
            if not text:
                raise self._error("an empty reply", payload)
            return ParsedTurn([WeightedText(text, 1.0)], None, (), complete=True)
        original = payload  # errors carry what the model said, not an intermediate form
        complete, how = True, "value"
        repairs: list[str] = []
        if isinstance(payload, str):
            found = self._read_document(payload) if document else self._find_in_text(payload)
            if found is None:
                what = "no JSON document" if document else "no responses in any format it reads"
                raise self._error(what, payload)
            payload, complete, how = found
            if how != "json":
                repairs.append(f"read_{how}")
            elif not complete and not partial:
                repairs.append("json_repaired")
        raw_items, reasoning = self._raw_items(payload)
        if raw_items is None:
            raise self._error("a JSON value without responses in it", original)
        # The last item may still be growing; an object of the user's schema may nest, so
        # where it ends is only known once the next one starts.
        if (
            partial
            and not complete
            and raw_items
            and (self.candidate_schema is not None or not _last_closed(original, how, raw_items))
        ):
            raw_items = raw_items[:-1]
        if self.candidate_schema is not None:
            items, invalid, too_deep = self._validated(raw_items)
            if too_deep:
                repairs.append("dropped_too_deep")
            if len(invalid) > too_deep:
                repairs.append("dropped_invalid")
                if not items and not partial:
                    raise self._error(
                        f"no response that matches the schema ({invalid[0]})", original
                    )
        else:
            items, dropped = self._weighted(raw_items)
            if dropped:
                repairs.append("dropped_empty")
        if not items and not partial:
            raise self._error("responses that are all empty", original)
        return ParsedTurn(items, reasoning, tuple(repairs), complete)

    # -- helpers ----------------------------------------------------------------------------

    @staticmethod
    def _read_document(text: str) -> tuple[Any, bool, str] | None:
        found = read_json_document(text)
        return None if found is None else (found[0], found[1], "json")

    def _find_in_text(self, text: str) -> tuple[Any, bool, str] | None:
        """The responses of the format that starts first in the text.

        What comes first is the reply; what comes later may be text inside one of its
        responses (a quoted document, a code sample), and is never read as the reply.
        """
        found: list[tuple[int, Any, bool, str]] = []
        if (in_json := find_json(text, accept=lambda v: self._raw_items(v)[0])) is not None:
            if not text[: in_json[2]].strip():  # it starts the reply: nothing else comes first
                return in_json[0], in_json[1], "json"
            found.append((in_json[2], in_json[0], in_json[1], "json"))
        before = None if in_json is None else in_json[2]  # (JSON wins a tie, so none is read)
        if self.method is not Method.DIRECT_COT and self.candidate_schema is None:
            if (xml := find_xml_items(text, before=before)) is not None:
                found.append((xml[2], xml[0], xml[1], "xml"))
            lists = find_list_items(text, with_values=self.method.is_verbalized, before=before)
            if lists is not None:
                wanted = 1 if self.method.is_verbalized else 2
                has_values = any(len(item) > 1 for item in lists[0])
                if len(lists[0]) >= wanted and (has_values or not self.method.is_verbalized):
                    found.append((lists[2], lists[0], lists[1], "list"))
        if not found:
            return None
        _, value, complete, how = min(found, key=lambda f: f[0])
        return value, complete, how

    def _raw_items(self, value: Any) -> tuple[list[Any] | None, str | None]:
        """The list of raw response items in a decoded value, and any reasoning beside it."""
        if self.candidate_schema is not None and not self.method.asks_json:
            return ([value] if isinstance(value, dict) else None), None  # the reply is the object
        reasoning = None
        if isinstance(value, dict):
            raw_reasoning = value.get("reasoning")
            reasoning = raw_reasoning if isinstance(raw_reasoning, str) else None
            if self.method is Method.DIRECT_COT:
                if self.candidate_schema is not None:
                    response = value.get("response")
                    return ([response] if isinstance(response, dict) else None), reasoning
                text = _text_of(value)
                return ([text] if text else None), reasoning
            for key in _LIST_KEYS:
                if isinstance(value.get(key), list):
                    return value[key], reasoning
            # With a schema, a lone object may be one response (validation decides).
            if self.candidate_schema is not None or _text_of(value):
                return [value], reasoning
            return None, reasoning
        if isinstance(value, list) and self.method is not Method.DIRECT_COT:
            if self.candidate_schema is not None:
                return (value if any(isinstance(v, dict) for v in value) else None), None
            return (value if any(_text_of(v) for v in value) else None), None
        return None, None

    def _weighted(self, raw_items: list[Any]) -> tuple[list[WeightedText], int]:
        texts: list[str] = []
        kept: list[Any] = []  # the items with a text
        for item in raw_items:
            if (text := _text_of(item)) and (text := valid_utf8(text).strip()):
                texts.append(text)
                kept.append(item)
        dropped = len(raw_items) - len(kept)
        if not self.method.is_verbalized:
            return [WeightedText(text, 1.0) for text in texts], dropped
        key, definition = self._value_key(kept)
        raws = [item.get(key) if isinstance(item, dict) and key else None for item in kept]
        repaired = repair_weights(raws, definition)
        return [
            WeightedText(text, weight, as_json_scalar(raw), codes)
            for text, raw, (weight, codes) in zip(texts, raws, repaired, strict=True)
        ], dropped

    def _validated(self, raw_items: list[Any]) -> tuple[list[WeightedText], list[str], int]:
        """Structured candidates: the items whose object validates, and why the others fail.

        The count is how many of those nest too deep (``CandidateSchema``'s ``MAX_DEPTH``).
        """
        schema = self.candidate_schema
        assert schema is not None
        key, definition = self._value_key(raw_items) if self.method.is_verbalized else (None, None)
        kept: list[tuple[Any, Any]] = []  # (validated object, raw weight)
        invalid: list[str] = []
        too_deep = 0
        for number, item in enumerate(raw_items, 1):
            candidate = item
            if self.method.is_verbalized and isinstance(item, dict):
                # {"value": {...}, "probability": p}; a flattened object without its weight key
                candidate = (
                    item["value"]
                    if "value" in item
                    else {name: field for name, field in item.items() if name != key}
                )
            try:
                obj = schema.validate(candidate)
            except ValueError as error:
                invalid.append(f"response {number} {error}")
                too_deep += isinstance(error, CandidateTooDeepError)
                continue
            raw = item.get(key) if isinstance(item, dict) and key else None
            kept.append((obj, raw))
        if self.method.is_verbalized:
            repaired = repair_weights([raw for _, raw in kept], definition)
        else:
            repaired = [(1.0, ())] * len(kept)
        return (
            [
                WeightedText(schema.canonical_text(obj), weight, as_json_scalar(raw), codes, obj)
                for (obj, raw), (weight, codes) in zip(kept, repaired, strict=True)
            ],
            invalid,
            too_deep,
        )

    def _value_key(self, items: list[Any]) -> tuple[str | None, ProbabilityDefinition | None]:
        """Which field carries the weight, and how to read it (the expected field first)."""
        expected = self.probability_definition
        present: set[str] = set()  # every item's keys, gathered once for all the lookups
        for item in items:
            if isinstance(item, dict):
                present.update(item)
        for key in _KEY_ORDER[expected]:
            if key in present:
                if expected is not None and key == expected.field_name:
                    return key, expected
                if key in ("perplexity", "nll", "percentage"):
                    return key, ProbabilityDefinition(key)
                return key, None
        return None, expected

    def _error(self, found: str, raw: Any) -> OutputParserException:
        expected = format_instructions(
            self.method, count=self.k or 5, definition=self.probability_definition
        )
        llm_output = raw if isinstance(raw, str) else repr(raw)
        return OutputParserException(
            f"Could not read a {self.method.value} reply: found {found}. Output was: "
            f"{_shown(raw)!r}. Expected: {expected} (XML <response> tags or a numbered list "
            "with probabilities are read too).",
            llm_output=llm_output,
        )

    # -- streaming --------------------------------------------------------------------------

    def _transform(self, input: Iterator[str | BaseMessage]) -> Iterator[VerbalizedDistribution]:
        stream = PartialParse(self)
        for chunk in input:
            if (update := stream.feed(chunk)) is not None:
                yield update
        if (final := stream.finish()) is not None:
            yield final

    async def _atransform(
        self, input: AsyncIterator[str | BaseMessage]
    ) -> AsyncIterator[VerbalizedDistribution]:
        stream = PartialParse(self)
        async for chunk in input:
            if (update := stream.feed(chunk)) is not None:
                yield update
        if (final := stream.finish()) is not None:
            yield final
