"""MBR's embedding-cosine utility, and the one place ``utility="auto"`` is decided.

Examples:
    >>> resolve_utility("lexical").__name__
    'lexical_utility'
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache

from langchain_core.embeddings import Embeddings

from langchain_vs.core import Utility, UtilityName, VerbalizedConfig, lexical_utility
from langchain_vs.eval import (
    MiniLMEmbeddings,
    default_embeddings,
    embeddings_name,
    minilm_available,
    unit_embeddings,
)

__all__ = ["EmbeddingUtility", "resolve_utility", "selection_utility"]


class EmbeddingUtility:
    """Cosine similarity of the candidates' embeddings: the k texts embedded once a draw.

    Args:
        embeddings: Any LangChain embeddings; ``None``:
            [`default_embeddings()`][langchain_vs.eval.default_embeddings]
            (MiniLM when installed, else hashed n-grams).
    """

    def __init__(self, embeddings: Embeddings | None = None) -> None:
        if embeddings is not None and not isinstance(embeddings, Embeddings):
            raise TypeError(
                "embeddings must be a LangChain Embeddings (e.g. MiniLMEmbeddings()), got "
                f"{type(embeddings).__name__}"
            )
        self.embeddings = embeddings or default_embeddings()
        self.name = f"embedding_cosine({embeddings_name(self.embeddings)})"

    def __call__(self, texts: Sequence[str]) -> list[list[float]]:
        """The k x k cosine matrix of ``texts``."""
        unit = unit_embeddings(texts, self.embeddings)
        matrix: list[list[float]] = (unit @ unit.T).tolist()
        return matrix


@cache
def _shared_minilm_utility() -> EmbeddingUtility:
    # One model session for every face that resolves "auto" (loading MiniLM takes a while).
    return EmbeddingUtility(MiniLMEmbeddings())


def resolve_utility(utility: UtilityName | Utility = "auto") -> Utility:
    """The utility a name stands for (a callable is returned as it is).

    ``"auto"``: the embedding cosine with MiniLM when the ``embeddings`` extra is installed,
    else [`lexical_utility()`][langchain_vs.core.lexical_utility]; ``"embedding"``: the cosine with
    [`default_embeddings()`][langchain_vs.eval.default_embeddings]; ``"lexical"``: token-set F1.
    """
    if callable(utility):
        return utility
    if utility == "lexical" or (utility == "auto" and not minilm_available()):
        return lexical_utility
    if utility == "auto":
        return _shared_minilm_utility()
    if utility == "embedding":
        return EmbeddingUtility()
    # (the options refuse anything else; this guards a direct call)
    problem = TypeError if not isinstance(utility, str) else ValueError
    raise problem(f"unknown utility {utility!r}; use auto, lexical, embedding or a callable")


def selection_utility(config: VerbalizedConfig) -> Utility | None:
    """What a face hands its engine: the resolved utility for ``selection="mbr"``, else None."""
    return resolve_utility(config.utility) if config.selection == "mbr" else None
