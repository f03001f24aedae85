"""The ``langchain-vs`` command (nothing in the package imports it)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from langchain_vs._imports import lazy_attributes

if TYPE_CHECKING:
    from langchain_vs.cli._main import build_parser, main

_HOMES = {
    "build_parser": "_main",
    "main": "_main",
}

__all__ = [
    "build_parser",
    "main",
]

__getattr__, __dir__ = lazy_attributes(__name__, _HOMES, globals())
