r"""Responses in a model's free text, other than JSON: XML-style tags, numbered or bulleted lists.

Each ``find_*`` function returns the raw items it found (or ``None``), whether the text was
complete (so that a streaming parser can hold back an item that may still grow), and where the
first item starts (so that the parser reads the format that begins first). Both run in time
linear in the text, whatever it holds: tags are found by one regular-expression scan, and a
list item's value is looked for only at its end.

Examples:
    >>> find_xml_items("<response><text>Hi</text><probability>0.4</probability></response>")
    ([{'text': 'Hi', 'probability': 0.4}], True, 0)
    >>> find_list_items("1. Tea (probability: 0.6)\n2. Coffee — 40%")
    ([{'text': 'Tea', 'probability': 0.6}, {'text': 'Coffee', 'probability': '40%'}], False, 0)
"""

from __future__ import annotations

import re
from typing import Any

__all__ = ["find_list_items", "find_xml_items", "valid_utf8"]

_VALUE_TAGS = ("probability", "confidence", "perplexity", "nll")
_TAG = re.compile(
    r"<(/?)(response|text|" + "|".join(_VALUE_TAGS) + r")\b[^<>]{0,200}>", re.IGNORECASE
)

_ITEM_START = re.compile(r"[ \t]*(?:\d{1,3}[.)]|[-*•])[ \t]+(?=\S)")
_VALUE_ZONE = 120
"""A list item's value sits at its end: only its last characters are searched for one."""
_NUMBER = r"([-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[ \t]*%)?)"
_LIST_VALUE = [
    # "(probability: 0.08)", "[p=8%]", "(confidence 0.3)"
    re.compile(
        r"[ \t]*[(\[][ \t]*(probability|prob|p|confidence|perplexity|nll)[ \t]*[:=]?[ \t]*"
        + _NUMBER
        + r"[ \t]*[)\]]\s*\Z",
        re.IGNORECASE,
    ),
    # "Probability: 0.2" at the end of the item (same line or a line of its own)
    re.compile(
        r"[\s,;.]*\b(probability|prob|confidence|perplexity|nll)[ \t]*[:=][ \t]*"
        + _NUMBER
        + r"\s*\Z",
        re.IGNORECASE,
    ),
    # "— 8%", "- 0.08", "(8%)"
    re.compile(r"[ \t]+[\u2014\u2013-][ \t]*()" + _NUMBER + r"\s*\Z"),  # em dash, en, hyphen
    re.compile(r"[ \t]*\(()" + _NUMBER + r"\)\s*\Z"),
]


def valid_utf8(text: str) -> str:
    """Replace lone surrogates with ``?`` so that the text can be encoded.

    A model may emit half a UTF-8 character (its JSON then carries a lone surrogate escape);
    such a string breaks the next request it is sent in, or any file it is written to.
    """
    if text.isascii():  # no surrogate to replace: skip the round trip (most replies)
        return text
    return text.encode("utf-8", "replace").decode("utf-8")


