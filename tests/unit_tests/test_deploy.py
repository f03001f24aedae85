"""The deployable simulation: settings from a run's configurable, the model from the
environment, and the factory (with a FAKE chat model; the real server runs it by hand, see
docs/serving.md)."""

import importlib
import json
import re
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
from langchain_vs.serve._limits import (
    MAX_K_ENV,
    MAX_PERSONAS_ENV,
    MAX_TOKENS_ENV,
    MAX_TURNS_ENV,
    RUN_SETTINGS_ENV,
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
        ({"selection": "best"}, 'selection "best" needs a scorer'),
        ({"personas": [{"name": "A", "description": "B", "selection": "best"}]}, "needs a scorer"),
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
    monkeypatch.setenv(RUN_SETTINGS_ENV, "temperature, max_tokens,extra_body")  # widened
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
    assert set(LIMIT_ENVS) <= set(environment)  # the operator's limits reach the server


# --- The operator's limits (issue #20): what a run may send, and how big it may be. ---

LIMIT_ENVS = (RUN_SETTINGS_ENV, MAX_PERSONAS_ENV, MAX_TURNS_ENV, MAX_K_ENV, MAX_TOKENS_ENV)
ALLOWED = "allowed: temperature, top_p, seed, frequency_penalty, presence_penalty, max_tokens"


@pytest.fixture
def operator_model(monkeypatch):
    """The deployment's model: ChatOpenAI with the operator's key; no limits set."""
    for name in LIMIT_ENVS:
        monkeypatch.delenv(name, raising=False)
    model = ChatOpenAI(api_key="sk-operator", model="operator-model", base_url="http://op:1/v1")
    monkeypatch.setattr(deploy, "deployed_chat_model", lambda: model)
    return model


async def build(**configurable):
    return await make_persona_simulation({"configurable": {**SERVER_KEYS, **configurable}})


def persona_models(graph) -> dict[str, ChatOpenAI]:
    return {
        name: node.runnable.inner_model()
        for name, node in graph.builder.nodes.items()
        if hasattr(node.runnable, "inner_model")
    }


HOSTILE_SETTINGS = [
    {"model": "gpt-4o"},
    {"model_name": "o1-pro"},
    {"n": 64},
    {"extra_body": {"n": 64, "max_tokens": 1_000_000}},
    {"model_kwargs": {"extra_headers": {"Authorization": "Bearer client-key"}}},
    {"default_headers": {"Authorization": "Bearer client-key"}},
    {"default_query": {"api-version": "x"}},
    {"base_url": "http://attacker:1/v1", "api_key": "sk-client"},
    {"api_key": "sk-client"},
    {"timeout": 100_000},
    {"max_retries": 1000},
    {"logit_bias": {"1": 100}},
    {"reasoning_effort": "high"},
    {"service_tier": "priority"},
    {"tags": ["x"], "temperature": 1.0},
    {"model": None},  # refused by its name, whatever the value
    {"stop_sequences": ["\n"]},  # an alias of an unlisted field (stop)
]


@pytest.mark.parametrize("hostile", HOSTILE_SETTINGS, ids=lambda s: ",".join(s))
@pytest.mark.parametrize("where", ["run", "persona"])
async def test_a_run_may_send_only_the_operators_sampling_settings(operator_model, hostile, where):
    refused = next(key for key in hostile if key != "temperature")
    if where == "run":
        configurable = {"model_settings": hostile}
        owner = "the run's model_settings"
    else:
        configurable = {
            "personas": [{"name": "Ann", "description": "A nurse.", "model_settings": hostile}]
        }
        owner = "persona 'Ann''s model_settings"
    message = (
        f"{owner} sets {refused!r}, which this deployment does not let a run set; {ALLOWED} "
        f"(the operator sets the list with {RUN_SETTINGS_ENV})"
    )
    with pytest.raises(ValueError, match=re.escape(message)):
        await build(**configurable)


async def test_the_default_sampling_settings_pass_by_name_or_alias(operator_model):
    settings = {
        "temperature": 1.2,
        "top_p": 0.9,
        "seed": 7,
        "frequency_penalty": 0.1,
        "presence_penalty": 0.2,
        "max_completion_tokens": 500,  # max_tokens' alias
    }
    graph = await build(model_settings=settings)
    for model in persona_models(graph).values():
        assert (model.temperature, model.top_p, model.seed, model.max_tokens) == (1.2, 0.9, 7, 500)
        # the operator's own client settings are untouched
        assert (model.model_name, model.openai_api_base) == ("operator-model", "http://op:1/v1")
        assert model.openai_api_key.get_secret_value() == "sk-operator"


@pytest.mark.parametrize(
    ("tokens", "message"),
    [
        ({"max_tokens": 1_000_000}, "max_tokens: 1000000 is over this deployment's cap of 2048"),
        ({"max_completion_tokens": 4096}, "max_tokens: 4096 is over this deployment's cap"),
        ({"max_tokens": 10, "max_completion_tokens": 10_000}, "10000 is over"),
        ({"max_tokens": True}, "max_tokens must be a whole number from 1 to 2048, got True"),
        ({"max_tokens": "100"}, "must be a whole number from 1 to 2048, got '100'"),
        ({"max_tokens": 0}, "must be a whole number"),
        ({"max_tokens": -5}, "must be a whole number"),
        ({"max_tokens": 2048.5}, "must be a whole number"),
    ],
)
async def test_max_tokens_has_a_cap(operator_model, tokens, message):
    with pytest.raises(ValueError, match=message):
        await build(model_settings=tokens)
    persona = {"name": "Ann", "description": "A nurse.", "model_settings": tokens}
    with pytest.raises(ValueError, match=message):
        await build(personas=[persona])


async def test_the_token_cap_bounds_a_run_that_sets_nothing_and_the_operator_raises_it(
    operator_model, monkeypatch
):
    # The operator's model has no max_tokens of its own: every call is bounded all the same.
    assert operator_model.max_tokens is None
    graph = await build()
    assert {m.max_tokens for m in persona_models(graph).values()} == {2048}
    monkeypatch.setenv(MAX_TOKENS_ENV, "8192")
    graph = await build(model_settings={"max_tokens": 8192})
    assert {m.max_tokens for m in persona_models(graph).values()} == {8192}
    with pytest.raises(
        ValueError, match=r"cap of 8192 \(the operator raises it with LANGCHAIN_VS_MAX_TOKENS\)"
    ):
        await build(model_settings={"max_tokens": 8193})


def many_personas(n: int, **extra):
    return [{"name": f"P{i}", "description": "A voice.", **extra} for i in range(n)]


@pytest.mark.parametrize(
    ("configurable", "message", "variable", "raised"),
    [
        (
            {"personas": many_personas(21)},
            "personas: 21 personas is over this deployment's cap of 20",
            MAX_PERSONAS_ENV,
            "1000",
        ),
        (
            {"personas": many_personas(1000)},
            "personas: 1000 personas is over",
            MAX_PERSONAS_ENV,
            "1000",
        ),
        # Counted before any is read (none of these is valid).
        ({"personas": [{"bad": 1}] * 100_000}, "personas: 100000 personas", MAX_PERSONAS_ENV, None),
        (
            {"max_turns": 51},
            "max_turns: 51 is over this deployment's cap of 50",
            MAX_TURNS_ENV,
            "51",
        ),
        ({"max_turns": 10**9}, "max_turns: 1000000000 is over", MAX_TURNS_ENV, "1000000000"),
        ({"k": 11}, "k: 11 is over this deployment's cap of 10", MAX_K_ENV, "50"),
        ({"personas": many_personas(2, k=30)}, "persona 'P0''s k: 30 is over", MAX_K_ENV, "30"),
    ],
)
async def test_caps_on_personas_turns_and_k_that_the_operator_raises(
    operator_model, monkeypatch, configurable, message, variable, raised
):
    with pytest.raises(ValueError, match=re.escape(message)) as refused:
        await build(**configurable)
    assert str(refused.value).endswith(f"(the operator raises it with {variable})")
    if raised is None:
        return
    monkeypatch.setenv(variable, raised)
    assert isinstance(await build(**configurable), CompiledStateGraph)


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        (
            MAX_PERSONAS_ENV,
            "lots",
            "LANGCHAIN_VS_MAX_PERSONAS='lots' must be a whole number of at least 3 (unset: 20)",
        ),
        (MAX_PERSONAS_ENV, "2", "of at least 3"),  # the docs' debate has 3
        (MAX_TURNS_ENV, "5", "LANGCHAIN_VS_MAX_TURNS='5' must be a whole number of at least 6"),
        (MAX_TURNS_ENV, "1e3", "LANGCHAIN_VS_MAX_TURNS='1e3'"),
        (MAX_K_ENV, "51", "LANGCHAIN_VS_MAX_K='51' must be a whole number from 5 to 50"),
        (MAX_K_ENV, "4", "from 5 to 50"),
        (MAX_TOKENS_ENV, "0", "LANGCHAIN_VS_MAX_TOKENS='0' must be a whole number of at least 1"),
        (MAX_TOKENS_ENV, "-1", "of at least 1"),
        (
            RUN_SETTINGS_ENV,
            "temprature,top_p",
            "LANGCHAIN_VS_RUN_SETTINGS names 'temprature', which is not a setting of "
            "ChatOpenAI (did you mean 'temperature'",
        ),
        (RUN_SETTINGS_ENV, "temperature;top_p", "names 'temperature;top_p'"),
    ],
)
async def test_a_bad_operator_value_is_a_clear_error_at_the_first_run(
    operator_model, monkeypatch, variable, value, message
):
    monkeypatch.setenv(variable, value)
    with pytest.raises(ValueError, match=re.escape(message)):
        await build()


