"""Persona simulations on the real local model, checkpointed to SQLite, killed and resumed."""

import json
import os
import signal
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest
from langchain_openai import ChatOpenAI
from langgraph.checkpoint.memory import InMemorySaver
from langgraph.checkpoint.sqlite import SqliteSaver

from langchain_vs import create_persona_simulation
from langchain_vs.graph._node import DRAWS_KEY

from .simulation_runner import OPENING, PERSONAS, check_complete, command, simulation


def persona_lines(state: dict[str, Any]) -> list[tuple[str, str]]:
    return [(m.name, m.text) for m in state["messages"] if m.type == "ai"]


def test_simulation_checkpointed_to_a_sqlite_file(chat_model: ChatOpenAI, tmp_path: Path) -> None:
    def simulation(saver: SqliteSaver) -> Any:
        return create_persona_simulation(
            PERSONAS, chat_model, max_turns=3, k=3, seed=1, opening=OPENING, checkpointer=saver
        )

    config = {"configurable": {"thread_id": "t1"}}
    database = str(tmp_path / "sim.sqlite")
    with SqliteSaver.from_conn_string(database) as saver:
        state = simulation(saver).invoke({"messages": []}, config)
    assert [name for name, _ in persona_lines(state)] == ["Maya", "Tom", "Ines"]
    assert all(text.strip() for _, text in persona_lines(state))
    with SqliteSaver.from_conn_string(database) as saver:  # a fresh connection reads it back
        stored = simulation(saver).get_state(config).values
    assert stored[DRAWS_KEY] == state[DRAWS_KEY]
    assert json.loads(json.dumps(stored[DRAWS_KEY])) == stored[DRAWS_KEY]


async def test_async_simulation(chat_model: ChatOpenAI) -> None:
    app = create_persona_simulation(
        PERSONAS[:2], chat_model, max_turns=2, k=3, checkpointer=InMemorySaver()
    )
    state = await app.ainvoke({"messages": []}, {"configurable": {"thread_id": "a"}})
    assert [name for name, _ in persona_lines(state)] == ["Maya", "Tom"]


def _stored(database: Path) -> dict[str, Any]:
    """The runner's checkpointed state (read through a graph that never calls its model)."""
    if not database.exists():
        return {}
    with SqliteSaver.from_conn_string(str(database)) as saver:
        app = simulation(ChatOpenAI(api_key="unused"), 6, 3, saver)
        return dict(app.get_state({"configurable": {"thread_id": "debate"}}).values)


def _turns_done(database: Path) -> int:
    return int(_stored(database).get("turn") or 0)


@pytest.mark.timeout(2000)
def test_killed_simulation_resumes_without_lost_or_duplicated_turns(
    tmp_path: Path, runner_model: dict[str, Any]
) -> None:
    database = tmp_path / "debate.sqlite"
    run = command("sqlite", str(database), "debate", 6, 3, runner_model)
    first = subprocess.Popen(run, stdout=subprocess.DEVNULL)
    deadline = time.monotonic() + 900  # a hang guard, not a speed test
    while _turns_done(database) < 2 and first.poll() is None and time.monotonic() < deadline:
        time.sleep(0.1)
    assert first.poll() is None, "the simulation ended before it could be killed"
    os.kill(first.pid, signal.SIGKILL)  # mid-run: turn 3 is being drawn
    first.wait(timeout=10)
    before = _stored(database)
    assert 2 <= before["turn"] < 6

    done = subprocess.run(run, capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stderr[-2000:]
    assert json.loads(done.stdout)["status"] == "unfinished"
    state = _stored(database)
    check_complete(state, 6)
    assert state[DRAWS_KEY][: before["turn"]] == before[DRAWS_KEY]  # earlier turns untouched


async def test_parallel_drafts_on_the_real_server(chat_model: ChatOpenAI) -> None:
    # Three concurrent drafts per line: the server's parallel slots answer them together.
    app = create_persona_simulation(
        PERSONAS,
        chat_model,
        max_turns=2,
        k=3,
        seed=2,
        turn_order="parallel_drafts",
        checkpointer=InMemorySaver(),
    )
    state = await app.ainvoke({"messages": []}, {"configurable": {"thread_id": "drafts"}})
    speakers = [name for name, _ in persona_lines(state)]
    assert len(speakers) == 2 and speakers[0] != speakers[1]  # never the same speaker twice
    for draw in state[DRAWS_KEY]:
        assert sorted(d["persona"] for d in draw["drafts"]) == ["Ines", "Maya", "Tom"]
        assert all(d["text"].strip() for d in draw["drafts"])
    assert state["drafts"] == []
