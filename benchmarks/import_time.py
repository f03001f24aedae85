"""Start-up cost: ``import langchain_vs`` and ``langchain-vs --help`` vs LangChain's own import.

Run: .venv/bin/python benchmarks/import_time.py [--rounds 7]
Each command runs in a fresh interpreter, the three interleaved round by round; the median wall
time of each is reported with its ratio to ``import langchain_core.language_models`` (the floor
for any LangChain chat-model package).
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time

COMMANDS = {
    "import langchain_core.language_models": "import langchain_core.language_models",
    "import langchain_vs": "import langchain_vs",
    "from langchain_vs import VerbalizedSampler": "from langchain_vs import VerbalizedSampler",
    "langchain-vs --help": (
        "import sys; sys.argv = ['langchain-vs', '--help']\n"
        "from langchain_vs.cli import main\n"
        "try:\n    main()\nexcept SystemExit:\n    pass"
    ),
}


def main() -> None:
    """Print the table."""
    options = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    options.add_argument("--rounds", type=int, default=7)
    args = options.parse_args()
    times: dict[str, list[float]] = {name: [] for name in COMMANDS}
    for _ in range(args.rounds):
        for name, code in COMMANDS.items():
            start = time.perf_counter()
            subprocess.run([sys.executable, "-c", code], check=True, capture_output=True)
            times[name].append(time.perf_counter() - start)
    floor = statistics.median(times["import langchain_core.language_models"])
    print("| command | median | ratio |")
    print("|---|---:|---:|")
    for name, values in times.items():
        median = statistics.median(values)
        print(f"| `{name}` | {median:.2f} s | {median / floor:.2f}x |")


if __name__ == "__main__":
    main()
