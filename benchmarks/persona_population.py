"""A population drawn by VS vs by direct prompting: how varied is the cast? On the local model.

Run: .venv/bin/python benchmarks/persona_population.py [--n 6] [-k 6] [--seed 0]
    [--model local|PROVIDER:MODEL] [--base-url URL]

Both arms ask the same model for the same population with :func:`generate_population` (semantic
dedup with the offline MiniLM, names kept distinct, the same seed): VS asks for ``k`` members
per call, direct prompting for one per call, until ``n`` members or the call budget (4 times the
calls ``n`` needs). Reported per arm: members made, calls (and how many gave no usable
member), what was dropped as a repeat (the same profile, a near copy, a name already taken),
the cast's semantic diversity and Vendi score (MiniLM over the personas' descriptions, what the
simulation shows the model), distinct roles, output tokens and seconds.
"""

from __future__ import annotations

import argparse
import json
import time

from langchain_vs import MiniLMEmbeddings, generate_population
from langchain_vs.core import text_key
from langchain_vs.eval import semantic_diversity, vendi_score
from langchain_vs.local import resolve_chat_model

DESCRIPTION = "residents of a mid-sized town debating a new bus line"


def main() -> None:
    """Run both arms and print one JSON line each, then a markdown table."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=6)
    parser.add_argument("-k", type=int, default=6)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--model", default="local", help="as the langchain-vs command takes it")
    parser.add_argument("--base-url", default=None)
    args = parser.parse_args()
    model = resolve_chat_model(args.model, base_url=args.base_url)
    model.invoke("Warm up.")  # the server's start is not part of either arm
    embeddings = MiniLMEmbeddings()
    rows = []
    for method in ("vs_standard", "direct"):
        started = time.perf_counter()
        population = generate_population(
            DESCRIPTION,
            args.n,
            model=model,
            method=method,
            k=args.k,
            seed=args.seed,
            embeddings=embeddings,
            max_concurrency=1,  # one call at a time: the arms' seconds compare
        )
        seconds = time.perf_counter() - started
        report = population.report
        descriptions = [p.description for p in population]
        row = {
            "method": method,
            "members": len(population),
            "calls": report.calls,
            "exact_repeats": report.exact_duplicates,
            "near_copies": report.near_duplicates,
            "name_repeats": report.field_duplicates,
            "failed_calls": report.failures,
            "semantic_diversity": semantic_diversity(descriptions, embeddings),
            "vendi_score": vendi_score(descriptions, embeddings),
            "distinct_roles": len({text_key(str(p.profile["role"])) for p in population}),  # type: ignore[index]
            "output_tokens": report.output_tokens,
            "seconds": round(seconds, 1),
            "stopped": report.stopped,
            "names": [p.name for p in population],
        }
        rows.append(row)
        print(json.dumps(row, ensure_ascii=False), flush=True)
    print(
        "\n| method | members | calls (unusable) | repeats dropped (exact / near / name) | "
        "semantic diversity | Vendi | distinct roles | output tokens | seconds |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for row in rows:
        print(
            f"| {row['method']} | {row['members']} | {row['calls']} ({row['failed_calls']}) | "
            f"{row['exact_repeats']} / "
            f"{row['near_copies']} / {row['name_repeats']} | {row['semantic_diversity']:.3f} | "
            f"{row['vendi_score']:.2f} | {row['distinct_roles']} | {row['output_tokens']} | "
            f"{row['seconds']} |"
        )


if __name__ == "__main__":
    main()
