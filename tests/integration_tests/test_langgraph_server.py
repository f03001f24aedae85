"""The deployed simulation on a real LangGraph Server (``langgraph dev``), driven by
``langgraph_sdk`` as a client would, over the real local model."""

import asyncio
import os
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest

from langchain_vs.graph._node import CUSTOM_EVENT_TYPE, DRAWS_KEY
from langchain_vs.local._server import LocalModelServer
from langchain_vs.serve._deployed import BASE_URL_ENV, MODEL_NAME_ENV
from langchain_vs.serve._dev_server import INSTALL_DEPLOY, LangGraphDevError, langgraph_dev
from langchain_vs.serve._limits import MAX_TURNS_ENV, RUN_SETTINGS_ENV

# One worker runs this module: its fixture starts one server for all of its tests.
pytestmark = pytest.mark.xdist_group("langgraph_server")

DEPLOY = Path(__file__).parents[2] / "deploy" / "langgraph.json"
GRAPH = "persona_simulation"


@pytest.fixture(scope="module")
def langgraph_dev_url(
    server: LocalModelServer, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """``langgraph dev`` on a free loopback port, its model the session's local server."""
    env = {key: value for key, value in os.environ.items() if key != "OPENAI_API_KEY"}
    env |= {
        BASE_URL_ENV: server.base_url,
        MODEL_NAME_ENV: server.model_path.stem,
        # The operator lets runs send the suite's seeded, bounded settings (the conftest's
        # model_settings), client settings included: not a run's to set by default.
        RUN_SETTINGS_ENV: "seed,max_tokens,temperature,extra_body,timeout,max_retries",
        "LANGSMITH_TRACING": "false",
    }
    try:
        with langgraph_dev(
            DEPLOY, environment=env, workdir=tmp_path_factory.mktemp("langgraph-dev")
        ) as url:
            yield url
    except LangGraphDevError as error:
        pytest.fail(str(error))  # not a skip: make setup installs langgraph-cli


@pytest.fixture
async def client(langgraph_dev_url: str) -> AsyncIterator[Any]:
    try:
        from langgraph_sdk import get_client
    except ImportError:
        pytest.fail(f"langgraph-sdk is not installed: {INSTALL_DEPLOY}")
    client = get_client(url=langgraph_dev_url)
    yield client
    await client.aclose()


def _lines(state: dict[str, Any]) -> list[tuple[str, str]]:
    return [(m["name"], m["content"]) for m in state["messages"] if m["type"] == "ai"]


def _check_record(record: dict[str, Any]) -> None:
    """A draw record: its distribution, and the line that was drawn from it."""
    probabilities = [c["probability"] for c in record["candidates"]]
    assert probabilities and abs(sum(probabilities) - 1) < 1e-6
    assert all(c["text"].strip() for c in record["candidates"])
    assert 0 <= record["chosen_index"] < len(record["candidates"])


async def test_concurrent_simulations_stream_draws_and_read_back(
    client: Any, model_settings: dict[str, Any]
) -> None:
    # Three debates at once: two on the default assistant with their settings per run, one on
    # an assistant that stores its settings (other personas), as a team would save a setup.
    saved = await client.assistants.create(
        GRAPH,
        config={
            "configurable": {
                "personas": [
                    {"name": "Ann", "description": "A night-shift nurse."},
                    {"name": "Raj", "description": "A taxi driver."},
                ],
                "opening": "Should hospitals get their own bus lane?",
            }
        },
    )
    runs = [(GRAPH, {"seed": 1}), (GRAPH, {"seed": 2}), (saved["assistant_id"], {"seed": 3})]
    threads = [await client.threads.create() for _ in runs]

    async def simulate(thread_id: str, assistant: str, settings: dict[str, Any]) -> list[Any]:
        configurable = {"k": 2, "max_turns": 2, "model_settings": model_settings, **settings}
        stream = client.runs.stream(
            thread_id,
            assistant,
            input={"messages": []},
            config={"configurable": configurable},
            stream_mode=["custom", "updates"],
        )
        return [part async for part in stream]

    streamed = await asyncio.gather(
        *(simulate(t["thread_id"], a, s) for t, (a, s) in zip(threads, runs, strict=True))
    )
    expected = [["Maya", "Tom"], ["Maya", "Tom"], ["Ann", "Raj"]]
    for thread, parts, speakers in zip(threads, streamed, expected, strict=True):
        assert not [p for p in parts if p.event == "error"], parts
        draws = [p.data for p in parts if p.event == "custom"]
        assert [(d["type"], d["turn"], d["persona"]) for d in draws] == [
            (CUSTOM_EVENT_TYPE, turn, name) for turn, name in enumerate(speakers)
        ]
        streamed_lines = [
            (message["name"], message["content"])
            for p in parts
            if p.event == "updates"
            for update in p.data.values()
            if update
            for message in update.get("messages", [])
            if message["type"] == "ai"
        ]
        state = (await client.threads.get_state(thread["thread_id"]))["values"]
        assert _lines(state) == streamed_lines
        assert [name for name, _ in streamed_lines] == speakers
        assert state["finished"] is True and state["turn"] == 2
        for record, (_, line) in zip(state[DRAWS_KEY], streamed_lines, strict=True):
            _check_record(record)
            assert record["candidates"][record["chosen_index"]]["text"] == line
        assert [{k: v for k, v in d.items() if k != "type"} for d in draws] == state[DRAWS_KEY]


async def test_interrupted_run_resumes_without_lost_or_duplicated_turns(
    client: Any, model_settings: dict[str, Any]
) -> None:
    thread_id = (await client.threads.create())["thread_id"]
    settings = {"k": 2, "max_turns": 4, "seed": 5, "model_settings": model_settings}
    config = {"configurable": settings}
    run = await client.runs.create(thread_id, GRAPH, input={"messages": []}, config=config)
    deadline = time.monotonic() + 600  # a hang guard, not a speed test
    while True:
        values = (await client.threads.get_state(thread_id))["values"] or {}
        if (values.get("turn") or 0) >= 1 or time.monotonic() > deadline:
            break
        await asyncio.sleep(0.1)
    # Interrupt mid-way: the run stops, its thread keeps every finished turn.
    await client.runs.cancel(thread_id, run["run_id"], wait=True, action="interrupt")
    assert (await client.runs.get(thread_id, run["run_id"]))["status"] == "interrupted"
    before = (await client.threads.get_state(thread_id))["values"]
    assert 1 <= before["turn"] < 4, "the run ended before it could be interrupted"
    assert [d["turn"] for d in before[DRAWS_KEY]] == list(range(before["turn"]))

    # Resume: a run with no input continues from the thread's last checkpoint.
    await client.runs.wait(thread_id, GRAPH, input=None, config=config, raise_error=True)
    state = (await client.threads.get_state(thread_id))["values"]
    assert state["finished"] is True and state["turn"] == 4
    assert [d["turn"] for d in state[DRAWS_KEY]] == [0, 1, 2, 3]  # none lost, none twice
    assert state[DRAWS_KEY][: before["turn"]] == before[DRAWS_KEY]  # earlier turns untouched
    assert [name for name, _ in _lines(state)] == ["Maya", "Tom", "Ines", "Maya"]
    assert [m["name"] for m in state["messages"]].count("moderator") == 1
    for record in state[DRAWS_KEY]:
        _check_record(record)


@pytest.mark.parametrize(
    ("configurable", "message"),
    [
        ({"max_turn": 2}, r"ValueError: unknown simulation setting .max_turn. \(did you"),
        # Not on the operator's list: refused by name, with the allowed names.
        ({"model_settings": {"n": 64}}, r"ValueError: .*sets .n., which this deployment does"),
        (
            {"model_settings": {"model_kwargs": {"extra_headers": {"Authorization": "x"}}}},
            r"sets .model_kwargs.*allowed: seed, max_tokens, temperature, extra_body",
        ),
        ({"max_turns": 51}, rf"cap of 50 \(the operator raises it with {MAX_TURNS_ENV}\)"),
    ],
)
async def test_a_bad_configuration_fails_the_run_with_the_setting_named(
    client: Any, configurable: dict[str, Any], message: str
) -> None:
    thread_id = (await client.threads.create())["thread_id"]
    # The SDK raises a plain Exception carrying the server's error type and message.
    with pytest.raises(Exception, match=message):
        await client.runs.wait(
            thread_id,
            GRAPH,
            input={"messages": []},
            config={"configurable": configurable},
            raise_error=True,
        )


def test_the_same_file_builds_the_server_container(tmp_path: Path) -> None:
    # Production runs the self-hosted LangGraph Server image (PostgreSQL + Redis); no Docker
    # engine here, so check what `langgraph build` would build: the Dockerfile it generates.
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "langgraph_cli",
            "dockerfile",
            "--config",
            str(DEPLOY),
            str(tmp_path / "Dockerfile"),
        ],
        env={**os.environ, "LANGGRAPH_CLI_NO_ANALYTICS": "1"},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    dockerfile = (tmp_path / "Dockerfile").read_text()
    assert "FROM langchain/langgraph-api" in dockerfile
    assert '"persona_simulation": "langchain_vs.serve:make_persona_simulation"' in dockerfile
    assert "pip install" in dockerfile and "-e ." in dockerfile  # this package, installed


def test_a_server_that_cannot_start_is_an_error_with_its_log(tmp_path: Path) -> None:
    broken = tmp_path / "langgraph.json"
    broken.write_text('{"dependencies": ["."], "graphs": {"g": "no_such_module:graph"}}')
    with (
        pytest.raises(LangGraphDevError, match="langgraph dev exited") as error,
        langgraph_dev(broken, start_timeout=300),
    ):
        pass
    assert "no_such_module" in str(error.value)  # the log says which graph failed
