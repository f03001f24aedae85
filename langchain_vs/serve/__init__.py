"""Serving: the persona simulation as a LangGraph Server graph, and ``langgraph dev``."""

from __future__ import annotations

from typing import TYPE_CHECKING

from langchain_vs._imports import lazy_attributes

# LangGraph Server looks the graph up in the module's __dict__ (not with getattr), so the factory
# that deploy/langgraph.json names is bound on import rather than lazily.
from langchain_vs.serve._deployed import make_persona_simulation

if TYPE_CHECKING:
    from langchain_vs.serve._deployed import (
        BASE_URL_ENV,
        DEFAULT_OPENING,
        DEFAULT_PERSONAS,
        MODEL_NAME_ENV,
        SimulationSettings,
        deployed_chat_model,
        run_limits,
    )
    from langchain_vs.serve._dev_server import INSTALL_DEPLOY, LangGraphDevError, langgraph_dev
    from langchain_vs.serve._limits import (
        DEFAULT_RUN_SETTINGS,
        MAX_K_ENV,
        MAX_PERSONAS_ENV,
        MAX_TOKENS_ENV,
        MAX_TURNS_ENV,
        RUN_SETTINGS_ENV,
        RunLimits,
    )
    from langchain_vs.serve._populations import (
        MAX_POPULATION_FILE_BYTES,
        MAX_PROFILE_CHARS,
        MAX_PROFILE_FIELDS,
        POPULATION_DIR_ENV,
        population_personas,
    )

_HOMES = {
    "BASE_URL_ENV": "_deployed",
    "DEFAULT_OPENING": "_deployed",
    "DEFAULT_RUN_SETTINGS": "_limits",
    "DEFAULT_PERSONAS": "_deployed",
    "INSTALL_DEPLOY": "_dev_server",
    "LangGraphDevError": "_dev_server",
    "MAX_K_ENV": "_limits",
    "MAX_PERSONAS_ENV": "_limits",
    "MAX_TOKENS_ENV": "_limits",
    "MAX_TURNS_ENV": "_limits",
    "MAX_POPULATION_FILE_BYTES": "_populations",
    "MAX_PROFILE_CHARS": "_populations",
    "MAX_PROFILE_FIELDS": "_populations",
    "MODEL_NAME_ENV": "_deployed",
    "POPULATION_DIR_ENV": "_populations",
    "RUN_SETTINGS_ENV": "_limits",
    "RunLimits": "_limits",
    "SimulationSettings": "_deployed",
    "deployed_chat_model": "_deployed",
    "run_limits": "_deployed",
    "langgraph_dev": "_dev_server",
    "population_personas": "_populations",
}

__all__ = [
    "BASE_URL_ENV",
    "DEFAULT_OPENING",
    "DEFAULT_PERSONAS",
    "DEFAULT_RUN_SETTINGS",
    "INSTALL_DEPLOY",
    "MAX_K_ENV",
    "MAX_PERSONAS_ENV",
    "MAX_POPULATION_FILE_BYTES",
    "MAX_PROFILE_CHARS",
    "MAX_PROFILE_FIELDS",
    "MAX_TOKENS_ENV",
    "MAX_TURNS_ENV",
    "MODEL_NAME_ENV",
    "POPULATION_DIR_ENV",
    "RUN_SETTINGS_ENV",
    "LangGraphDevError",
    "RunLimits",
    "SimulationSettings",
    "deployed_chat_model",
    "langgraph_dev",
    "make_persona_simulation",
    "population_personas",
    "run_limits",
]

__getattr__, __dir__ = lazy_attributes(__name__, _HOMES, globals())