async def test_an_empty_variable_is_the_default_and_none_allows_no_setting(
    operator_model, monkeypatch
):
    for name in LIMIT_ENVS:
        monkeypatch.setenv(name, "")  # what compose passes for an unset ${VAR:-}
    assert deploy.run_limits() == deploy.RunLimits()
    await build(model_settings={"temperature": 0.5})
    monkeypatch.setenv(RUN_SETTINGS_ENV, "none")
    with pytest.raises(ValueError, match=r"sets 'temperature', .*; allowed: none \("):
        await build(model_settings={"temperature": 0.5})
    await build()  # a run that sends no settings still runs


async def test_an_operator_may_allow_client_settings_but_never_its_key_elsewhere(
    operator_model, monkeypatch
):
    monkeypatch.setenv(RUN_SETTINGS_ENV, "temperature,base_url,api_key,timeout")
    with pytest.raises(ValueError, match="a run that sets base_url must set api_key too"):
        await build(model_settings={"base_url": "http://elsewhere:1/v1"})
    graph = await build(
        model_settings={"base_url": "http://elsewhere:1/v1", "api_key": "sk-run", "timeout": 5}
    )
    model = persona_models(graph)["Maya"]
    assert (model.openai_api_base, model.request_timeout) == ("http://elsewhere:1/v1", 5)
    assert model.openai_api_key.get_secret_value() == "sk-run"


async def test_a_typo_in_a_run_setting_still_gets_a_guess(operator_model):
    with pytest.raises(ValueError, match=r"unknown model setting 'temprature' .*did you mean"):
        await build(model_settings={"temprature": 1.0})
    with pytest.raises(ValueError, match="unknown model setting 'Authorization'"):
        await build(
            personas=[{"name": "A", "description": "x", "model_settings": {"Authorization": "x"}}]
        )
