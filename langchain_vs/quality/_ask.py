"""Ask a chat model for one JSON verdict: structured output first, text fallback, bounded re-asks.

The judges of this sub-package ([`LLMJudge`][langchain_vs.quality.LLMJudge],
[`PairwiseJudge`][langchain_vs.quality.PairwiseJudge]) each need one JSON document back from one
call.
The exchange is written once as a sans-I/O generator (`_exchange()`) and driven sync
(`ask_json()`) and async (`aask_json()`), so both give the same verdict. The decisions
are the engine's ([`structured_output_method()`][langchain_vs.core.structured_output_method], the
same binding, the same
reading of a failed call with [`is_fault()`][langchain_vs.core.is_fault]), and the JSON is read by
`langchain_vs.core.parsing`'s reader.

Examples:
    >>> from langchain_core.language_models import GenericFakeChatModel
    >>> fake = GenericFakeChatModel(messages=iter(["Sure.", 'Here: {"ok": true}']))  # FAKE
    >>> def read(value):
    ...     if not isinstance(value, dict) or "ok" not in value:
    ...         raise ValueError('no "ok" field')
    ...     return value["ok"]
    >>> task = JsonTask([("human", "Is it ok?")], {"title": "Ok", "type": "object"}, read)
    >>> ask_json(fake, task, structured_output="auto", max_retries=1)  # re-asked once
    True
"""

from __future__ import annotations

import json
from collections.abc import Callable, Generator, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from langchain_core.exceptions import OutputParserException
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, convert_to_messages
from langchain_core.runnables import Runnable

from langchain_vs.core import (
    StructuredOutputMode,
    cut_off_reply,
    is_fault,
    note_endpoint,
    structured_binding,
    structured_output_method,
)
from langchain_vs.core.parsing import find_json, message_payload, read_json_document, valid_utf8

__all__ = ["JsonTask", "aask_json", "ask_json"]

T = TypeVar("T")


@dataclass(frozen=True)
class JsonTask(Generic[T]):
    """One question whose answer is a JSON value.

    Attributes:
        messages: The prompt (it describes the JSON format too, for the text fallback).
        schema: The reply's JSON schema for structured output (with a ``title``).
        read: Turns the decoded value into the answer; raises ``ValueError`` saying what is
            wrong with it (the model is told, and asked again).
    """

    messages: Sequence[Any]
    schema: dict[str, Any]
    read: Callable[[Any], T]


@dataclass(frozen=True)
class _Call:
    messages: list[BaseMessage]
    structured: bool


def _raw(reply: AIMessage) -> str:
    """The reply as text (tool-call arguments as JSON): for re-asks and the final error."""
    payload = message_payload(reply)
    return valid_utf8(payload if isinstance(payload, str) else json.dumps(payload))


def _cut_off(reply: AIMessage) -> bool:
    return reply.response_metadata.get("finish_reason") == "length"


def _decoded(reply: AIMessage, *, structured: bool) -> Any:
    """The JSON value a reply carries; ``ValueError`` if it carries none."""
    payload = message_payload(reply)
    if not isinstance(payload, str):
        return payload  # tool-call arguments
    # A structured reply is read as the document it is; a text reply may have prose around it.
    found = read_json_document(payload) if structured else find_json(payload)
    if found is None:
        raise ValueError("it holds no JSON object")
    value, complete = found[0], found[1]
    if _cut_off(reply) and not complete:
        # A mended cut-off document may end in a cut number ("score": 1 of a 10): never read.
        raise ValueError(
            "it was cut off at the token limit; keep every reason to one short sentence"
        )
    return value


