"""Model output to a distribution: the output parser, its formats, and streaming parses.

JSON, XML-style tags and numbered lists are read in linear time; a reply that is still
streaming is parsed incrementally (`PartialParse`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from langchain_vs._imports import lazy_attributes

if TYPE_CHECKING:
    from langchain_vs.core.parsing._json_text import find_json, read_json_document
    from langchain_vs.core.parsing._parser import (
        DEFAULT_MAX_REPLY_CHARS,
        ParsedTurn,
        VerbalizedOutputParser,
        message_payload,
    )
    from langchain_vs.core.parsing._partial import PartialParse
    from langchain_vs.core.parsing._text_formats import valid_utf8

_HOMES = {
    "DEFAULT_MAX_REPLY_CHARS": "_parser",
    "ParsedTurn": "_parser",
    "PartialParse": "_partial",
    "VerbalizedOutputParser": "_parser",
    "find_json": "_json_text",
    "read_json_document": "_json_text",
    "message_payload": "_parser",
    "valid_utf8": "_text_formats",
}

__all__ = [
    "DEFAULT_MAX_REPLY_CHARS",
    "ParsedTurn",
    "PartialParse",
    "VerbalizedOutputParser",
    "find_json",
    "message_payload",
    "read_json_document",
    "valid_utf8",
]

__getattr__, __dir__ = lazy_attributes(__name__, _HOMES, globals())
