"""Integration tests: the real SmolLM2 model behind llama.cpp's server on 127.0.0.1."""

from collections.abc import Iterator
from pathlib import Path

import pytest
from langchain_openai import ChatOpenAI
from pytest_socket import socket_allow_hosts

from langchain_vs.local import LocalModelServer


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
def server() -> Iterator[LocalModelServer]:
    with LocalModelServer() as running:
        pid = running.pid
        yield running
    assert pid is not None and not process_alive(pid), "the server outlived its context"


@pytest.fixture(scope="session")
def chat_model(server: LocalModelServer) -> ChatOpenAI:
    return server.chat_model()
