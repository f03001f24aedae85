"""Persona simulations checkpointed in a real PostgreSQL server (a throwaway cluster on a
loopback port): killed and resumed, and two processes at once on one database."""

import json
import os
import signal
import subprocess
import time
from collections.abc import Iterator
from typing import Any

import pytest
from langchain_openai import ChatOpenAI
from langgraph.checkpoint.postgres import PostgresSaver

from langchain_vs.graph._node import DRAWS_KEY

from .postgres_cluster import PostgresMissing, require_postgres, throwaway_cluster
from .simulation_runner import check_complete, command, simulation

# One worker runs this module: its fixture starts one cluster for all of its tests.
pytestmark = pytest.mark.xdist_group("postgres")

K = 2
HANG_GUARD = 900  # seconds: not a speed limit, a bound for a stuck run on a loaded machine


@pytest.fixture(scope="module")
def database() -> Iterator[str]:
    try:
        require_postgres()
    except PostgresMissing as missing:
        pytest.fail(str(missing))  # not a skip: make setup's machine needs PostgreSQL
    with throwaway_cluster() as url:
        with PostgresSaver.from_conn_string(url) as saver:
            saver.setup()  # once, before workers race to create the tables
        yield url


def stored(database: str, thread: str, turns: int) -> dict[str, Any]:
    """A thread's checkpointed state (read through a graph that never calls its model)."""
    with PostgresSaver.from_conn_string(database) as saver:
        app = simulation(ChatOpenAI(api_key="unused"), turns, K, saver)
        return dict(app.get_state({"configurable": {"thread_id": thread}}).values)


def test_killed_simulation_resumes_from_postgres(
    database: str, runner_model: dict[str, Any]
) -> None:
    turns = 4
    run = command("postgres", database, "debate", turns, K, runner_model)
    first = subprocess.Popen(run, stdout=subprocess.DEVNULL)
    deadline = time.monotonic() + HANG_GUARD
    while (stored(database, "debate", turns).get("turn") or 0) < 2:
        assert first.poll() is None, "the simulation ended before it could be killed"
        assert time.monotonic() < deadline, "no second turn before the hang guard"
        time.sleep(0.2)
    os.kill(first.pid, signal.SIGKILL)  # mid-run: turn 3 is being drawn
    first.wait(timeout=30)
    before = stored(database, "debate", turns)
    assert 2 <= before["turn"] < turns

    done = subprocess.run(run, capture_output=True, text=True, timeout=HANG_GUARD)
    assert done.returncode == 0, done.stderr[-2000:]
    assert json.loads(done.stdout)["status"] == "unfinished"
    state = stored(database, "debate", turns)
    check_complete(state, turns)
    assert state[DRAWS_KEY][: before["turn"]] == before[DRAWS_KEY]  # earlier turns untouched


def test_two_processes_work_on_one_database_at_once(
    database: str, runner_model: dict[str, Any]
) -> None:
    # One worker with PostgresSaver, one with AsyncPostgresSaver, each on its own thread.
    turns = 3
    workers = {
        "sync-worker": subprocess.Popen(
            command("postgres", database, "sync-worker", turns, K, runner_model),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        ),
        "async-worker": subprocess.Popen(
            command("async-postgres", database, "async-worker", turns, K, runner_model),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        ),
    }
    reports = {}
    for thread, worker in workers.items():
        out, err = worker.communicate(timeout=HANG_GUARD)
        assert worker.returncode == 0, err[-2000:]
        reports[thread] = json.loads(out)
    first, second = reports.values()
    assert first["status"] == second["status"] == "new"
    assert first["started"] < second["ended"] and second["started"] < first["ended"], reports
    for thread in workers:
        check_complete(stored(database, thread, turns), turns)
