"""A generated population as a deployed run's cast: inline, or a file in the operator's folder.

A run's ``configurable`` may set ``population``: a list of profiles (what
[`generate_population()`][langchain_vs.graph.generate_population] makes, as plain JSON), or the name
of a
population file (``langchain-vs population --out``) inside the folder the operator names in
``$LANGCHAIN_VS_POPULATION_DIR``. Both come from whoever can reach the server, so both are
checked against an allow-list before anything is read or sent: at most the run's persona cap
of profiles, each a flat object of at most
[`MAX_PROFILE_FIELDS`][langchain_vs.serve.MAX_PROFILE_FIELDS] fields named like
identifiers, each value a number, a boolean or a string of at most
[`MAX_PROFILE_CHARS`][langchain_vs.serve.MAX_PROFILE_CHARS]
characters, and a ``name``; a file name is a relative path of plain names ending in
``.jsonl``, resolved inside the folder (no ``..``, no hidden files, no symlink out of it), a
regular file of at most [`MAX_POPULATION_FILE_BYTES`][langchain_vs.serve.MAX_POPULATION_FILE_BYTES].
Only the profiles' descriptions
reach the model (a profile cannot set a persona's options or model settings).

Examples:
    >>> [p.name for p in population_personas([{"name": "Ann", "role": "baker"}], 20)]
    ['Ann']
    >>> population_personas("../etc/passwd.jsonl", 20, environ={})
    Traceback (most recent call last):
    ...
    ValueError: population: '../etc/passwd.jsonl' is not a population file name: ...
"""

from __future__ import annotations

import json
import os
import re
import stat
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from langchain_vs.core import text_key
from langchain_vs.graph import Persona, persona_from_profile

__all__ = [
    "MAX_POPULATION_FILE_BYTES",
    "MAX_PROFILE_CHARS",
    "MAX_PROFILE_FIELDS",
    "POPULATION_DIR_ENV",
    "population_personas",
]

POPULATION_DIR_ENV = "LANGCHAIN_VS_POPULATION_DIR"
"""The folder a run's ``population`` file names are read from (unset: runs may not name files)."""
MAX_PROFILE_FIELDS = 16
"""The most fields a profile from a run may have."""
MAX_PROFILE_CHARS = 2000
"""The longest string a profile's field from a run may hold."""
MAX_POPULATION_FILE_BYTES = 1 << 20
"""The biggest population file a run may name (1 MiB: a thousand generous profiles)."""

_FIELD = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,39}")
_PART = r"[A-Za-z0-9_][A-Za-z0-9_.-]{0,99}"  # no "." or "..", no hidden file
_FILE_NAME = re.compile(rf"{_PART}(/{_PART}){{0,7}}\.jsonl")
_FILE_FORMS = (
    "give a relative path of plain names (letters, digits, '_', '-', '.'; not starting with "
    "'.') ending in .jsonl, e.g. 'town.jsonl' or 'debates/town.jsonl'"
)


def population_personas(
    population: Any, max_personas: int, *, environ: Mapping[str, str] | None = None
) -> list[Persona]:
    """A run's ``population`` as personas, each checked before it is used.

    Args:
        population: A list of profiles, or the name of a population file in the operator's
            folder (``$LANGCHAIN_VS_POPULATION_DIR``).
        max_personas: The deployment's cap on personas.
        environ: The environment to read the folder from (``os.environ`` by default).

    Raises:
        ValueError: Over the cap, a profile or file name outside the allow-list, a file that
            cannot be read or holds no population, a repeated name, or the operator's folder
            unset or missing (the message says which, and what to do).
    """
    if isinstance(population, str):
        profiles = _read_file(population, max_personas, os.environ if environ is None else environ)
    elif isinstance(population, list):
        _at_most(len(population), max_personas)
        profiles = [(f"population[{i}]", profile) for i, profile in enumerate(population)]
    else:
        raise ValueError(
            "population must be a list of profiles (objects with a 'name') or the name of a "
            f"population file, got {type(population).__name__}"
        )
    if not profiles:
        raise ValueError("population is empty: give at least one profile")
    personas: list[Persona] = []
    seen: dict[str, str] = {}
    for where, profile in profiles:
        try:
            persona = persona_from_profile(_checked_profile(profile))
        except ValueError as error:
            raise ValueError(f"{where}: {error}") from None
        if (key := text_key(persona.name)) in seen:
            raise ValueError(
                f"{where} repeats the name {persona.name!r} of {seen[key]}: names must be unique"
            )
        seen[key] = where
        personas.append(persona)
    return personas


