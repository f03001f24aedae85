"""Graph size: compile time and memory of ``create_persona_simulation`` by number of personas.

Run: .venv/bin/python benchmarks/graph_size.py [--personas 10 100 1000] [--baseline REV]

Each cell runs in a fresh interpreter (after a warm-up compile of two personas, so imports and
first-use caches are not counted): the wall time of one compile, the growth of the process's
resident memory over it (the compiled graph kept alive), the peak of Python allocations during a
second compile (``tracemalloc``), and the graph's size — its edges plus its conditional edges'
targets. ``--baseline REV`` runs the same cells on the package as it was at a git revision
(``git archive REV langchain_vs``), for a before/after table from one run.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tarfile
import tempfile
from io import BytesIO
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

CELL = """
import gc, json, sys, time, tracemalloc
from langchain_core.language_models import GenericFakeChatModel
from langchain_vs.graph import Persona, create_persona_simulation

def rss_mb():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * 4096 / 2**20

n = int(sys.argv[1])
model = GenericFakeChatModel(messages=iter(()))
personas = [Persona(name=f"P{i}", description="A voice.") for i in range(n)]
create_persona_simulation(personas[:2], model, max_turns=1)  # warm-up
gc.collect()
before = rss_mb()
start = time.perf_counter()
app = create_persona_simulation(personas, model, max_turns=n)
seconds = time.perf_counter() - start
grown = rss_mb() - before
builder = app.builder
size = len(builder.edges) + sum(
    len(branch.ends or ()) for branches in builder.branches.values()
    for branch in branches.values()
)
del app, builder
gc.collect()
tracemalloc.start()
create_persona_simulation(personas, model, max_turns=n)
peak = tracemalloc.get_traced_memory()[1] / 2**20
import langchain_vs
assert langchain_vs.__file__.startswith(sys.argv[2]), langchain_vs.__file__  # the tree asked for
print(json.dumps({"seconds": seconds, "rss_mb": grown, "peak_mb": peak, "size": size}))
"""


def measure(n: int, path: Path) -> dict[str, float]:
    """One cell, in a fresh interpreter importing ``langchain_vs`` from ``path``."""
    done = subprocess.run(
        [sys.executable, "-c", CELL, str(n), str(path)],
        cwd=path,  # ``-c`` puts the working directory first on the path
        check=True,
        capture_output=True,
        text=True,
        env={"PYTHONPATH": str(path), "PATH": "/usr/bin:/bin"},
    )
    return dict(json.loads(done.stdout.splitlines()[-1]))


def checkout(revision: str, into: Path) -> Path:
    """The package as it was at ``revision``, extracted under ``into``."""
    archive = subprocess.run(
        ["git", "archive", revision, "langchain_vs"], cwd=ROOT, check=True, capture_output=True
    ).stdout
    with tarfile.open(fileobj=BytesIO(archive)) as tar:
        tar.extractall(into, filter="data")
    return into


def main() -> None:
    """Print the table."""
    options = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    options.add_argument("--personas", type=int, nargs="+", default=[10, 100, 1000])
    options.add_argument("--baseline", help="a git revision to measure as 'before'")
    args = options.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        trees = {"this tree": ROOT}
        if args.baseline:
            trees = {args.baseline: checkout(args.baseline, Path(tmp)), **trees}
        print("| code | personas | compile | RSS growth | peak allocations | edges + targets |")
        print("|---|---:|---:|---:|---:|---:|")
        for label, path in trees.items():
            for n in args.personas:
                cell = measure(n, path)
                print(
                    f"| {label} | {n:,} | {cell['seconds']:.3f} s | {cell['rss_mb']:.1f} MB "
                    f"| {cell['peak_mb']:.1f} MB | {int(cell['size']):,} |",
                    flush=True,
                )


if __name__ == "__main__":
    main()