def find_xml_items(
    text: str, *, before: int | None = None
) -> tuple[list[dict[str, Any]], bool, int] | None:
    """Find ``<response><text>…</text><probability>…</probability></response>`` items.

    Also accepts bare ``<text>`` / ``<probability>`` pairs without the ``<response>`` wrapper,
    and ``confidence``, ``perplexity`` or ``nll`` in place of ``probability``. A value tag
    belongs to the text before it (up to the next ``<text>``).

    Args:
        text: The model's output.
        before: Only items that start before this position matter (another format starts
            there): ``None`` at once when no tag does.

    Returns:
        ``(items, complete, position)``: each item a dict with ``text`` and the value tag it
        had; ``complete`` is False when the last item was still open; ``position`` is where the
        first item's tags begin. ``None`` when there are none.
    """
    if before is not None and text.find("<", 0, before) < 0:
        return None
    items: list[dict[str, Any]] = []
    current: dict[str, Any] | None = None  # the item being filled
    position = -1
    open_text: int | None = None  # where the current <text> body starts
    open_value: tuple[str, int] | None = None
    in_response = False
    for tag in _TAG.finditer(text):
        closing, name = tag.group(1) == "/", tag.group(2).lower()
        if name == "response":
            in_response, current = not closing, None if closing else {}
            if not closing and position < 0:
                position = tag.start()
        elif name == "text" and not closing:
            if position < 0:
                position = tag.start()
            if not in_response:  # bare pairs: each <text> starts an item
                current = {}
            open_text = tag.end()
        elif name == "text" and open_text is not None:
            current = {} if current is None else current
            current["text"] = text[open_text : tag.start()].strip()
            if not (items and items[-1] is current):
                items.append(current)
            open_text = None
        elif not closing:
            open_value = (name, tag.end())
        elif open_value is not None and open_value[0] == name:
            if current is not None and name not in current:
                current[name] = _number(text[open_value[1] : tag.start()])
            open_value = None
    complete = open_text is None and open_value is None and not in_response
    if open_text is not None:  # cut inside the last text
        current = {} if current is None else current
        current["text"] = text[open_text:].strip()
        if not (items and items[-1] is current):
            items.append(current)
    items = [item for item in items if item["text"]]
    return (items, complete, position) if items else None


def _split_value(item_text: str) -> dict[str, Any]:
    zone_start = max(0, len(item_text) - _VALUE_ZONE)
    for pattern in _LIST_VALUE:
        match = pattern.search(item_text, zone_start)
        if match:
            text = item_text[: match.start()].rstrip(" \t\n,;:")
            field = (match.group(1) or "probability").lower()
            field = {"prob": "probability", "p": "probability"}.get(field, field)
            return {"text": _unquote(text), field: _number(match.group(2))}
    return {"text": _unquote(item_text.strip())}


def _number(value: str) -> float | str:
    """Text formats carry every value as text; a plain number is just a number."""
    value = value.strip()
    if len(value) > 64:  # no probability needs more; float() of a huge string costs
        return value[:64]
    try:
        return float(value)
    except ValueError:
        return value


def _unquote(text: str) -> str:
    text = text.strip()
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "\"'“":
        return text[1:-1].strip()
    if len(text) >= 2 and text[0] == "“" and text[-1] == "”":
        return text[1:-1].strip()
    return text


def find_list_items(
    text: str, *, with_values: bool = True, before: int | None = None
) -> tuple[list[dict[str, Any]], bool, int] | None:
    """Find a numbered or bulleted list; an item runs until the next item starts.

    Continuation lines stay in the item with their newlines; prose before the first item is
    ignored. A value at the end of an item — ``(probability: 0.08)``, ``— 8%``,
    ``Probability: 0.2`` — is split off into ``probability`` (or ``confidence`` and so on),
    unless ``with_values`` is False (lists of plain responses, where "- 5" may be content).

    Args:
        text: The model's output.
        with_values: Split a value off the end of each item.
        before: Only a list that starts before this position matters (another format starts
            there): ``None`` as soon as a line at or after it is reached without an item.

    Returns:
        ``(items, complete, position)``; ``complete`` is False when the text does not end with
        a newline (the last item may still grow while streaming); ``position`` is where the
        first item starts. ``None`` when there is no list.
    """
    items: list[list[str]] = []
    position = -1
    offset = 0
    for line in text.splitlines(keepends=True):
        if position < 0 and before is not None and offset >= before:
            return None
        start = _ITEM_START.match(line)
        if start:
            if position < 0:
                position = offset
            items.append([line[start.end() :]])
        elif items:
            items[-1].append(line)
        offset += len(line)
    parsed = [
        _split_value(body) if with_values else {"text": _unquote(body)}
        for body in ("".join(lines).strip() for lines in items)
    ]
    parsed = [item for item in parsed if item["text"]]
    return (parsed, text.endswith("\n"), position) if parsed else None
