"""Measurement: diversity and distribution metrics, and offline embeddings.

MiniLM on onnxruntime (the ``embeddings`` extra) or hashed n-grams (numpy). Imports nothing else
of ``langchain_vs``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from langchain_vs._imports import lazy_attributes

if TYPE_CHECKING:
    from langchain_vs.eval._embeddings import (
        HashedNgramEmbeddings,
        default_embeddings,
        embeddings_name,
    )
    from langchain_vs.eval._metrics import (
        answer_counts,
        coverage,
        distinct_n,
        js_divergence,
        kl_divergence,
        lexical_diversity,
        rouge_l,
        self_bleu,
        semantic_diversity,
        unit_embeddings,
        valid_answer_rate,
        vendi_score,
    )
    from langchain_vs.eval._minilm import INSTALL_EMBEDDINGS, MiniLMEmbeddings, minilm_available
    from langchain_vs.eval._similarity import SimilarityIndex

_HOMES = {
    "HashedNgramEmbeddings": "_embeddings",
    "INSTALL_EMBEDDINGS": "_minilm",
    "MiniLMEmbeddings": "_minilm",
    "answer_counts": "_metrics",
    "coverage": "_metrics",
    "default_embeddings": "_embeddings",
    "distinct_n": "_metrics",
    "embeddings_name": "_embeddings",
    "js_divergence": "_metrics",
    "kl_divergence": "_metrics",
    "lexical_diversity": "_metrics",
    "minilm_available": "_minilm",
    "rouge_l": "_metrics",
    "self_bleu": "_metrics",
    "SimilarityIndex": "_similarity",
    "semantic_diversity": "_metrics",
    "unit_embeddings": "_metrics",
    "valid_answer_rate": "_metrics",
    "vendi_score": "_metrics",
}

__all__ = [
    "SimilarityIndex",
    "HashedNgramEmbeddings",
    "INSTALL_EMBEDDINGS",
    "MiniLMEmbeddings",
    "answer_counts",
    "coverage",
    "default_embeddings",
    "distinct_n",
    "embeddings_name",
    "js_divergence",
    "kl_divergence",
    "lexical_diversity",
    "minilm_available",
    "rouge_l",
    "self_bleu",
    "semantic_diversity",
    "unit_embeddings",
    "valid_answer_rate",
    "vendi_score",
]

__getattr__, __dir__ = lazy_attributes(__name__, _HOMES, globals())
