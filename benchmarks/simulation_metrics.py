"""Debates with a VS node vs a direct node, measured by simulation_metrics, on the local model.

Run: .venv/bin/python benchmarks/simulation_metrics.py [--seeds 3] [--turns 6]

Both arms run the same three personas, opening and seeds (the seed goes to the model's sampler
and to the VS pick), interleaved seed by seed in one process on one shared server, at the VS
paper's temperature 0.7. Each arm's simulations are measured together with the default offline
embeddings: diversity (all lines, per persona, per turn across seeds), adherence, convergence
and repetition. Prints one JSON report per arm and the markdown summaries.
"""

from __future__ import annotations

import argparse
import json
import time

from langgraph.checkpoint.memory import InMemorySaver

from langchain_vs import Persona, create_persona_simulation, simulation_metrics
from langchain_vs.local import local_chat_model

PERSONAS = [
    Persona(name="Maya", description="A city planner who wants car-free downtowns."),
    Persona(name="Tom", description="A delivery-van driver worried about his job."),
    Persona(name="Ines", description="A shop owner on the main street, undecided."),
]
OPENING = "Should our city ban private cars from downtown?"
ARMS = {"vs_standard": {"method": "vs_standard", "k": 4}, "direct": {"method": "direct"}}


def main() -> None:
    """Run both arms and print the reports."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--turns", type=int, default=6)
    args = parser.parse_args()
    local_chat_model().invoke("Warm up.")  # the server's start is not part of either arm
    states: dict[str, list[dict[str, object]]] = {arm: [] for arm in ARMS}
    seconds = dict.fromkeys(ARMS, 0.0)
    for seed in range(args.seeds):
        model = local_chat_model(seed=seed)  # the same sampler seed for both arms
        for arm, options in ARMS.items():
            app = create_persona_simulation(
                PERSONAS,
                model,
                max_turns=args.turns,
                opening=OPENING,
                seed=seed,
                checkpointer=InMemorySaver(),
                **options,
            )
            started = time.perf_counter()
            states[arm].append(
                app.invoke({"messages": []}, {"configurable": {"thread_id": f"{arm}-{seed}"}})
            )
            seconds[arm] += time.perf_counter() - started
    reports = {}
    for arm, arm_states in states.items():
        started = time.perf_counter()
        metrics = simulation_metrics(arm_states, PERSONAS)
        reports[arm] = {
            "simulation_seconds": round(seconds[arm], 1),
            "metrics_seconds": round(time.perf_counter() - started, 2),
            **metrics.to_dict(),
        }
        print(f"## {arm}\n\n{metrics.to_markdown()}\n")
        first = arm_states[0]["messages"]
        print("\n".join(f"    {m.name}: {m.text}" for m in first), "\n")  # type: ignore[attr-defined]
    print(json.dumps(reports, indent=2))


if __name__ == "__main__":
    main()
