"""Unique records per 1,000 output tokens: VS-Standard vs direct prompting, side by side.

Run: .venv/bin/python benchmarks/dataset_yield.py [--n 60] [--k 5] [--out dataset-bench]

Each arm makes ``--n`` records from the same 3 prompts (round robin) with ``generate_dataset``
and semantic dedup (MiniLM, cosine >= 0.9), on the embedded local model unless ``--model
openai:NAME``: VS-Standard (k candidates a call, all kept), direct prompting at the same
temperature, and direct at T=1.5 with min-p 0.1 (the token-level sampler the VS paper compares
with). An arm stops at n unique records or its call budget (4x the calls n needs). Reported
per arm: unique records, duplicates dropped, semantic diversity and Vendi score of the records,
output tokens, unique records per 1,000 output tokens, seconds, and the ratio of VS's yield to
each direct arm's. The arms run one after another in one process on one server.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path
from typing import Any

from langchain_vs.apps import generate_dataset, token_level_arms
from langchain_vs.core import configured_copy
from langchain_vs.eval import MiniLMEmbeddings
from langchain_vs.local import resolve_chat_model

PROMPTS = [
    "Write a one-sentence grade-school math word problem about apples.",
    "Write a one-sentence grade-school math word problem about trains.",
    "Write a one-sentence grade-school math word problem about money.",
]


def _arm(name: str, model: Any, method: str, args: argparse.Namespace) -> dict[str, Any]:
    started = time.perf_counter()
    slug = "".join(c if c.isalnum() else "-" for c in name)
    out = Path(args.out) / f"{slug}-{int(started)}.jsonl"
    result = generate_dataset(
        model,
        PROMPTS,
        n=args.n,
        method=method,
        k=args.k,
        dedup="semantic",
        similarity_threshold=0.9,
        embeddings=MiniLMEmbeddings(),
        max_concurrency=4,
        out=out,
        seed=args.seed,
        length_hint="one sentence",
    )
    report = result.report
    per_1000 = 1000 * report.unique_records / report.output_tokens if report.output_tokens else 0
    print(f"  {name}: {report.unique_records} unique in {report.calls} calls", flush=True)
    return {
        "arm": name,
        **report.to_dict(),
        "unique_per_1000_tokens": per_1000,
        "file": str(out),
    }


def main() -> None:
    """Run the three arms and print the table (and write it as JSON)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=60)
    parser.add_argument("-k", type=int, default=5)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--temperature", type=float, default=0.7)
    parser.add_argument("--model", default="local", help="'local', 'provider:model' or a name")
    parser.add_argument("--base-url", default=None, help="an OpenAI-compatible endpoint")
    parser.add_argument("--out", default="dataset-bench")
    args = parser.parse_args()
    Path(args.out).mkdir(parents=True, exist_ok=True)
    model = resolve_chat_model(
        args.model, base_url=args.base_url, n_ctx=16384, temperature=args.temperature
    )
    min_p = next(arm for arm in token_level_arms(model) if "min_p" in arm.name)
    arms = [
        ("vs_standard", model, "vs_standard"),
        ("direct", model, "direct"),
        (min_p.name, configured_copy(model, min_p.model_settings), "direct"),
    ]
    rows = [_arm(name, arm_model, method, args) for name, arm_model, method in arms]
    vs_yield = rows[0]["unique_per_1000_tokens"]
    print(
        "\n| arm | unique | dropped (exact/near) | semantic diversity | Vendi | output tokens "
        "| unique / 1k tokens | VS yield ÷ arm | seconds |\n"
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|"
    )
    for row in rows:
        ratio = vs_yield / row["unique_per_1000_tokens"] if row["unique_per_1000_tokens"] else 0
        print(
            f"| {row['arm']} | {row['unique_records']} | {row['exact_duplicates']}/"
            f"{row['near_duplicates']} | {row['semantic_diversity']:.3f} | "
            f"{row['vendi_score']:.1f} | {row['output_tokens']} | "
            f"{row['unique_per_1000_tokens']:.1f} | {ratio:.2f}x | {row['seconds']:.0f} |"
        )
    (Path(args.out) / "dataset_yield.json").write_text(json.dumps(rows, indent=2))


if __name__ == "__main__":
    main()
