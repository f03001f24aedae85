"""Quality selection on the embedded model: sample vs mbr vs best vs tilt, on the same draws.

Run: .venv/bin/python benchmarks/quality_selection.py [--seeds 4] [--out FILE]

One server, one run. For each creative prompt and seed, one seeded VS-Standard call (k=5; the
chat model's sampling seed and the pick's) with ``scorer=FluencyScorer`` (the same server,
teacher-forced mean token log-prob) and ``selection="sample"``. Every arm then picks from that
same recorded distribution and its scores, offline, exactly as the engine's ``_pick`` does
(``langchain_vs/core/_engine.py``: no ``min_score``; the tilt before the pick; ``best`` and
``mbr`` over the same distribution):

- ``sample``: ``dist.sample(seed)`` (checked equal to the face's own pick, ``chosen_index``);
- ``mbr``: ``dist.select("mbr", utility=resolve_utility("auto"))`` (MiniLM cosine), as the face
  resolves ``utility="auto"``;
- ``best``: ``dist.best(scores)``;
- ``tilt=beta``: ``dist.tilt(scores, beta=beta).sample(seed)``;
- ``argmax`` (reference): the likeliest candidate.

So the arms differ only in the pick. Per arm: the mean fluency of the pick; per prompt, over
its seeds, the semantic diversity of the picks (MiniLM, ``langchain_vs.eval``) and distinct
picks / picks, averaged over prompts. Cost: the scorer's seconds and requests per draw, the
VS call's seconds without it, MBR's seconds per pick. The tilt's exact effect (no sampling
noise): the expected fluency under p and under the tilt, and the effective number of
candidates exp(H). Prints one JSON object (and writes the raw draws to ``--out``).
"""

from __future__ import annotations

import argparse
import json
import math
import statistics
import time
from collections.abc import Sequence
from typing import Any

from langchain_core.messages import BaseMessage

from langchain_vs import VerbalizedDistribution, VerbalizedSampler
from langchain_vs.core import Candidate, CandidateScore
from langchain_vs.eval import MiniLMEmbeddings, semantic_diversity
from langchain_vs.local import LocalModelServer
from langchain_vs.quality import FluencyScorer, resolve_utility

PROMPTS = [
    "Write an opening line for a story about the sea.",
    "Write a one-sentence poem about autumn.",
    "Tell me a joke about coffee.",
    "Describe a dragon in one sentence.",
]
TILTS = (0.5, 2.0)


class TimedFluency(FluencyScorer):
    """FluencyScorer that logs each call's seconds and the candidates it scored."""

    calls: list[dict[str, float]]

    def score(
        self, request: Sequence[BaseMessage], candidates: Sequence[Candidate]
    ) -> list[CandidateScore]:
        """Score as FluencyScorer does, and log the seconds and the count."""
        started = time.perf_counter()
        scores = super().score(request, candidates)
        self.calls.append(
            {"seconds": time.perf_counter() - started, "candidates": float(len(candidates))}
        )
        return scores


def _key(text: str) -> str:
    return " ".join(text.casefold().split())


def _picks(record: dict[str, Any], seed: int, utility: Any) -> dict[str, Any]:
    dist = VerbalizedDistribution.from_dict(record)
    by_index = {s["index"]: s["score"] for s in record["scores"]}
    scores = [by_index[c.index] for c in dist]
    sampled = dist.sample(seed)
    assert sampled.index == record["chosen_index"], "offline sample != the face's pick"
    started = time.perf_counter()
    mbr = dist.select("mbr", utility=utility)
    mbr_seconds = time.perf_counter() - started
    picks = {
        "sample": sampled,
        "mbr": mbr,
        "best": dist.best(scores),
        "argmax": dist.argmax(),
    }
    tilt_stats = {}
    p = dist.probabilities
    for beta in TILTS:
        tilted = dist.tilt(scores, beta=beta)
        picks[f"tilt={beta:g}"] = tilted.sample(seed)
        q = tilted.probabilities
        tilt_stats[f"{beta:g}"] = {
            "expected_fluency": math.fsum(qi * s for qi, s in zip(q, scores, strict=True)),
            "effective_k": math.exp(-math.fsum(qi * math.log(qi) for qi in q if qi > 0)),
        }
    tilt_stats["none"] = {
        "expected_fluency": math.fsum(pi * s for pi, s in zip(p, scores, strict=True)),
        "effective_k": math.exp(-math.fsum(pi * math.log(pi) for pi in p if pi > 0)),
    }
    return {
        "picks": {arm: {"text": c.text, "fluency": by_index[c.index]} for arm, c in picks.items()},
        "mbr_seconds": mbr_seconds,
        "tilt": tilt_stats,
        "distinct_candidates": len({_key(c.text) for c in dist}),
    }


