"""The ``langchain-vs`` command.

``langchain-vs sample "PROMPT"`` asks the model (by default the embedded local one) for a
verbalized distribution and shows the candidates with their probabilities and the pick;
``bench`` compares methods; ``generate`` makes a synthetic dataset
(`langchain_vs.cli._generate`); ``population`` draws a cast of personas
(`langchain_vs.cli._population`).

Examples:
    .. code-block:: console

        $ langchain-vs sample "Tell me a joke about coffee." -k 5 --seed 1
        $ langchain-vs sample "Name a US state." --model openai:gpt-4.1-mini --json
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Literal, NoReturn

# Only what the argument parser needs is imported up front: `--help` stays fast.
from langchain_vs.cli import _shared
from langchain_vs.core import MAX_K, METADATA_KEY, SELECTION_STRATEGIES, Method
from langchain_vs.local import DEFAULT_N_CTX, N_CTX_ENV, context_size

if TYPE_CHECKING:
    pass

__all__ = ["build_parser", "main"]

_BAR_WIDTH = 12
_CONTEXT_ERRORS = ("exceeds the available context size", "context length", "context_length")


class _Parser(argparse.ArgumentParser):
    """Usage errors in two lines (what was wrong, where to look), exit code 2."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message}\n(see '{self.prog} --help')\n")


def _k(text: str) -> int:
    value = int(text)
    if not 1 <= value <= MAX_K:
        raise argparse.ArgumentTypeError(f"k must be between 1 and {MAX_K}, got {value}")
    return value


def _unit_interval(text: str) -> float:
    value = float(text)
    if not 0.0 < value <= 1.0:
        raise argparse.ArgumentTypeError(f"must be in (0, 1], got {value:g}")
    return value


def _temperature(text: str) -> float:
    value = float(text)
    if not (math.isfinite(value) and 0.0 <= value <= 2.0):
        raise argparse.ArgumentTypeError(f"must be between 0 and 2, got {value:g}")
    return value


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def _prompt(text: str) -> str:
    if not text.strip():
        raise argparse.ArgumentTypeError(
            'the prompt is empty: give the request to answer, e.g. "Tell me a joke."'
        )
    return text


def _schema(spec: str) -> Any:
    from langchain_vs.cli._generate import load_schema  # the apps: only when --schema is given

    try:
        return load_schema(spec)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from error


def _population_size(text: str) -> int:
    from langchain_vs.cli._population import population_size  # the graph: only when used

    return population_size(text)


def _population_schema(spec: str) -> Any:
    from langchain_vs.cli._population import population_schema

    return population_schema(spec)


def _description(text: str) -> str:
    if not text.strip():
        raise argparse.ArgumentTypeError(
            "the description is empty: say who the population is, e.g. "
            '"residents of a mid-sized town debating a new bus line"'
        )
    return text


def _names(text: str) -> list[str]:
    names = [n.strip() for n in text.split(",") if n.strip()]
    if not names:
        raise argparse.ArgumentTypeError("give at least one name")
    return names


