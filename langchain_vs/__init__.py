"""Verbalized Sampling for LangChain and LangGraph.

Ask any chat model for k responses with verbalized probabilities, parse that distribution, and
draw from it: diverse answers without training.

Every name is imported on first use, so ``import langchain_vs`` costs next to nothing and
imports neither a provider SDK nor LangGraph until a piece that needs one is used.

Examples:
    ```python
    from langchain_vs import VerbalizedSampler, local_chat_model

    sampler = VerbalizedSampler(model=local_chat_model(), k=5)
    print(sampler.invoke("Tell me a joke about coffee.").content)
    ```
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
        CandidateScore,
        Method,
        ProbabilityDefinition,
        Scorer,
        VerbalizedConfig,
        VerbalizedDistribution,
        VerbalizedOutputParser,
        lexical_utility,
    )
    from langchain_vs.eval import HashedNgramEmbeddings, MiniLMEmbeddings, semantic_diversity
    from langchain_vs.graph import (
        OutcomeComparison,
        Persona,
        PersonaProfile,
        Population,
        SimulationMetrics,
        VerbalizedNode,
        acontinue_simulation,
        agenerate_population,
        asimulation_status,
        compare_outcomes,
        continue_simulation,
        create_persona_simulation,
        generate_population,
        simulation_metrics,
        simulation_status,
    )
    from langchain_vs.local import LocalModelServer, default_chat_model, local_chat_model
    from langchain_vs.quality import (
        BradleyTerryScorer,
        EmbeddingUtility,
        LLMJudge,
        PairwiseJudge,
        Preference,
        PreferenceModel,
        as_scorer,
        combine_scorers,
        resolve_utility,
        selection_utility,
    )
    from langchain_vs.runnables import (
        VerbalizedChatModel,
        VerbalizedSampler,
        VerbalizedSamplingMiddleware,
        verbalize,
    )

try:
    __version__ = version("langchain-vs")
except PackageNotFoundError:  # running from a source tree that was not installed
    __version__ = "0.0.0"

# Each name's sub-package (which imports it from its own private module on first use).
_HOMES = {
    "BradleyTerryScorer": "quality",
    "Candidate": "core",
    "CandidateSchema": "core",
    "CandidateScore": "core",
    "EmbeddingUtility": "quality",
    "Scorer": "core",
    "as_scorer": "quality",
    "combine_scorers": "quality",
    "lexical_utility": "core",
    "resolve_utility": "quality",
    "selection_utility": "quality",
    "semantic_diversity": "eval",
    "HashedNgramEmbeddings": "eval",
    "LLMJudge": "quality",
    "LocalModelServer": "local",
    "Method": "core",
    "MiniLMEmbeddings": "eval",
    "PairwiseJudge": "quality",
    "OutcomeComparison": "graph",
    "Persona": "graph",
    "PersonaProfile": "graph",
    "Population": "graph",
    "Preference": "quality",
    "PreferenceModel": "quality",
    "ProbabilityDefinition": "core",
    "SimulationMetrics": "graph",
    "VerbalizedChatModel": "runnables",
    "VerbalizedConfig": "core",
    "VerbalizedDistribution": "core",
    "VerbalizedNode": "graph",
    "VerbalizedOutputParser": "core",
    "VerbalizedSampler": "runnables",
    "VerbalizedSamplingMiddleware": "runnables",
    "acontinue_simulation": "graph",
    "agenerate_dataset": "apps",
    "agenerate_population": "graph",
    "asimulation_status": "graph",
    "compare_outcomes": "graph",
    "continue_simulation": "graph",
    "create_diverse_rag_chain": "apps",
    "create_persona_simulation": "graph",
    "default_chat_model": "local",
    "generate_dataset": "apps",
    "generate_population": "graph",
    "local_chat_model": "local",
    "read_dataset": "apps",
    "run_benchmark": "apps",
    "simulation_metrics": "graph",
    "simulation_status": "graph",
    "verbalize": "runnables",
}

__all__ = [
    "BradleyTerryScorer",
    "Candidate",
    "CandidateSchema",
    "CandidateScore",
    "EmbeddingUtility",
    "HashedNgramEmbeddings",
    "LLMJudge",
    "LocalModelServer",
    "Method",
    "MiniLMEmbeddings",
    "OutcomeComparison",
    "PairwiseJudge",
    "Persona",
    "PersonaProfile",
    "Population",
    "Preference",
    "PreferenceModel",
    "ProbabilityDefinition",
    "Scorer",
    "SimulationMetrics",
    "VerbalizedChatModel",
    "VerbalizedConfig",
    "VerbalizedDistribution",
    "VerbalizedNode",
    "VerbalizedOutputParser",
    "VerbalizedSampler",
    "VerbalizedSamplingMiddleware",
    "__version__",
    "acontinue_simulation",
    "agenerate_dataset",
    "agenerate_population",
    "as_scorer",
    "asimulation_status",
    "combine_scorers",
    "compare_outcomes",
    "continue_simulation",
    "create_diverse_rag_chain",
    "create_persona_simulation",
    "default_chat_model",
    "generate_dataset",
    "generate_population",
    "lexical_utility",
    "local_chat_model",
    "read_dataset",
    "resolve_utility",
    "run_benchmark",
    "selection_utility",
    "semantic_diversity",
    "simulation_metrics",
    "simulation_status",
    "verbalize",
]

__getattr__, __dir__ = lazy_attributes(__name__, _HOMES, globals())
