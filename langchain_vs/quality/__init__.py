"""Quality: score the candidates of a draw, and select or reweight them by score.

Scorers implement :class:`~langchain_vs.core.Scorer` (all k candidates of a draw scored in one
batch). This sub-package builds on :mod:`langchain_vs.core` and :mod:`langchain_vs.eval`; the
faces use it for ``selection="best"``, ``selection="mbr"`` and score tilts.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from langchain_vs._imports import lazy_attributes

if TYPE_CHECKING:
    from langchain_vs.quality._fluency import FluencyScorer

_HOMES: dict[str, str] = {
    "FluencyScorer": "_fluency",
}

__all__: list[str] = [
    "FluencyScorer",
]

__getattr__, __dir__ = lazy_attributes(__name__, _HOMES, globals())
