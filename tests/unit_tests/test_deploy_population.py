"""A deployed run's ``population``: inline profiles or a file in the operator's folder, checked
against the allow-list and the caps before anything is read or sent. The models are FAKES."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from langgraph.checkpoint.memory import InMemorySaver

from langchain_vs.graph import generate_population
from langchain_vs.serve import (
    MAX_PERSONAS_ENV,
    MAX_POPULATION_FILE_BYTES,
    MAX_PROFILE_CHARS,
    POPULATION_DIR_ENV,
    make_persona_simulation,
    population_personas,
)
from langchain_vs.serve import _deployed as deploy

from .fake_models import ScriptedFakeChatModel, vs_json

TOWN = [
    {"name": "Ada Moss", "role": "baker", "stance": "for the line"},
    {"name": "Bo Li", "role": "driver", "stance": "against it", "age": 51},
]


@pytest.fixture
def speaker(monkeypatch):
    """The deployment's model: a FAKE that says one line a call; no limits or folder set."""
    for name in (MAX_PERSONAS_ENV, POPULATION_DIR_ENV):
        monkeypatch.delenv(name, raising=False)
    replies = [vs_json([(f"line {i}", 1.0)]) for i in range(4)]
    model = ScriptedFakeChatModel(replies=replies)
    monkeypatch.setattr(deploy, "deployed_chat_model", lambda: model)
    return model


async def run(**configurable):
    graph = await make_persona_simulation(
        {"configurable": {"thread_id": "t", "max_turns": 2, "k": 1, **configurable}}
    )
    app = graph.copy(update={"checkpointer": InMemorySaver()})
    return await app.ainvoke({"messages": []}, {"configurable": {"thread_id": "t"}})


async def test_an_inline_population_is_the_cast(speaker):
    state = await run(population=TOWN)
    assert [m.name for m in state["messages"]] == ["moderator", "Ada Moss", "Bo Li"]
    system = speaker.calls[1]["messages"][0].content  # Bo's view: his profile, as a description
    assert "Role: driver. Stance: against it. Age: 51." in system


async def test_a_profile_cannot_set_persona_options_or_model_settings(speaker):
    sneaky = {"name": "Eve", "k": 50, "method": "direct", "temperature": 2.0}
    (persona,) = population_personas([sneaky], 20)
    assert (persona.k, persona.method, persona.model_settings) == (None, None, {})
    assert persona.description == "K: 50. Method: direct. Temperature: 2.0."
    with pytest.raises(ValueError, match="population\\[0\\]: field 'model_settings' must be"):
        await run(population=[{"name": "Eve", "model_settings": {"base_url": "http://evil"}}])
    assert speaker.calls == []


@pytest.mark.parametrize(
    ("population", "message"),
    [
        ([{"name": f"P{i}", "role": "x"} for i in range(21)], "21 personas is over .* cap of 20"),
        ([{"bad": 1}] * 100_000, "100000 personas is over"),  # counted before any is read
        ([], "population is empty"),
        ({"name": "Ann"}, "must be a list of profiles .* or the name of a population file"),
        ([{"role": "baker"}], r"population\[0\]: a profile needs a 'name' string"),
        (["Ann"], r"population\[0\]: a profile must be an object, got str"),
        ([{"name": "Ann", "bio": {"a": 1}}], "field 'bio' must be a string, a number"),
        ([{"name": "Ann", "bio": ["a"]}], "field 'bio' must be a string, a number"),
        ([{"name": "Ann", "my field": "x"}], "field 'my field' is not a field name"),
        ([{"name": "Ann", "bio": "x" * (MAX_PROFILE_CHARS + 1)}], "2001 characters long"),
        ([{"name": "Ann", **{f"f{i}": "x" for i in range(16)}}], "17 fields; a profile has"),
        ([{"name": "Ann"}], "has nothing but a name"),
        ([{"name": "A:nn", "role": "x"}], "makes no valid persona"),
        ([*TOWN, {"name": "ada  MOSS", "role": "x"}], r"population\[2\] repeats the name"),
    ],
)
async def test_a_bad_inline_population_is_refused_before_any_call(speaker, population, message):
    with pytest.raises(ValueError, match=message):
        await run(population=population)
    assert speaker.calls == []


async def test_personas_and_population_together_are_refused(speaker):
    with pytest.raises(ValueError, match="sets personas or population, not both"):
        await run(population=TOWN, personas=[{"name": "Maya", "description": "A planner."}])


