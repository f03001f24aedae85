"""One resolver for model settings: names checked with a guess, client settings reach the client.

The real ``ChatOpenAI`` is only constructed here (no request is sent); the graphs run nothing.
"""

import httpx
import pytest
from langchain_openai import ChatOpenAI

from langchain_vs import Persona, VerbalizedChatModel, VerbalizedNode, create_persona_simulation
from langchain_vs.core import configured_copy
from langchain_vs.serve import RUN_SETTINGS_ENV, make_persona_simulation
from langchain_vs.serve import _deployed as deploy

from .fake_models import ScriptedFakeChatModel

SERVER_KEYS = {"thread_id": "t", "run_id": "r"}


def openai_model(**settings: object) -> ChatOpenAI:
    return ChatOpenAI(
        model="m", base_url="http://127.0.0.1:9/v1", api_key="inner", timeout=300, **settings
    )


def test_client_settings_reach_the_client_of_the_copy() -> None:
    model = openai_model()
    copy = configured_copy(
        model, {"timeout": 1.0, "max_retries": 0, "api_key": "outer", "base_url": "http://h/v1"}
    )
    for client in (copy.root_client, copy.root_async_client):
        assert (client.timeout, client.max_retries, client.api_key) == (1.0, 0, "outer")
        assert str(client.base_url) == "http://h/v1/"
    headers = configured_copy(model, {"default_headers": {"X-Run": "7"}})
    assert headers.root_client.default_headers["X-Run"] == "7"
    assert (model.root_client.timeout, model.root_client.api_key) == (300, "inner")  # unchanged


def test_what_the_user_gave_the_model_is_kept() -> None:
    http_client = httpx.Client()
    model = openai_model(http_client=http_client, metadata={"team": "a"}, temperature=0.3)
    copy = configured_copy(model, {"timeout": 2.0})
    assert copy.root_client._client is http_client  # the user's transport, with the new timeout
    assert copy.root_client.timeout == 2.0 and copy.temperature == 0.3
    assert copy.metadata is not None and copy.metadata["team"] == "a"
    tagged = configured_copy(model, {"tags": ["vs"]})  # a setting every chat model has
    assert tagged.tags == ["vs"] and tagged.root_client is model.root_client
    assert configured_copy(model, {}) is model and configured_copy(model, {"top_p": None}) is model


def test_bad_settings_say_what_was_wrong() -> None:
    model = openai_model()
    guess = r"'temprature' for ChatOpenAI \(did you mean 'temperature'"
    with pytest.raises(ValueError, match=guess):
        configured_copy(model, {"temprature": 1.0})
    with pytest.raises(TypeError, match="must be a dict of the model's settings"):
        configured_copy(model, [("temperature", 1.0)])  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="name must be a string"):
        configured_copy(model, {1: 1.0})  # type: ignore[dict-item]
    with pytest.raises(ValueError, match="max_retries"):
        configured_copy(model, {"max_retries": "many"})
    with pytest.raises(ValueError, match="rate_limiter"):
        configured_copy(model, {"rate_limiter": "fast"})


def test_the_wrapper_s_settings_reach_the_wrapped_client() -> None:
    wrapper = VerbalizedChatModel(model=openai_model(), timeout=1.0, api_key="outer", k=3)
    client = wrapper.inner_model().root_client
    assert (client.timeout, client.api_key) == (1.0, "outer")
    with pytest.raises(ValueError, match="unknown model setting 'timeout' for ScriptedFake"):
        VerbalizedChatModel(model=ScriptedFakeChatModel(replies=[]), timeout=1.0)


def test_the_wrapper_s_max_retries_set_is_the_wrapped_client_s_too() -> None:
    def client_retries(wrapper: VerbalizedChatModel) -> int:
        return wrapper.inner_model().root_client.max_retries  # type: ignore[attr-defined]

    inner = openai_model(max_retries=6)
    assert client_retries(VerbalizedChatModel(model=inner)) == 6  # unset: the model's own
    wrapper = VerbalizedChatModel(model=inner, max_retries=0)
    assert (wrapper.max_retries, client_retries(wrapper)) == (0, 0)
    wrapper.max_retries = 3  # the copy follows an assignment
    assert client_retries(wrapper) == 3 and inner.max_retries == 6
    # A model without the setting keeps only the re-asks' meaning (no unknown-setting error).
    assert (
        VerbalizedChatModel(model=ScriptedFakeChatModel(replies=[]), max_retries=0).max_retries == 0
    )


def test_a_persona_s_misspelt_setting_is_an_error() -> None:
    persona = Persona(name="Ann", description="A nurse.", model_settings={"temprature": 1})
    guess = r"'temprature' for ChatOpenAI \(did you mean 'temperature'\?\); persona 'Ann'"
    with pytest.raises(ValueError, match=guess):
        VerbalizedNode(openai_model(), persona)
    with pytest.raises(ValueError, match=guess):
        create_persona_simulation([persona], openai_model(), max_turns=2)


async def test_a_deployed_persona_s_misspelt_setting_is_an_error(monkeypatch) -> None:
    monkeypatch.setattr(deploy, "deployed_chat_model", openai_model)
    personas = [{"name": "Ann", "description": "A nurse.", "model_settings": {"max_token": 9}}]
    with pytest.raises(ValueError, match=r"'max_token' .*'max_tokens'.*persona 'Ann'"):
        await make_persona_simulation({"configurable": {**SERVER_KEYS, "personas": personas}})


async def test_a_run_s_client_settings_reach_the_client(monkeypatch) -> None:
    monkeypatch.setattr(deploy, "deployed_chat_model", openai_model)
    # Not a run's to set by default: this operator allows them.
    monkeypatch.setenv(RUN_SETTINGS_ENV, "timeout,max_retries,base_url,api_key")
    settings = {"timeout": 1.5, "max_retries": 0, "base_url": "http://h/v1", "api_key": "run"}
    configurable = {**SERVER_KEYS, "model_settings": settings}
    graph = await make_persona_simulation({"configurable": configurable})
    for name in ("Maya", "Tom", "Ines"):
        client = graph.builder.nodes[name].runnable.inner_model().root_async_client
        assert (client.timeout, client.max_retries, client.api_key) == (1.5, 0, "run")
        assert str(client.base_url) == "http://h/v1/"


async def test_a_run_cannot_send_the_deployment_s_key_elsewhere(monkeypatch) -> None:
    monkeypatch.setattr(deploy, "deployed_chat_model", openai_model)
    monkeypatch.setenv(RUN_SETTINGS_ENV, "base_url")  # even where the operator allows it
    configurable = {**SERVER_KEYS, "model_settings": {"base_url": "http://elsewhere/v1"}}
    with pytest.raises(ValueError, match="a run that sets base_url must set api_key too"):
        await make_persona_simulation({"configurable": configurable})
