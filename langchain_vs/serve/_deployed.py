"""The persona simulation as a graph LangGraph Server deploys, configured per run.

It serves through ``langgraph dev`` (in memory, for development) and the self-hosted LangGraph
Server containers (PostgreSQL and Redis, for production).

``deploy/langgraph.json`` points the server at
[`make_persona_simulation()`][langchain_vs.serve.make_persona_simulation], a graph factory:
the server calls it with each run's config and compiles the graph it returns with its own
checkpointer (in memory for ``langgraph dev``, PostgreSQL in the containers). A run's
``configurable`` may set the personas (or a generated ``population``: see
`langchain_vs.serve._populations`), turn limit, opening, k, method, seed, selection and turn
order, and the model's settings ([`SimulationSettings`][langchain_vs.serve.SimulationSettings]);
anything not set takes the
debate in docs/personas.md. The model comes from the environment
([`deployed_chat_model()`][langchain_vs.serve.deployed_chat_model]),
and so do the operator's limits on runs ([`RunLimits`][langchain_vs.serve.RunLimits]): which model
settings a run may send (sampling settings by default), and caps on personas, turns, ``k`` and
tokens.

Examples:
    >>> settings = SimulationSettings.from_config({"configurable": {"k": 3, "thread_id": "t"}})
    >>> settings.k, settings.max_turns, [p.name for p in settings.personas]
    (3, 6, ['Maya', 'Tom', 'Ines'])
    >>> SimulationSettings.from_config({"configurable": {"max_turn": 4}})
    Traceback (most recent call last):
    ...
    ValueError: unknown simulation setting 'max_turn' (did you mean 'max_turns'?); ...
"""

from __future__ import annotations

import asyncio
import os
from typing import Annotated, Any, Literal

from langchain_core.language_models import BaseChatModel
from langchain_core.runnables import RunnableConfig
from langgraph.graph.state import CompiledStateGraph
from pydantic import BaseModel, ConfigDict, Field, JsonValue, ValidationError, model_validator

from langchain_vs.core import (
    CandidateCount,
    Method,
    SelectionStrategy,
    VerbalizedConfig,
    did_you_mean,
    setting_names,
)
from langchain_vs.graph import Persona, create_persona_simulation
from langchain_vs.serve._limits import (
    MAX_K_ENV,
    MAX_PERSONAS_ENV,
    MAX_TURNS_ENV,
    RunLimits,
)
from langchain_vs.serve._populations import population_personas

__all__ = [
    "BASE_URL_ENV",
    "MODEL_NAME_ENV",
    "SimulationSettings",
    "deployed_chat_model",
    "make_persona_simulation",
    "run_limits",
]

BASE_URL_ENV = "LANGCHAIN_VS_BASE_URL"
"""An OpenAI-compatible endpoint (vLLM, a llama.cpp fleet, …) to serve the simulation's model."""
MODEL_NAME_ENV = "LANGCHAIN_VS_MODEL_NAME"
"""The model name to ask that endpoint for."""
_CLOSE_ENOUGH = 0.75  # a key this close to a setting's name is a typo, not a server key

DEFAULT_PERSONAS = (
    Persona(name="Maya", description="A city planner who wants car-free downtowns."),
    Persona(name="Tom", description="A delivery-van driver worried about his job."),
    Persona(name="Ines", description="A shop owner on the main street, undecided.", k=3),
)
DEFAULT_OPENING = "Should our city ban private cars from downtown?"


class SimulationSettings(BaseModel):
    """What a run's ``configurable`` may set; the rest of ``configurable`` is the server's."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    personas: Annotated[list[Persona], Field(min_length=1)] = list(DEFAULT_PERSONAS)
    """Each a [`Persona`][langchain_vs.graph.Persona] or its dict (``name``, ``description``…)."""
    population: JsonValue = None  # its shape is checked by population_personas
    """Instead of ``personas``: a generated population's profiles, or the name of a population
    file in the operator's folder (checked by
    `population_personas()`)."""
    max_turns: Annotated[int, Field(strict=True, ge=1)] = 6
    """At most ``$LANGCHAIN_VS_MAX_TURNS`` in a deployment (see
    [`RunLimits`][langchain_vs.serve.RunLimits])."""
    opening: str | None = DEFAULT_OPENING
    k: CandidateCount = VerbalizedConfig.model_fields["k"].default  # the one default k
    method: Method = Method.VS_STANDARD
    seed: Annotated[int, Field(strict=True)] | None = None
    selection: SelectionStrategy = "sample"
    turn_order: Literal["round_robin", "parallel_drafts"] = "round_robin"
    model_settings: dict[str, JsonValue] = {}
    """Every persona's model settings, e.g. ``{"temperature": 1.0, "max_tokens": 512}`` (a
    persona's own ``model_settings`` win); a deployment allows the ones its operator lists."""

    @model_validator(mode="after")
    def _no_scorer_needed(self) -> SimulationSettings:
        # A scorer is a Python object, which run settings (plain JSON) cannot carry.
        chosen = [self.selection, *(p.selection for p in self.personas)]
        if "best" in chosen:
            raise ValueError(
                'selection "best" needs a scorer, which run settings cannot carry: use "mbr" '
                "(the consensus pick), or deploy a graph of your own built with "
                "create_persona_simulation(..., scorer=...)"
            )
        return self

    @classmethod
    def from_config(cls, config: RunnableConfig | None) -> SimulationSettings:
        """Read the settings from ``config["configurable"]``.

        Keys that are not settings belong to the server (``thread_id``, ``run_id``…) and are
        left alone, unless one is close to a setting's name: that is a typo, and an error.

        Raises:
            ValueError: A typo or a bad value, naming the setting and what it takes.
        """
        configurable = dict((config or {}).get("configurable") or {})
        names = list(cls.model_fields)
        for key in configurable:
            if key in names or key.startswith("__"):
                continue
            if hint := did_you_mean(key, names, cutoff=_CLOSE_ENOUGH):
                raise ValueError(
                    f"unknown simulation setting {key!r}{hint}; "
                    f"the settings are: {', '.join(names)}"
                )
        given = {key: configurable[key] for key in names if key in configurable}
        if "personas" in given and "population" in given:
            raise ValueError(
                "a run sets personas or population, not both: population makes the personas"
            )
        try:
            return cls(**given)
        except ValidationError as error:
            problems = "; ".join(
                f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in error.errors()[:3]
            )
            raise ValueError(f"bad simulation settings: {problems}") from None


