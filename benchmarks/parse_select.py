"""Throughput of parse + select for k=5 replies in each format the parser reads.

Run: .venv/bin/python benchmarks/parse_select.py [--rounds 5000]
Each format is measured in the same run, interleaved, and the median of 5 repeats is reported,
beside ``json.loads`` of the same reply (what a reply that is valid JSON costs at the least) and
the ratio of the two; ``json_document`` is the clean reply read as a structured document.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time

from langchain_vs import VerbalizedOutputParser

ITEMS = [
    ("Why did the coffee file a police report? It got mugged.", 0.32),
    ("Decaf: the opposite of motivation.", 0.24),
    ("Espresso yourself.", 0.18),
    ("I like my coffee like my mornings: dark and too short.", 0.16),
    ("A latte is just milk with ambitions.", 0.10),
]
REPLIES = {
    "json": json.dumps({"responses": [{"text": t, "probability": p} for t, p in ITEMS]}),
    "json_document": json.dumps({"responses": [{"text": t, "probability": p} for t, p in ITEMS]}),
    "json_repaired": "Sure:\n```json\n"
    + json.dumps({"responses": [{"text": t, "probability": f"{p:.0%}"} for t, p in ITEMS]})[:-2]
    + ",]}\n```",
    "xml": "".join(
        f"<response><text>{t}</text><probability>{p}</probability></response>" for t, p in ITEMS
    ),
    "numbered_list": "\n".join(f"{i}. {t} (probability: {p})" for i, (t, p) in enumerate(ITEMS, 1)),
}

VALID_JSON = ("json", "json_document")
"""Replies that are valid JSON as they stand: measured beside ``json.loads`` of the same text."""


def main() -> None:
    """Run the measurement and print the report."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=5000)
    args = parser.parse_args()
    vs_parser = VerbalizedOutputParser(k=5)

    def parse_and_pick(name: str, reply: str, seed: int) -> None:
        turn = vs_parser.parse_turn(reply, document=name == "json_document")
        vs_parser.to_distribution([turn]).sample(seed=seed)

    samples: dict[str, list[float]] = {name: [] for name in REPLIES}
    loads: dict[str, list[float]] = {name: [] for name in REPLIES}
    for _ in range(5):
        for name, reply in REPLIES.items():
            started = time.perf_counter()
            for seed in range(args.rounds):
                parse_and_pick(name, reply, seed)
            samples[name].append((time.perf_counter() - started) / args.rounds)
            if name in VALID_JSON:
                started = time.perf_counter()
                for _ in range(args.rounds):
                    json.loads(reply)
                loads[name].append((time.perf_counter() - started) / args.rounds)
    report = {}
    for name, s in samples.items():
        entry = {"us_per_call": round(statistics.median(s) * 1e6, 1)}
        entry["calls_per_s"] = round(1 / statistics.median(s))
        if loads[name]:
            entry["json_loads_us"] = round(statistics.median(loads[name]) * 1e6, 1)
            entry["ratio_to_json_loads"] = round(
                statistics.median(s) / statistics.median(loads[name]), 1
            )
        report[name] = entry
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
