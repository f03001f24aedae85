"""JSON in a model's reply, read in linear time: whole documents, cut-off documents, prose around.

Models send JSON that is cut at the token limit, has trailing commas, or sits after a line of
prose. `close_json()` reads such a value in one pass: it keeps everything up to the last
point where the value was still well formed, drops trailing commas and closes what was left open.
`read_json_document()` reads a reply that *is* a JSON document (structured output), and
`find_json()` finds the outermost acceptable JSON value in free text. Neither ever looks
inside a string for more JSON, so JSON that a response quotes stays part of that response.

Examples:
    >>> close_json('{"responses": [{"text": "Tea", "p": 0.6}, {"text": "Cof', 0)
    ({'responses': [{'text': 'Tea', 'p': 0.6}, {'text': 'Cof'}]}, 55)
    >>> find_json('Sure! {"a": [1, 2,],}')
    ({'a': [1, 2]}, False, 6)
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

import json_repair

from langchain_vs.core._nesting import nests_deeper_than

__all__ = ["close_json", "find_json", "read_json_document"]


def _no_constant(name: str) -> Any:
    """``NaN`` and ``Infinity`` are no JSON: the scan stops there, and so does the fast path."""
    raise ValueError(f"{name} is not JSON")


# strict=False: raw newlines inside strings (poems)
_DECODER = json.JSONDecoder(strict=False, parse_constant=_no_constant)
_STRING_BODY = re.compile(r'[^"\\]*(?:\\.[^"\\]*)*', re.DOTALL)
_LITERAL = re.compile(r"-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?|true|false|null")
_PARTIAL_ESCAPE = re.compile(r"\\(?:u[0-9a-fA-F]{0,3})?\Z")
_SPACE = re.compile(r"[ \t\n\r]*")
# Where a JSON object or array can start: a bracket and, after any white space, what may follow
# it (a '{' followed by another '{' cannot start a value, so a run of braces costs nothing).
_STARTS = re.compile(r"\{[ \t\n\r]*[\"'}]|\[[ \t\n\r]*[-0-9\"'{\[\]tfn]")
_MAX_DEPTH = 64
"""The scan reads this many levels of objects and arrays (so the decoder never recurses deeply).

