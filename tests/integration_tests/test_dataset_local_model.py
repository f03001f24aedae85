"""generate_dataset and `langchain-vs generate` on the real local model (through ChatOpenAI).

Contracts, not luck: the tiny model may repeat itself, so counts are checked against the report
(unique records, or the call budget), and every record against the schema.
"""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from langchain_openai import ChatOpenAI
from pydantic import BaseModel

from langchain_vs import generate_dataset, read_dataset
from langchain_vs.quality import FluencyScorer

from .conftest import SEED

COMMAND = str(Path(sys.executable).parent / "langchain-vs")


class Problem(BaseModel):
    """A grade-school math word problem."""

    question: str
    answer: int


def test_structured_dataset_from_two_prompts(chat_model: ChatOpenAI, tmp_path: Path) -> None:
    out = tmp_path / "problems.jsonl"
    prompts = ["A math word problem about apples.", "A math word problem about trains."]
    result = generate_dataset(
        chat_model, prompts, n=6, k=3, schema=Problem, out=out, seed=SEED, max_concurrency=2
    )
    report = result.report
    records = list(read_dataset(out))
    assert len(records) == report.unique_records
    # Both ways: n reached exactly when the report says so (else the call budget ran out).
    assert (report.unique_records == 6) == (report.stopped == "n_reached")
    assert report.unique_records <= 6
    assert all(Problem.model_validate(r["value"]) for r in records)
    assert {r["prompt"] for r in records} <= set(prompts)
    assert len({json.dumps(r["value"], sort_keys=True) for r in records}) == len(records)
    assert report.output_tokens > 0 and report.calls >= 2


def test_cli_generate_killed_then_resumed_loses_and_repeats_nothing(tmp_path: Path) -> None:
    out = tmp_path / "lines.jsonl"
    args = [COMMAND, "generate", "Write an opening line for a story.", "-k", "4", "--out", str(out)]
    args += ["--seed", "3", "--embeddings", "hashed", "--max-concurrency", "1"]
    env = {k: v for k, v in os.environ.items() if k != "OPENAI_API_KEY"}
    running = subprocess.Popen([*args, "-n", "40"], env=env, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 600  # a hang guard for a loaded machine, not a speed limit
    while time.monotonic() < deadline and running.poll() is None:
        if out.exists() and len(out.read_bytes().splitlines()) >= 4:
            break
        time.sleep(0.2)
    running.send_signal(signal.SIGKILL)
    running.wait()
    before = list(read_dataset(out))
    assert before, "no record was written before the kill"
    done = subprocess.run(
        [*args, "-n", str(len(before) + 4), "--resume", "--json"],
        capture_output=True,
        text=True,
        timeout=900,
        env=env,
    )
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    records = list(read_dataset(out))
    assert records[: len(before)] == before  # nothing lost or rewritten
    assert [r["id"] for r in records] == list(range(len(records)))
    assert len({" ".join(r["text"].casefold().split()) for r in records}) == len(records)
    assert report["resumed"] == len(before)
    assert (len(records) == len(before) + 4) == (report["stopped"] == "n_reached")
    assert len(records) <= len(before) + 4


def test_a_scored_dataset_keeps_fluent_records_and_resumes(
    chat_model: ChatOpenAI, tmp_path: Path
) -> None:
    out = tmp_path / "sea.jsonl"
    scored = {"scorer": FluencyScorer(chat_model), "min_score": -4.0}
    first = generate_dataset(
        chat_model, "Write one sentence about the sea.", n=3, k=3, out=out, seed=SEED, **scored
    ).report
    again = generate_dataset(
        chat_model,
        "Write one sentence about the sea.",
        n=5,
        k=3,
        out=out,
        resume=True,
        seed=SEED + 100,
        **scored,
    ).report
    records = list(read_dataset(out))
    assert len(records) == again.unique_records and again.resumed == first.unique_records
    # Every record holds its fluency (a mean log-probability), at or above the threshold.
    assert all(-4.0 <= r["score"] < 0 for r in records)
    assert again.scorer == "fluency" and again.min_score == -4.0
    assert again.mean_score == pytest.approx(sum(r["score"] for r in records) / len(records))
    assert again.unique_per_1k_tokens is not None and again.unique_per_1k_tokens > 0
