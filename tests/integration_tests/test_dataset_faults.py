"""`langchain-vs generate` against a FAKE OpenAI-compatible server on 127.0.0.1 that misbehaves.

Adversarial, at the HTTP level: Ctrl-C while the endpoint never answers, two writers of one
file, a model that only repeats itself. The CLI runs in a subprocess, as a user runs it.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from langchain_openai import ChatOpenAI

from langchain_vs import generate_dataset, read_dataset

from .fault_server import FaultServer

COMMAND = str(Path(sys.executable).parent / "langchain-vs")
EXIT_BOUND_SECONDS = 10.0  # generous: the process itself returns in milliseconds (see below)


def _generate(server: FaultServer, out: Path, *extra: str, model: str = "fault-model") -> list[str]:
    return [
        COMMAND, "generate", "Q", "-k", "3", "--out", str(out), "--base-url", server.base_url,
        "--model", model, "--embeddings", "hashed", *extra,
    ]  # fmt: skip


def _env() -> dict[str, str]:
    return {**os.environ, "OPENAI_API_KEY": "fault-key"}


def _started_from_a_shell(args: list[str]) -> subprocess.Popen[str]:
    """The command as a user's shell starts it: with Ctrl-C live.

    A test runner's worker (pytest-xdist) runs with SIGINT ignored, and a child inherits an
    ignored signal; a Python handler is not inherited (the child gets the default), so the
    handler is set around the start.
    """
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        return subprocess.Popen(args, stderr=subprocess.PIPE, text=True, env=_env())
    finally:
        signal.signal(signal.SIGINT, previous)


def _wait_for_records(out: Path, count: int, process: subprocess.Popen[str]) -> None:
    deadline = time.monotonic() + 120  # a hang guard for a loaded machine, not a speed limit
    while not (out.exists() and len(out.read_text().splitlines()) >= count):
        assert process.poll() is None, process.communicate()
        assert time.monotonic() < deadline, "no record arrived"
        time.sleep(0.05)


def test_ctrl_c_with_an_endpoint_that_never_answers_exits_at_once_and_resumes(
    tmp_path: Path,
) -> None:
    out = tmp_path / "data.jsonl"
    with FaultServer("ok", "hang") as server:
        args = _generate(server, out, "-n", "12", "--max-concurrency", "3")
        running = _started_from_a_shell(args)
        try:
            _wait_for_records(out, 3, running)
            time.sleep(0.5)  # the other calls are in flight, unanswered
            sent = time.monotonic()
            running.send_signal(signal.SIGINT)
            code = running.wait(timeout=60)
            seconds = time.monotonic() - sent
        finally:
            running.kill()
        _, err = running.communicate()
        assert code == 130 and seconds < EXIT_BOUND_SECONDS, (code, seconds, err)
        assert "interrupted: the records so far are saved in" in err and "--resume" in err
        assert not Path(f"{out}.lock").exists()
        # Resumable: the three records are there; n=3 is reached with no call.
        asked = len(server.requests)
        model = ChatOpenAI(base_url=server.base_url, api_key="fault-key", model="fault-model")
        report = generate_dataset(model, "Q", n=3, k=3, out=out, resume=True).report
        assert (report.resumed, report.calls, len(server.requests)) == (3, 0, asked)
    assert [r["text"] for r in read_dataset(out)] == ["Tea", "Coffee", "Cocoa"]


def test_a_second_writer_is_refused_naming_the_first(tmp_path: Path) -> None:
    out = tmp_path / "data.jsonl"
    with FaultServer("ok", "hang") as server:
        first = _started_from_a_shell(_generate(server, out, "-n", "12", "--max-concurrency", "2"))
        try:
            _wait_for_records(out, 3, first)
            for resume in ([], ["--resume"]):
                second = subprocess.run(
                    # Its own model name: the first writer's retries of its hanging calls
                    # still reach the server meanwhile, so requests are told apart by model.
                    _generate(server, out, "-n", "12", *resume, model="second-writer"),
                    capture_output=True,
                    text=True,
                    env=_env(),
                    timeout=120,
                )
                assert second.returncode == 1, second.stderr
                assert f"being written by another run (process {first.pid} on " in second.stderr
            assert all(r["model"] == "fault-model" for r in server.requests)  # none by the 2nd
            assert len(out.read_text().splitlines()) == 3
        finally:
            first.send_signal(signal.SIGINT)
            first.wait(timeout=60)


def test_a_model_that_only_repeats_itself_stops_at_patience(tmp_path: Path) -> None:
    out = tmp_path / "data.jsonl"
    with FaultServer("ok") as server:  # Tea, Coffee, Cocoa every time
        args = _generate(server, out, "-n", "1000", "--max-concurrency", "1", "--patience", "4")
        done = subprocess.run(
            [*args, "--json"], capture_output=True, text=True, env=_env(), timeout=300
        )
        assert done.returncode == 0, done.stderr
        report = json.loads(done.stdout)
        assert (report["stopped"], report["unique_records"]) == ("no_new_records", 3)
        assert report["calls"] == 5 == len(server.requests)  # not the budget's 1,336