def _exchange(
    task: JsonTask[T], *, structured: bool, max_retries: int
) -> Generator[_Call, AIMessage, T]:
    """Yield the calls to make, receive the replies (or a call's exception), return the answer.

    A capability error on a structured call (no structured output, a rejected schema) asks the
    same question in text, uncounted; an unusable reply is shown to the model with what was
    wrong, at most ``max_retries`` times; faults propagate unchanged.

    Raises:
        OutputParserException: No usable reply after every re-ask; it carries the last one.
    """
    asked = convert_to_messages(task.messages)
    messages = asked
    attempts = 0
    while True:
        try:
            reply = yield _Call(messages, structured)
        except Exception as error:
            if is_fault(error, structured=structured):
                raise
            truncated = cut_off_reply(error)
            if truncated is None:  # a capability the model lacks: this question goes in text
                structured = False
                continue
            reply = truncated  # a reply cut at the token limit is read (and likely re-asked)
        attempts += 1
        raw = _raw(reply)
        try:
            return task.read(_decoded(reply, structured=structured))
        except ValueError as error:
            if attempts > max_retries:
                raise OutputParserException(
                    f"No usable {task.schema['title']} reply after {attempts} attempt(s); "
                    f"the last error: {error}",
                    llm_output=raw,
                ) from error
            # A runaway reply is not shown again (it may be long); the others are, with why.
            shown = [] if _cut_off(reply) else [AIMessage(content=raw)]
            messages = [
                *asked,
                *shown,
                HumanMessage(
                    content=f"Your reply could not be used: {error}. Answer again, following "
                    "the format instructions exactly."
                ),
            ]


class _Steps(Generic[T]):
    """Advances the exchange; the drivers only make the calls."""

    def __init__(
        self,
        model: BaseChatModel,
        task: JsonTask[T],
        *,
        mode: StructuredOutputMode,
        max_retries: int,
    ) -> None:
        self.model = model
        self.task = task
        self.method = structured_output_method(model, mode)
        self._steps = _exchange(task, structured=self.method is not None, max_retries=max_retries)
        self.call = next(self._steps)
        self.done = False
        self.answer: T

    def runnable(self) -> Runnable[Any, Any]:
        """What the current call is made to: the model, or its structured-output binding."""
        if self.call.structured and self.method is not None:
            return structured_binding(self.model, self.task.schema, self.method)
        return self.model

    def reply(self, result: Any) -> None:
        """Hand over the call's result."""
        message = result if isinstance(result, AIMessage) else AIMessage(content=result.content)
        self._advance(lambda: self._steps.send(message))

    def fail(self, error: Exception) -> None:
        """Hand over the call's exception; re-raised unless the exchange recovers from it."""
        if is_fault(error, structured=self.call.structured):
            note_endpoint(error, self.model)
        self._advance(lambda: self._steps.throw(error))

    def _advance(self, step: Callable[[], _Call]) -> None:
        try:
            self.call = step()
        except StopIteration as stop:
            self.answer, self.done = stop.value, True


def ask_json(
    model: BaseChatModel,
    task: JsonTask[T],
    *,
    structured_output: StructuredOutputMode,
    max_retries: int,
) -> T:
    """Ask ``model`` the task's question (one call, more only after an unusable reply)."""
    steps = _Steps(model, task, mode=structured_output, max_retries=max_retries)
    while not steps.done:
        try:
            result = steps.runnable().invoke(steps.call.messages)
        except Exception as error:  # noqa: BLE001 -- handed to the exchange, re-raised there
            steps.fail(error)
        else:
            steps.reply(result)
    return steps.answer


async def aask_json(
    model: BaseChatModel,
    task: JsonTask[T],
    *,
    structured_output: StructuredOutputMode,
    max_retries: int,
) -> T:
    """The asynchronous twin of `ask_json()`, through the model's own async API."""
    steps = _Steps(model, task, mode=structured_output, max_retries=max_retries)
    while not steps.done:
        try:
            result = await steps.runnable().ainvoke(steps.call.messages)
        except Exception as error:  # noqa: BLE001 -- handed to the exchange, re-raised there
            steps.fail(error)
        else:
            steps.reply(result)
    return steps.answer
