"""Constrained weights on the embedded model: the same VS calls with the constraint off and on.

Run: .venv/bin/python benchmarks/constrained_weights.py [--seeds 4] [--sweep] [--bench]

One server, one run. For each of 10 everyday prompts and each seed, the same VS-Standard call
(k=5, explicit probabilities, seeded: the chat model's sampling seed and the pick's) is made with
``constrained_weights=False`` (the request every version before sent: an unenforced
``number`` with ``minimum``/``maximum``) and then with the default (on for this server),
interleaved. Per arm: the share of replies that needed the ``rescaled`` repair, the share with
any raw value outside the definition's range, the share of draws whose top candidate holds
>= 0.9 of the mass, the mean top probability, the share of uniform distributions, distinct
candidates, repairs, latency and output tokens.

``--sweep`` adds one seeded call per prompt, off and on, for every other probability definition
(VS-Standard) and for VS-CoT and VS-Multi. ``--bench`` re-runs ``langchain-vs bench``'s answer
tasks (dice, states; ``--answers`` picks each) and creative tasks (``--responses`` each) for the
VS methods, off and on. Prints one JSON object.
"""

from __future__ import annotations

import argparse
import json
import math
import statistics
import time
from collections import Counter
from typing import Any

from langchain_vs import Method, ProbabilityDefinition, VerbalizedSampler
from langchain_vs.local import LocalModelServer

PROMPTS = [
    "Tell me a joke about coffee.",
    "Name a color for a new car.",
    "Suggest a name for a cat.",
    "Give me an idea for a weekend hobby.",
    "Write an opening line for a story about the sea.",
    "Recommend a fruit for breakfast.",
    "Name a city to visit in Europe.",
    "Suggest a title for a podcast about cooking.",
    "Give me a tip for sleeping better.",
    "Name a board game to play with friends.",
]
ARMS = {"off": False, "on": None}  # None: the default, on for the embedded server
VS_METHODS = [Method.VS_STANDARD, Method.VS_COT, Method.VS_MULTI]


def _in_range(raw: Any, definition: ProbabilityDefinition) -> bool:
    bounds = definition.json_bounds()
    if isinstance(raw, bool) or not isinstance(raw, int | float) or not math.isfinite(raw):
        return False
    return bounds["ge"] <= raw <= bounds.get("le", math.inf)


def _call(
    server: LocalModelServer,
    prompt: str,
    seed: int,
    constrained: bool | None,
    method: Method = Method.VS_STANDARD,
    definition: ProbabilityDefinition | None = None,
) -> dict[str, Any]:
    sampler = VerbalizedSampler(
        model=server.chat_model(seed=seed),
        method=method,
        probability_definition=definition,
        k=5,
        seed=seed,
        constrained_weights=constrained,
    )
    started = time.perf_counter()
    try:
        message = sampler.invoke(prompt)
    except Exception as error:  # noqa: BLE001 -- a failed call is counted, not fatal
        return {"error": f"{type(error).__name__}: {error}"[:200]}
    record: dict[str, Any] = dict(message.response_metadata["verbalized_sampling"])
    record["seconds"] = time.perf_counter() - started
    record["output_tokens"] = (message.usage_metadata or {}).get("output_tokens", 0)
    return record


