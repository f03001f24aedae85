"""Quality: score the candidates of a draw, and select or reweight them by score.

Scorers implement :class:`~langchain_vs.core.Scorer` (all k candidates of a draw scored in one
batch). This sub-package builds on :mod:`langchain_vs.core` and :mod:`langchain_vs.eval`; the
faces use it for ``selection="best"``, ``selection="mbr"`` and score tilts.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from langchain_vs._imports import lazy_attributes

if TYPE_CHECKING:
    from langchain_vs.quality._judge import LLMJudge
    from langchain_vs.quality._pairwise import MAX_PAIRWISE_CANDIDATES, PairwiseJudge
    from langchain_vs.quality._preference_model import PreferenceModel
    from langchain_vs.quality._preferences import (
        BradleyTerryScorer,
        Preference,
        bradley_terry,
        preferences_from_choice,
    )

_HOMES: dict[str, str] = {
    "BradleyTerryScorer": "_preferences",
    "LLMJudge": "_judge",
    "MAX_PAIRWISE_CANDIDATES": "_pairwise",
    "PairwiseJudge": "_pairwise",
    "Preference": "_preferences",
    "PreferenceModel": "_preference_model",
    "bradley_terry": "_preferences",
    "preferences_from_choice": "_preferences",
}

__all__: list[str] = [
    "BradleyTerryScorer",
    "LLMJudge",
    "MAX_PAIRWISE_CANDIDATES",
    "PairwiseJudge",
    "Preference",
    "PreferenceModel",
    "bradley_terry",
    "preferences_from_choice",
]

__getattr__, __dir__ = lazy_attributes(__name__, _HOMES, globals())
