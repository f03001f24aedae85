r"""Finding responses in a model's free text: JSON, XML-style tags, numbered or bulleted lists.

Each ``find_*`` function returns the raw structure it found (or ``None``) and says whether the
text was complete, so that a streaming parser can hold back an item that may still grow.

Example:
    >>> find_xml_items("<response><text>Hi</text><probability>0.4</probability></response>")
    ([{'text': 'Hi', 'probability': 0.4}], True)
    >>> find_list_items("1. Tea (probability: 0.6)\n2. Coffee — 40%")
    ([{'text': 'Tea', 'probability': 0.6}, {'text': 'Coffee', 'probability': '40%'}], False)
"""

from __future__ import annotations

import json
import re
from typing import Any

import json_repair

__all__ = ["find_json", "find_list_items", "find_xml_items", "valid_utf8"]

_MAX_JSON_STARTS = 16
_MAX_REPAIRS = 3
_FENCE = re.compile(r"```[ \t]*(?:json|JSON)?[ \t]*\n?(.*?)(?:```|\Z)", re.DOTALL)
_DECODER = json.JSONDecoder(strict=False)  # strict=False: raw newlines inside strings (poems)

_VALUE_TAGS = ("probability", "confidence", "perplexity", "nll")
_XML_BLOCK = re.compile(r"<response\b[^>]*>(.*?)(?:</response>|\Z)", re.DOTALL | re.IGNORECASE)
_XML_TEXT = re.compile(r"<text>(.*?)(</text>|\Z)", re.DOTALL | re.IGNORECASE)
_XML_VALUE = re.compile(
    r"<(" + "|".join(_VALUE_TAGS) + r")>\s*(.*?)\s*</\1>", re.DOTALL | re.IGNORECASE
)

_ITEM_START = re.compile(r"^\s*(?:\d{1,3}[.)]|[-*•])\s+(?=\S)")
_NUMBER = r"([-+]?\d*\.?\d+\s*%?)"
_LIST_VALUE = [
    # "(probability: 0.08)", "[p=8%]", "(confidence 0.3)"
    re.compile(
        r"\s*[(\[]\s*(probability|prob|p|confidence|perplexity|nll)\s*[:=]?\s*"
        + _NUMBER
        + r"\s*[)\]]\s*$",
        re.IGNORECASE,
    ),
    # "Probability: 0.2" at the end of the item (same line or a line of its own)
    re.compile(
        r"[\s,;.]*\b(probability|prob|confidence|perplexity|nll)\s*[:=]\s*" + _NUMBER + r"\s*$",
        re.IGNORECASE,
    ),
    # "— 8%", "- 0.08", "(8%)"
    re.compile(r"\s+[\u2014\u2013-]\s*()" + _NUMBER + r"\s*$"),  # em dash, en dash, hyphen
    re.compile(r"\s*\(()" + _NUMBER + r"\)\s*$"),
]


def valid_utf8(text: str) -> str:
    """Replace lone surrogates with ``?`` so that the text can be encoded.

    A model may emit half a UTF-8 character (its JSON then carries a lone surrogate escape);
    such a string breaks the next request it is sent in, or any file it is written to.
    """
    return text.encode("utf-8", "replace").decode("utf-8")


def _json_at(text: str, start: int, *, repair: bool) -> tuple[Any, bool] | None:
    try:
        return _DECODER.raw_decode(text, start)[0], True
    except (ValueError, RecursionError):
        pass
    if not repair:
        return None
    try:
        # Trailing commas, single quotes, truncation: json-repair closes what it can.
        return json_repair.loads(text[start:]), False
    except (ValueError, RecursionError, TypeError, IndexError, AttributeError):
        return None


