"""An offline, dependency-light embedding for diversity metrics and examples.

:class:`HashedNgramEmbeddings` implements LangChain's ``Embeddings`` with numpy only: each text
becomes a vector of hashed character 3-5-grams (sublinear counts, L2-normalized). It needs no
model file, no network and no torch, and embeds thousands of texts a second. It measures
*surface* similarity: two paraphrases with different words look different to it. Pass any other
``Embeddings`` (OpenAI, a local sentence-transformer) where meaning matters.

Example:
    >>> emb = HashedNgramEmbeddings()
    >>> a, b, c = emb.embed_documents(["red car", "red cars", "blue boat"])
    >>> round(sum(x * y for x, y in zip(a, b)), 2) > round(sum(x * y for x, y in zip(a, c)), 2)
    True
"""

from __future__ import annotations

import zlib

import numpy as np
from langchain_core.embeddings import Embeddings
from pydantic import BaseModel, ConfigDict, Field

__all__ = ["HashedNgramEmbeddings"]


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

    def _vector(self, text: str) -> np.ndarray:
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
