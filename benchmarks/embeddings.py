"""The offline embeddings side by side: do they see meaning, and how fast are they?

Run: .venv/bin/python benchmarks/embeddings.py [--repeat 10]

Meaning: paraphrases.json holds 24 sentence pairs written for this project that say the same thing
in other words. Paraphrase AUC is the chance that a pair's cosine similarity beats the similarity
of the same sentence with another pair's paraphrase (1.0 = paraphrases always closest, 0.5 =
chance). Speed: texts per second embedding the 48 sentences ``--repeat`` times, on one thread
and with the runtime's default threads, measured in the same run.
"""

from __future__ import annotations

import argparse
import json
import os
import time
from pathlib import Path

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # before numpy: see the module docstring

import numpy as np
from langchain_core.embeddings import Embeddings

from langchain_vs.eval import HashedNgramEmbeddings, MiniLMEmbeddings, unit_embeddings

PAIRS: list[list[str]] = json.loads((Path(__file__).parent / "paraphrases.json").read_text())


def paraphrase_auc(embeddings: Embeddings) -> float:
    """P(similarity of a paraphrase pair > similarity of a mismatched pair), ties count half."""
    left = unit_embeddings([a for a, _ in PAIRS], embeddings)
    right = unit_embeddings([b for _, b in PAIRS], embeddings)
    similarity = left @ right.T
    positives = np.diag(similarity)
    negatives = similarity[~np.eye(len(PAIRS), dtype=bool)]
    wins = (positives[:, None] > negatives[None, :]).mean()
    ties = (positives[:, None] == negatives[None, :]).mean()
    return float(wins + ties / 2)


def texts_per_second(embeddings: Embeddings, repeat: int) -> float:
    """Throughput over every sentence, ``repeat`` times, after one warm-up call."""
    texts = [text for pair in PAIRS for text in pair]
    embeddings.embed_documents(texts[:2])  # loads models, so loading is not timed
    started = time.perf_counter()
    for _ in range(repeat):
        embeddings.embed_documents(texts)
    return len(texts) * repeat / (time.perf_counter() - started)


def main() -> None:
    """Run the measurement and print the report."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=10)
    args = parser.parse_args()
    arms: dict[str, Embeddings] = {
        "HashedNgramEmbeddings": HashedNgramEmbeddings(),
        "MiniLMEmbeddings (1 thread)": MiniLMEmbeddings(threads=1),
        "MiniLMEmbeddings (default threads)": MiniLMEmbeddings(),
    }
    report = {
        name: {
            "paraphrase_auc": round(paraphrase_auc(embeddings), 4),
            "texts_per_s": round(texts_per_second(embeddings, args.repeat)),
        }
        for name, embeddings in arms.items()
    }
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
