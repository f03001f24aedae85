"""Verbalized Sampling for LangChain and LangGraph.

Ask any chat model for k responses with verbalized probabilities, parse that distribution, and
draw from it: diverse answers without training.

Every name is imported on first use, so ``import langchain_vs`` costs next to nothing and
imports neither a provider SDK nor LangGraph until a piece that needs one is used.

Example:
    .. code-block:: python

        from langchain_vs import VerbalizedSampler, local_chat_model

        sampler = VerbalizedSampler(model=local_chat_model(), k=5)
        print(sampler.invoke("Tell me a joke about coffee.").content)
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version
from typing import TYPE_CHECKING

from langchain_vs._imports import lazy_attributes

if TYPE_CHECKING:
    from langchain_vs.apps import (
        agenerate_dataset,
        create_diverse_rag_chain,
        generate_dataset,
        read_dataset,
        run_benchmark,
    )
    from langchain_vs.core import (
        Candidate,
        CandidateSchema,
        Method,
        ProbabilityDefinition,
        VerbalizedConfig,
        VerbalizedDistribution,
        VerbalizedOutputParser,
    )
    from langchain_vs.eval import HashedNgramEmbeddings, MiniLMEmbeddings
    from langchain_vs.graph import (
        OutcomeComparison,
        Persona,
        SimulationMetrics,
        VerbalizedNode,
        acontinue_simulation,
        asimulation_status,
        compare_outcomes,
        continue_simulation,
        create_persona_simulation,
        simulation_metrics,
        simulation_status,
    )
    from langchain_vs.local import LocalModelServer, default_chat_model, local_chat_model
    from langchain_vs.runnables import VerbalizedChatModel, VerbalizedSampler, verbalize

try:
    __version__ = version("langchain-vs")
except PackageNotFoundError:  # running from a source tree that was not installed
    __version__ = "0.0.0"

# Each name's sub-package (which imports it from its own private module on first use).
_HOMES = {
    "Candidate": "core",
    "CandidateSchema": "core",
    "HashedNgramEmbeddings": "eval",
    "LocalModelServer": "local",
    "Method": "core",
    "MiniLMEmbeddings": "eval",
    "OutcomeComparison": "graph",
    "Persona": "graph",
    "ProbabilityDefinition": "core",
    "SimulationMetrics": "graph",
    "VerbalizedChatModel": "runnables",
    "VerbalizedConfig": "core",
    "VerbalizedDistribution": "core",
    "VerbalizedNode": "graph",
    "VerbalizedOutputParser": "core",
    "VerbalizedSampler": "runnables",
    "acontinue_simulation": "graph",
    "agenerate_dataset": "apps",
    "asimulation_status": "graph",
    "compare_outcomes": "graph",
    "continue_simulation": "graph",
    "create_diverse_rag_chain": "apps",
    "create_persona_simulation": "graph",
    "default_chat_model": "local",
    "generate_dataset": "apps",
    "local_chat_model": "local",
    "read_dataset": "apps",
    "run_benchmark": "apps",
    "simulation_metrics": "graph",
    "simulation_status": "graph",
    "verbalize": "runnables",
}

__all__ = [
    "Candidate",
    "CandidateSchema",
    "HashedNgramEmbeddings",
    "LocalModelServer",
    "Method",
    "MiniLMEmbeddings",
    "OutcomeComparison",
    "Persona",
    "ProbabilityDefinition",
    "SimulationMetrics",
    "VerbalizedChatModel",
    "VerbalizedConfig",
    "VerbalizedDistribution",
    "VerbalizedNode",
    "VerbalizedOutputParser",
    "VerbalizedSampler",
    "__version__",
    "acontinue_simulation",
    "agenerate_dataset",
    "asimulation_status",
    "compare_outcomes",
    "continue_simulation",
    "create_diverse_rag_chain",
    "create_persona_simulation",
    "default_chat_model",
    "generate_dataset",
    "local_chat_model",
    "read_dataset",
    "run_benchmark",
    "simulation_metrics",
    "simulation_status",
    "verbalize",
]

__getattr__, __dir__ = lazy_attributes(__name__, _HOMES, globals())
