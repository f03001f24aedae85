"""The four drivers, driven directly with FAKE chat models (logic only, no model, no network)."""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest
from langchain_core.exceptions import OutputParserException
from langchain_core.messages import AIMessage, AIMessageChunk, HumanMessage

from langchain_vs.core._conversation import ModelRequest, SamplingOutcome, VerbalizedConversation
from langchain_vs.core._distribution import Candidate
from langchain_vs.core._drivers import (
    _THREAD_PARSE_CHARS,
    adrive,
    adrive_stream,
    drive,
    drive_stream,
)
from langchain_vs.core._methods import Method
from langchain_vs.core._options import VerbalizedConfig
from langchain_vs.core.parsing import VerbalizedOutputParser

from .fake_models import ScriptedFakeChatModel, vs_json

ASK = [HumanMessage("Name a fruit.")]
REPLY = vs_json([("apple", 0.5), ("pear", 0.3), ("plum", 0.2)])


def _conversation(**options: Any) -> VerbalizedConversation:
    return VerbalizedConversation(ASK, VerbalizedConfig(**options), structured=False)


def _streams(model: ScriptedFakeChatModel) -> tuple[Any, Any]:
    def stream(request: ModelRequest) -> Iterator[Any]:
        return model.stream(request.messages)

    async def astream(request: ModelRequest) -> AsyncIterator[Any]:
        async for chunk in model.astream(request.messages):
            yield chunk

    return stream, astream


async def _events(model: ScriptedFakeChatModel, mode: str, **options: Any) -> list[Any]:
    stream, astream = _streams(model)
    if mode == "sync":
        return list(drive_stream(_conversation(**options), stream))
    return [event async for event in adrive_stream(_conversation(**options), astream)]


