"""Offline embeddings for diversity metrics, RAG answer merging and examples.

[`default_embeddings()`][langchain_vs.eval.default_embeddings] gives
[`MiniLMEmbeddings`][langchain_vs.eval.MiniLMEmbeddings] (semantic,
all-MiniLM-L6-v2 on onnxruntime) when the ``embeddings`` extra is installed, and falls back to
the numpy-only lexical [`HashedNgramEmbeddings`][langchain_vs.eval.HashedNgramEmbeddings] otherwise,
saying so once in the log.
Both need numpy (the ``metrics`` extra): without it, making one raises ``ImportError`` with the
``pip install`` line.

[`HashedNgramEmbeddings`][langchain_vs.eval.HashedNgramEmbeddings] implements LangChain's
``Embeddings`` with numpy only: each text
becomes a vector of hashed character 3-5-grams (sublinear counts, L2-normalized). It needs no
model file, no network and no torch, and embeds thousands of texts a second. It measures
*surface* similarity: two paraphrases with different words look different to it. Use
``MiniLMEmbeddings`` or any other ``Embeddings`` (OpenAI, ...) where meaning matters.

Examples:
    >>> emb = HashedNgramEmbeddings()
    >>> a, b, c = emb.embed_documents(["red car", "red cars", "blue boat"])
    >>> round(sum(x * y for x, y in zip(a, b)), 2) > round(sum(x * y for x, y in zip(a, c)), 2)
    True
"""

from __future__ import annotations

import logging
import zlib
from functools import cache
from typing import TYPE_CHECKING, Any

from langchain_core.embeddings import Embeddings
from pydantic import BaseModel, ConfigDict, Field

from langchain_vs.eval._requires import require

if TYPE_CHECKING:
    import numpy as np

__all__ = ["HashedNgramEmbeddings", "default_embeddings", "embeddings_name"]

logger = logging.getLogger(__name__)


class HashedNgramEmbeddings(BaseModel, Embeddings):
    """Hashed character n-gram vectors: a fast, offline, lexical ``Embeddings``.

    Attributes:
        dimensions: Vector length (hash buckets).
        min_n: Shortest character n-gram.
        max_n: Longest character n-gram.
    """

    model_config = ConfigDict(frozen=True)

    dimensions: int = Field(default=2048, ge=16)
    min_n: int = Field(default=3, ge=1)
    max_n: int = Field(default=5, ge=1)

    def model_post_init(self, context: Any, /) -> None:
        """Check numpy is there, so a missing extra shows when the embeddings are made.

        Raises:
            ImportError: numpy is not installed (the message has the ``pip install`` line).
        """
        require("numpy", what="HashedNgramEmbeddings")

    def _vector(self, text: str) -> np.ndarray:
        import numpy as np

        padded = f" {' '.join(text.casefold().split())} "
        vector = np.zeros(self.dimensions, dtype=np.float64)
        for n in range(self.min_n, self.max_n + 1):
            for start in range(max(len(padded) - n + 1, 0)):
                # crc32 is stable across processes (Python's hash() is salted per run).
                vector[zlib.crc32(padded[start : start + n].encode()) % self.dimensions] += 1.0
        np.log1p(vector, out=vector)  # sublinear counts: repeated n-grams do not dominate
        norm = float(np.linalg.norm(vector))
        return vector / norm if norm > 0 else vector

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        """Embed texts (unit vectors; an empty text gives the zero vector)."""
        return [self._vector(text).tolist() for text in texts]

    def embed_query(self, text: str) -> list[float]:
        """Embed one text."""
        vector: list[float] = self._vector(text).tolist()
        return vector


@cache
def default_embeddings() -> Embeddings:
    """The default embeddings of metrics and RAG merging: semantic when installed, else lexical.

    Returns one shared [`MiniLMEmbeddings`][langchain_vs.eval.MiniLMEmbeddings] when the
    ``embeddings``
    extra is installed (its model loads on first use), else a
    [`HashedNgramEmbeddings`][langchain_vs.eval.HashedNgramEmbeddings].
    Values made with the two are not comparable;
    [`embeddings_name()`][langchain_vs.eval.embeddings_name] says which was used.
    """
    from langchain_vs.eval._minilm import INSTALL_EMBEDDINGS, MiniLMEmbeddings, minilm_available

    if minilm_available():
        return MiniLMEmbeddings()
    logger.warning(
        "Semantic embeddings are not installed; using lexical HashedNgramEmbeddings. "
        "For meaning-level diversity: %s",
        INSTALL_EMBEDDINGS,
    )
    return HashedNgramEmbeddings()


def embeddings_name(embeddings: Embeddings) -> str:
    """A short label for reports: the class name, plus the model name when it has one."""
    model = getattr(embeddings, "model", None) or getattr(embeddings, "model_name", None)
    name = type(embeddings).__name__
    return f"{name}({model})" if isinstance(model, str) else name
