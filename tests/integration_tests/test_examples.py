"""Every script in examples/ runs to completion on the local model."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

EXAMPLES = sorted((Path(__file__).parents[2] / "examples").glob("*.py"))
# The long comparisons run small here: the code path is the same, the sample is not.
SMALL = {
    "measure_diversity": ["--samples", "2"],
    "persona_simulation": ["--seeds", "1", "--turns", "1"],
    "serve_simulation": ["--turns", "2"],
}


@pytest.mark.timeout(1200)  # a hang guard sized for a loaded 2-core machine
@pytest.mark.parametrize("script", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_example_runs(script: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "OPENAI_API_KEY"}  # the offline path
    done = subprocess.run(
        [sys.executable, str(script), *SMALL.get(script.stem, [])],
        capture_output=True,
        text=True,
        timeout=1100,
        env=env,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip()
