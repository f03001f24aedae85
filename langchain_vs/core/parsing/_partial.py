"""Parsing a reply while it streams, with total work linear in the reply's length.

Re-parsing the whole reply on every chunk costs quadratic time: a 15 KB reply in 4-character
chunks would be parsed 3,750 times. `PartialParse` keeps the chunks in a list (joined
only when parsed) and parses again only when the reply grew by an eighth since the last parse
and the new text could have closed a response (a bracket, a tag, a quote, a new line: until a
parse shows a new response, later chunks count as such text too). Each
parse then costs at most a constant times what arrived since the one before, so the total is
linear; a response is reported at most an eighth of the reply's length after it completed.

Examples:
    >>> from langchain_vs.core.parsing import VerbalizedOutputParser
    >>> stream = PartialParse(VerbalizedOutputParser(k=2))
    >>> reply = ('{"responses": [{"text": "A", "probability": 0.5},'
    ...          ' {"text": "B", "probability": 0.5}]}')
    >>> updates = [stream.feed(reply[i : i + 4]) for i in range(0, len(reply), 4)]
    >>> [u.texts for u in updates if u is not None], stream.finish().texts
    ([['A']], ['A', 'B'])
"""

from __future__ import annotations

from typing import Any, Protocol

from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage, message_chunk_to_message

from langchain_vs.core._distribution import VerbalizedDistribution

__all__ = ["PartialParse"]

_CLOSING_CHARS = frozenset('}]>"\n')
_GROWTH_SHARE = 8
"""Parse again once the reply grew by 1/_GROWTH_SHARE of its length since the last parse."""


class _ReplyParser(Protocol):
    """What `PartialParse` needs of `VerbalizedOutputParser`."""

    def parse_partial(
        self, payload: Any, *, document: bool = False
    ) -> VerbalizedDistribution | None: ...

    def parse_turn(self, payload: Any, *, partial: bool = False, document: bool = False) -> Any: ...

    def to_distribution(self, turns: list[Any]) -> VerbalizedDistribution: ...


def _chunk_text(chunk: Any) -> str | None:
    """The text a chunk adds: its content, or the arguments of a streamed tool call."""
    if isinstance(chunk, str):
        return chunk
    if isinstance(chunk, AIMessageChunk) and chunk.tool_call_chunks:
        return "".join(
            c.get("args") or "" for c in chunk.tool_call_chunks if c.get("index") in (0, None)
        )
    if isinstance(chunk, BaseMessage):
        return chunk.text
    return None


def _merged(chunks: list[AIMessageChunk]) -> AIMessageChunk:
    """Merge chunks pairwise, level by level: a chain of ``+`` would copy the text n times."""
    while len(chunks) > 1:
        chunks = [
            chunks[i] + chunks[i + 1] if i + 1 < len(chunks) else chunks[i]
            for i in range(0, len(chunks), 2)
        ]
    return chunks[0]


class PartialParse:
    """Accumulates a streamed reply and reports each new set of completed responses.

    It is the one owner of the reply: its text (parsed), its message chunks (merged by
    `message()`, which keeps their metadata), or a whole value (`hold()`).

    Args:
        parser: Reads the reply.
        document: The reply is a JSON document (structured output).
    """

    def __init__(self, parser: _ReplyParser, *, document: bool = False) -> None:
        self.parser = parser
        self.document = document
        self._parts: list[str] = []
        self._chunks: list[AIMessageChunk] = []  # kept for their metadata (usage, tool calls)
        self._length = 0
        self._parsed_length = 0
        self._pending_close = False
        self._whole: Any = None  # a runnable that yields whole values, not text chunks
        self.last: VerbalizedDistribution | None = None

    @property
    def length(self) -> int:
        """How many characters of text the reply has so far."""
        return self._length

    @property
    def text(self) -> str:
        """The reply's text so far."""
        return "".join(self._parts)

    @property
    def whole(self) -> Any:
        """The last whole value fed or held (not text), or ``None``."""
        return self._whole

    def message(self) -> AIMessage | None:
        """The message chunks fed so far merged into one message, or ``None`` if there were none."""
        if not self._chunks:
            return None
        message = message_chunk_to_message(_merged(self._chunks))
        assert isinstance(message, AIMessage)
        return message

    def hold(self, value: Any) -> None:
        """Keep ``value`` as the whole reply, unparsed (it is read once, when complete)."""
        self._whole = value

    def feed(self, chunk: Any) -> VerbalizedDistribution | None:
        """Add a chunk; return the completed responses if they changed, else ``None``."""
        if isinstance(chunk, AIMessageChunk):
            self._chunks.append(chunk)
        text = _chunk_text(chunk)
        if text is None:
            self.hold(chunk)
            return self._report(chunk)
        if not text:
            return None
        self._parts.append(text)
        self._length += len(text)
        self._pending_close = self._pending_close or not _CLOSING_CHARS.isdisjoint(text)
        grown = self._length - self._parsed_length
        if not self._pending_close or grown * _GROWTH_SHARE < self._length:
            return None
        self._parsed_length = self._length
        if len(self._parts) > 1:
            self._parts = [self.text]  # join once; the next join starts from here
        update = self._report(self._parts[0])
        # A list item completes only when the next one starts: keep looking until it shows.
        self._pending_close = update is None
        return update

    def _report(self, payload: Any) -> VerbalizedDistribution | None:
        current = self.parser.parse_partial(payload, document=self.document)
        if current is None or current == self.last:
            return None
        self.last = current
        return current

    def finish(self) -> VerbalizedDistribution | None:
        """Parse the whole reply (raises ``OutputParserException``); ``None`` if unchanged."""
        payload = self._whole if self._whole is not None else self.text
        turn = self.parser.parse_turn(payload, document=self.document)
        final = self.parser.to_distribution([turn])
        return None if final == self.last else final