def find_json(text: str, *, accept: Any = None) -> tuple[Any, bool] | None:
    """Find the first JSON object or list in ``text`` that ``accept`` approves.

    Looks inside ``` fences first, then at each ``{`` or ``[`` (after any prose preface).

    Args:
        text: The model's output.
        accept: A predicate on the decoded value; values it rejects are skipped. ``None`` accepts
            any object or list.

    Returns:
        ``(value, complete)``, where ``complete`` is False when the JSON had to be repaired or
        closed (truncated output), or ``None`` when nothing acceptable was found.
    """
    regions = [m.group(1) for m in _FENCE.finditer(text)] + [text]
    for region in regions:
        starts = [i for i, ch in enumerate(region) if ch in "{["][:_MAX_JSON_STARTS]
        for position, start in enumerate(starts):
            # Repairing is slow on pathological input; strict decoding is tried at every start.
            found = _json_at(region, start, repair=position < _MAX_REPAIRS)
            if found is None or not isinstance(found[0], dict | list):
                continue
            if accept is None or accept(found[0]):
                return found
    return None


def find_xml_items(text: str) -> tuple[list[dict[str, Any]], bool] | None:
    """Find ``<response><text>…</text><probability>…</probability></response>`` items.

    Also accepts bare ``<text>`` / ``<probability>`` pairs without the ``<response>`` wrapper,
    and ``confidence``, ``perplexity`` or ``nll`` in place of ``probability``.

    Returns:
        ``(items, complete)``: each item a dict with ``text`` and the value tag it had;
        ``complete`` is False when the last item was still open. ``None`` when there are none.
    """
    blocks = [
        (m.group(1), m.group(0).lower().endswith("</response>")) for m in _XML_BLOCK.finditer(text)
    ]
    if not blocks:
        starts = [m.start() for m in _XML_TEXT.finditer(text)]
        if not starts:
            return None
        ends = [*starts[1:], len(text)]
        blocks = [(text[s:e], True) for s, e in zip(starts, ends, strict=True)]
    items: list[dict[str, Any]] = []
    complete = True
    for body, closed in blocks:
        text_match = _XML_TEXT.search(body)
        if text_match is None:
            continue
        item = {"text": text_match.group(1).strip()}
        if value := _XML_VALUE.search(body):
            item[value.group(1).lower()] = _number(value.group(2))
        closed = closed and bool(text_match.group(2))
        complete = closed
        items.append(item)
    return (items, complete) if items else None


def _split_value(item_text: str) -> dict[str, Any]:
    for pattern in _LIST_VALUE:
        match = pattern.search(item_text)
        if match:
            text = item_text[: match.start()].rstrip(" \t\n,;:")
            field = (match.group(1) or "probability").lower()
            field = {"prob": "probability", "p": "probability"}.get(field, field)
            return {"text": _unquote(text), field: _number(match.group(2))}
    return {"text": _unquote(item_text.strip())}


def _number(value: str) -> float | str:
    """Text formats carry every value as text; a plain number is just a number."""
    try:
        return float(value)
    except ValueError:
        return value.strip()


def _unquote(text: str) -> str:
    text = text.strip()
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "\"'“":
        return text[1:-1].strip()
    if len(text) >= 2 and text[0] == "“" and text[-1] == "”":
        return text[1:-1].strip()
    return text


def find_list_items(
    text: str, *, with_values: bool = True
) -> tuple[list[dict[str, Any]], bool] | None:
    """Find a numbered or bulleted list; an item runs until the next item starts.

    Continuation lines stay in the item with their newlines; prose before the first item is
    ignored. A value at the end of an item — ``(probability: 0.08)``, ``— 8%``,
    ``Probability: 0.2`` — is split off into ``probability`` (or ``confidence`` and so on),
    unless ``with_values`` is False (lists of plain responses, where "- 5" may be content).

    Returns:
        ``(items, complete)``; ``complete`` is False when the text does not end with a newline
        (the last item may still grow while streaming). ``None`` when there is no list.
    """
    items: list[list[str]] = []
    for line in text.splitlines():
        start = _ITEM_START.match(line)
        if start:
            items.append([line[start.end() :]])
        elif items:
            items[-1].append(line)
    parsed = [
        _split_value(body) if with_values else {"text": _unquote(body)}
        for body in ("\n".join(lines).strip() for lines in items)
    ]
    parsed = [item for item in parsed if item["text"]]
    return (parsed, text.endswith("\n")) if parsed else None