def _summary(records: list[dict[str, Any]], definition: ProbabilityDefinition) -> dict[str, Any]:
    done = [r for r in records if "error" not in r]
    n = len(done)

    def share(flags: list[bool]) -> float | None:
        return round(sum(flags) / n, 3) if n else None

    tops = [max(c["probability"] for c in r["candidates"]) for r in done]
    repairs: Counter[str] = Counter()
    for r in done:
        repairs.update({code for c in r["candidates"] for code in c["repairs"]} | set(r["repairs"]))
    return {
        "calls": len(records),
        "failures": len(records) - n,
        "structured_share": share([r["structured"] for r in done]),
        "constrained_share": share([r["constrained_weights"] for r in done]),
        "rescaled_share": share(
            [any("rescaled" in c["repairs"] for c in r["candidates"]) for r in done]
        ),
        "out_of_range_share": share(
            [
                any(not _in_range(c["raw_probability"], definition) for c in r["candidates"])
                for r in done
            ]
        ),
        "top_mass_ge_0_9_share": share([top >= 0.9 for top in tops]),
        "mean_top_probability": round(statistics.fmean(tops), 3) if tops else None,
        "uniform_share": share(
            [len({round(c["probability"], 9) for c in r["candidates"]}) == 1 for r in done]
        ),
        "mean_distinct_candidates": round(
            statistics.fmean(
                len({" ".join(c["text"].casefold().split()) for c in r["candidates"]}) for r in done
            ),
            2,
        )
        if n
        else None,
        "replies_with_repair": dict(sorted(repairs.items())),
        "median_seconds": round(statistics.median(r["seconds"] for r in done), 2) if n else None,
        "mean_output_tokens": round(statistics.fmean(r["output_tokens"] for r in done), 1)
        if n
        else None,
        "errors": sorted({r["error"] for r in records if "error" in r}),
    }


def _examples(records: list[dict[str, Any]], count: int = 3) -> list[str]:
    """The raw values of the first replies, as the model wrote them."""
    return [
        json.dumps([c["raw_probability"] for c in r["candidates"]])
        for r in records[:count]
        if "error" not in r
    ]


def _bench(server: LocalModelServer, answers: int, responses: int) -> dict[str, Any]:
    from langchain_vs.apps import run_benchmark

    model = server.chat_model()  # as `langchain-vs bench`: unseeded model, seeded picks
    report: dict[str, Any] = {}
    for name, constrained in ARMS.items():
        rows = []
        for tasks, samples in (("dice", "states"), answers), (("joke", "poem", "story"), responses):
            result = run_benchmark(
                model,
                tasks=tasks,
                methods=VS_METHODS,
                samples=samples,
                token_baselines=False,
                vs_options={"constrained_weights": constrained},
            )
            rows += result["rows"]
        keep = ("kl", "js", "coverage", "answers", "semantic_diversity", "lexical_diversity")
        report[name] = [
            {"task": r["task"], "arm": r["arm"], "failures": r["failures"]}
            | {key: r[key] for key in keep if r.get(key) is not None}
            for r in rows
        ]
    return report


def main() -> None:
    """Run the measurement and print the report."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=4, help="seeded calls per prompt and arm")
    parser.add_argument("--sweep", action="store_true", help="other definitions and methods")
    parser.add_argument("--bench", action="store_true", help="the bench's VS rows, off and on")
    parser.add_argument("--answers", type=int, default=16, help="bench: picks per answer task")
    parser.add_argument("--responses", type=int, default=8, help="bench: per creative prompt")
    args = parser.parse_args()
    explicit = ProbabilityDefinition.EXPLICIT
    with LocalModelServer() as server:
        report: dict[str, Any] = {"prompts": len(PROMPTS), "seeds": args.seeds, "k": 5}
        records: dict[str, list[dict[str, Any]]] = {name: [] for name in ARMS}
        for seed in range(args.seeds):
            for prompt in PROMPTS:
                for name, constrained in ARMS.items():
                    records[name].append(_call(server, prompt, seed, constrained))
        report["vs_standard explicit"] = {
            name: _summary(rs, explicit) | {"raw_examples": _examples(rs)}
            for name, rs in records.items()
        }
        if args.sweep:
            cases = [(Method.VS_STANDARD, d) for d in ProbabilityDefinition if d is not explicit]
            cases += [
                (Method.VS_COT, explicit),
                (Method.VS_MULTI, ProbabilityDefinition.CONFIDENCE),
            ]
            for method, definition in cases:
                swept: dict[str, list[dict[str, Any]]] = {name: [] for name in ARMS}
                for prompt in PROMPTS:
                    for name, constrained in ARMS.items():
                        swept[name].append(
                            _call(server, prompt, 100, constrained, method, definition)
                        )
                report[f"{method.value} {definition.value}"] = {
                    name: _summary(rs, definition) for name, rs in swept.items()
                }
        if args.bench:
            report["bench"] = _bench(server, args.answers, args.responses)
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
