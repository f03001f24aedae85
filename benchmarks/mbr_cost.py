"""What ``selection="mbr"`` costs per draw at k = 5, 20, 50: lexical and embedding utility.

Run: .venv/bin/python benchmarks/mbr_cost.py [--repeats 7]
One MBR pick is the utility's k x k matrix plus the expected utilities and the argmax
(``VerbalizedDistribution.select("mbr", utility=...)``), over k sentences of 6 to 20 words
(benchmarks/paraphrases.json). The embedding utility embeds the k texts once a pick with
MiniLM (the ``embeddings`` extra; its model is loaded before timing). Each line is the median
of ``--repeats`` picks: wall time, and process CPU time (all threads: onnxruntime uses several).
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from pathlib import Path

from langchain_vs import EmbeddingUtility, MiniLMEmbeddings, VerbalizedDistribution, lexical_utility

SIZES = (5, 20, 50)


def main() -> None:
    """Run the measurement and print the report."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeats", type=int, default=7)
    args = parser.parse_args()
    pairs = json.loads((Path(__file__).parent / "paraphrases.json").read_text())
    sentences = [text for pair in pairs for text in pair]
    embedding = EmbeddingUtility(MiniLMEmbeddings())
    embedding(["warm up: load the model"])
    utilities = {"lexical": lexical_utility, "embedding (MiniLM)": embedding}
    print(f"{'utility':<20} {'k':>3} {'wall ms':>9} {'cpu ms':>9}")
    for name, utility in utilities.items():
        for k in SIZES:
            texts = [sentences[i % len(sentences)] + f" ({i})" for i in range(k)]
            dist = VerbalizedDistribution.from_weights([(t, k - i) for i, t in enumerate(texts)])
            walls, cpus = [], []
            for _ in range(args.repeats):
                wall, cpu = time.perf_counter(), time.process_time()
                dist.select("mbr", utility=utility)
                walls.append(time.perf_counter() - wall)
                cpus.append(time.process_time() - cpu)
            wall_ms, cpu_ms = statistics.median(walls) * 1e3, statistics.median(cpus) * 1e3
            print(f"{name:<20} {k:>3} {wall_ms:>9.2f} {cpu_ms:>9.2f}")


if __name__ == "__main__":
    main()
