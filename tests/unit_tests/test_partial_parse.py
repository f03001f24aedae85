"""PartialParse: what a streaming reply reports as its chunks arrive, and how often it parses."""

from __future__ import annotations

import json
from itertools import pairwise
from typing import Any

import pytest
from langchain_core.exceptions import OutputParserException
from langchain_core.messages import AIMessageChunk

from langchain_vs.core.parsing import PartialParse, VerbalizedOutputParser

REPLY = json.dumps(
    {"responses": [{"text": t, "probability": p} for t, p in [("A", 0.5), ("B", 0.3), ("C", 0.2)]]}
)


class _CountingParser(VerbalizedOutputParser):
    """The real parser, counting its partial parses."""

    partial_parses: int = 0

    def parse_partial(self, payload: Any, *, document: bool = False) -> Any:
        self.partial_parses += 1
        return super().parse_partial(payload, document=document)


def _feed(stream: PartialParse, reply: str, size: int) -> list[list[str]]:
    updates = [stream.feed(reply[i : i + size]) for i in range(0, len(reply), size)]
    return [u.texts for u in updates if u is not None]


def test_each_completed_response_is_reported_once_in_order() -> None:
    stream = PartialParse(VerbalizedOutputParser(k=3))
    reported = _feed(stream, REPLY, 3)
    assert reported and reported[-1] in (["A", "B"], ["A", "B", "C"])
    assert all(a == b[: len(a)] for a, b in pairwise(reported))
    final = stream.finish()
    assert final is None or final.texts == ["A", "B", "C"]
    assert stream.text == REPLY and stream.length == len(REPLY)


def test_a_response_still_growing_is_held_back() -> None:
    stream = PartialParse(VerbalizedOutputParser(k=2))
    assert stream.feed('{"responses": [{"text": "Half a sen') is None
    update = stream.feed('tence", "probability": 0.5}, {"text": "Nex')
    assert update is not None and update.texts == ["Half a sentence"]


def test_finish_returns_nothing_when_the_last_report_was_already_whole() -> None:
    stream = PartialParse(VerbalizedOutputParser(k=3))
    assert stream.feed(REPLY) is not None
    assert stream.finish() is None


def test_tool_call_chunks_are_read_as_the_reply() -> None:
    stream = PartialParse(VerbalizedOutputParser(k=3), document=True)
    for i in range(0, len(REPLY), 10):
        chunk = AIMessageChunk(
            content="", tool_call_chunks=[{"args": REPLY[i : i + 10], "index": 0}]
        )
        stream.feed(chunk)
    final = stream.finish()
    assert (final or stream.last) is not None
    assert (final or stream.last).texts == ["A", "B", "C"]


def test_a_list_item_is_reported_when_the_next_one_starts() -> None:
    stream = PartialParse(VerbalizedOutputParser(k=2))
    assert stream.feed("1. Tea (probability: 0.6)") is None
    update = stream.feed("\n2. Cof")
    assert update is not None and update.texts == ["Tea"]


def test_an_unreadable_reply_raises_only_at_finish() -> None:
    stream = PartialParse(VerbalizedOutputParser(k=2))
    assert stream.feed("I cannot help with that.\n") is None
    with pytest.raises(OutputParserException):
        stream.finish()


def test_tiny_chunks_cost_a_bounded_number_of_parses() -> None:
    """Linear total work: parses grow with the log of the length, not with the chunks."""
    parser = _CountingParser(k=5)
    items = [{"text": "word " * 400, "probability": 0.2} for _ in range(5)]
    reply = json.dumps({"responses": items})
    stream = PartialParse(parser)
    _feed(stream, reply, 4)
    assert len(reply) // 4 > 2_000
    assert parser.partial_parses < 120  # an eighth's growth each time: ~8·ln(n) parses


def test_the_message_chunks_merge_into_the_reply_with_their_metadata() -> None:
    stream = PartialParse(VerbalizedOutputParser(k=3))
    assert stream.message() is None
    for i in range(0, len(REPLY), 7):
        stream.feed(AIMessageChunk(content=REPLY[i : i + 7]))
    usage = {"input_tokens": 2, "output_tokens": 8, "total_tokens": 10}
    stream.feed(AIMessageChunk(content="", usage_metadata=usage))  # no text, still kept
    message = stream.message()
    assert message is not None and message.text == REPLY == stream.text
    assert message.usage_metadata == usage


def test_text_chunks_make_no_message_and_a_held_value_is_the_reply() -> None:
    stream = PartialParse(VerbalizedOutputParser(k=3))
    stream.feed(REPLY[:10])
    assert stream.message() is None and stream.whole is None
    value = json.loads(REPLY)
    stream.hold(value)
    assert stream.whole is value and stream.length == 10  # held, not parsed or counted as text
    final = stream.finish()
    assert final is not None and final.texts == ["A", "B", "C"]
