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
        NOSTREAM_TAG,
        Draw,
        DrawRecord,
        VerbalizedEngine,
        declare_grammar_server,
        model_call_config,
        require_request,
        structured_binding,
        structured_output_method,
        withdraw_grammar_server,
    )
    from langchain_vs.core._methods import MAX_K, MAX_RETRIES, Method, ProbabilityDefinition
    from langchain_vs.core._model_errors import cut_off_reply, is_fault, note_endpoint
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
    from langchain_vs.core._utility import (
        UTILITY_NAMES,
        Utility,
        UtilityName,
        checked_matrix,
        display_name,
        lexical_utility,
    )
    from langchain_vs.core.parsing import VerbalizedOutputParser

_HOMES = {
    "Candidate": "_distribution",
    "CandidateCount": "_options",
    "CandidateSchema": "_candidate_schema",
    "CandidateScore": "_scoring",
    "checked_matrix": "_utility",
    "checked_scores": "_scoring",
    "configured_copy": "_model_settings",
    "cut_off_reply": "_model_errors",
    "declare_grammar_server": "_engine",
    "did_you_mean": "_options",
    "display_name": "_utility",
    "Draw": "_engine",
    "DrawRecord": "_engine",
    "FACE_MODEL_CONFIG": "_options",
    "is_fault": "_model_errors",
    "lexical_utility": "_utility",
    "MAX_K": "_methods",
    "MAX_RETRIES": "_methods",
    "METADATA_KEY": "_engine",
    "model_call_config": "_engine",
    "NOSTREAM_TAG": "_engine",
    "Method": "_methods",
    "note_endpoint": "_model_errors",
    "ProbabilityDefinition": "_methods",
    "require_request": "_engine",
    "resolve_model_settings": "_model_settings",
    "Scorer": "_scoring",
    "scorer_name": "_scoring",
    "Seed": "_distribution",
    "SELECTION_STRATEGIES": "_distribution",
    "SelectionStrategy": "_distribution",
    "setting_names": "_model_settings",
    "structured_binding": "_engine",
    "structured_output_method": "_engine",
    "StructuredOutputMode": "_options",
    "text_key": "_distribution",
    "UnitInterval": "_options",
    "Utility": "_utility",
    "UTILITY_NAMES": "_utility",
    "UtilityName": "_utility",
    "VerbalizedConfig": "_options",
    "VerbalizedDistribution": "_distribution",
    "VerbalizedEngine": "_engine",
    "VerbalizedOutputParser": "parsing",
    "WeightedText": "_distribution",
    "withdraw_grammar_server": "_engine",
}

__all__ = [
    "Candidate",
    "CandidateCount",
    "CandidateSchema",
    "CandidateScore",
    "checked_matrix",
    "checked_scores",
    "configured_copy",
    "cut_off_reply",
    "declare_grammar_server",
    "did_you_mean",
    "display_name",
    "Draw",
    "DrawRecord",
    "FACE_MODEL_CONFIG",
    "is_fault",
    "lexical_utility",
    "MAX_K",
    "MAX_RETRIES",
    "METADATA_KEY",
    "Method",
    "model_call_config",
    "NOSTREAM_TAG",
    "note_endpoint",
    "ProbabilityDefinition",
    "require_request",
    "resolve_model_settings",
    "Scorer",
    "scorer_name",
    "Seed",
    "SELECTION_STRATEGIES",
    "SelectionStrategy",
    "setting_names",
    "structured_binding",
    "structured_output_method",
    "StructuredOutputMode",
    "text_key",
    "UnitInterval",
    "Utility",
    "UTILITY_NAMES",
    "UtilityName",
    "VerbalizedConfig",
    "VerbalizedDistribution",
    "VerbalizedEngine",
    "VerbalizedOutputParser",
    "WeightedText",
    "withdraw_grammar_server",
]

__getattr__, __dir__ = lazy_attributes(__name__, _HOMES, globals())
