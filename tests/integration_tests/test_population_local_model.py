"""generate_population on the real local model (through ChatOpenAI), into a simulation.

Contracts, not luck: n members with distinct, usable names, each a Persona built from its
profile, and the compiled simulation runs a turn with them on the same model.
"""

from pathlib import Path

from langchain_openai import ChatOpenAI

from langchain_vs import PersonaProfile, create_persona_simulation, generate_population
from langchain_vs.core import text_key
from langchain_vs.graph import read_population

from .conftest import SEED


def test_a_population_by_vs_runs_in_a_simulation(chat_model: ChatOpenAI, tmp_path: Path) -> None:
    out = tmp_path / "town.jsonl"
    population = generate_population(
        "residents of a mid-sized town debating a new bus line",
        3,
        model=chat_model,
        k=4,
        seed=SEED,
        out=out,
        max_concurrency=2,
    )
    assert len(population) == 3 and population.report.stopped == "n_reached"
    names = [persona.name for persona in population]
    assert len({text_key(name) for name in names}) == 3
    for persona, profile in zip(population, population.profiles, strict=True):
        assert isinstance(profile, PersonaProfile) and persona.name == profile.name
        assert persona.profile == profile.model_dump(mode="json")
        assert f"Role: {' '.join(profile.role.split())}" in persona.description
    assert [p.name for p in read_population(out)] == names  # the file holds the same cast

    app = create_persona_simulation(
        population, chat_model, max_turns=1, k=2, seed=SEED, opening="Should we build it?"
    )
    state = app.invoke({"messages": []})
    assert [m.name for m in state["messages"]] == ["moderator", names[0]]
    assert state["finished"] and len(state["draws"]) == 1