def _methods(text: str) -> list[Method]:
    try:
        return [Method(name) for name in _names(text)]
    except ValueError as error:
        raise argparse.ArgumentTypeError(
            f"{error}; choose from {', '.join(m.value for m in Method)}"
        ) from error


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the ``langchain-vs`` command."""
    parser = _Parser(
        prog="langchain-vs",
        description="Verbalized Sampling on any chat model.",
        epilog="Exit codes: 0 done, 1 failed at run time (one line on stderr; --debug for the "
        "traceback), 2 bad arguments.",
    )
    parser.add_argument("--debug", action="store_true", help="show tracebacks on errors")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    sample = commands.add_parser("sample", help="draw a verbalized distribution for a prompt")
    sample.add_argument("prompt", type=_prompt, help="the request to answer")
    sample.add_argument("-k", "--k", type=_k, default=5, help=f"candidates to ask for (1-{MAX_K})")
    sample.add_argument(
        "--method", default=Method.VS_STANDARD.value, choices=[m.value for m in Method]
    )
    sample.add_argument(
        "--tail-threshold",
        type=_unit_interval,
        default=None,
        help="ask for candidates each below this probability (more diverse)",
    )
    sample.add_argument(
        "--min-probability",
        type=_unit_interval,
        default=None,
        help="drop candidates below this probability afterwards",
    )
    # "best" needs a scorer, a Python object the command line cannot name.
    picks = [name for name in SELECTION_STRATEGIES if name != "best"]
    sample.add_argument("--selection", default="sample", choices=picks)
    sample.add_argument("--seed", type=int, default=None, help="seed for the pick")
    sample.add_argument("--temperature", type=_temperature, default=0.7, help="0 to 2")
    sample.add_argument("--json", action="store_true", help="print the result as JSON")
    bench = commands.add_parser("bench", help="compare VS with direct prompting and samplers")
    bench.add_argument(
        "--tasks",
        type=_names,
        default="joke,poem,story,dice,states",
        help="comma-separated: joke,poem,story,dice,states",
    )
    bench.add_argument(
        "--methods",
        type=_methods,
        default=",".join(m.value for m in Method),
        help="comma-separated methods",
    )
    bench.add_argument(
        "--samples",
        type=_positive,
        default=10,
        help="responses (creative) or answers (dice, states) per prompt",
    )
    bench.add_argument("-k", "--k", type=_k, default=5, help="candidates per VS call")
    bench.add_argument("--temperature", type=_temperature, default=0.7, help="0 to 2")
    bench.add_argument(
        "--no-token-baselines",
        action="store_true",
        help="leave out the temperature / min-p / top-k rows",
    )
    bench.add_argument("--seed", type=int, default=0)
    bench.add_argument(
        "--embeddings",
        choices=("auto", "minilm", "hashed"),
        default="auto",
        help="for semantic diversity: MiniLM (semantic), hashed n-grams (lexical), or auto "
        "(MiniLM when installed)",
    )
    bench.add_argument(
        "--judge",
        default=None,
        metavar="MODEL",
        help="score creative responses with an LLM judge (LLMJudge, the bench's rubric, 1-10) "
        "instead of the model's own fluency: 'provider:model', or with --judge-base-url the "
        "endpoint's model name",
    )
    bench.add_argument(
        "--judge-base-url", default=None, help="an OpenAI-compatible endpoint for --judge"
    )
    bench.add_argument("--out", default="bench-results", help="folder for JSON, markdown, PNG")
    generate = _add_generate_command(commands)
    population = _add_population_command(commands)
    for command in (sample, bench, generate, population):
        _shared.add_model_arguments(command)
        command.add_argument(
            "--n-ctx",
            type=_positive,
            default=None,  # the local model's own default
            help="context size of the local model in tokens, shared by its 4 slots "
            f"(default: ${N_CTX_ENV}, else {DEFAULT_N_CTX})",
        )
        command.add_argument(
            "--debug",
            action="store_true",
            default=argparse.SUPPRESS,
            help="show the traceback when something fails",
        )
    return parser


def _add_generate_command(commands: Any) -> argparse.ArgumentParser:
    generate = commands.add_parser(
        "generate",
        help="make a synthetic dataset: every VS candidate is a record, duplicates dropped",
        description="Records go to --out as JSONL (the report to stdout), or without --out to "
        "stdout (the report to stderr).",
    )
    generate.add_argument(
        "prompts", nargs="+", type=_prompt, help="one or more prompts, asked round robin"
    )
    generate.add_argument("-n", type=_positive, required=True, help="unique records to make")
    generate.add_argument(
        "--schema",
        type=_schema,
        default=None,
        help="records as objects: module:Class (pydantic model or TypedDict) or a .json schema",
    )
    generate.add_argument("--dedup", choices=("exact", "semantic"), default="exact")
    generate.add_argument("--max-concurrency", type=_positive, default=8)
    _add_run_arguments(generate, "records")
    return generate  # type: ignore[no-any-return]


def _add_run_arguments(command: argparse.ArgumentParser, noun: str) -> None:
    """What ``generate`` and ``population`` share: method, dedup, the file, budget, seed."""
    command.add_argument(
        "--method", default=Method.VS_STANDARD.value, choices=[m.value for m in Method]
    )
    command.add_argument("-k", "--k", type=_k, default=5, help="candidates per call")
    command.add_argument(
        "--similarity-threshold",
        type=_unit_interval,
        default=0.9,
        help="semantic duplicates: cosine similarity at or above this",
    )
    command.add_argument("--out", default=None, help="JSONL file (kept, never overwritten)")
    command.add_argument("--resume", action="store_true", help=f"continue the {noun} in --out")
    command.add_argument("--max-calls", type=_positive, default=None, help="the call budget")
    command.add_argument(
        "--patience",
        type=_positive,
        default=None,
        help=f"stop after this many calls in a row added no {noun[:-1]} (default: the calls "
        "that ask for 100 candidates, at least 10)",
    )
    command.add_argument("--seed", type=int, default=None)
    command.add_argument("--temperature", type=_temperature, default=0.7, help="0 to 2")
    command.add_argument(
        "--embeddings", choices=("auto", "minilm", "hashed"), default="auto", help="for dedup"
    )
    command.add_argument("--json", action="store_true", help="print the report as JSON")


def _add_population_command(commands: Any) -> argparse.ArgumentParser:
    population = commands.add_parser(
        "population",
        help="draw a varied cast of personas for a simulation, by VS (names kept distinct)",
        description="With --out the members go to the file as JSONL (resumable; the report to "
        "stdout); without it each persona is a JSON line on stdout (name, description, profile) "
        "and the report goes to stderr.",
    )
    population.add_argument(
        "description", type=_description, help="who the population is, in words"
    )
    population.add_argument(
        "-n", type=_population_size, required=True, help="members to draw (1 to 1000)"
    )
    population.add_argument(
        "--schema",
        type=_population_schema,
        default=None,
        help="profiles of your own: module:Class, a pydantic model with a name (e.g. a "
        "subclass of langchain_vs.PersonaProfile)",
    )
    population.add_argument("--dedup", choices=("exact", "semantic"), default="semantic")
    population.add_argument("--max-concurrency", type=_positive, default=4)
    _add_run_arguments(population, "members")
    return population  # type: ignore[no-any-return]


def _render(record: dict[str, Any], prompt: str) -> None:
    from rich.console import Console
    from rich.table import Table

    from langchain_vs.core import VerbalizedDistribution

    distribution = VerbalizedDistribution.from_dict(record)
    chosen = record["chosen_index"]
    table = Table(
        title=f"{record['method']} · k={record['k']} · {prompt}",
        title_justify="left",
        show_lines=True,
    )
    table.add_column("#", justify="right")
    table.add_column("probability")
    table.add_column("raw", justify="right", style="dim")
    table.add_column("response", overflow="fold")
    for candidate in distribution:
        filled = round(candidate.probability * _BAR_WIDTH)
        bar = "█" * filled + "·" * (_BAR_WIDTH - filled)
        mark = "▶ " if candidate.index == chosen else ""
        style = "bold green" if candidate.index == chosen else None
        table.add_row(
            f"{mark}{candidate.index}",
            f"{bar} {candidate.probability:5.1%}",
            str(candidate.raw_probability),
            candidate.text,
            style=style,
        )
    console = Console()
    console.print(table)
    repairs = sorted({r for c in distribution for r in c.repairs} | set(distribution.repairs))
    console.print(
        f"picked #{chosen} by {record['selection']}"
        + (f" (seed {record['seed']})" if record["seed"] is not None else "")
        + f" · {record['model_calls']} model call(s)"
        + f" · structured output: {'yes' if record['structured'] else 'no'}",
        style="dim",
    )
    if record.get("constrained_weights"):  # the raw values are in range by construction
        console.print("weights: constrained to their range by the server's grammar", style="dim")
    if repairs:  # a line of its own: it names the rules that fired (langchain_vs/core/_weights.py)
        console.print(f"repairs: {', '.join(repairs)}", style="dim")


def _sample(args: argparse.Namespace) -> int:
    from langchain_vs.runnables import VerbalizedSampler

    status = None
    if not args.json:
        from rich.console import Console

        status = Console(stderr=True).status("Starting the model…")
        status.start()
    try:
        model = _shared.chat_model(args)
        if status is not None:
            status.update(f"Asking for {args.k} candidates…")
        sampler = VerbalizedSampler(
            model=model,
            method=Method(args.method),
            k=args.k,
            tail_threshold=args.tail_threshold,
            min_probability=args.min_probability,
            selection=args.selection,
            seed=args.seed,
        )
        message = sampler.invoke(args.prompt)
    finally:
        if status is not None:
            status.stop()
    record = message.response_metadata[METADATA_KEY]
    if args.json:
        print(
            json.dumps(
                {
                    "prompt": args.prompt,
                    "text": message.content,
                    "usage": message.usage_metadata,
                    **record,
                },
                ensure_ascii=False,
            )
        )
    else:
        _render(record, args.prompt)
    return 0


def _bench(args: argparse.Namespace) -> int:
    from rich.console import Console
    from rich.progress import Progress

    from langchain_vs.apps import JUDGE_RUBRIC, markdown_table, run_benchmark, steps, write_report
    from langchain_vs.local import resolve_chat_model
    from langchain_vs.quality import LLMJudge

    if args.judge_base_url is not None and args.judge is None:
        raise ValueError("--judge-base-url needs --judge MODEL: the model that endpoint serves")
    console = Console(stderr=True)
    embeddings = _shared.embeddings_for(args.embeddings)
    with console.status("Starting the model…"):
        model = _shared.chat_model(args)
        embeddings.embed_query("warm-up")  # fails fast on a missing extra, before any model call
        judge: LLMJudge | Literal["auto"] = (
            "auto"
            if args.judge is None
            else LLMJudge(
                resolve_chat_model(args.judge, base_url=args.judge_base_url, temperature=0.0),
                rubric=JUDGE_RUBRIC,
                name=f"llm_judge({args.judge})",
            )
        )
    token_baselines = not args.no_token_baselines
    with Progress(console=console) as progress:
        bar = progress.add_task(
            "benchmark", total=steps(args.tasks, args.methods, token_baselines, model)
        )
        report = run_benchmark(
            model,
            tasks=args.tasks,
            methods=args.methods,
            samples=args.samples,
            k=args.k,
            token_baselines=token_baselines,
            seed=args.seed,
            embeddings=embeddings,
            on_step=lambda label: progress.update(bar, advance=1, description=label),
            quality_scorer=judge,
        )
    written = write_report(report, args.out)
    print(markdown_table(report))
    console.print("wrote " + ", ".join(str(p) for p in written), style="dim")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command; returns the exit code (errors: one line on stderr, code 1)."""
    args = build_parser().parse_args(argv)
    try:
        if args.command == "generate":
            from langchain_vs.cli._generate import run_generate

            return run_generate(args)
        if args.command == "population":
            from langchain_vs.cli._population import run_population

            return run_population(args)
        return _bench(args) if args.command == "bench" else _sample(args)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except Exception as error:
        if args.debug:
            raise
        print(f"langchain-vs: error: {_one_line(error, args)}", file=sys.stderr)
        return 1


def _one_line(error: BaseException, args: argparse.Namespace) -> str:
    """The error, its notes (which name the endpoint) and what to do, on one line."""
    text = " ".join([str(error), *getattr(error, "__notes__", ())])
    if any(phrase in text.lower() for phrase in _CONTEXT_ERRORS) and _shared.is_local(args):
        text += (
            f" -- the prompt and reply do not fit the local model's context: raise it with "
            f"--n-ctx (now {context_size(args.n_ctx)}; each of the server's 4 slots gets a "
            f"quarter) or ${N_CTX_ENV}"
        )
    return " ".join(text.split()[:120]) or type(error).__name__


if __name__ == "__main__":
    sys.exit(main())
