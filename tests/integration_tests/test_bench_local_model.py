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
    # table, the JSON and both plots (2 answers per prompt, k=3: 18 model calls).
    out = tmp_path / "bench"
    done = subprocess.run(
        [
            COMMAND,
            "bench",
            "--tasks",
            "dice,joke",
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
