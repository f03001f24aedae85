"""A three-persona debate on the embedded local model, with VS on every turn (offline).

Run: .venv/bin/python examples/persona_simulation.py [--seeds 3] [--turns 6]
Prints one transcript, then runs the same simulation with VS and with direct prompting over
several seeds, at the VS paper's temperature (0.7) and greedy (0), and counts how many distinct
lines each produced.
"""

import argparse
import sys

from langgraph.checkpoint.memory import InMemorySaver

from langchain_vs import Persona, create_persona_simulation
from langchain_vs.graph import continue_simulation
from langchain_vs.local import default_chat_model

PERSONAS = [
    Persona(name="Maya", description="A city planner who wants car-free downtowns."),
    Persona(name="Tom", description="A delivery-van driver worried about his job."),
    Persona(name="Ines", description="A shop owner on the main street, undecided."),
]
OPENING = "Should our city ban private cars from downtown?"
options = argparse.ArgumentParser(description="a persona debate, VS vs direct prompting")
options.add_argument("--seeds", type=int, default=3, help="seeds per comparison (default 3)")
options.add_argument("--turns", type=int, default=6, help="lines in the debate (default 6)")
args = options.parse_args()
TURNS = args.turns
SEEDS = range(args.seeds)


def run(method: str, seed: int, temperature: float = 0.7, turns: int = TURNS) -> list[str]:
    model = default_chat_model(temperature=temperature)
    app = create_persona_simulation(
        PERSONAS,
        model,
        max_turns=turns,
        opening=OPENING,
        method=method,
        k=4,
        seed=seed,
        checkpointer=InMemorySaver(),
    )
    thread = {"configurable": {"thread_id": f"{method}-{seed}-{temperature}"}}
    # Starts the thread, resumes it if a run was killed (with a persistent checkpointer such
    # as SqliteSaver), or just reads it when it is finished.
    state = continue_simulation(app, thread)
    return [f"{m.name}: {m.text}" for m in state["messages"][1:]]


print(f"moderator: {OPENING}")
for line in run("vs_standard", seed=0):
    print(line)

COMPARE_TURNS = min(3, TURNS)
print(f"\nDistinct lines over {len(SEEDS)} seeds x {COMPARE_TURNS} turns:")
for temperature in (0.7, 0.0):
    for method in ("direct", "vs_standard"):
        print(f"  ({method} at temperature {temperature}…)", file=sys.stderr, flush=True)
        lines = [line for seed in SEEDS for line in run(method, seed, temperature, COMPARE_TURNS)]
        distinct = len({" ".join(line.casefold().split()) for line in lines})
        print(f"  temperature {temperature}  {method:12s} {distinct} distinct of {len(lines)}")
