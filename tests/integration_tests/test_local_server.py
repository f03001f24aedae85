"""The embedded server's lifecycle: start, errors, and no orphan processes ever."""

import json
import os
import signal
import socket
import subprocess
import sys
import time

import pytest

from langchain_vs.local._server import LocalModelError, LocalModelServer

from .conftest import process_alive


def wait_gone(pid: int, seconds: float = 15.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if not process_alive(pid):
            return True
        time.sleep(0.1)
    return False


def test_server_answers_with_structured_output(server: LocalModelServer) -> None:
    assert server.base_url.startswith("http://127.0.0.1:")
    assert server.startup_seconds is not None and server.startup_seconds < 60
    # Bounded by the schema itself (the server's grammar enforces maxLength) and seeded.
    schema = {
        "title": "Answer",
        "type": "object",
        "properties": {"color": {"type": "string", "minLength": 1, "maxLength": 40}},
        "required": ["color"],
    }
    model = server.chat_model(seed=7, max_tokens=256)
    answer = model.with_structured_output(schema, method="json_schema").invoke("Name a color.")
    assert isinstance(answer["color"], str) and 1 <= len(answer["color"]) <= 40


def test_port_in_use_is_a_clear_error() -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        with pytest.raises(LocalModelError, match=f"Port {port} on 127.0.0.1 is in use"):
            LocalModelServer(port=port).start()


def test_startup_timeout_reports_the_log_and_leaves_nothing() -> None:
    server = LocalModelServer(startup_timeout=0.01)
    with pytest.raises(LocalModelError, match="did not listen within") as info:
        server.start()
    assert "Last log lines" in str(info.value)
    assert server.pid is None


def test_a_stopped_server_leaves_no_log_file() -> None:
    with LocalModelServer(n_ctx=2048, n_parallel=1) as server:
        log = server.log_path
        assert log is not None and log.is_file()
    assert not log.exists() and server.log_path is None and server.log_tail() == ""


PARENT = """
import json, sys, time
from langchain_vs.local._server import local_chat_model, shared_server
model = local_chat_model(seed=1, max_tokens=32)
print(json.dumps({"pid": shared_server().pid}), flush=True)
if sys.argv[1] == "call":
    model.invoke("Say hi.")
else:
    time.sleep(600)
"""


def _start_parent(mode: str) -> tuple[subprocess.Popen[str], int]:
    parent = subprocess.Popen(
        [sys.executable, "-c", PARENT, mode], stdout=subprocess.PIPE, text=True
    )
    assert parent.stdout is not None
    line = parent.stdout.readline()
    return parent, json.loads(line)["pid"]


def test_no_server_survives_a_process_that_used_it() -> None:
    parent, server_pid = _start_parent("call")
    assert parent.wait(timeout=120) == 0
    assert wait_gone(server_pid), "server process survived its parent's normal exit"


def test_killed_parent_leaves_no_orphan() -> None:
    parent, server_pid = _start_parent("sleep")
    assert process_alive(server_pid)
    os.kill(parent.pid, signal.SIGKILL)
    parent.wait(timeout=10)
    assert wait_gone(server_pid), "server process outlived a SIGKILLed parent"
