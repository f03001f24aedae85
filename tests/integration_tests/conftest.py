"""Integration tests: the real SmolLM2 model behind llama.cpp's server on 127.0.0.1."""

from pathlib import Path
from typing import Any

import pytest
from langchain_openai import ChatOpenAI
from pytest_socket import socket_allow_hosts

from langchain_vs.local._server import LocalModelServer, shared_server


def process_alive(pid: int) -> bool:
    """True while ``pid`` runs (a zombie awaiting its reaper counts as gone)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup() -> None:
    # Traffic only to loopback.
    socket_allow_hosts(["127.0.0.1", "localhost", "::1"], allow_unix_socket=True)


@pytest.fixture(scope="session")
def server() -> LocalModelServer:
    # The process-wide server that local_chat_model() uses too: one model in memory, one set
    # of threads (llama.cpp crawls when several servers compete for two cores).
    return shared_server()


SEED = 7
"""Every real-model call of the suite is seeded: llama.cpp then reproduces its reply."""


@pytest.fixture(scope="session")
def chat_model(server: LocalModelServer) -> ChatOpenAI:
    # Seeded and bounded (max_tokens=768 by default): a rambling reply is cut and read by the
    # documented cut-off path, the same way on every run.
    return server.chat_model(seed=SEED)


@pytest.fixture(scope="session")
def model_settings(chat_model: ChatOpenAI) -> dict[str, Any]:
    """The suite's seeded, bounded settings as plain JSON, for the model of another process
    (a checkpointed runner, a LangGraph Server run)."""
    return {
        "seed": chat_model.seed,
        "max_tokens": chat_model.max_tokens,
        "temperature": chat_model.temperature,
        "extra_body": chat_model.extra_body,
        "timeout": chat_model.request_timeout,
        "max_retries": chat_model.max_retries,
    }


@pytest.fixture(scope="session")
def runner_model(server: LocalModelServer, model_settings: dict[str, Any]) -> dict[str, Any]:
    """``ChatOpenAI`` arguments for the session's server, for a runner in another process."""
    return {
        "base_url": server.base_url,
        "api_key": "not-needed",
        "model": server.model_path.stem,
        **model_settings,
    }