def main() -> None:
    """Run the measurement and print the report."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=4, help="seeded draws per prompt")
    parser.add_argument("--out", default=None, help="write the raw draws here (JSON)")
    args = parser.parse_args()
    embeddings = MiniLMEmbeddings()
    utility = resolve_utility("auto")
    utility(["warm up: load the model"])
    draws: list[dict[str, Any]] = []
    failures: list[str] = []
    with LocalModelServer() as server:
        scorer = TimedFluency(server.base_url)
        scorer.calls = []
        for seed in range(args.seeds):
            for prompt in PROMPTS:
                sampler = VerbalizedSampler(
                    model=server.chat_model(seed=seed),
                    k=5,
                    seed=seed,
                    scorer=scorer,
                    selection="sample",
                )
                before = len(scorer.calls)
                started = time.perf_counter()
                try:
                    message = sampler.invoke(prompt)
                except Exception as error:  # noqa: BLE001 -- a failed draw is counted
                    failures.append(
                        f"{prompt[:30]} seed {seed}: {type(error).__name__}: {error}"[:200]
                    )
                    continue
                total = time.perf_counter() - started
                record = dict(message.response_metadata["verbalized_sampling"])
                scoring = scorer.calls[before:]
                draw = {
                    "prompt": prompt,
                    "seed": seed,
                    "seconds_total": total,
                    "seconds_scoring": sum(c["seconds"] for c in scoring),
                    "scored_candidates": sum(c["candidates"] for c in scoring),
                    "model_calls": record["model_calls"],
                    "record": record,
                }
                draw |= _picks(record, seed, utility)
                draws.append(draw)
                print(
                    f"# {prompt[:30]!r} seed {seed}: {total:.1f} s "
                    f"(scoring {draw['seconds_scoring']:.1f} s)",
                    flush=True,
                )
    if args.out:
        with open(args.out, "w") as file:
            json.dump(draws, file, indent=1)
    arms = list(draws[0]["picks"]) if draws else []
    report: dict[str, Any] = {
        "prompts": len(PROMPTS),
        "seeds": args.seeds,
        "k": 5,
        "draws": len(draws),
        "failures": failures,
        "arms": {},
    }
    for arm in arms:
        fluency = [d["picks"][arm]["fluency"] for d in draws]
        semantic, distinct = [], []
        for prompt in PROMPTS:
            texts = [d["picks"][arm]["text"] for d in draws if d["prompt"] == prompt]
            if len(texts) >= 2:
                semantic.append(semantic_diversity(texts, embeddings))
                distinct.append(len({_key(t) for t in texts}) / len(texts))
        report["arms"][arm] = {
            "mean_fluency": round(statistics.fmean(fluency), 3),
            "semantic_diversity": round(statistics.fmean(semantic), 3) if semantic else None,
            "distinct_share": round(statistics.fmean(distinct), 3) if distinct else None,
        }
    if draws:
        report["all_candidates_mean_fluency"] = round(
            statistics.fmean(s["score"] for d in draws for s in d["record"]["scores"]), 3
        )
        report["tilt_exact"] = {
            beta: {
                key: round(statistics.fmean(d["tilt"][beta][key] for d in draws), 3)
                for key in ("expected_fluency", "effective_k")
            }
            for beta in ["none"] + [f"{b:g}" for b in TILTS]
        }
        report["cost"] = {
            "median_seconds_draw_total": round(
                statistics.median(d["seconds_total"] for d in draws), 2
            ),
            "median_seconds_scoring": round(
                statistics.median(d["seconds_scoring"] for d in draws), 2
            ),
            "mean_scored_candidates": round(
                statistics.fmean(d["scored_candidates"] for d in draws), 2
            ),
            "vs_model_calls_per_draw": round(statistics.fmean(d["model_calls"] for d in draws), 2),
            "median_mbr_ms": round(statistics.median(d["mbr_seconds"] for d in draws) * 1e3, 1),
            "mean_distinct_candidates": round(
                statistics.fmean(d["distinct_candidates"] for d in draws), 2
            ),
        }
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
