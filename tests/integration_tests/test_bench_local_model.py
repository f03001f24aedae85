"""`langchain-vs bench` end to end on the real local model (a small configuration)."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

COMMAND = str(Path(sys.executable).parent / "langchain-vs")


@pytest.mark.timeout(1200)  # a hang guard sized for a loaded 2-core machine
def test_bench_writes_table_json_and_plots(tmp_path: Path) -> None:
    # The smallest run that has every part: both task kinds, VS and the token-level arms, the
    # table, the JSON and the plots (2 answers per prompt, k=3: 18 model calls, and 12 story
    # responses scored for fluency). Story openings, not jokes: one sentence to write and to
    # score, so the run with quality takes what the joke run took without it (52 s vs 51 s).
    out = tmp_path / "bench"
    done = subprocess.run(
        [
            COMMAND,
            "bench",
            "--tasks",
            "dice,story",
            "--methods",
            "vs_standard",
            "--samples",
            "2",
            "-k",
            "3",
            "--out",
            str(out),
        ],
        capture_output=True,
        text=True,
        timeout=1100,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.startswith("| task | arm |")
    report = json.loads((out / "results.json").read_text())
    arms = {row["arm"] for row in report["rows"]}
    assert arms == {"vs_standard", "direct T=1.5 min_p=0.1", "direct T=1.0 top_k=20"}
    assert report["config"]["embeddings"] == "MiniLMEmbeddings"  # semantic when the extra is in
    dice = [row for row in report["rows"] if row["task"] == "dice"]
    assert all(row["responses"] == 2 and row["kl"] is not None for row in dice)
    assert (out / "diversity.png").stat().st_size > 0 and (out / "kl.png").stat().st_size > 0
    # Quality beside diversity: the model's own fluency for the story (a mean log-probability,
    # so negative), the valid-answer rate for the die; both in the Pareto plot.
    assert report["config"]["quality"] == {"creative": "fluency", "answer": "valid_rate"}
    story = [row for row in report["rows"] if row["task"] == "story"]
    assert all(row["quality"] is not None and row["quality"] < 0 for row in story)
    assert all(0.0 <= row["valid_rate"] <= 1.0 for row in dice)
    assert (out / "pareto.png").stat().st_size > 0
