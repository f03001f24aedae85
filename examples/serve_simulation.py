"""Persona simulations served by LangGraph Server, driven as a client would (``langgraph_sdk``).

Run: python examples/serve_simulation.py [--url http://127.0.0.1:2024] [--turns 3]

Without ``--url`` it starts ``langgraph dev`` on ``deploy/langgraph.json`` itself (its model:
the embedded one, offline, unless the environment names another) and stops it at the end. Two
debates run at once, each on its own thread with its own settings; every line prints as its
draw event streams in, and the stored transcripts print at the end with each line's
distribution. Needs the ``deploy`` extra (``make setup`` installs it).
"""

from __future__ import annotations

import argparse
import asyncio
from contextlib import nullcontext
from pathlib import Path
from typing import Any

from langgraph_sdk import get_client

from langchain_vs.serve import langgraph_dev

DEPLOY_CONFIG = Path(__file__).parents[1] / "deploy" / "langgraph.json"
DEBATES = {
    "downtown": {},  # nothing set: the debate of docs/personas.md (Maya, Tom, Ines)
    "bus lane": {
        "personas": [
            {"name": "Ann", "description": "A night-shift nurse who takes the bus."},
            {"name": "Raj", "description": "A taxi driver who needs the lane too."},
        ],
        "opening": "Should the hospital get its own bus lane?",
        "k": 3,
    },
}


async def debate(client: Any, title: str, settings: dict[str, Any], turns: int) -> str:
    """Run one debate on a new thread, printing each line as it is drawn."""
    thread_id = (await client.threads.create())["thread_id"]
    configurable = {"max_turns": turns, "seed": 1, **settings}
    async for part in client.runs.stream(
        thread_id,
        "persona_simulation",
        input={"messages": []},
        config={"configurable": configurable},
        stream_mode="custom",
    ):
        if part.event == "custom":
            draw = part.data
            chosen = draw["candidates"][draw["chosen_index"]]
            drew = f"p={chosen['probability']:.2f} of {len(draw['candidates'])}"
            print(f"[{title}] turn {draw['turn']}, {draw['persona']} drew {drew}: {chosen['text']}")
    return thread_id


async def main(url: str, turns: int) -> None:
    """Run both debates at once, then read their threads back."""
    client = get_client(url=url)
    threads = await asyncio.gather(
        *(debate(client, title, settings, turns) for title, settings in DEBATES.items())
    )
    for title, thread_id in zip(DEBATES, threads, strict=True):
        state = (await client.threads.get_state(thread_id))["values"]
        print(f"\n== {title}: {state['turn']} turns, finished={state['finished']}")
        for draw in state["draws"]:
            print(f"{draw['persona']}:")
            for index, candidate in enumerate(draw["candidates"]):
                mark = "*" if index == draw["chosen_index"] else " "
                print(f"  {mark} {candidate['probability']:.2f}  {candidate['text']}")
    await client.aclose()


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", help="a running server; default: start langgraph dev")
    parser.add_argument("--turns", type=int, default=3)
    args = parser.parse_args()
    with nullcontext(args.url) if args.url else langgraph_dev(DEPLOY_CONFIG) as url:
        asyncio.run(main(url, args.turns))
