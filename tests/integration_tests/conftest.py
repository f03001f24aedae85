"""Integration tests: the real SmolLM2 model behind llama.cpp's server on 127.0.0.1."""

from pathlib import Path

import pytest
from langchain_openai import ChatOpenAI
from pytest_socket import socket_allow_hosts

from langchain_vs.local import LocalModelServer, shared_server


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
