r"""``langchain-vs population``: a cast of personas drawn by VS, written as JSONL.

Examples:
    .. code-block:: console

        $ langchain-vs population "residents of a mid-sized town debating a new bus line" \
              -n 8 --out town.jsonl --seed 1
"""

from __future__ import annotations

import argparse
import json
from typing import Any

from langchain_vs.cli._generate import load_schema, print_report, run_with_progress
from langchain_vs.graph import (
    MAX_POPULATION,
    PersonaProfile,
    generate_population,
    profile_schema,
)

__all__ = ["population_schema", "population_size", "run_population"]


def population_size(text: str) -> int:
    """``-n``: a whole number from 1 to [`MAX_POPULATION`][langchain_vs.graph.MAX_POPULATION]."""
    value = int(text)
    if not 1 <= value <= MAX_POPULATION:
        raise argparse.ArgumentTypeError(f"must be from 1 to {MAX_POPULATION}, got {value}")
    return value


def population_schema(spec: str) -> Any:
    """``--schema module:Class``: a pydantic model with a ``name``, checked as args are read."""
    try:
        return profile_schema(load_schema(spec))
    except (TypeError, ValueError) as error:
        raise argparse.ArgumentTypeError(f"{spec}: {error}") from error


def run_population(args: argparse.Namespace) -> int:
    """Run ``langchain-vs population``; returns the exit code.

    With ``--out`` the members go to the file (records as ``generate`` writes them, resumable)
    and the report to stdout; without it each persona is a JSON line on stdout (``name``,
    ``description``, ``profile``: what ``create_persona_simulation`` and a deployed run's
    ``personas`` take) and the report goes to stderr.
    """
    population = run_with_progress(
        args,
        "members",
        lambda model, options: generate_population(
            args.description,
            args.n,
            model=model,
            schema=args.schema or PersonaProfile,
            **options,
        ),
    )
    if population is None:
        return 130
    if not args.out:
        for persona in population:
            print(json.dumps(persona.model_dump(mode="json", exclude_defaults=True)))
    print_report(args, population.report)
    return 0
