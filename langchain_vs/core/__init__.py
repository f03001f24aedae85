"""The core of Verbalized Sampling: options, prompts, the distribution, parsing and the engine.

The engine runs the sans-I/O conversation against any chat model (sync, async, streaming). This
sub-package imports nothing else of ``langchain_vs`` and no provider SDK; every other
sub-package builds on it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from langchain_vs._imports import lazy_attributes

if TYPE_CHECKING:
    from langchain_vs.core._candidate_schema import CandidateSchema
    from langchain_vs.core._distribution import (
        SELECTION_STRATEGIES,
        Candidate,
        Seed,
        SelectionStrategy,
        VerbalizedDistribution,
        WeightedText,
        text_key,
    )
    from langchain_vs.core._engine import (
        METADATA_KEY,
        Draw,
        DrawRecord,
        VerbalizedEngine,
        declare_grammar_server,
        require_request,
        withdraw_grammar_server,
    )
    from langchain_vs.core._methods import MAX_K, MAX_RETRIES, Method, ProbabilityDefinition
    from langchain_vs.core._model_settings import (
        configured_copy,
        resolve_model_settings,
        setting_names,
    )
    from langchain_vs.core._options import (
        FACE_MODEL_CONFIG,
        CandidateCount,
        StructuredOutputMode,
        UnitInterval,
        VerbalizedConfig,
        did_you_mean,
    )
    from langchain_vs.core._scoring import CandidateScore, Scorer, checked_scores, scorer_name
    from langchain_vs.core.parsing import VerbalizedOutputParser

_HOMES = {
    "FACE_MODEL_CONFIG": "_options",
    "declare_grammar_server": "_engine",
    "withdraw_grammar_server": "_engine",
    "METADATA_KEY": "_engine",
    "Candidate": "_distribution",
    "CandidateCount": "_options",
    "CandidateSchema": "_candidate_schema",
    "CandidateScore": "_scoring",
    "Draw": "_engine",
    "DrawRecord": "_engine",
    "MAX_K": "_methods",
    "MAX_RETRIES": "_methods",
    "Method": "_methods",
    "ProbabilityDefinition": "_methods",
    "SELECTION_STRATEGIES": "_distribution",
    "Scorer": "_scoring",
    "Seed": "_distribution",
    "SelectionStrategy": "_distribution",
    "StructuredOutputMode": "_options",
    "UnitInterval": "_options",
    "VerbalizedConfig": "_options",
    "VerbalizedDistribution": "_distribution",
    "VerbalizedEngine": "_engine",
    "VerbalizedOutputParser": "parsing",
    "WeightedText": "_distribution",
    "checked_scores": "_scoring",
    "configured_copy": "_model_settings",
    "did_you_mean": "_options",
    "require_request": "_engine",
    "resolve_model_settings": "_model_settings",
    "scorer_name": "_scoring",
    "setting_names": "_model_settings",
    "text_key": "_distribution",
}

__all__ = [
    "FACE_MODEL_CONFIG",
    "declare_grammar_server",
    "withdraw_grammar_server",
    "METADATA_KEY",
    "Candidate",
    "CandidateCount",
    "CandidateSchema",
    "CandidateScore",
    "Draw",
    "DrawRecord",
    "MAX_K",
    "MAX_RETRIES",
    "Method",
    "ProbabilityDefinition",
    "SELECTION_STRATEGIES",
    "Scorer",
    "Seed",
    "SelectionStrategy",
    "StructuredOutputMode",
    "UnitInterval",
    "VerbalizedConfig",
    "VerbalizedDistribution",
    "VerbalizedEngine",
    "VerbalizedOutputParser",
    "WeightedText",
    "checked_scores",
    "configured_copy",
    "did_you_mean",
    "require_request",
    "resolve_model_settings",
    "scorer_name",
    "setting_names",
    "text_key",
]

__getattr__, __dir__ = lazy_attributes(__name__, _HOMES, globals())
