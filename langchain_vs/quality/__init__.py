"""Quality: score the candidates of a draw, and select or reweight them by score.

Scorers implement [`Scorer`][langchain_vs.core.Scorer] (all k candidates of a draw scored in one
batch). This sub-package builds on [`langchain_vs.core`][langchain_vs.core] and
[`langchain_vs.eval`][langchain_vs.eval]; the
faces use it for ``selection="best"``, ``selection="mbr"`` and score tilts.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from langchain_vs._imports import lazy_attributes

if TYPE_CHECKING:
    from langchain_vs.quality._callables import as_scorer
    from langchain_vs.quality._combine import WeightedScorer, combine_scorers
    from langchain_vs.quality._fluency import FluencyScorer
    from langchain_vs.quality._judge import LLMJudge
    from langchain_vs.quality._pairwise import MAX_PAIRWISE_CANDIDATES, PairwiseJudge
    from langchain_vs.quality._preference_model import PreferenceModel
    from langchain_vs.quality._preferences import (
        BradleyTerryScorer,
        Preference,
        bradley_terry,
        preferences_from_choice,
    )
    from langchain_vs.quality._utility import EmbeddingUtility, resolve_utility, selection_utility

_HOMES: dict[str, str] = {
    "BradleyTerryScorer": "_preferences",
    "EmbeddingUtility": "_utility",
    "FluencyScorer": "_fluency",
    "LLMJudge": "_judge",
    "MAX_PAIRWISE_CANDIDATES": "_pairwise",
    "PairwiseJudge": "_pairwise",
    "Preference": "_preferences",
    "PreferenceModel": "_preference_model",
    "WeightedScorer": "_combine",
    "as_scorer": "_callables",
    "bradley_terry": "_preferences",
    "combine_scorers": "_combine",
    "preferences_from_choice": "_preferences",
    "resolve_utility": "_utility",
    "selection_utility": "_utility",
}

__all__: list[str] = [
    "BradleyTerryScorer",
    "EmbeddingUtility",
    "FluencyScorer",
    "LLMJudge",
    "MAX_PAIRWISE_CANDIDATES",
    "PairwiseJudge",
    "Preference",
    "PreferenceModel",
    "WeightedScorer",
    "as_scorer",
    "bradley_terry",
    "combine_scorers",
    "preferences_from_choice",
    "resolve_utility",
    "selection_utility",
]

__getattr__, __dir__ = lazy_attributes(__name__, _HOMES, globals())
