"""Parallel drafts vs round robin in a persona simulation, on the embedded local model.

Run: .venv/bin/python benchmarks/persona_drafting.py [--seeds 3] [--turns 6]

Both turn orders run the same three personas with the same VS options, interleaved seed by seed
in one process on one shared server. Reported per spoken line: wall seconds and model calls;
and distinct lines over all runs. With parallel drafts every persona drafts each line, so a
line costs three calls; the server's parallel slots answer them together, and this measures
what that costs in wall time.
"""

from __future__ import annotations

import argparse
import json
import time

from langgraph.checkpoint.memory import InMemorySaver

from langchain_vs import Persona, create_persona_simulation
from langchain_vs.local import local_chat_model

PERSONAS = [
    Persona(name="Maya", description="A city planner who wants car-free downtowns."),
    Persona(name="Tom", description="A delivery-van driver worried about his job."),
    Persona(name="Ines", description="A shop owner on the main street, undecided."),
]
OPENING = "Should our city ban private cars from downtown?"


def main() -> None:
    """Run the measurement and print the report."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--turns", type=int, default=6)
    args = parser.parse_args()
    model = local_chat_model()
    model.invoke("Warm up.")  # the server's start is not part of either arm
    totals = {
        order: {"seconds": 0.0, "lines": 0, "calls": 0, "texts": set()}
        for order in ("round_robin", "parallel_drafts")
    }
    for seed in range(args.seeds):
        for order, total in totals.items():
            app = create_persona_simulation(
                PERSONAS,
                model,
                max_turns=args.turns,
                turn_order=order,  # type: ignore[arg-type]
                opening=OPENING,
                k=4,
                seed=seed,
                checkpointer=InMemorySaver(),
            )
            started = time.perf_counter()
            state = app.invoke({"messages": []}, {"configurable": {"thread_id": f"{order}{seed}"}})
            total["seconds"] += time.perf_counter() - started
            lines = [m.text for m in state["messages"] if m.type == "ai"]
            total["lines"] += len(lines)
            total["calls"] += sum(
                sum(d["model_calls"] for d in draw["drafts"])
                if "drafts" in draw
                else draw["model_calls"]
                for draw in state["draws"]
            )
            total["texts"].update(" ".join(t.casefold().split()) for t in lines)
    report = {
        order: {
            "lines": t["lines"],
            "seconds_per_line": round(t["seconds"] / t["lines"], 2),
            "model_calls_per_line": round(t["calls"] / t["lines"], 2),
            "distinct_lines": len(t["texts"]),
        }
        for order, t in totals.items()
    }
    rr, pd = report["round_robin"], report["parallel_drafts"]
    report["parallel_over_round_robin_seconds"] = round(
        pd["seconds_per_line"] / rr["seconds_per_line"], 2
    )
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
