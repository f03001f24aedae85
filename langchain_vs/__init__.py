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

from importlib import import_module
from importlib.metadata import PackageNotFoundError, version
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from langchain_vs.candidate_schema import CandidateSchema
    from langchain_vs.chat_model import VerbalizedChatModel
    from langchain_vs.config import VerbalizedConfig
    from langchain_vs.dataset import agenerate_dataset, generate_dataset, read_dataset
    from langchain_vs.distribution import Candidate, VerbalizedDistribution
    from langchain_vs.embeddings import HashedNgramEmbeddings
    from langchain_vs.graph import Persona, VerbalizedNode
    from langchain_vs.local import LocalModelServer, local_chat_model
    from langchain_vs.methods import Method, ProbabilityDefinition
    from langchain_vs.minilm import MiniLMEmbeddings
    from langchain_vs.parsers import VerbalizedOutputParser
    from langchain_vs.rag import create_diverse_rag_chain
    from langchain_vs.sampler import VerbalizedSampler, verbalize
    from langchain_vs.simulation import create_persona_simulation, simulation_status

try:
    __version__ = version("langchain-vs")
except PackageNotFoundError:  # running from a source tree that was not installed
    __version__ = "0.0.0"

_HOMES = {
    "Candidate": "langchain_vs.distribution",
    "CandidateSchema": "langchain_vs.candidate_schema",
    "HashedNgramEmbeddings": "langchain_vs.embeddings",
    "LocalModelServer": "langchain_vs.local",
    "Method": "langchain_vs.methods",
    "MiniLMEmbeddings": "langchain_vs.minilm",
    "Persona": "langchain_vs.graph",
    "ProbabilityDefinition": "langchain_vs.methods",
    "VerbalizedChatModel": "langchain_vs.chat_model",
    "VerbalizedConfig": "langchain_vs.config",
    "VerbalizedDistribution": "langchain_vs.distribution",
    "VerbalizedNode": "langchain_vs.graph",
    "VerbalizedOutputParser": "langchain_vs.parsers",
    "VerbalizedSampler": "langchain_vs.sampler",
    "agenerate_dataset": "langchain_vs.dataset",
    "create_diverse_rag_chain": "langchain_vs.rag",
    "create_persona_simulation": "langchain_vs.simulation",
    "generate_dataset": "langchain_vs.dataset",
    "local_chat_model": "langchain_vs.local",
    "read_dataset": "langchain_vs.dataset",
    "simulation_status": "langchain_vs.simulation",
    "verbalize": "langchain_vs.sampler",
}

__all__ = [
    "Candidate",
    "CandidateSchema",
    "HashedNgramEmbeddings",
    "LocalModelServer",
    "Method",
    "MiniLMEmbeddings",
    "Persona",
    "ProbabilityDefinition",
    "VerbalizedChatModel",
    "VerbalizedConfig",
    "VerbalizedDistribution",
    "VerbalizedNode",
    "VerbalizedOutputParser",
    "VerbalizedSampler",
    "__version__",
    "agenerate_dataset",
    "create_diverse_rag_chain",
    "create_persona_simulation",
    "generate_dataset",
    "local_chat_model",
    "read_dataset",
    "simulation_status",
    "verbalize",
]


def __getattr__(name: str) -> object:
    if name in _HOMES:
        value = getattr(import_module(_HOMES[name]), name)
        globals()[name] = value  # the next access is a plain lookup
        return value
    raise AttributeError(f"module 'langchain_vs' has no attribute {name!r}")


def __dir__() -> list[str]:
    return list(__all__)