def deployed_chat_model() -> BaseChatModel:
    """The model the deployed simulation uses, from the environment.

    ``$LANGCHAIN_VS_BASE_URL`` and ``$LANGCHAIN_VS_MODEL_NAME``: any OpenAI-compatible endpoint
    (its key from ``$OPENAI_API_KEY``, if it needs one); else OpenAI with ``$OPENAI_API_KEY``;
    else the embedded local model (see
    [`default_chat_model()`][langchain_vs.local.default_chat_model]).

    Raises:
        ValueError: Only one of the two endpoint variables is set.
    """
    base_url, name = os.environ.get(BASE_URL_ENV), os.environ.get(MODEL_NAME_ENV)
    if bool(base_url) != bool(name):
        raise ValueError(
            f"set both {BASE_URL_ENV} and {MODEL_NAME_ENV} to use an OpenAI-compatible endpoint "
            "(or neither, for OpenAI with OPENAI_API_KEY or the embedded local model)"
        )
    from langchain_vs.local import default_chat_model, resolve_chat_model

    if base_url and name:
        return resolve_chat_model(name, base_url=base_url)
    return default_chat_model()


def run_limits(environ: dict[str, str] | None = None) -> RunLimits:
    """The operator's limits on runs, from the environment (``os.environ`` by default).

    A cap may not be below what a run that sets nothing gets (the debate in docs/personas.md: 3
    personas, 6 turns, ``k`` 5), or that run would be refused.

    Raises:
        ValueError: A variable's value is not what it takes (the message names it).
    """
    defaults = SimulationSettings()
    floors = {
        MAX_PERSONAS_ENV: len(defaults.personas),
        MAX_TURNS_ENV: defaults.max_turns,
        MAX_K_ENV: max(k for _, k in _ks(defaults)),
    }
    return RunLimits.from_environment(environ, floors=floors)


def _ks(settings: SimulationSettings) -> list[tuple[str, int]]:
    return [("k", settings.k)] + [
        (f"persona {p.name!r}'s k", p.k) for p in settings.personas if p.k is not None
    ]


def _persona_settings(
    model: BaseChatModel, limits: RunLimits, run_settings: dict[str, Any], persona: Persona
) -> dict[str, Any]:
    """A persona's model settings in this run: the run's, then the persona's own.

    Raises:
        ValueError: An unknown setting (with a guess), one the operator does not allow,
            ``max_tokens`` over the cap, or an endpoint without its key.
    """
    settings = {
        **limits.run_model_settings(model, run_settings, owner="the run's model_settings"),
        **limits.run_model_settings(
            model, persona.model_settings, owner=f"persona {persona.name!r}'s model_settings"
        ),
    }
    names = setting_names(model)
    endpoint, key = names.get("base_url"), names.get("api_key")
    if endpoint in settings and key not in settings:
        # An operator may allow base_url; even then the deployment's own key must not go to an
        # endpoint a run chooses.
        raise ValueError(
            "a run that sets base_url must set api_key too (in the same model_settings): the "
            "deployment's key is only sent to the deployment's endpoint"
        )
    return settings


async def make_persona_simulation(config: RunnableConfig) -> CompiledStateGraph[Any]:
    """The graph factory LangGraph Server calls for each run (see ``deploy/langgraph.json``).

    Returns the simulation compiled without a checkpointer: the server attaches its own
    (in memory for ``langgraph dev``, PostgreSQL in the containers). The
    model is made in a worker thread: starting the embedded model's server blocks, and the
    server's event loop must not. Everything a run sets is checked against the operator's
    limits ([`run_limits()`][langchain_vs.serve.run_limits]) before the graph is built, so before
    any model call.

    Raises:
        ValueError: The run's settings are bad or over the operator's limits, or the
            operator's limits are (the message names the setting or the variable).
    """
    limits = run_limits()
    configurable = (config or {}).get("configurable") or {}
    for key in ("personas", "population"):
        if isinstance(given := configurable.get(key), list):  # before reading a million of them
            limits.check_size(personas=len(given))
    settings = SimulationSettings.from_config(config)
    if settings.population is not None:
        # A file may be read: off the server's event loop, as the model is made below.
        cast = await asyncio.to_thread(
            population_personas, settings.population, limits.max_personas
        )
        settings = settings.model_copy(update={"personas": cast, "population": None})
    limits.check_size(
        personas=len(settings.personas), max_turns=settings.max_turns, ks=_ks(settings)
    )
    model = limits.bounded_model(await asyncio.to_thread(deployed_chat_model))
    personas = [
        persona.model_copy(
            update={
                "model_settings": _persona_settings(model, limits, settings.model_settings, persona)
            }
        )
        for persona in settings.personas
    ]
    return create_persona_simulation(
        personas,
        model,
        max_turns=settings.max_turns,
        opening=settings.opening,
        k=settings.k,
        method=settings.method,
        seed=settings.seed,
        selection=settings.selection,
        turn_order=settings.turn_order,
        name="persona_simulation",
    )