A value nested deeper is skipped whole and read as ``null`` (the value around it is then not
whole), so what follows it is still read: a structured candidate that deep is dropped as too
deep (see ``CandidateSchema``'s ``MAX_DEPTH``), never cut short, and never costs the next one.
"""
_DEEP_SKIP = re.compile(r'[^"{}\[\]]*')
"""Up to the next character that matters when skipping a too-deep value."""
_CLOSERS = {"{": "}", "[": "]"}

_SMALL_FOR_JSON_REPAIR = 16_384
"""json-repair mends more (single quotes, bare words) but is super-linear: small replies only."""

_VALUE, _KEY, _COLON, _COMMA = range(4)
_NOTHING = object()
_JSON_REPAIR_CALLS = 2
"""find_json hands at most this many starts to json-repair."""
_FAST_TRIES = 1
"""Starts find_json may try the C decoder on before it fails: a failure costs a count of the
lines before the start (for the error message), so failed tries must stay few to stay linear."""


def _skip(pattern: re.Pattern[str], text: str, position: int) -> int:
    """Where ``pattern`` (which may match nothing) stops matching from ``position``."""
    match = pattern.match(text, position)
    return match.end() if match else position


def close_json(text: str, start: int) -> tuple[Any, int] | None:
    """Decode the JSON value at ``start``, mending a cut-off end and trailing commas.

    One pass, linear in the text: it stops at the end of the value or at the first syntax error,
    keeps everything up to the last point where the value was well formed (a string value cut
    mid-way is kept and closed), drops trailing commas, and closes the open brackets.

    Returns:
        ``(value, end)`` — ``end`` is where reading stopped — or ``None`` when nothing at
        ``start`` reads as a JSON object or array.
    """
    value, end, _ = _read_value(text, start, fast=True)
    return None if value is _NOTHING else (value, end)


def _read_value(text: str, start: int, *, fast: bool) -> tuple[Any, int, bool]:
    """Read the JSON value at ``start``: the fast path if asked and it succeeds, else the scan.

    Returns:
        The value (``_NOTHING`` if none), where reading stopped, and whether the value was whole
        as it stood (nothing mended).
    """
    if fast and (found := _read_whole(text, start)) is not None:
        return found[0], found[1], True
    return _read_scanned(text, start)


def _read_scanned(text: str, start: int) -> tuple[Any, int, bool]:
    """The slow path: the mending scan, then decoding what it kept (see `_read_value()`)."""
    mended, end, whole = _mend(text, start)
    return _decoded(mended), end, whole


def _read_whole(text: str, start: int) -> tuple[Any, int] | None:
    """The fast path: an object or array at ``start`` that is valid JSON as it stands.

    The C decoder alone reads it; ``None`` when it is not valid as it stands (then only the
    mending scan can tell what it is). For every value it returns, `_mend()` would return
    the same value, end and "whole": the scan accepts exactly JSON's grammar (no ``NaN``), up
    to the depth cap checked here.
    """
    try:
        value, end = _DECODER.raw_decode(text, start)
    except (ValueError, RecursionError):
        return None
    if not isinstance(value, dict | list) or not _within_depth(text, start, end, value):
        return None
    return value, end


def _within_depth(text: str, start: int, end: int, value: Any) -> bool:
    """Whether ``value`` (read from ``text[start:end]``) nests no deeper than the scan reads."""
    if text.count("{", start, end) + text.count("[", start, end) <= _MAX_DEPTH:
        return True  # too few brackets to nest deeper (the common case: no walk at all)
    return not nests_deeper_than(value, _MAX_DEPTH)


def _decoded(mended: str | None) -> Any:
    """Decode mended JSON text (``_NOTHING`` if it still is not JSON, e.g. nested too deep)."""
    if mended is None:
        return _NOTHING
    try:
        return _DECODER.decode(mended)
    except (ValueError, RecursionError):
        return _NOTHING


def _mend(text: str, start: int) -> tuple[str | None, int, bool]:
    """Scan the JSON value at ``start`` once.

    Returns:
        The mended JSON text (``None`` if there is none), where the scan stopped, and whether
        the value was whole as it stood (nothing mended). Only this scan reads the raw text:
        ``json.JSONDecoder.raw_decode`` would count lines up to every error it reports, which
        costs quadratic time over many failed starts.
    """
    if start >= len(text) or text[start] not in _CLOSERS:
        return None, start + 1, False
    stack: list[str] = []
    edits: list[tuple[int, int, str]] = []  # (start, stop, replacement): trailing commas, too deep
    last_comma = -1
    cut, cut_depth = start, 0  # text[start:cut] + closers of stack[:cut_depth] is valid
    expect = _VALUE
    i, end = start, len(text)
    tail = ""
    while True:
        if i < end and text[i] in " \t\n\r":
            i = _skip(_SPACE, text, i)
        if i >= end:
            break
        char = text[i]
        if expect in (_VALUE, _KEY) and char == '"':
            body_end = _skip(_STRING_BODY, text, i + 1)
            if body_end >= end:  # cut inside the string
                if expect == _VALUE:
                    body = _PARTIAL_ESCAPE.sub("", text[i + 1 :])
                    cut, cut_depth, tail = i, len(stack), '"' + body + '"'
                i = end
                break
            i = body_end + 1
            if expect == _KEY:
                expect = _COLON
                continue
            expect, cut, cut_depth = _COMMA, i, len(stack)
        elif expect == _VALUE and char in _CLOSERS and len(stack) < _MAX_DEPTH:
            stack.append(char)
            i += 1
            expect = _KEY if char == "{" else _VALUE
            cut, cut_depth = i, len(stack)
        elif expect == _VALUE and char in _CLOSERS:  # too deep: skipped, read as null
            skipped = _skip_nested(text, i)
            edits.append((i, skipped, "null"))
            i = skipped
            expect, cut, cut_depth = _COMMA, i, len(stack)
        elif char in "}]" and stack and _CLOSERS[stack[-1]] == char:
            if expect in (_COLON,) or (expect == _VALUE and stack[-1] == "{"):
                break  # '{"a": }' or '{"a" }': malformed
            if expect != _COMMA and last_comma >= cut:
                edits.append((last_comma, last_comma + 1, ""))  # a trailing comma: '[1, 2,]'
            stack.pop()
            i += 1
            expect, cut, cut_depth = _COMMA, i, len(stack)
            if not stack:
                break
        elif expect == _COLON and char == ":":
            i += 1
            expect = _VALUE
        elif expect == _COMMA and char == ",":
            last_comma = i
            i += 1
            expect = _KEY if stack[-1] == "{" else _VALUE
        elif expect == _VALUE and (literal := _LITERAL.match(text, i)):
            i = literal.end()
            expect, cut, cut_depth = _COMMA, i, len(stack)
        else:
            break
    if cut_depth == 0 and not tail and cut == start:
        return None, i, False
    whole = not stack and not edits
    pieces, position = [], start
    for edit_start, edit_stop, replacement in edits:
        pieces.append(text[position:edit_start])
        pieces.append(replacement)
        position = edit_stop
    pieces.append(text[position:cut])
    pieces.append(tail)
    pieces.extend(_CLOSERS[bracket] for bracket in reversed(stack[:cut_depth]))
    return "".join(pieces), i, whole


def _skip_nested(text: str, start: int) -> int:
    """Where the object or array at ``start`` ends (its brackets balanced, strings skipped).

    It is not checked beyond that; the end of the text if it is cut off.
    """
    depth, i, end = 0, start, len(text)
    while i < end:
        if text[i] == '"':
            i = _skip(_STRING_BODY, text, i + 1) + 1
        else:
            depth += 1 if text[i] in "{[" else -1
            i += 1
            if depth == 0:
                return i
        i = _skip(_DEEP_SKIP, text, i)
    return end


def _json_repair_may_help(text: str, stop: int) -> bool:
    """Whether the scan stopped where json-repair mends: a single quote or a bare word."""
    return stop < len(text) and (text[stop] == "'" or text[stop].isalpha())


def _json_repaired(text: str, start: int) -> Any:
    """json-repair's reading of a small reply (single quotes, bare words), else ``_NOTHING``."""
    if len(text) - start > _SMALL_FOR_JSON_REPAIR:
        return _NOTHING
    try:
        return json_repair.loads(text[start:])
    except (ValueError, RecursionError, TypeError, IndexError, AttributeError):
        return _NOTHING


def read_json_document(text: str) -> tuple[Any, bool] | None:
    """Read a reply that is one JSON document (structured output), mending a cut-off end.

    The document must start the reply (after white space or a code fence): nothing inside it is
    searched for other JSON.

    Returns:
        ``(value, complete)``, ``complete`` False when it had to be mended; ``None`` when the
        reply is no JSON object or array.
    """
    start = _skip(_SPACE, text, 0)
    if text.startswith("```", start):  # some servers fence even a structured reply
        newline = text.find("\n", start)
        start = _skip(_SPACE, text, newline + 1) if newline >= 0 else len(text)
    if text[start : start + 1] not in _CLOSERS:
        return None
    value, end, whole = _read_value(text, start, fast=True)
    if (value is _NOTHING or not value) and _json_repair_may_help(text, end):
        whole, value = False, _json_repaired(text, start)
    return None if value is _NOTHING else (value, whole)


def find_json(
    text: str, *, accept: Callable[[Any], Any] | None = None
) -> tuple[Any, bool, int] | None:
    """Find the outermost JSON object or list in ``text`` that ``accept`` approves.

    Tries each ``{`` or ``[`` from the left (so prose and code fences before the JSON are
    skipped) and skips over every value it decoded, accepted or not, so JSON quoted inside a
    string is never read as the reply. The total work is bounded by a multiple of the text's
    length, whatever the text.

    Args:
        text: The model's output.
        accept: A predicate on the decoded value; values it rejects are skipped. ``None`` accepts
            any object or list.

    Returns:
        ``(value, complete, position)``: ``complete`` is False when the JSON had to be mended
        (cut off, trailing commas); ``position`` is where it starts. ``None`` when nothing
        acceptable was found.
    """
    repair_calls, fast_tries = _JSON_REPAIR_CALLS, _FAST_TRIES
    position = 0
    while match := _STARTS.search(text, position):
        start = match.start()
        if fast_tries > 0 and (found := _read_whole(text, start)) is not None:
            (value, end), whole = found, True  # skipped over if rejected: linear all the same
        else:
            fast_tries -= 1
            value, end, whole = _read_scanned(text, start)
        acceptable = isinstance(value, dict | list) and (accept is None or accept(value))
        if not acceptable and repair_calls > 0 and _json_repair_may_help(text, end):
            repair_calls -= 1
            value = _json_repaired(text, start)
            acceptable = isinstance(value, dict | list) and (accept is None or accept(value))
        if acceptable:
            return value, whole, start
        # Whatever the scan read is one value (or no JSON at all): never look inside it.
        position = max(end, start + 1)
    return None
