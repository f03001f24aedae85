"""generate_population, persona_from_profile and read_population with FAKE chat models (the
logic only: names kept distinct, profiles to personas, the file, resume, bad input). The real
model runs it in tests/integration_tests/test_population_local_model.py."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel

from langchain_vs import (
    PersonaProfile,
    Population,
    agenerate_population,
    create_persona_simulation,
    generate_population,
)
from langchain_vs.eval import HashedNgramEmbeddings
from langchain_vs.graph import MAX_POPULATION, persona_from_profile, read_population

from .fake_models import ScriptedFakeChatModel, vs_json

TOWN = "residents of a mid-sized town debating a new bus line"


def member(name: str, role: str = "baker", **extra: Any) -> dict[str, Any]:
    return {
        "name": name,
        "role": role,
        "background": f"{name} has lived here for years.",
        "stance": f"{name} is for the line.",
        "speaking_style": "plain",
        **extra,
    }


def reply(*members: dict[str, Any]) -> str:
    """A VS reply whose candidates are the members (as a text-only model writes it)."""
    return json.dumps(
        {"responses": [{"value": m, "probability": 1 / len(members)} for m in members]}
    )


def test_draws_n_personas_with_distinct_names_that_run_in_a_simulation():
    fake = ScriptedFakeChatModel(
        replies=[
            reply(member("Ada Moss"), member("ada  moss", role="nurse"), member("Bo Li", "cook")),
            reply(member("Cy Park", "teacher"), member("Di Wu", "driver")),
        ]
    )
    population = generate_population(
        TOWN, 4, model=fake, k=3, seed=1, dedup="exact", max_concurrency=1
    )
    assert isinstance(population, Population) and len(population) == 4
    assert [p.name for p in population] == ["Ada Moss", "Bo Li", "Cy Park", "Di Wu"]
    assert population.report.field_duplicates == 1  # "ada  moss": the same name, dropped
    assert population.report.unique_records == 4 and population.path is None
    ada = population[0]
    assert ada.description == (
        "Role: baker. Background: Ada Moss has lived here for years. Stance: Ada Moss is for "
        "the line. Speaking style: plain."
    )
    assert ada.profile == member("Ada Moss")
    assert isinstance(population.profiles[0], PersonaProfile)
    assert population.profiles[1].role == "cook"
    assert TOWN in fake.calls[0]["messages"][-1].content  # the description reaches the model

    speaker = ScriptedFakeChatModel(replies=[vs_json([("The bus helps my bakery.", 1.0)])])
    app = create_persona_simulation(population, speaker, max_turns=1, k=1, seed=1)
    state = app.invoke({"messages": []})
    spoken = [(m.name, m.text) for m in state["messages"]]
    assert spoken == [("Ada Moss", "The bus helps my bakery.")]


def test_semantic_dedup_drops_near_copies_of_a_member():
    same = member("Ada Moss")
    near = {**same, "name": "Ada Mosse"}  # a different name, the same person otherwise
    fake = ScriptedFakeChatModel(replies=[reply(same, near, member("Bo Li", "cook"))])
    population = generate_population(
        TOWN, 2, model=fake, k=3, seed=1, embeddings=HashedNgramEmbeddings(), max_concurrency=1
    )
    assert [p.name for p in population] == ["Ada Moss", "Bo Li"]
    assert population.report.near_duplicates == 1


class Townsperson(PersonaProfile):
    """A resident, with the street they live on."""

    street: str


def test_a_schema_of_your_own_adds_fields_to_the_description_and_the_profile():
    fake = ScriptedFakeChatModel(replies=[reply(member("Ada Moss", street="Elm Street"))])
    population = generate_population(TOWN, 1, model=fake, k=1, schema=Townsperson, dedup="exact")
    assert population[0].description.endswith("Street: Elm Street.")
    assert population.profiles[0] == Townsperson(**member("Ada Moss", street="Elm Street"))


def test_members_without_a_usable_name_are_dropped_as_they_are_drawn():
    fake = ScriptedFakeChatModel(
        replies=[reply(member("Ada: the baker"), member("  "), member("Bo Li"))]
    )
    population = generate_population(TOWN, 1, model=fake, k=3, dedup="exact")
    assert [p.name for p in population] == ["Bo Li"]


class NoName(BaseModel):
    role: str


class NumberName(BaseModel):
    name: int
    role: str


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"description": "  "}, ValueError, "description is empty"),
        ({"description": 3}, TypeError, "description must be a string"),
        ({"n": 0}, ValueError, f"n must be from 1 to {MAX_POPULATION}"),
        ({"n": MAX_POPULATION + 1}, ValueError, "MAX_POPULATION"),
        ({"n": True}, TypeError, "n must be a whole number"),
        ({"schema": NoName}, ValueError, "NoName has no 'name' field"),
        ({"schema": NumberName}, ValueError, "no 'name' field of type str"),
        ({"schema": {"type": "object"}}, TypeError, "pydantic model class with a 'name'"),
        ({"dedup": "fuzzy"}, ValueError, "dedup must be 'exact' or 'semantic'"),
        ({"k": 0}, ValueError, "k"),
    ],
)
def test_bad_input_is_refused_before_any_call(kwargs, error, message):
    fake = ScriptedFakeChatModel(replies=[reply(member("Ada Moss"))])
    arguments = {"description": TOWN, "n": 2, "model": fake, **kwargs}
    with pytest.raises(error, match=message):
        generate_population(arguments.pop("description"), arguments.pop("n"), **arguments)
    assert fake.calls == []


def test_a_killed_run_resumes_from_its_file(tmp_path: Path):
    out = tmp_path / "town.jsonl"
    first = ScriptedFakeChatModel(replies=[reply(member("Ada Moss"), member("Bo Li"))])
    generate_population(TOWN, 2, model=first, k=2, out=out, dedup="exact", seed=3)
    again = ScriptedFakeChatModel(
        replies=[reply(member("Bo Li", "cook"), member("Cy Park")), reply(member("Di Wu"))]
    )
    population = generate_population(
        TOWN, 4, model=again, k=2, out=out, resume=True, dedup="exact", seed=3, max_concurrency=1
    )
    assert [p.name for p in population] == ["Ada Moss", "Bo Li", "Cy Park", "Di Wu"]
    assert population.report.resumed == 2 and population.report.field_duplicates == 1
    assert population.path == out
    assert [p.name for p in read_population(out)] == [p.name for p in population]


def test_a_file_with_a_repeated_name_is_refused_naming_the_lines(tmp_path: Path):
    out = tmp_path / "town.jsonl"
    generate_population(
        TOWN,
        2,
        model=ScriptedFakeChatModel(replies=[reply(member("Ada Moss"), member("Bo Li"))]),
        k=2,
        out=out,
        dedup="exact",
    )
    lines = out.read_text().splitlines()
    pasted = json.loads(lines[1]) | {"id": 2, "value": member("BO LI", role="judge")}
    out.write_text("\n".join([*lines, json.dumps(pasted)]) + "\n")
    with pytest.raises(ValueError, match=r"line 3 repeats the name 'BO LI' of .*line 2"):
        read_population(out)
    fake = ScriptedFakeChatModel(replies=[reply(member("Cy Park"))])
    with pytest.raises(ValueError, match="line 3 repeats the name"):
        generate_population(TOWN, 4, model=fake, k=1, out=out, resume=True, dedup="exact")
    assert fake.calls == []


def test_persona_from_profile_takes_a_dict_and_persona_options():
    persona = persona_from_profile({"name": "Ann", "mood": "cheerful", "age": 40}, k=3)
    assert persona.description == "Mood: cheerful. Age: 40."
    assert persona.k == 3 and persona.profile == {"name": "Ann", "mood": "cheerful", "age": 40}


@pytest.mark.parametrize(
    ("profile", "error", "message"),
    [
        ({"name": "Ann"}, ValueError, "nothing but a name"),
        ({"role": "baker"}, ValueError, "needs a 'name' string"),
        ({"name": "A|B", "role": "baker"}, ValueError, "makes no valid persona"),
        ("Ann, a baker", TypeError, "PersonaProfile"),
    ],
)
def test_persona_from_profile_refuses_what_makes_no_persona(profile, error, message):
    with pytest.raises(error, match=message):
        persona_from_profile(profile)


async def test_the_async_twin_draws_the_same_population():
    replies = [reply(member("Ada Moss"), member("ADA MOSS", "nurse"), member("Bo Li", "cook"))]
    population = await agenerate_population(
        TOWN, 2, model=ScriptedFakeChatModel(replies=replies), k=3, seed=1, dedup="exact"
    )
    assert [p.name for p in population] == ["Ada Moss", "Bo Li"]
    assert population.report.field_duplicates == 1
    with pytest.raises(ValueError, match="description is empty"):
        await agenerate_population("", 2, model=ScriptedFakeChatModel(replies=replies))
