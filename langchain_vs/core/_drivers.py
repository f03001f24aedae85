"""The four drivers of a `VerbalizedConversation`.

`drive()`, `adrive()`, `drive_stream()` and `adrive_stream()` make the model calls
the conversation asks for — sync or async, plain or streaming — and hand back the replies (or
the calls' exceptions). They are twins: the same steps, each with its own kind of call, none
wrapped in a thread. Only reading a long reply moves to a worker thread in the async drivers,
so that it never blocks the event loop. The conversation reads every reply, streamed or not,
exactly once; the streaming drivers parse only partially while chunks arrive.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import replace
from typing import Any

from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage

from langchain_vs.core._conversation import ModelRequest, SamplingOutcome, VerbalizedConversation
from langchain_vs.core._distribution import Candidate
from langchain_vs.core.parsing import ParsedTurn, PartialParse

__all__ = ["StreamEvent", "adrive", "adrive_stream", "drive", "drive_stream"]

_THREAD_PARSE_CHARS = 65_536
"""Async drivers read a reply at least this long in a worker thread, off the event loop."""


class _Stepper:
    """Advances a conversation's generator; the drivers only make the calls."""

    def __init__(self, conversation: VerbalizedConversation) -> None:
        self.conversation = conversation
        self._steps = conversation.steps()
        self.request: ModelRequest = next(self._steps)
        self.outcome: SamplingOutcome | None = None

    def reply(self, reply: AIMessage) -> bool:
        """Hand over a reply; False once the conversation is finished."""
        return self._advance(lambda: self._steps.send(reply))

    def fail(self, error: Exception) -> bool:
        """Hand over a call's exception; re-raised unless the conversation recovers from it.

        False once the conversation is finished: the error carried a usable reply (a structured
        reply cut at the token limit).
        """
        return self._advance(lambda: self._steps.throw(error))

    def _advance(self, step: Callable[[], ModelRequest]) -> bool:
        try:
            self.request = step()
        except StopIteration as stop:
            self.outcome = stop.value
            return False
        return True

    def result(self) -> SamplingOutcome:
        assert self.outcome is not None
        return self.outcome


def _as_message(result: Any) -> AIMessage:
    if isinstance(result, AIMessage):
        return result
    if isinstance(result, BaseMessage):
        return AIMessage(content=result.content)
    # A structured-output runnable that returns parsed data instead of a message.
    data = result.model_dump() if hasattr(result, "model_dump") else result
    return AIMessage(content=json.dumps(data, ensure_ascii=False))


ModelCall = Callable[[ModelRequest], Any]
AsyncModelCall = Callable[[ModelRequest], Awaitable[Any]]
ModelStream = Callable[[ModelRequest], Iterator[Any]]
AsyncModelStream = Callable[[ModelRequest], AsyncIterator[Any]]


def drive(conversation: VerbalizedConversation, call: ModelCall) -> SamplingOutcome:
    """Run a conversation with a synchronous model call."""
    stepper = _Stepper(conversation)
    while True:
        try:
            reply = _as_message(call(stepper.request))
        except Exception as error:  # noqa: BLE001 -- handed to the conversation, re-raised there
            if stepper.fail(error):
                continue
            return stepper.result()
        if not stepper.reply(reply):
            return stepper.result()


async def _areply(stepper: _Stepper, reply: Callable[[], AIMessage], size: int) -> bool:
    """Hand over a reply; a long one is built and read in a worker thread, off the event loop.

    Args:
        stepper: The conversation's stepper.
        reply: Builds the reply (merging a streamed reply's chunks is work too).
        size: The reply's length in characters.

    Returns:
        False once the conversation is finished.
    """
    if size >= _THREAD_PARSE_CHARS:
        return await asyncio.to_thread(lambda: stepper.reply(reply()))
    return stepper.reply(reply())


async def adrive(conversation: VerbalizedConversation, call: AsyncModelCall) -> SamplingOutcome:
    """Run a conversation with an asynchronous model call."""
    stepper = _Stepper(conversation)
    while True:
        try:
            reply = _as_message(await call(stepper.request))
        except Exception as error:  # noqa: BLE001 -- handed to the conversation, re-raised there
            if stepper.fail(error):
                continue
            return stepper.result()
        if not await _areply(stepper, lambda: reply, len(reply.text)):  # noqa: B023 -- called now
            return stepper.result()


class _Streamed:
    """Numbers each newly completed candidate of one streamed reply (its PartialParse holds it)."""

    def __init__(self, request: ModelRequest) -> None:
        self._request = request
        self._partial = PartialParse(request.parser, document=request.structured)
        self._emitted = 0
        self._reply: AIMessage | None = None

    def _numbered(self, candidates: tuple[Candidate, ...]) -> list[Candidate]:
        offset = self._request.index_offset
        return [replace(c, index=offset + c.index) for c in candidates]

    def feed(self, chunk: Any) -> list[Candidate]:
        if not isinstance(chunk, AIMessageChunk):
            # A whole value (a non-streaming model's message, or parsed data): read once, whole.
            self._partial.hold(chunk)
            return []
        update = self._partial.feed(chunk)
        if update is None or len(update) <= self._emitted:
            return []
        fresh = self._numbered(update.candidates[self._emitted :])
        self._emitted = len(update)
        return fresh

    @property
    def size(self) -> int:
        """How many characters of text have streamed."""
        return self._partial.length

    def rest(self, turn: ParsedTurn | None) -> list[Candidate]:
        """The candidates of the reply's turn, as the conversation read it, not streamed yet."""
        if turn is None:
            return []  # unreadable: the conversation re-asks or raises with the full story
        distribution = self._request.parser.to_distribution([turn])
        return self._numbered(distribution.candidates[self._emitted :])

    def reply(self) -> AIMessage:
        if self._reply is None:
            message = self._partial.message()
            if message is None:  # whole values, or nothing at all
                whole = self._partial.whole
                message = _as_message(whole if whole is not None else "")
            self._reply = message
        return self._reply


StreamEvent = Candidate | SamplingOutcome


def drive_stream(
    conversation: VerbalizedConversation, stream: ModelStream
) -> Iterator[StreamEvent]:
    """Run a conversation with a streaming model call.

    Yields each candidate as it completes (probabilities provisional: normalized over what has
    arrived), then the `SamplingOutcome`. A reply that is re-asked may have streamed
    candidates already.
    """
    stepper = _Stepper(conversation)
    while True:
        streamed = _Streamed(stepper.request)
        try:
            for chunk in stream(stepper.request):
                yield from streamed.feed(chunk)
        except Exception as error:  # noqa: BLE001 -- handed to the conversation, re-raised there
            if stepper.fail(error):
                continue
            yield stepper.result()
            return
        going = stepper.reply(streamed.reply())
        yield from streamed.rest(stepper.conversation.last_turn)
        if not going:
            yield stepper.result()
            return


async def adrive_stream(
    conversation: VerbalizedConversation, stream: AsyncModelStream
) -> AsyncIterator[StreamEvent]:
    """The asynchronous twin of `drive_stream()`."""
    stepper = _Stepper(conversation)
    while True:
        streamed = _Streamed(stepper.request)
        try:
            async for chunk in stream(stepper.request):
                for candidate in streamed.feed(chunk):
                    yield candidate
        except Exception as error:  # noqa: BLE001 -- handed to the conversation, re-raised there
            if stepper.fail(error):
                continue
            yield stepper.result()
            return
        going = await _areply(stepper, streamed.reply, streamed.size)
        for candidate in streamed.rest(stepper.conversation.last_turn):
            yield candidate
        if not going:
            yield stepper.result()
            return