@pytest.fixture
def folder(tmp_path, monkeypatch):
    """The operator's population folder, holding town.jsonl made by generate_population."""
    folder = tmp_path / "populations"
    (folder / "debates").mkdir(parents=True)
    members = [{**m, "background": "local", "speaking_style": "plain"} for m in TOWN]
    members[1].pop("age")
    reply = json.dumps({"responses": [{"value": m, "probability": 0.5} for m in members]})
    generate_population(
        "townsfolk",
        2,
        model=ScriptedFakeChatModel(replies=[reply]),
        k=2,
        dedup="exact",
        out=folder / "debates" / "town.jsonl",
    )
    monkeypatch.setenv(POPULATION_DIR_ENV, str(folder))
    return folder


async def test_a_population_file_in_the_operators_folder_is_the_cast(speaker, folder):
    state = await run(population="debates/town.jsonl")
    assert [m.name for m in state["messages"]] == ["moderator", "Ada Moss", "Bo Li"]


async def test_files_are_refused_when_the_operator_names_no_folder(speaker, monkeypatch):
    monkeypatch.delenv(POPULATION_DIR_ENV, raising=False)
    with pytest.raises(ValueError, match=f"reads no population files .*{POPULATION_DIR_ENV}"):
        await run(population="town.jsonl")
    monkeypatch.setenv(POPULATION_DIR_ENV, "relative/folder")
    with pytest.raises(ValueError, match="must be the absolute path of a folder"):
        await run(population="town.jsonl")


@pytest.mark.parametrize(
    "name",
    [
        "../town.jsonl",
        "debates/../../secret.jsonl",
        "/etc/passwd.jsonl",
        ".hidden.jsonl",
        "debates/./town.jsonl",
        "town.json",
        "town.jsonl\x00.txt",
        "c:\\town.jsonl",
        "",
    ],
)
async def test_a_file_name_outside_the_allow_list_is_refused(speaker, folder, name):
    with pytest.raises(ValueError, match="is not a population file name: give a relative path"):
        await run(population=name)


async def test_symlinks_out_of_the_folder_and_odd_files_are_refused(speaker, folder, tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.jsonl").write_text((folder / "debates" / "town.jsonl").read_text())
    (folder / "leak.jsonl").symlink_to(outside / "secret.jsonl")
    (folder / "elsewhere").symlink_to(outside, target_is_directory=True)
    os.mkfifo(folder / "pipe.jsonl")  # would block a reader forever
    (folder / "big.jsonl").write_bytes(b" " * (MAX_POPULATION_FILE_BYTES + 1))
    (folder / "garbage.jsonl").write_text('{"value": {"name": "Ann", "role": "x"}}\nnope\n')
    (folder / "plain.jsonl").write_text('{"name": "Ann", "role": "x"}\n')
    (folder / "crowd.jsonl").write_text('{"value": {}}\n' * 21)
    (folder / "dir.jsonl").mkdir()
    (folder / "loop.jsonl").symlink_to(folder / "loop.jsonl")
    cases = {
        "leak.jsonl": "'leak.jsonl' is outside the population folder",
        "elsewhere/secret.jsonl": "is outside the population folder",
        "pipe.jsonl": "'pipe.jsonl' is not a regular file",
        "dir.jsonl": "is not a regular file",
        "big.jsonl": f"is over {MAX_POPULATION_FILE_BYTES} bytes",
        "garbage.jsonl": "'garbage.jsonl': line 2 is not JSON",
        "plain.jsonl": "line 1 is not a population record",
        "crowd.jsonl": "21 profiles is over this deployment's cap of 20",
        "missing.jsonl": "'missing.jsonl' does not exist or cannot be read",
        "loop.jsonl": "'loop.jsonl' does not exist or cannot be read",
    }
    for name, message in cases.items():
        with pytest.raises(ValueError, match=message) as info:
            await run(population=name)
        assert str(folder) not in str(info.value) and str(tmp_path) not in str(info.value)
    assert speaker.calls == []


def test_a_symlink_inside_the_folder_is_followed(folder):
    (folder / "alias.jsonl").symlink_to(folder / "debates" / "town.jsonl")
    environ = {POPULATION_DIR_ENV: str(folder)}
    assert [p.name for p in population_personas("alias.jsonl", 20, environ=environ)] == [
        "Ada Moss",
        "Bo Li",
    ]


def test_a_file_with_a_repeated_name_is_refused(folder: Path):
    town = folder / "debates" / "town.jsonl"
    first = town.read_text().splitlines()[0]
    town.write_text(town.read_text() + first + "\n")
    with pytest.raises(ValueError, match=r"line 3 repeats the name 'Ada Moss' of .*line 1"):
        population_personas("debates/town.jsonl", 20, environ={POPULATION_DIR_ENV: str(folder)})


def test_the_compose_file_passes_the_population_folder_to_the_server():
    import yaml

    compose = yaml.safe_load((Path(__file__).parents[2] / "deploy" / "compose.yaml").read_text())
    assert POPULATION_DIR_ENV in compose["services"]["simulation-api"]["environment"]
