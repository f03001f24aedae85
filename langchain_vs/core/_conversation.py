"""The VS exchange with a model, written once as a sans-I/O generator and driven four ways.

`VerbalizedConversation.steps()` yields `ModelRequest` objects and receives the model's
replies; it never calls a model itself. It builds the prompts for the chosen method, runs several
turns for ``MULTI_TURN`` / ``VS_MULTI`` (the model sees its earlier turns), re-asks when a reply
cannot be parsed (telling the model what was wrong), asks in text instead when structured output
is not available (a capability error, or structured replies that twice do not parse — for this
request only), reads replies cut at the token limit, and sums token usage. Faults (a server that
is down, a time-out) are not its business: they propagate at once. The drivers in
[`langchain_vs.core`][langchain_vs.core] connect it to a sync or async, plain or streaming model
call, so the
logic exists once and the async path is truly async.
"""

from __future__ import annotations

import json
from collections.abc import Generator
from dataclasses import dataclass, field
from typing import Any

from langchain_core.exceptions import OutputParserException
from langchain_core.messages import (
    AIMessage,
    BaseMessage,
    HumanMessage,
    SystemMessage,
    UsageMetadata,
)
from langchain_core.messages.ai import add_usage

from langchain_vs.core._distribution import VerbalizedDistribution
from langchain_vs.core._methods import follow_up_prompt, response_json_schema, system_prompt
from langchain_vs.core._model_errors import cut_off_reply, is_fault
from langchain_vs.core._options import VerbalizedConfig
from langchain_vs.core.parsing import (
    ParsedTurn,
    VerbalizedOutputParser,
    message_payload,
    valid_utf8,
)

__all__ = ["ModelRequest", "SamplingOutcome", "VerbalizedConversation"]


@dataclass(frozen=True)
class ModelRequest:
    """One model call the conversation wants made."""

    messages: list[BaseMessage]
    count: int
    """How many responses this call asks for (the turn's share of k)."""
    reply_schema: dict[str, Any] | None
    """The whole reply's JSON schema for structured output, or ``None``: call the plain model.
    (``schema`` on the faces is a *candidate's* schema; this one wraps k of them.)"""
    parser: VerbalizedOutputParser
    """Reads this call's reply (also used for partial parsing while streaming)."""
    index_offset: int
    """How many candidates earlier turns produced (streamed candidates are numbered after them)."""

    @property
    def structured(self) -> bool:
        """Whether the call uses structured output (its reply is one JSON document)."""
        return self.reply_schema is not None


@dataclass
class SamplingOutcome:
    """What a finished conversation produced."""

    distribution: VerbalizedDistribution
    usage: UsageMetadata | None
    replies: list[AIMessage] = field(default_factory=list)
    """Every reply the model gave, including ones that were re-asked."""
    structured: bool = False
    """Whether the final turns used structured output."""
    structured_error: str | None = None
    """Why structured output was abandoned for text, if it was."""
    constrained_weights: bool = False
    """Whether the final turns' schema constrained the weights (see ``constrained_weights``)."""


def with_system_text(messages: list[BaseMessage], text: str | None) -> list[BaseMessage]:
    """Add ``text`` to the leading system message, or put a new system message first."""
    if not text:
        return list(messages)
    if messages and isinstance(messages[0], SystemMessage):
        first = messages[0]
        content: Any = (
            f"{first.content}\n\n{text}"
            if isinstance(first.content, str)
            else [*first.content, {"type": "text", "text": text}]
        )
        return [first.model_copy(update={"content": content}), *messages[1:]]
    return [SystemMessage(content=text), *messages]


def _retry_prompt(error: OutputParserException) -> str:
    reason = str(error).split(" Output was:", 1)[0].rstrip(". ")
    return (
        f"Your reply could not be used: {reason}. Answer the request again, following the "
        "format instructions exactly."
    )


def _read_turn(parser: VerbalizedOutputParser, reply: AIMessage, *, document: bool) -> ParsedTurn:
    """Read a reply; from one cut at the token limit, only the responses it finished."""
    whole = parser.parse_turn(reply, document=document)
    if reply.response_metadata.get("finish_reason") != "length" or whole.complete:
        return whole
    # Its JSON (or list) stopped mid-way: the last response may be a cut sentence, which a
    # repaired parse would pass off as a whole one.
    finished = parser.parse_turn(reply, partial=True, document=document)
    if not finished.items:
        raise OutputParserException(
            "the reply hit the model's token limit inside its first response "
            "(raise max_tokens, or ask for shorter responses)",
            llm_output=reply.text,
        )
    if len(finished.items) == len(whole.items):
        return whole
    return ParsedTurn(
        finished.items, whole.reasoning, (*whole.repairs, "dropped_cut_off"), complete=False
    )


def _reply_text(reply: AIMessage) -> str:
    """The reply as text to send back (re-asks, later turns), always encodable."""
    payload = message_payload(reply)
    text = payload if isinstance(payload, str) else json.dumps(payload, ensure_ascii=False)
    return valid_utf8(text)


_STRUCTURED_PARSE_FAILURES = 2
"""Structured replies of one request that may fail to parse before it is asked in text."""


