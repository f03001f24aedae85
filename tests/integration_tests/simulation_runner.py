"""Run one persona simulation to its end in this process (start, resume or just read it),
checkpointed in SQLite, PostgreSQL (PostgresSaver) or PostgreSQL (AsyncPostgresSaver).

The kill-and-resume and two-process tests start it as a separate process, as a worker would be:
    python simulation_runner.py SAVER DATABASE THREAD TURNS K MODEL_JSON

It prints one JSON line: the status it found, and when its run started and ended (wall clock).
"""

import asyncio
import json
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import partial
from pathlib import Path
from typing import Any

from langchain_openai import ChatOpenAI
from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.graph.state import CompiledStateGraph

from langchain_vs import Persona, create_persona_simulation
from langchain_vs.graph._node import DRAWS_KEY
from langchain_vs.graph._simulation import (
    acontinue_simulation,
    asimulation_status,
    continue_simulation,
    simulation_status,
)

PERSONAS = [
    Persona(name="Maya", description="A city planner who wants car-free downtowns."),
    Persona(name="Tom", description="A delivery-van driver worried about his job."),
    Persona(name="Ines", description="A shop owner on the main street, undecided."),
]
OPENING = "Should our city ban private cars from downtown?"
SAVERS = ("sqlite", "postgres", "async-postgres")


def simulation(
    model: ChatOpenAI, turns: int, k: int, saver: BaseCheckpointSaver[Any] | None = None
) -> CompiledStateGraph[Any]:
    return create_persona_simulation(
        PERSONAS, model, max_turns=turns, k=k, seed=7, opening=OPENING, checkpointer=saver
    )


@contextmanager
def checkpointer(saver_kind: str, database: str) -> Iterator[BaseCheckpointSaver[Any]]:
    if saver_kind == "sqlite":
        from langgraph.checkpoint.sqlite import SqliteSaver

        with SqliteSaver.from_conn_string(database) as saver:
            yield saver
        return
    from langgraph.checkpoint.postgres import PostgresSaver

    with PostgresSaver.from_conn_string(database) as saver:
        saver.setup()  # idempotent: creates or migrates the tables
        yield saver


Build = Callable[[BaseCheckpointSaver[Any]], CompiledStateGraph[Any]]


def run(saver_kind: str, database: str, build: Build, config: Any) -> str:
    with checkpointer(saver_kind, database) as saver:
        app = build(saver)
        status = simulation_status(app, config)  # read from the state, not from .next
        continue_simulation(app, config)
        return status


async def arun(database: str, build: Build, config: Any) -> str:
    from langgraph.checkpoint.postgres.aio import AsyncPostgresSaver

    async with AsyncPostgresSaver.from_conn_string(database) as saver:
        await saver.setup()
        app = build(saver)
        status = await asimulation_status(app, config)
        await acontinue_simulation(app, config)
        return status


def command(
    saver_kind: str, database: str, thread: str, turns: int, k: int, model: dict[str, Any]
) -> list[str]:
    """The command line that runs this file in a new process."""
    arguments = [saver_kind, database, thread, str(turns), str(k), json.dumps(model)]
    return [sys.executable, str(Path(__file__).resolve()), *arguments]


def check_complete(state: dict[str, Any], turns: int) -> None:
    """(For the tests, in their process.) Every turn once, in order, each with its
    distribution; one opening."""
    assert state["turn"] == turns and state["finished"] is True
    assert [d["turn"] for d in state[DRAWS_KEY]] == list(range(turns))  # none lost, none twice
    speakers = [m.name for m in state["messages"] if m.type == "ai"]
    assert speakers == [PERSONAS[turn % len(PERSONAS)].name for turn in range(turns)]
    assert [m.name for m in state["messages"]].count("moderator") == 1
    for record, line in zip(state[DRAWS_KEY], state["messages"][1:], strict=True):
        assert record["candidates"][record["chosen_index"]]["text"] == line.text


def main(argv: list[str]) -> None:
    saver_kind, database, thread, turns, k, model_json = argv
    if saver_kind not in SAVERS:
        raise SystemExit(f"saver must be one of {SAVERS}, not {saver_kind!r}")
    build = partial(simulation, ChatOpenAI(**json.loads(model_json)), int(turns), int(k))
    config = {"configurable": {"thread_id": thread}}
    started = time.time()
    if saver_kind == "async-postgres":
        status = asyncio.run(arun(database, build, config))
    else:
        status = run(saver_kind, database, build, config)
    print(json.dumps({"status": status, "started": started, "ended": time.time()}))


if __name__ == "__main__":
    main(sys.argv[1:])
