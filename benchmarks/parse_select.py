"""Throughput of parse + select for k=5 replies in each format the parser reads.

Run: .venv/bin/python benchmarks/parse_select.py [--rounds 300] [--blocks 31]
Side by side: each block times ``--rounds`` parse + seeded picks of a reply, then as many
``json.loads`` of the same reply (what a reply that is valid JSON costs at the least) for the
replies that are valid JSON, then the next format; the report gives the median time per call
and the median of the blocks' ratios. Times are CPU time (``time.process_time``): time spent
waiting for a core while other jobs run counts on neither side (wall-clock blocks of unequal
length would be interrupted unequally). ``json_document`` is the clean reply read as a
structured document.
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
    parser.add_argument("--rounds", type=int, default=300, help="calls per block")
    parser.add_argument("--blocks", type=int, default=31)
    args = parser.parse_args()
    vs_parser = VerbalizedOutputParser(k=5)

    def parse_and_pick(name: str, reply: str, seed: int) -> None:
        turn = vs_parser.parse_turn(reply, document=name == "json_document")
        vs_parser.to_distribution([turn]).sample(seed=seed)

    samples: dict[str, list[float]] = {name: [] for name in REPLIES}
    loads: dict[str, list[float]] = {name: [] for name in REPLIES}
    for block in range(args.blocks):
        seeds = range(block * args.rounds, (block + 1) * args.rounds)
        for name, reply in REPLIES.items():
            started = time.process_time()
            for seed in seeds:
                parse_and_pick(name, reply, seed)
            samples[name].append((time.process_time() - started) / args.rounds)
            if name in VALID_JSON:
                started = time.process_time()
                for _ in seeds:
                    json.loads(reply)
                loads[name].append((time.process_time() - started) / args.rounds)
    report = {}
    for name, s in samples.items():
        entry = {"us_per_call": round(statistics.median(s) * 1e6, 1)}
        entry["calls_per_s"] = round(1 / statistics.median(s))
        if loads[name]:
            entry["json_loads_us"] = round(statistics.median(loads[name]) * 1e6, 1)
            ratios = [a / b for a, b in zip(s, loads[name], strict=True)]
            entry["ratio_to_json_loads"] = round(statistics.median(ratios), 1)
        report[name] = entry
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
