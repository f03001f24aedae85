"""Verbalized Sampling for LangChain and LangGraph.

Ask any chat model for k responses with verbalized probabilities, parse that distribution, and
draw from it: diverse answers without training.

Example:
    .. code-block:: python

        from langchain_vs import VerbalizedSampler, local_chat_model

        sampler = VerbalizedSampler(model=local_chat_model(), k=5)
        print(sampler.invoke("Tell me a joke about coffee.").content)
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version
from typing import TYPE_CHECKING, Any

from langchain_vs.chat_model import VerbalizedChatModel
from langchain_vs.distribution import Candidate, VerbalizedDistribution
from langchain_vs.graph import Persona, VerbalizedNode
from langchain_vs.methods import Method, ProbabilityDefinition
from langchain_vs.parsers import VerbalizedOutputParser
from langchain_vs.rag import create_diverse_rag_chain
from langchain_vs.sampler import VerbalizedSampler, verbalize
from langchain_vs.simulation import create_persona_simulation

if TYPE_CHECKING:
    from langchain_vs.embeddings import HashedNgramEmbeddings
    from langchain_vs.local import LocalModelServer, local_chat_model
    from langchain_vs.minilm import MiniLMEmbeddings

try:
    __version__ = version("langchain-vs")
except PackageNotFoundError:  # running from a source tree that was not installed
    __version__ = "0.0.0"

__all__ = [
    "Candidate",
    "HashedNgramEmbeddings",
    "LocalModelServer",
    "Method",
    "MiniLMEmbeddings",
    "Persona",
    "ProbabilityDefinition",
    "VerbalizedChatModel",
    "VerbalizedDistribution",
    "VerbalizedOutputParser",
    "VerbalizedNode",
    "VerbalizedSampler",
    "__version__",
    "create_diverse_rag_chain",
    "create_persona_simulation",
    "local_chat_model",
    "verbalize",
]

_LAZY = {
    "local_chat_model": "langchain_vs.local",
    "LocalModelServer": "langchain_vs.local",
    "HashedNgramEmbeddings": "langchain_vs.embeddings",
    "MiniLMEmbeddings": "langchain_vs.minilm",
}


def __getattr__(name: str) -> Any:
    # Modules behind optional extras are imported on first use only.
    if name in _LAZY:
        from importlib import import_module

        return getattr(import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'langchain_vs' has no attribute {name!r}")
