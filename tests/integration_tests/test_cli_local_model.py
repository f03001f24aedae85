"""The `langchain-vs` command end to end, on the real local model."""

import json
import subprocess
import sys
from pathlib import Path

from langchain_vs.local import LocalModelServer

# The console script installed beside this interpreter (the venv's bin/).
COMMAND = str(Path(sys.executable).parent / "langchain-vs")


def test_sample_json() -> None:
    done = subprocess.run(
        [COMMAND, "sample", "Name a color.", "-k", "3", "--seed", "1", "--json"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert 1 <= len(data["candidates"]) <= 3
    # A contract both ways: fewer candidates than asked exactly when the repair says so.
    assert (len(data["candidates"]) < 3) == ("fewer_than_asked" in data["repairs"])
    assert data["text"] in [c["text"] for c in data["candidates"]]


def test_base_url_reaches_an_openai_compatible_endpoint(server: LocalModelServer) -> None:
    # The session's llama.cpp server, named as any OpenAI-compatible endpoint is: the command
    # starts no model of its own.
    endpoint = ["--base-url", server.base_url, "--model", server.model_path.stem]
    done = subprocess.run(
        [COMMAND, "sample", "Name a fruit.", "-k", "3", "--seed", "1", "--json", *endpoint],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert 1 <= len(data["candidates"]) <= 3
    assert data["text"] in [c["text"] for c in data["candidates"]]


def test_sample_table() -> None:
    done = subprocess.run(
        [COMMAND, "sample", "Tell me a joke about coffee.", "-k", "3", "--model", "local"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    assert "picked #" in done.stdout and "▶" in done.stdout
    assert "weights: constrained to their range" in done.stdout  # the embedded server's default


def test_error_is_one_line() -> None:
    done = subprocess.run(
        [COMMAND, "sample", "x", "--model", "nope"], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 1
    assert done.stderr.strip().startswith("langchain-vs: error:")
    assert "Traceback" not in done.stderr
