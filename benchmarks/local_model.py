"""Measure the embedded local model under VS-Standard (k=5): start time, latency, distinctness.

Run: .venv/bin/python benchmarks/local_model.py [--calls 20]
Prints one JSON object. Settings are compared side by side in one run on one server.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time

from langchain_vs import VerbalizedSampler
from langchain_vs.local import LocalModelServer

PROMPTS = [
    "Tell me a joke about coffee.",
    "Write an opening line for a story about the sea.",
    "Name a color for a new car.",
    "Suggest a name for a cat.",
    "Give me an idea for a weekend hobby.",
]
# server.chat_model() sets repeat_penalty by default, so the other arms clear extra_body.
SETTINGS: dict[str, dict[str, object]] = {
    "plain": {"extra_body": {}},
    "frequency_penalty=0.5": {"extra_body": {}, "frequency_penalty": 0.5},
    "repeat_penalty=1.15 (the default)": {},
}


def main() -> None:
    """Run the measurement and print the report."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--calls", type=int, default=20)
    parser.add_argument("-k", type=int, default=5)
    args = parser.parse_args()
    with LocalModelServer() as server:
        report: dict[str, object] = {"server_start_seconds": round(server.startup_seconds or 0, 2)}
        for name, chat_settings in SETTINGS.items():
            sampler = VerbalizedSampler(
                model=server.chat_model(**chat_settings), k=args.k, output="distribution"
            )
            latencies, full_and_distinct, failures = [], 0, 0
            for i in range(args.calls):
                started = time.perf_counter()
                try:
                    dist = sampler.invoke(PROMPTS[i % len(PROMPTS)])
                except ValueError:
                    failures += 1
                    continue
                latencies.append(time.perf_counter() - started)
                distinct = {" ".join(t.casefold().split()) for t in dist.texts}
                full_and_distinct += len(dist) == args.k and len(distinct) == args.k
            report[name] = {
                "calls": args.calls,
                "k_valid_distinct_share": round(full_and_distinct / args.calls, 2),
                "failures": failures,
                "latency_median_s": round(statistics.median(latencies), 2),
                "latency_p90_s": round(sorted(latencies)[int(0.9 * (len(latencies) - 1))], 2),
            }
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
