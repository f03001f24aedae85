"""Persona populations drawn by Verbalized Sampling: a varied cast for a simulation.

A simulation is only as varied as its cast.
[`generate_population()`][langchain_vs.graph.generate_population] asks the model, by VS,
for members of a population described in words, each a
[`PersonaProfile`][langchain_vs.graph.PersonaProfile] (or the user's
own pydantic schema with a ``name``), through
[`generate_dataset()`][langchain_vs.apps.generate_dataset]: every
candidate is a member, duplicates are dropped (semantic by default, and never two members with
one name), a seed makes it repeatable and ``out=`` keeps the members in a resumable JSONL file.
Each member becomes a [`Persona`][langchain_vs.graph.Persona] whose description is built from the
profile's fields ([`persona_from_profile()`][langchain_vs.graph.persona_from_profile]), so the
result goes straight into
[`create_persona_simulation()`][langchain_vs.graph.create_persona_simulation].

Examples:
    >>> persona = persona_from_profile(PersonaProfile(
    ...     name="Ada Moss", role="driver", background="Drove buses.", stance="For it",
    ...     speaking_style="blunt"))
    >>> persona.description
    'Role: driver. Background: Drove buses. Stance: For it. Speaking style: blunt.'
    >>> persona.profile["role"]
    'driver'
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, overload

from langchain_core.embeddings import Embeddings
from langchain_core.language_models import BaseChatModel
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from langchain_vs.apps import (
    DatasetProgress,
    DatasetReport,
    agenerate_dataset,
    generate_dataset,
    read_dataset,
)
from langchain_vs.core import Method, text_key
from langchain_vs.graph._node import Persona, usable_persona_name

if TYPE_CHECKING:
    from langchain_vs.apps import DatasetResult

__all__ = [
    "MAX_POPULATION",
    "POPULATION_PROMPT",
    "Population",
    "PersonaProfile",
    "agenerate_population",
    "generate_population",
    "persona_from_profile",
    "profile_schema",
    "read_population",
]

MAX_POPULATION = 1000
"""The most members [`generate_population()`][langchain_vs.graph.generate_population] makes in one
population (a simulation of 1,000
personas compiles in about a second; bigger casts are rarely what a debate needs)."""
POPULATION_PROMPT = (
    "Invent one member of this population: {description}\n"
    "Give the person a full name of their own, their role in the population, a short "
    "background, their stance on the matter at hand, and how they speak."
)
"""The request behind every call (``{description}`` is the population's description)."""


class PersonaProfile(BaseModel):
    """One member of a population: who they are and how they speak.

    Extend it with fields of your own (a subclass) and pass that as ``schema=``; every field
    goes into the persona's description.
    """

    model_config = ConfigDict(extra="forbid")

    # The name's bounds are the Persona's: a grammar-constrained server cannot write a longer one.
    name: str = Field(min_length=1, max_length=64, description="Full name.")
    role: str = Field(min_length=1, description="Their role in the population, e.g. a job.")
    background: str = Field(min_length=1, description="A short background.")
    stance: str = Field(min_length=1, description="Their stance on the matter at hand.")
    speaking_style: str = Field(min_length=1, description="How they speak.")

    @field_validator("name")
    @classmethod
    def _usable_name(cls, name: str) -> str:
        # Checked as each member is drawn: a member the persona would refuse is dropped then.
        return usable_persona_name(name)


def _label(field: str) -> str:
    return field.replace("_", " ").strip().capitalize()


def _sentence(text: str) -> str:
    text = " ".join(text.split())
    return text if text.endswith((".", "!", "?")) else f"{text}."


def persona_from_profile(profile: BaseModel | Mapping[str, Any], **options: Any) -> Persona:
    """The [`Persona`][langchain_vs.graph.Persona] of a profile, keeping the profile.

    The description is every field but ``name``, in order, as ``"Label: value."``; the profile
    itself is kept as plain JSON in [`Persona.profile`][langchain_vs.graph.Persona.profile].

    Args:
        profile: A [`PersonaProfile`][langchain_vs.graph.PersonaProfile] (or another pydantic model
            with a ``name``), or its
            dict.
        **options: Any other [`Persona`][langchain_vs.graph.Persona] field (``k``, ``method``,
            ``model_settings``…).

    Raises:
        TypeError: ``profile`` is neither a pydantic model nor a mapping.
        ValueError: It has no usable name, nothing but a name, or an option is bad.
    """
    if isinstance(profile, BaseModel):
        data = profile.model_dump(mode="json")
    elif isinstance(profile, Mapping):
        data = dict(profile)
    else:
        raise TypeError(
            f"profile must be a PersonaProfile (or another pydantic model) or its dict, got "
            f"{type(profile).__name__}"
        )
    name = data.get("name")
    if not isinstance(name, str):
        raise ValueError(f"a profile needs a 'name' string, got {name!r} in {data!r}"[:300])
    parts = []
    for field, value in data.items():
        shown = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
        if field != "name" and value is not None and shown.strip():
            parts.append(f"{_label(field)}: {_sentence(shown)}")
    if not parts:
        raise ValueError(f"profile {name!r} has nothing but a name: give it who the person is")
    try:
        return Persona(name=name, description=" ".join(parts), profile=data, **options)
    except ValidationError as error:
        problems = "; ".join(
            f"{'.'.join(map(str, e['loc'])) or 'persona'}: {e['msg']}" for e in error.errors()[:3]
        )
        raise ValueError(f"profile {name!r} makes no valid persona: {problems}") from None


@dataclass(frozen=True)
class Population(Sequence[Persona]):
    """A generated cast: a sequence of [`Persona`][langchain_vs.graph.Persona] objects.

    Pass it straight to
    [`create_persona_simulation()`][langchain_vs.graph.create_persona_simulation]. Fewer than ``n``
    members when the run stopped first (``report.stopped`` says why: the call budget, or a
    model that only repeated itself); with ``out`` the members are in the file, ready to
    resume.

    Attributes:
        personas: The members as personas, in the order they were drawn.
        profiles: Their profiles, as instances of the schema.
        report: What the run produced and cost (duplicates dropped, diversity, calls…).
        path: The JSONL file the members are in, or ``None``.
    """

    personas: tuple[Persona, ...]
    profiles: tuple[BaseModel, ...]
    report: DatasetReport
    path: Path | None

    @overload
    def __getitem__(self, index: int) -> Persona: ...
    @overload
    def __getitem__(self, index: slice) -> Sequence[Persona]: ...
    def __getitem__(self, index: int | slice) -> Persona | Sequence[Persona]:
        return self.personas[index]

    def __len__(self) -> int:
        return len(self.personas)

    def __iter__(self) -> Iterator[Persona]:
        return iter(self.personas)


def profile_schema(schema: Any) -> type[BaseModel]:
    """``schema``, checked to be one a population takes: a pydantic model with a ``name`` string.

    Raises:
        TypeError: It is not a pydantic model class.
        ValueError: It has no ``name`` field of type ``str``.
    """
    if not (isinstance(schema, type) and issubclass(schema, BaseModel)):
        raise TypeError(
            "schema must be a pydantic model class with a 'name' field, e.g. PersonaProfile or "
            f"a subclass of it; got {schema!r}"
        )
    field = schema.model_fields.get("name")
    if field is None or field.annotation is not str:
        raise ValueError(
            f"schema {schema.__name__} has no 'name' field of type str: every member needs a "
            "name (it names the persona); subclass PersonaProfile, or add `name: str`"
        )
    return schema


def _personas(
    values: Sequence[tuple[str, Any]], schema: type[BaseModel]
) -> tuple[tuple[Persona, ...], tuple[BaseModel, ...]]:
    """``(where, value)`` records as personas and profiles; a repeated name is an error."""
    personas: list[Persona] = []
    profiles: list[BaseModel] = []
    seen: dict[str, str] = {}  # a name's key -> where it first appeared
    for where, value in values:
        try:
            profile = schema.model_validate(value)
            persona = persona_from_profile(profile)
        except (ValidationError, ValueError) as error:
            raise ValueError(f"{where} is not a usable {schema.__name__}: {error}") from None
        key = text_key(persona.name)
        if key in seen:
            raise ValueError(
                f"{where} repeats the name {persona.name!r} of {seen[key]}: persona names must "
                "be unique; rename or delete one"
            )
        seen[key] = where
        personas.append(persona)
        profiles.append(profile)
    return tuple(personas), tuple(profiles)


def read_population(path: str | Path, *, schema: type[BaseModel] = PersonaProfile) -> list[Persona]:
    """The personas of a population file written by `generate_population()`.

    Args:
        path: The JSONL file (``out=`` of
            [`generate_population()`][langchain_vs.graph.generate_population], or the CLI's
            ``langchain-vs population --out``).
        schema: The profile schema the file was made with.

    Raises:
        TypeError: ``schema`` is not a pydantic model class.
        ValueError: ``schema`` has no ``name``; a line is not JSON, not a record, not a
            profile of ``schema``, or repeats a name (the message names the line).
    """
    return list(_personas(_file_values(path), profile_schema(schema))[0])


def _file_values(path: str | Path) -> list[tuple[str, Any]]:
    """Each record's line and value (a non-record line fails as a profile, naming its line)."""
    return [
        (f"{path}: line {number}", record.get("value") if isinstance(record, dict) else record)
        for number, record in enumerate(read_dataset(path), 1)
    ]


def generate_population(
    description: str,
    n: int,
    *,
    model: BaseChatModel | str = "local",
    schema: type[BaseModel] = PersonaProfile,
    method: Method | str = Method.VS_STANDARD,
    k: int = 5,
    dedup: Literal["exact", "semantic"] = "semantic",
    similarity_threshold: float = 0.9,
    embeddings: Embeddings | None = None,
    out: str | Path | None = None,
    resume: bool = False,
    seed: int | None = None,
    max_calls: int | None = None,
    patience: int | None = None,
    max_concurrency: int = 4,
    on_progress: Callable[[DatasetProgress], None] | None = None,
    **options: Any,
) -> Population:
    """Draw ``n`` varied members of a population by VS, as personas for a simulation.

    Each call asks for ``k`` members ([`POPULATION_PROMPT`][langchain_vs.graph.POPULATION_PROMPT])
    and every valid one is kept
    unless it repeats a member: the same profile, a near copy (``dedup="semantic"``, cosine
    similarity of the profiles' JSON at ``similarity_threshold`` or more) or the same name
    (ignoring case and spaces), always. It runs on
    [`generate_dataset()`][langchain_vs.apps.generate_dataset]: the same file, resume, budget and
    report.

    Args:
        description: Who the population is, e.g. ``"residents of a mid-sized town debating a
            new bus line"``.
        n: How many members (1 to [`MAX_POPULATION`][langchain_vs.graph.MAX_POPULATION]).
        model: Any chat model, or its name (``"local"``, ``"openai:gpt-4.1-mini"``).
        schema: [`PersonaProfile`][langchain_vs.graph.PersonaProfile], or your own pydantic model
            with a ``name`` string (a
            subclass of it adds fields).
        method: The sampling method (``"direct"``: one member per call, the baseline).
        k: Members asked for per call.
        dedup: ``"semantic"`` or ``"exact"``.
        similarity_threshold: The near-copy threshold, in (0, 1].
        embeddings: For semantic dedup and the report's diversity (default: the offline MiniLM).
        out: A JSONL file for the members (one a line, as
            [`generate_dataset()`][langchain_vs.apps.generate_dataset] writes
            them); read it again with [`read_population()`][langchain_vs.graph.read_population].
        resume: Continue the members in ``out``.
        seed: Seeds the picks and each call's model seed: the same seed, the same population
            (given a deterministic model).
        max_calls: The call budget (default: 4 times the calls ``n`` needs).
        patience: Stop after this many calls in a row added no member.
        max_concurrency: Calls in flight at once.
        on_progress: Called after every call with a
            [`DatasetProgress`][langchain_vs.apps.DatasetProgress].
        **options: Any other [`VerbalizedSampler`][langchain_vs.runnables.VerbalizedSampler] option
            (``tail_threshold``…).

    Returns:
        A [`Population`][langchain_vs.graph.Population]: the personas (with their profiles) and the
        run's report.

    Raises:
        TypeError: An argument of the wrong type (``schema`` not a pydantic model class).
        ValueError: An empty description, ``n`` out of range, a schema without a ``name``, a
            bad option or a damaged ``out`` file (a repeated name in it, too), before any model
            call.
    """
    prompt, arguments = _prepare(
        description, n, schema=schema, method=method, k=k, dedup=dedup,
        similarity_threshold=similarity_threshold, embeddings=embeddings, out=out,
        resume=resume, seed=seed, max_calls=max_calls, patience=patience,
        max_concurrency=max_concurrency, on_progress=on_progress, **options,
    )  # fmt: skip
    return _population(generate_dataset(model, prompt, **arguments), arguments["schema"])


async def agenerate_population(
    description: str,
    n: int,
    *,
    model: BaseChatModel | str = "local",
    schema: type[BaseModel] = PersonaProfile,
    method: Method | str = Method.VS_STANDARD,
    k: int = 5,
    dedup: Literal["exact", "semantic"] = "semantic",
    similarity_threshold: float = 0.9,
    embeddings: Embeddings | None = None,
    out: str | Path | None = None,
    resume: bool = False,
    seed: int | None = None,
    max_calls: int | None = None,
    patience: int | None = None,
    max_concurrency: int = 4,
    on_progress: Callable[[DatasetProgress], None] | None = None,
    **options: Any,
) -> Population:
    """The asynchronous twin of `generate_population()`, on ``agenerate_dataset``.

    Each call is a task; cancelled, the run cancels the calls in flight (the members so far
    are in ``out``, ready to resume).
    """
    prompt, arguments = _prepare(
        description, n, schema=schema, method=method, k=k, dedup=dedup,
        similarity_threshold=similarity_threshold, embeddings=embeddings, out=out,
        resume=resume, seed=seed, max_calls=max_calls, patience=patience,
        max_concurrency=max_concurrency, on_progress=on_progress, **options,
    )  # fmt: skip
    result = await agenerate_dataset(model, prompt, **arguments)
    return _population(result, arguments["schema"])


def _prepare(
    description: Any, n: Any, *, schema: Any, out: Any, resume: Any, **arguments: Any
) -> tuple[str, dict[str, Any]]:
    """The population's checks, before any call; the prompt and generate_dataset's arguments.

    Everything else is checked by [`generate_dataset()`][langchain_vs.apps.generate_dataset].
    """
    if not isinstance(description, str):
        raise TypeError(f"description must be a string, got {type(description).__name__}")
    if not description.strip():
        raise ValueError(
            "description is empty: say who the population is, e.g. 'residents of a "
            "mid-sized town debating a new bus line'"
        )
    if isinstance(n, bool) or not isinstance(n, int):
        raise TypeError(f"n must be a whole number from 1 to {MAX_POPULATION}, got {n!r}")
    if not 1 <= n <= MAX_POPULATION:
        raise ValueError(
            f"n must be from 1 to {MAX_POPULATION} (MAX_POPULATION), got {n}; for a bigger "
            "population, generate it in parts with several descriptions"
        )
    schema = profile_schema(schema)
    if resume is True and isinstance(out, str | Path) and Path(out).is_file():
        _personas(_file_values(out), schema)  # a repeated name in it: refused before any call
    prompt = POPULATION_PROMPT.format(description=" ".join(description.split()))
    return prompt, {
        **arguments,
        "n": n,
        "schema": schema,
        "out": out,
        "resume": resume,
        "distinct_fields": ("name",),
    }


def _population(result: DatasetResult, schema: type[BaseModel]) -> Population:
    """The run's members as personas (from its file, if it has one)."""
    if result.path is None:
        records = [(f"member {i}", r["value"]) for i, r in enumerate(result.records or ())]
    else:
        records = _file_values(result.path)
    personas, profiles = _personas(records, schema)
    return Population(personas, profiles, result.report, result.path)
