"""Parse time against reply size, for every format and the pathological shapes seen in the wild.

Run: .venv/bin/python benchmarks/parse_scaling.py [--sizes 1000,10000,100000,1000000] [--cpu]
Each shape is parsed at each size (characters) with ``VerbalizedOutputParser(k=5)``; the best of
3 runs is reported in milliseconds. A shape whose time passes ``--give-up`` seconds is not run at
larger sizes (shown as ``>``). ``stream`` rows feed the reply to ``parser.transform`` in chunks
of 4 characters (like a token stream) to the parser's ``PartialParse``, which reports each
response as it completes, and give the total. Uses only the public parser API, so
it runs against older checkouts too (``PYTHONPATH=/path/to/checkout``).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import time
from collections.abc import Callable

from langchain_core.exceptions import OutputParserException

from langchain_vs.core.parsing import PartialParse, VerbalizedOutputParser


def _clean_json(size: int) -> str:
    text = "word " * max(1, size // 25)
    items = [{"text": f"{i} {text}", "probability": 0.2} for i in range(5)]
    return json.dumps({"responses": items})


def _clean_xml(size: int) -> str:
    text = "word " * max(1, size // 25)
    return "".join(
        f"<response><text>{i} {text}</text><probability>0.2</probability></response>"
        for i in range(5)
    )


def _clean_list(size: int) -> str:
    text = "word " * max(1, size // 25)
    return "".join(f"{i + 1}. {i} {text}(probability: 0.2)\n" for i in range(5))


SHAPES: dict[str, Callable[[int], str]] = {
    "json": _clean_json,
    "json, fenced after prose": lambda n: "Sure!\n```json\n" + _clean_json(n) + "\n```",
    "json, trailing commas": lambda n: _clean_json(n)[:-2] + ",],}",
    "json, cut inside a text": lambda n: '{"responses": [{"text": "' + "a" * n,
    "xml": _clean_xml,
    "list": _clean_list,
    "xml, run of spaces": lambda n: (
        "<response><text>A</text><probability>" + " " * n + "0.5</probability></response>"
    ),
    "xml, <probability> repeated": lambda n: "<text>A</text>" + "<probability>" * (n // 13),
    "list, value of digits": lambda n: "1. A (probability: " + "1" * n + ")\n2. B — 5%\n",
    "list, run of spaces": lambda n: "1. A" + " " * n + "(probability: 0.5)\n2. B — 5%\n",
    "braces": lambda n: "{" * n,
    "brackets": lambda n: "[" * n,
    "quotes and colons": lambda n: '{"a":' * (n // 5),
}
STREAMED = ("json", "list")


def _parse(parser: VerbalizedOutputParser, reply: str) -> None:
    # Refusing a reply is an outcome too; its cost is what is measured.
    with contextlib.suppress(OutputParserException):
        parser.parse(reply)


def _stream(parser: VerbalizedOutputParser, reply: str) -> None:
    stream = PartialParse(parser)
    with contextlib.suppress(OutputParserException):
        for i in range(0, len(reply), 4):
            stream.feed(reply[i : i + 4])
        stream.finish()


def _best_of(runs: int, work: Callable[[], None], clock: Callable[[], float]) -> float:
    best = float("inf")
    for _ in range(runs):
        start = clock()
        work()
        best = min(best, clock() - start)
    return best


def main() -> None:
    """Print the table."""
    options = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    options.add_argument("--sizes", default="1000,10000,100000,990000")
    options.add_argument("--give-up", type=float, default=3.0)
    options.add_argument("--only", default="", help="rows whose name contains this text")
    options.add_argument(
        "--cpu",
        action="store_true",
        help="time in CPU time (time.process_time): on a busy machine, waiting for a core is "
        "left out",
    )
    args = options.parse_args()
    clock = time.process_time if args.cpu else time.perf_counter
    sizes = [int(s) for s in args.sizes.split(",")]
    parser = VerbalizedOutputParser(k=5)
    rows = [(name, make, _parse) for name, make in SHAPES.items()]
    rows += [(f"{name}, streamed", SHAPES[name], _stream) for name in STREAMED]
    rows = [row for row in rows if args.only in row[0]]
    print("| shape | " + " | ".join(f"{s:,} chars" for s in sizes) + " |")
    print("|---|" + "---:|" * len(sizes))
    for name, make, how in rows:
        cells, gave_up = [], False
        for size in sizes:
            if gave_up:
                cells.append(">")
                continue
            reply = make(size)
            runs = 1 if size >= 100_000 else 3
            seconds = _best_of(runs, lambda r=reply, h=how: h(parser, r), clock)
            cells.append(f"{seconds * 1000:,.1f} ms")
            gave_up = seconds > args.give_up
        print(f"| {name} | " + " | ".join(cells) + " |", flush=True)


if __name__ == "__main__":
    main()