class VerbalizedConversation:
    """The prompts, turns, re-asks and fallbacks of one VS request, free of I/O.

    Args:
        messages: The user's conversation (the request is its last turn).
        config: The VS options.
        structured: Start with structured output (the caller has a binding for it).
        format_in_prompt: Describe the JSON format in the prompt even with structured output
            (for JSON mode, which enforces JSON but no schema).
        constrained_weights: Structured requests send the weight's constrained schema (the
            caller decided that the server enforces it).
    """

    def __init__(
        self,
        messages: list[BaseMessage],
        config: VerbalizedConfig,
        *,
        structured: bool,
        format_in_prompt: bool = False,
        constrained_weights: bool = False,
    ) -> None:
        self.messages = messages
        self.config = config
        self.method = config.method
        self.definition = config.effective_definition
        self.candidate = config.candidate_schema
        self.structured = structured and config.asks_json
        self.format_in_prompt = format_in_prompt
        self.constrained_weights = constrained_weights and self.method.is_verbalized
        self.structured_error: str | None = None
        self.last_turn: ParsedTurn | None = None
        """The turn read from the last reply (``None`` if it was unreadable): every reply is
        read here, once; a streaming driver shows what this adds to what it streamed."""
        self._structured_parse_failures = 0

    def _turn_messages(
        self, history: list[BaseMessage], turn: int, count: int
    ) -> list[BaseMessage]:
        with_format = self.format_in_prompt or not self.structured
        if turn == 0:
            instruction = system_prompt(
                self.method,
                count=count,
                definition=self.definition,
                tail_threshold=self.config.tail_threshold,
                length_hint=self.config.length_hint,
                with_format=with_format,
                candidate=self.candidate,
            )
            return with_system_text(self.messages, instruction)
        follow_up = follow_up_prompt(
            self.method,
            count=count,
            definition=self.definition,
            with_format=with_format,
            candidate=self.candidate,
        )
        return [*history, HumanMessage(content=follow_up)]

    def _request(
        self, messages: list[BaseMessage], count: int, parser: VerbalizedOutputParser, offset: int
    ) -> ModelRequest:
        schema = (
            response_json_schema(
                self.method,
                count=count,
                definition=self.definition,
                candidate=self.candidate,
                constrained_weights=self.constrained_weights,
            )
            if self.structured
            else None
        )
        return ModelRequest(messages, count, schema, parser, offset)

    def _ask_in_text(self, reason: str) -> None:
        self.structured = False
        self.structured_error = reason

    def steps(self) -> Generator[ModelRequest, AIMessage, SamplingOutcome]:
        """Yield model requests, receive replies (or exceptions via ``throw``), return the outcome.

        Raises:
            OutputParserException: A turn stayed unreadable after every re-ask; it carries the
                last raw reply.
            Exception: A model call's fault (connection, time-out, server error), unchanged.
        """
        usage: UsageMetadata | None = None
        replies: list[AIMessage] = []
        turns: list[ParsedTurn] = []
        history: list[BaseMessage] = []
        for turn_index, count in enumerate(self.config.call_plan):
            parser = VerbalizedOutputParser(
                method=self.method,
                k=count,
                probability_definition=self.definition,
                max_reply_chars=self.config.max_reply_chars,
                candidate_schema=self.candidate,
            )
            offset = sum(len(t.items) for t in turns)
            asked = self._turn_messages(history, turn_index, count)
            messages = asked
            attempts = 0
            while True:
                request = self._request(messages, count, parser, offset)
                try:
                    reply = yield request
                except Exception as error:
                    if is_fault(error, structured=request.structured):
                        raise  # one retry budget: the client's
                    truncated = cut_off_reply(error)
                    if truncated is None:  # a capability the model lacks
                        self._ask_in_text(f"{type(error).__name__}: {error}")
                        asked = messages = self._turn_messages(history, turn_index, count)
                        continue
                    reply = truncated  # read like any reply cut at the token limit
                replies.append(reply)
                usage = add_usage(usage, reply.usage_metadata)
                attempts += 1
                self.last_turn = None
                try:
                    parsed = _read_turn(parser, reply, document=request.structured)
                except OutputParserException as error:
                    if attempts > self.config.max_retries:
                        raise OutputParserException(
                            f"No usable {self.method.value} reply after {attempts} "
                            f"attempt(s); the last error: {error}",
                            llm_output=_reply_text(reply),
                        ) from error
                    cut_off = reply.response_metadata.get("finish_reason") == "length"
                    if request.structured and not cut_off:  # a cut reply did honour the schema
                        self._structured_parse_failures += 1
                        if self._structured_parse_failures >= _STRUCTURED_PARSE_FAILURES:
                            self._ask_in_text(f"structured replies did not parse: {error}")
                            asked = messages = self._turn_messages(history, turn_index, count)
                            continue
                    if not cut_off:  # (a runaway reply is not shown again: it is asked afresh)
                        messages = [
                            *asked,
                            AIMessage(content=_reply_text(reply)),
                            HumanMessage(content=_retry_prompt(error)),
                        ]
                    continue
                turns.append(parsed)
                self.last_turn = parsed
                history = [*asked, AIMessage(content=_reply_text(reply))]
                break
        final_parser = VerbalizedOutputParser(
            method=self.method,
            k=self.config.candidates_asked,
            probability_definition=self.definition,
        )
        return SamplingOutcome(
            distribution=final_parser.to_distribution(turns),
            usage=usage,
            replies=replies,
            structured=self.structured,
            structured_error=self.structured_error,
            constrained_weights=self.structured and self.constrained_weights,
        )
