"""The deployable simulation: settings from a run's configurable, the model from the
environment, and the factory (with a FAKE chat model; the real server runs it by hand, see
README)."""

import importlib
import json
from pathlib import Path

import pytest
import yaml
from langchain_openai import ChatOpenAI
from langgraph.checkpoint.memory import InMemorySaver
from langgraph.graph.state import CompiledStateGraph

from langchain_vs.core import VerbalizedConfig
from langchain_vs.serve import _deployed as deploy
from langchain_vs.serve._deployed import (
    SimulationSettings,
    deployed_chat_model,
    make_persona_simulation,
)

from .fake_models import ScriptedFakeChatModel, vs_json

SERVER_KEYS = {
    "thread_id": "t-1",
    "run_id": "r-1",
    "assistant_id": "a-1",
    "graph_id": "persona_simulation",
    "checkpoint_ns": "",
    "langgraph_auth_user": None,
    "__is_for_execution__": True,
}


def test_nothing_configured_runs_the_readme_debate():
    settings = SimulationSettings.from_config({"configurable": SERVER_KEYS})
    assert [p.name for p in settings.personas] == ["Maya", "Tom", "Ines"]
    assert settings.opening == "Should our city ban private cars from downtown?"
    assert (settings.k, settings.max_turns, settings.method.value) == (5, 6, "vs_standard")
    assert settings.k == VerbalizedConfig().k  # one default k everywhere
    assert SimulationSettings.from_config(None) == settings


def test_settings_and_personas_from_plain_json():
    configurable = {
        **SERVER_KEYS,
        "personas": [
            {"name": "Ann", "description": "A nurse.", "k": 2},
            {"name": "Raj", "description": "A taxi driver."},
        ],
        "max_turns": 4,
        "k": 3,
        "method": "vs_cot",
        "seed": 9,
        "turn_order": "parallel_drafts",
        "opening": None,
    }
    settings = SimulationSettings.from_config({"configurable": configurable})
    assert [(p.name, p.k) for p in settings.personas] == [("Ann", 2), ("Raj", None)]
    assert (settings.max_turns, settings.k, settings.seed, settings.opening) == (4, 3, 9, None)


@pytest.mark.parametrize(
    ("configurable", "message"),
    [
        (
            {"max_turn": 3},
            "unknown simulation setting 'max_turn' \\(did you mean 'max_turns'\\?\\)",
        ),
        ({"persona": []}, "did you mean 'personas'"),
        ({"k": 0}, "bad simulation settings: k: Input should be greater than or equal to 1"),
        ({"max_turns": "3"}, "bad simulation settings: max_turns: Input should be a valid integer"),
        ({"method": "best"}, "bad simulation settings: method"),
        ({"personas": []}, "bad simulation settings: personas"),
        ({"personas": [{"name": "Ann", "kk": 2}]}, "personas.0"),
    ],
)
def test_a_bad_configuration_is_a_clear_value_error(configurable, message):
    with pytest.raises(ValueError, match=message):
        SimulationSettings.from_config({"configurable": {**SERVER_KEYS, **configurable}})


def test_the_model_comes_from_the_environment(monkeypatch):
    monkeypatch.setenv(deploy.BASE_URL_ENV, "http://127.0.0.1:9/v1")
    monkeypatch.delenv(deploy.MODEL_NAME_ENV, raising=False)
    with pytest.raises(
        ValueError, match="set both LANGCHAIN_VS_BASE_URL and LANGCHAIN_VS_MODEL_NAME"
    ):
        deployed_chat_model()
    monkeypatch.setenv(deploy.MODEL_NAME_ENV, "qwen-7b")
    model = deployed_chat_model()
    assert isinstance(model, ChatOpenAI)
    assert (model.openai_api_base, model.model_name) == ("http://127.0.0.1:9/v1", "qwen-7b")
    monkeypatch.delenv(deploy.BASE_URL_ENV)
    monkeypatch.delenv(deploy.MODEL_NAME_ENV)
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test")
    assert isinstance(deployed_chat_model(), ChatOpenAI)  # OpenAI itself


async def test_the_factory_builds_a_graph_that_runs(monkeypatch):
    replies = [vs_json([(f"line {i}.{j}", 0.5) for j in range(2)]) for i in range(5)]
    monkeypatch.setattr(
        deploy, "deployed_chat_model", lambda: ScriptedFakeChatModel(replies=replies)
    )
    config = {"configurable": {**SERVER_KEYS, "k": 2, "max_turns": 2, "seed": 1}}
    graph = await make_persona_simulation(config)
    assert isinstance(graph, CompiledStateGraph) and graph.checkpointer is None
    assert graph.name == "persona_simulation"
    app = graph.copy(update={"checkpointer": InMemorySaver()})  # what LangGraph Server does
    state = await app.ainvoke({"messages": []}, {"configurable": {"thread_id": "t"}})
    assert [m.name for m in state["messages"]] == ["moderator", "Maya", "Tom"]
    assert state["finished"] and len(state["draws"]) == 2


def test_langgraph_json_names_the_factory():
    spec = json.loads((Path(__file__).parents[2] / "deploy" / "langgraph.json").read_text())
    module, _, name = spec["graphs"]["persona_simulation"].partition(":")
    assert getattr(importlib.import_module(module), name) is make_persona_simulation


async def test_model_settings_reach_every_persona_and_a_persona_s_own_win(monkeypatch):
    monkeypatch.setattr(
        deploy, "deployed_chat_model", lambda: ChatOpenAI(api_key="unused", model="m")
    )
    personas = [
        {"name": "Ann", "description": "A nurse.", "model_settings": {"temperature": 0.2}},
        {"name": "Raj", "description": "A taxi driver."},
    ]
    model_settings = {"temperature": 1.1, "max_tokens": 300, "extra_body": {"min_p": 0.1}}
    configurable = {**SERVER_KEYS, "personas": personas, "model_settings": model_settings}
    graph = await make_persona_simulation({"configurable": configurable})
    models = {name: graph.builder.nodes[name].runnable.inner_model() for name in ("Ann", "Raj")}
    assert (models["Ann"].temperature, models["Ann"].max_tokens) == (0.2, 300)
    assert (models["Raj"].temperature, models["Raj"].extra_body) == (1.1, {"min_p": 0.1})


async def test_a_misspelt_model_setting_is_an_error_not_ignored(monkeypatch):
    monkeypatch.setattr(deploy, "deployed_chat_model", lambda: ChatOpenAI(api_key="unused"))
    configurable = {**SERVER_KEYS, "model_settings": {"max_token": 300}}
    with pytest.raises(
        ValueError,
        match="unknown model setting 'max_token' for ChatOpenAI \\(did you mean 'max_tokens'",
    ):
        await make_persona_simulation({"configurable": configurable})


def test_the_compose_file_wires_the_server_and_the_model():
    # No Docker engine runs the file here; check what the server image is given.
    compose = yaml.safe_load((Path(__file__).parents[2] / "deploy" / "compose.yaml").read_text())
    services = compose["services"]
    api = services["simulation-api"]
    assert set(api["depends_on"]) == {"simulation-redis", "simulation-postgres"}
    environment = api["environment"]
    assert environment["REDIS_URI"].startswith("redis://simulation-redis:")
    assert environment["DATABASE_URI"].startswith(
        "postgres://postgres:postgres@simulation-postgres:"
    )
    assert {deploy.BASE_URL_ENV, deploy.MODEL_NAME_ENV, "OPENAI_API_KEY"} <= set(environment)
    assert {"LANGSMITH_API_KEY", "LANGGRAPH_CLOUD_LICENSE_KEY"} <= set(environment)