@pytest.fixture
def full_parses(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Counts whole-reply parses (``parse_turn`` without ``partial``); streaming parses pass."""
    calls: list[int] = []
    real = VerbalizedOutputParser.parse_turn

    def counted(self: VerbalizedOutputParser, payload: Any, **kwargs: Any) -> Any:
        if not kwargs.get("partial"):
            calls.append(1)
        return real(self, payload, **kwargs)

    monkeypatch.setattr(VerbalizedOutputParser, "parse_turn", counted)
    return calls


# -- plain drivers ------------------------------------------------------------------------


def test_drive_and_adrive_give_the_same_outcome() -> None:
    def call(request: ModelRequest) -> AIMessage:
        return AIMessage(REPLY)

    async def acall(request: ModelRequest) -> AIMessage:
        return AIMessage(REPLY)

    sync = drive(_conversation(k=3), call)
    asynchronous = asyncio.run(adrive(_conversation(k=3), acall))
    assert sync.distribution == asynchronous.distribution
    assert sync.distribution.texts == ["apple", "pear", "plum"]


def test_drive_turns_a_structured_value_into_a_reply() -> None:
    outcome = drive(_conversation(k=3), lambda request: {"responses": [{"text": "a"}]})
    assert outcome.distribution.texts == ["a"]
    assert outcome.replies[0].text.startswith('{"responses"')


def test_drive_hands_a_fault_to_the_conversation_which_raises_it() -> None:
    def call(request: ModelRequest) -> AIMessage:
        raise ConnectionError("down")

    with pytest.raises(ConnectionError, match="down"):
        drive(_conversation(k=3), call)


def test_drive_re_asks_an_unreadable_reply() -> None:
    replies = iter(["no idea", REPLY])
    outcome = drive(_conversation(k=3), lambda request: AIMessage(next(replies)))
    assert len(outcome.replies) == 2
    assert outcome.distribution.texts == ["apple", "pear", "plum"]


# -- streaming drivers --------------------------------------------------------------------


@pytest.mark.parametrize("mode", ["sync", "async"])
async def test_a_streamed_reply_is_parsed_whole_once(mode: str, full_parses: list[int]) -> None:
    model = ScriptedFakeChatModel(replies=[REPLY], chunk_size=5)
    events = await _events(model, mode, k=3)
    assert len(full_parses) == 1
    candidates = [e for e in events if isinstance(e, Candidate)]
    outcome = events[-1]
    assert isinstance(outcome, SamplingOutcome)
    assert [c.text for c in candidates] == outcome.distribution.texts
    assert [c.index for c in candidates] == [0, 1, 2]


@pytest.mark.parametrize("mode", ["sync", "async"])
async def test_each_streamed_reply_is_parsed_whole_once_over_re_asks(
    mode: str, full_parses: list[int]
) -> None:
    model = ScriptedFakeChatModel(replies=["no idea", REPLY], chunk_size=5)
    events = await _events(model, mode, k=3)
    assert len(full_parses) == 2  # one per reply
    assert [e.text for e in events if isinstance(e, Candidate)] == ["apple", "pear", "plum"]


@pytest.mark.parametrize("mode", ["sync", "async"])
async def test_streamed_turns_are_numbered_after_earlier_turns(mode: str) -> None:
    replies = [vs_json([("a", 0.5), ("b", 0.5)]), vs_json([("c", 0.5), ("d", 0.5)])]
    model = ScriptedFakeChatModel(replies=replies, chunk_size=3)
    events = await _events(model, mode, k=4, method=Method.VS_MULTI, per_turn=2)
    candidates = [(e.text, e.index) for e in events if isinstance(e, Candidate)]
    assert candidates == [("a", 0), ("b", 1), ("c", 2), ("d", 3)]
    assert events[-1].distribution.texts == ["a", "b", "c", "d"]


@pytest.mark.parametrize("mode", ["sync", "async"])
async def test_a_stream_that_stays_unreadable_raises_with_the_raw_reply(mode: str) -> None:
    model = ScriptedFakeChatModel(replies=["no idea"], chunk_size=5)
    with pytest.raises(OutputParserException) as caught:
        await _events(model, mode, k=3, max_retries=1)
    assert caught.value.llm_output == "no idea"


async def test_a_long_streamed_reply_is_read_off_the_event_loop(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """While the final parse runs, a concurrent task keeps running (a contract, not a timing)."""
    long_text = "x" * (_THREAD_PARSE_CHARS // 2)
    model = ScriptedFakeChatModel(
        replies=[vs_json([(long_text, 0.5), (long_text + "y", 0.5)])], chunk_size=4096
    )
    parsing, ticked_while_parsing = threading.Event(), threading.Event()
    real = VerbalizedOutputParser.parse_turn

    def blocking(self: VerbalizedOutputParser, payload: Any, **kwargs: Any) -> Any:
        if not kwargs.get("partial"):
            parsing.set()
            # On the event loop, the ticker could never run: this would time out.
            assert ticked_while_parsing.wait(timeout=10), "the final parse blocked the event loop"
        return real(self, payload, **kwargs)

    monkeypatch.setattr(VerbalizedOutputParser, "parse_turn", blocking)

    async def ticker() -> None:
        while not ticked_while_parsing.is_set():
            if parsing.is_set():
                ticked_while_parsing.set()
            await asyncio.sleep(0.001)

    ticking = asyncio.create_task(ticker())
    events = await _events(model, "async", k=2)
    await ticking
    assert events[-1].distribution.texts == [long_text, long_text + "y"]


# -- what a stream may yield --------------------------------------------------------------


def _scripted_streams(items: list[Any]) -> tuple[Any, Any, list[int]]:
    """FAKE stream calls yielding ``items``; the list counts the items yielded so far."""
    yielded: list[int] = []

    def stream(request: ModelRequest) -> Iterator[Any]:
        for item in items:
            yielded.append(1)
            yield item

    async def astream(request: ModelRequest) -> AsyncIterator[Any]:
        for item in stream(request):
            yield item

    return stream, astream, yielded


async def _scripted_events(
    items: list[Any], mode: str, *, structured: bool = False
) -> tuple[list[Any], list[int]]:
    """The events, and for each candidate how many items had been yielded when it came."""
    stream, astream, yielded = _scripted_streams(items)
    conversation = VerbalizedConversation(ASK, VerbalizedConfig(k=3), structured=structured)
    events, seen_at = [], []
    if mode == "sync":
        for event in drive_stream(conversation, stream):
            events.append(event)
            seen_at.append(len(yielded))
    else:
        async for event in adrive_stream(conversation, astream):
            events.append(event)
            seen_at.append(len(yielded))
    return events, [at for at, e in zip(seen_at, events, strict=True) if isinstance(e, Candidate)]


@pytest.mark.parametrize("mode", ["sync", "async"])
async def test_whole_values_are_read_once_at_the_end_the_last_one_counts(
    mode: str, full_parses: list[int]
) -> None:
    """A runnable that yields whole values (parsed data) rather than message chunks."""
    last = {
        "responses": [{"text": "apple", "probability": 0.5}, {"text": "pear", "probability": 0.5}]
    }
    values = [{"responses": [{"text": "apple", "probability": 0.5}]}, last]
    events, seen_at = await _scripted_events(values, mode)
    outcome = events[-1]
    assert isinstance(outcome, SamplingOutcome)
    assert [e.text for e in events[:-1]] == outcome.distribution.texts == ["apple", "pear"]
    assert seen_at == [2, 2] and len(full_parses) == 1  # not parsed partially on the way
    assert outcome.replies[0].text == json.dumps(last)


@pytest.mark.parametrize("mode", ["sync", "async"])
async def test_a_model_that_does_not_stream_yields_its_whole_message(mode: str) -> None:
    message = AIMessage(
        REPLY, usage_metadata={"input_tokens": 3, "output_tokens": 9, "total_tokens": 12}
    )
    events, seen_at = await _scripted_events([message], mode)
    outcome = events[-1]
    assert outcome.replies == [message] and outcome.usage["output_tokens"] == 9
    assert [e.text for e in events[:-1]] == ["apple", "pear", "plum"] and seen_at == [1, 1, 1]


@pytest.mark.parametrize("mode", ["sync", "async"])
async def test_tool_call_chunks_stream_candidates_and_merge_into_the_reply(mode: str) -> None:
    pieces = [REPLY[i : i + 6] for i in range(0, len(REPLY), 6)]
    chunks: list[Any] = [
        AIMessageChunk(
            content="",
            tool_call_chunks=[
                {"name": "responses" if i == 0 else None, "args": piece, "id": "c1", "index": 0}
            ],
        )
        for i, piece in enumerate(pieces)
    ]
    chunks.append(
        AIMessageChunk(
            content="", usage_metadata={"input_tokens": 3, "output_tokens": 9, "total_tokens": 12}
        )
    )
    events, seen_at = await _scripted_events(chunks, mode, structured=True)
    outcome = events[-1]
    assert [e.text for e in events[:-1]] == ["apple", "pear", "plum"]
    assert seen_at[0] < len(pieces)  # the first candidate came while the arguments streamed
    (reply,) = outcome.replies
    assert reply.tool_calls[0]["args"] == json.loads(REPLY)
    assert reply.usage_metadata is not None and reply.usage_metadata["output_tokens"] == 9
