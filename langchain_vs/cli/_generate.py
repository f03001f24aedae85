r"""``langchain-vs generate``: a synthetic dataset from the command line, with a progress bar.

Examples:
    .. code-block:: console

        $ langchain-vs generate "Write a short math word problem." -n 100 \
              --schema mymodule:Problem --dedup semantic --out problems.jsonl
"""

from __future__ import annotations

import argparse
import importlib
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from langchain_vs.apps import DatasetProgress, DatasetReport, generate_dataset
from langchain_vs.cli import _shared
from langchain_vs.core import CandidateSchema

if TYPE_CHECKING:
    from langchain_core.language_models import BaseChatModel

T = TypeVar("T")

__all__ = ["load_schema", "print_report", "run_generate", "run_with_progress"]


_SCHEMA_FORMS = (
    "give module:Class (a pydantic model or TypedDict, its module importable from the current "
    "folder) or a .json file holding a JSON schema of an object"
)


def load_schema(spec: str) -> Any:
    """``module:Class`` (a pydantic model or TypedDict) or a ``.json`` file with a JSON schema.

    The command's ``--schema`` argument type: it runs while the arguments are read, so a bad
    one is a usage error (exit 2) before any model starts.

    Returns:
        The schema as loaded (the class, or the JSON schema's dict), checked to be one that
        structured candidates take.

    Raises:
        ValueError: The module, class or file cannot be loaded, or what it holds is not a
            schema (the message says which, and what to give instead).
    """
    if spec.endswith(".json"):
        try:
            schema = json.loads(Path(spec).read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
            raise ValueError(f"{spec}: cannot read a JSON schema: {error}") from error
    else:
        module_name, _, name = spec.partition(":")
        if not module_name or not name:
            raise ValueError(f"{spec!r}: {_SCHEMA_FORMS}")
        sys.path.insert(0, str(Path.cwd()))  # a module next to the user's data, as python -m does
        try:
            schema = getattr(importlib.import_module(module_name), name)
        except (ImportError, AttributeError) as error:
            raise ValueError(f"{spec}: {error}; {_SCHEMA_FORMS}") from error
        except Exception as error:  # the user's module fails as it runs: say so, in one line
            raise ValueError(
                f"{spec}: importing {module_name} failed: {type(error).__name__}: {error}"
            ) from error
        finally:
            sys.path.pop(0)
    try:
        CandidateSchema.of(schema)
    except ValueError as error:
        raise ValueError(f"{spec}: {error}") from error
    return schema


def _summary(report: DatasetReport) -> str:
    def number(value: float | None, digits: int = 3) -> str:
        return "-" if value is None else f"{value:.{digits}f}"

    rows = [
        ("unique records", f"{report.unique_records} ({report.resumed} resumed)"),
        (
            "duplicates dropped",
            f"{report.exact_duplicates} exact, {report.near_duplicates} near"
            + (f", {report.field_duplicates} repeated field" if report.field_duplicates else ""),
        ),
        ("semantic diversity", number(report.semantic_diversity)),
        ("Vendi score", number(report.vendi_score, 2)),
        ("output tokens per unique record", number(report.output_tokens_per_unique, 1)),
        ("unique records per 1k tokens", number(report.unique_per_1k_tokens, 1)),
        ("seconds per unique record", number(report.seconds_per_unique, 2)),
        ("calls (failed)", f"{report.calls} ({report.failures})"),
        ("stopped", report.stopped),
    ]
    return "\n".join(f"{label:>32}  {value}" for label, value in rows)


def _interrupted(args: argparse.Namespace, unique: int | None, noun: str) -> str:
    """What Ctrl-C left, and how to go on."""
    if not args.out:
        return f"interrupted: the {noun} were not kept (give --out to keep them as they come)"
    count = "" if unique is None else f" ({unique} unique)"
    return (
        f"interrupted: the {noun} so far are saved in {args.out}{count}; "
        "continue with the same command and --resume"
    )


def _check_out(args: argparse.Namespace) -> None:
    """``--out`` and ``--resume`` make sense together, before the model starts."""
    if args.resume and not args.out:
        raise ValueError("--resume continues the records in a file: give --out as well")
    if args.out and Path(args.out).is_dir():
        raise ValueError(f"--out {args.out} is a folder: give a file path inside it")


def run_with_progress(
    args: argparse.Namespace,
    noun: str,
    run: Callable[[BaseChatModel, dict[str, Any]], T],
) -> T | None:
    """Start the model, then ``run(model, options)`` under a progress bar.

    Args:
        args: The command's arguments (``--out``, ``--resume``, ``-n``, ``--embeddings``, the
            model's).
        noun: What is made, for the bar and messages (``"records"``, ``"members"``).
        run: The generation; ``options`` are the keyword arguments that ``generate_dataset``
            and ``generate_population`` share (the options of ``_add_run_arguments``, dedup,
            concurrency, embeddings and ``on_progress``), read from ``args`` here once.

    Returns:
        What ``run`` returned, or ``None`` on Ctrl-C, after saying on stderr what was kept and
        how to go on.
    """
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    _check_out(args)
    console = Console(stderr=True)
    embeddings = _shared.embeddings_for(args.embeddings)
    with console.status("Starting the model…"):
        model = _shared.chat_model(args)
    columns = (
        TextColumn(noun),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[info]}"),
    )
    with Progress(*columns, console=console) as progress:
        bar = progress.add_task(noun, total=args.n, info="")

        unique: list[int | None] = [None]  # the last progress: what an interruption leaves

        def show(state: DatasetProgress) -> None:
            unique[0] = state.unique
            seen = state.unique + state.duplicates
            ratio = state.unique / seen if seen else 1.0
            info = f"{ratio:.0%} unique · {state.output_tokens:,} tokens · {state.calls} calls"
            progress.update(bar, completed=state.unique, info=info)

        try:
            return run(
                model,
                {
                    "method": args.method,
                    "k": args.k,
                    "dedup": args.dedup,
                    "similarity_threshold": args.similarity_threshold,
                    "embeddings": embeddings,
                    "max_concurrency": args.max_concurrency,
                    "out": args.out,
                    "resume": args.resume,
                    "max_calls": args.max_calls,
                    "patience": args.patience,
                    "seed": args.seed,
                    "on_progress": show,
                },
            )
        except KeyboardInterrupt:
            progress.stop()
            print(_interrupted(args, unique[0], noun), file=sys.stderr)
            return None


def print_report(args: argparse.Namespace, report: DatasetReport) -> None:
    """The report: to stdout with ``--out`` (else stderr), a table or ``--json``."""
    stream = sys.stdout if args.out else sys.stderr
    if args.json:
        print(json.dumps(report.to_dict()), file=stream)
    else:
        print(_summary(report), file=stream)
    if args.out:
        print(f"wrote {args.out}", file=sys.stderr)


def run_generate(args: argparse.Namespace) -> int:
    """Run ``langchain-vs generate``; returns the exit code."""
    result = run_with_progress(
        args,
        "records",
        lambda model, options: generate_dataset(
            model,
            args.prompts,
            n=args.n,
            schema=args.schema,  # loaded and checked with the arguments
            **options,
        ),
    )
    if result is None:
        return 130
    for record in result.records or ():
        print(json.dumps(record, ensure_ascii=False))
    print_report(args, result.report)
    return 0
