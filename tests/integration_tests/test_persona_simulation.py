"""Persona simulations on the real local model, checkpointed to SQLite, killed and resumed."""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from langchain_openai import ChatOpenAI
from langgraph.checkpoint.memory import InMemorySaver
from langgraph.checkpoint.sqlite import SqliteSaver

from langchain_vs import Persona, create_persona_simulation
from langchain_vs.graph import DRAWS_KEY

PERSONAS = [
    Persona(name="Maya", description="A city planner who wants car-free downtowns."),
    Persona(name="Tom", description="A delivery-van driver worried about his job."),
    Persona(name="Ines", description="A shop owner on the main street, undecided."),
]
OPENING = "Should our city ban private cars from downtown?"

RUNNER = """
import sys
from langgraph.checkpoint.sqlite import SqliteSaver
from langchain_vs import Persona, create_persona_simulation, simulation_status
from langchain_vs.local import local_chat_model
from langchain_vs.simulation import continue_simulation

personas = [Persona(name=n, description=d) for n, d in [
    ("Maya", "A city planner who wants car-free downtowns."),
    ("Tom", "A delivery-van driver worried about his job."),
    ("Ines", "A shop owner on the main street, undecided.")]]
graph = create_persona_simulation(personas, local_chat_model(seed=7), max_turns=6, k=3, seed=7,
                                  opening="Should our city ban private cars from downtown?")
config = {"configurable": {"thread_id": "debate"}}
with SqliteSaver.from_conn_string(sys.argv[1]) as saver:
    app = graph.compile(checkpointer=saver)
    status = simulation_status(app, config)  # read from the state, not from .next
    continue_simulation(app, config)
print(status)
"""


def persona_lines(state: dict[str, Any]) -> list[tuple[str, str]]:
    return [(m.name, m.text) for m in state["messages"] if m.type == "ai"]


def test_simulation_checkpointed_to_a_sqlite_file(chat_model: ChatOpenAI, tmp_path: Path) -> None:
    graph = create_persona_simulation(
        PERSONAS, chat_model, max_turns=3, k=3, seed=1, opening=OPENING
    )
    config = {"configurable": {"thread_id": "t1"}}
    database = str(tmp_path / "sim.sqlite")
    with SqliteSaver.from_conn_string(database) as saver:
        state = graph.compile(checkpointer=saver).invoke({"messages": []}, config)
    assert [name for name, _ in persona_lines(state)] == ["Maya", "Tom", "Ines"]
    assert all(text.strip() for _, text in persona_lines(state))
    with SqliteSaver.from_conn_string(database) as saver:  # a fresh connection reads it back
        stored = graph.compile(checkpointer=saver).get_state(config).values
    assert stored[DRAWS_KEY] == state[DRAWS_KEY]
    assert json.loads(json.dumps(stored[DRAWS_KEY])) == stored[DRAWS_KEY]


async def test_async_simulation(chat_model: ChatOpenAI) -> None:
    graph = create_persona_simulation(PERSONAS[:2], chat_model, max_turns=2, k=3)
    app = graph.compile(checkpointer=InMemorySaver())
    state = await app.ainvoke({"messages": []}, {"configurable": {"thread_id": "a"}})
    assert [name for name, _ in persona_lines(state)] == ["Maya", "Tom"]


def _stored(database: Path) -> dict[str, Any]:
    """The runner's checkpointed state (read through a graph that never calls its model)."""
    if not database.exists():
        return {}
    graph = create_persona_simulation(PERSONAS, ChatOpenAI(api_key="unused"), max_turns=6)
    with SqliteSaver.from_conn_string(str(database)) as saver:
        app = graph.compile(checkpointer=saver)
        return dict(app.get_state({"configurable": {"thread_id": "debate"}}).values)


def _turns_done(database: Path) -> int:
    return int(_stored(database).get("turn") or 0)


@pytest.mark.timeout(2000)
def test_killed_simulation_resumes_without_lost_or_duplicated_turns(tmp_path: Path) -> None:
    database = tmp_path / "debate.sqlite"
    script = tmp_path / "runner.py"
    script.write_text(RUNNER)
    env = {k: v for k, v in os.environ.items() if k != "OPENAI_API_KEY"}
    first = subprocess.Popen([sys.executable, str(script), str(database)], env=env)
    deadline = time.monotonic() + 900  # a hang guard, not a speed test
    while _turns_done(database) < 2 and first.poll() is None and time.monotonic() < deadline:
        time.sleep(0.1)
    assert first.poll() is None, "the simulation ended before it could be killed"
    os.kill(first.pid, signal.SIGKILL)  # mid-run: turn 3 is being drawn
    first.wait(timeout=10)
    before = _turns_done(database)
    assert 2 <= before < 6

    done = subprocess.run(
        [sys.executable, str(script), str(database)],
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() == "unfinished"

    state = _stored(database)
    assert state["turn"] == 6 and state["finished"] is True
    assert [d["turn"] for d in state[DRAWS_KEY]] == list(range(6))  # none lost, none twice
    assert [name for name, _ in persona_lines(state)] == ["Maya", "Tom", "Ines"] * 2
    assert [m.name for m in state["messages"]].count("moderator") == 1


async def test_parallel_drafts_on_the_real_server(chat_model: ChatOpenAI) -> None:
    # Three concurrent drafts per line: the server's parallel slots answer them together.
    graph = create_persona_simulation(
        PERSONAS, chat_model, max_turns=2, k=3, seed=2, turn_order="parallel_drafts"
    )
    app = graph.compile(checkpointer=InMemorySaver())
    state = await app.ainvoke({"messages": []}, {"configurable": {"thread_id": "drafts"}})
    speakers = [name for name, _ in persona_lines(state)]
    assert len(speakers) == 2 and speakers[0] != speakers[1]  # never the same speaker twice
    for draw in state[DRAWS_KEY]:
        assert sorted(d["persona"] for d in draw["drafts"]) == ["Ines", "Maya", "Tom"]
        assert all(d["text"].strip() for d in draw["drafts"])
    assert state["drafts"] == []