def _at_most(count: int, max_personas: int) -> None:
    if count > max_personas:
        raise ValueError(
            f"population: {count} profiles is over this deployment's cap of {max_personas} "
            "personas (the operator raises it with LANGCHAIN_VS_MAX_PERSONAS)"
        )


def _checked_profile(profile: Any) -> dict[str, Any]:
    """A flat profile of identifier-named fields with short values, or a ``ValueError``."""
    if not isinstance(profile, dict):
        raise ValueError(f"a profile must be an object, got {type(profile).__name__}")
    if len(profile) > MAX_PROFILE_FIELDS:
        raise ValueError(f"{len(profile)} fields; a profile has at most {MAX_PROFILE_FIELDS}")
    for field, value in profile.items():
        if not isinstance(field, str) or not _FIELD.fullmatch(field):
            raise ValueError(
                f"field {str(field)[:50]!r} is not a field name (letters, digits and "
                "'_', at most 40, not starting with a digit)"
            )
        if isinstance(value, str):
            if len(value) > MAX_PROFILE_CHARS:
                raise ValueError(
                    f"field {field!r} is {len(value)} characters long; at most {MAX_PROFILE_CHARS}"
                )
        elif value is not None and not isinstance(value, int | float | bool):
            raise ValueError(
                f"field {field!r} must be a string, a number or a boolean, got "
                f"{type(value).__name__}"
            )
    if not isinstance(profile.get("name"), str):
        raise ValueError("a profile needs a 'name' string")
    return profile


def _population_dir(environ: Mapping[str, str]) -> Path:
    raw = (environ.get(POPULATION_DIR_ENV) or "").strip()
    if not raw:
        raise ValueError(
            "population: this deployment reads no population files (the operator names a "
            f"folder for them with {POPULATION_DIR_ENV}); give the profiles inline instead"
        )
    folder = Path(raw)
    if not folder.is_absolute() or not folder.is_dir():
        raise ValueError(f"{POPULATION_DIR_ENV}={raw!r} must be the absolute path of a folder")
    return folder.resolve()


def _read_file(name: str, max_personas: int, environ: Mapping[str, str]) -> list[tuple[str, Any]]:
    """The profiles of a population file in the operator's folder, each with its line."""
    if not _FILE_NAME.fullmatch(name):
        raise ValueError(f"population: {name[:100]!r} is not a population file name: {_FILE_FORMS}")
    folder = _population_dir(environ)
    shown = f"population file {name!r}"  # the operator's folder is not shown to the run
    try:
        path = (folder / name).resolve()  # follows symlinks: one out of the folder is caught
    except (OSError, RuntimeError):  # a symlink loop
        raise ValueError(f"{shown} does not exist or cannot be read") from None
    if not path.is_relative_to(folder):
        raise ValueError(f"{shown} is outside the population folder")
    try:
        # No symlink swapped in since; no FIFO or device to block on or read forever.
        descriptor = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError:
        raise ValueError(f"{shown} does not exist or cannot be read") from None
    if not stat.S_ISREG(os.fstat(descriptor).st_mode):
        os.close(descriptor)
        raise ValueError(f"{shown} is not a regular file")
    with os.fdopen(descriptor, "rb") as file:
        data = file.read(MAX_POPULATION_FILE_BYTES + 1)
    if len(data) > MAX_POPULATION_FILE_BYTES:
        raise ValueError(f"{shown} is over {MAX_POPULATION_FILE_BYTES} bytes")
    lines = data.splitlines()
    _at_most(len(lines), max_personas)
    profiles = []
    for number, line in enumerate(lines, 1):
        try:
            record = json.loads(line)
        except ValueError:
            raise ValueError(f"{shown}: line {number} is not JSON") from None
        if not isinstance(record, dict) or "value" not in record:
            raise ValueError(
                f"{shown}: line {number} is not a population record (an object with 'value', "
                "as generate_population writes them)"
            )
        profiles.append((f"{shown}: line {number}", record["value"]))
    return profiles
