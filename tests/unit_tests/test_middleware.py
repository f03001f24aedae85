"""VerbalizedSamplingMiddleware logic in create_agent, on FAKE chat models (see fake_models.py)."""

import json
from dataclasses import dataclass
from typing import Any

import pytest
from langchain.agents import create_agent
from langchain.agents.structured_output import ProviderStrategy, ToolStrategy
from langchain_core.messages import AIMessage, ToolMessage
from langchain_core.tools import tool
from pydantic import BaseModel

from langchain_vs import VerbalizedConfig, VerbalizedDistribution, VerbalizedSamplingMiddleware
from langchain_vs.core import METADATA_KEY
from langchain_vs.runnables import DISTRIBUTION_EVENT, _middleware

from .fake_models import ToolCallingFakeChatModel, vs_json

FOUR = vs_json([("Tea", 0.4), ("Coffee", 0.3), ("Cocoa", 0.2), ("Mate", 0.1)])
USAGE = {"input_tokens": 10, "output_tokens": 3, "total_tokens": 13}


@tool
def lookup(city: str) -> str:
    """Look up the weather in a city."""
    return "sunny"


def tool_turn() -> AIMessage:
    return AIMessage(
        "",
        id="tool-turn",
        tool_calls=[{"name": "lookup", "args": {"city": "Oslo"}, "id": "c1", "type": "tool_call"}],
        usage_metadata=USAGE,
    )


def scripted(*replies: Any) -> ToolCallingFakeChatModel:
    return ToolCallingFakeChatModel(replies=list(replies))


def ask(text: str = "A hot drink for Oslo?") -> dict[str, Any]:
    return {"messages": [("human", text)]}


def record_of(message: AIMessage) -> dict[str, Any]:
    record: dict[str, Any] = message.response_metadata["verbalized_sampling"]
    return record


# -- the mechanism ----------------------------------------------------------------------------


def test_tool_turn_passes_through_and_the_final_answer_is_a_draw():
    model = scripted(tool_turn(), "It is sunny: have a tea.", FOUR)
    agent = create_agent(
        model,
        tools=[lookup],
        system_prompt="You are a barista.",
        middleware=[VerbalizedSamplingMiddleware(k=4, seed=2)],
    )
    messages = agent.invoke(ask())["messages"]

    turn, answer = messages[1], messages[-1]
    assert turn.tool_calls == tool_turn().tool_calls and turn.id == "tool-turn"
    assert "verbalized_sampling" not in turn.response_metadata
    assert isinstance(messages[2], ToolMessage) and messages[2].content == "sunny"
    dist = VerbalizedDistribution.from_dict(record_of(answer))
    assert answer.content in dist.texts and answer.content != "It is sunny: have a tea."
    assert sum(c.probability for c in dist.candidates) == pytest.approx(1.0)
    # The model calls: tool turn, the probe that answered in text, the VS call (no tools).
    assert [call["tools"] for call in model.calls] == [["lookup"], ["lookup"], None]
    vs_messages = model.calls[2]["messages"]
    assert vs_messages[0].type == "system" and "barista" in vs_messages[0].text
    assert any(isinstance(m, ToolMessage) for m in vs_messages)
    # The answer's usage counts the probe and the VS call.
    assert answer.usage_metadata["input_tokens"] == 20
    assert record_of(answer)["model_calls"] == 1


def test_without_tools_the_vs_call_is_the_only_model_call():
    model = scripted(FOUR)
    agent = create_agent(
        model, name="barista", middleware=[VerbalizedSamplingMiddleware(k=4, seed=2)]
    )
    answer = agent.invoke(ask())["messages"][-1]
    assert len(model.calls) == 1 and model.calls[0]["tools"] is None
    assert answer.content in ("Tea", "Coffee", "Cocoa", "Mate")
    assert answer.name == "barista"  # as create_agent names its model's replies


def test_agent_model_settings_reach_the_vs_call():
    from langchain.agents.middleware import AgentMiddleware

    class Settings(AgentMiddleware):
        def wrap_model_call(self, request, handler):
            return handler(request.override(model_settings={"fake_setting": 7}))

    model = scripted(FOUR)
    agent = create_agent(model, middleware=[Settings(), VerbalizedSamplingMiddleware(k=4)])
    agent.invoke(ask())
    assert model.calls[0]["kwargs"]["fake_setting"] == 7


async def test_called_outside_an_agent_it_still_draws():
    from langchain.agents.middleware import ModelRequest
    from langchain_core.messages import HumanMessage

    def handler(request: Any) -> Any:
        raise AssertionError("no tools: the agent's call is skipped")

    async def ahandler(request: Any) -> Any:
        raise AssertionError("no tools: the agent's call is skipped")

    middleware = VerbalizedSamplingMiddleware(k=4, seed=2)
    request = ModelRequest(model=scripted(FOUR, FOUR), messages=[HumanMessage("A drink?")])
    sync = middleware.wrap_model_call(request, handler).result[0]
    both = await middleware.awrap_model_call(request, ahandler)
    assert both.result[0].content == sync.content and record_of(sync)["k"] == 4
    assert both.structured_response is None


# -- sync, async and streaming agree ------------------------------------------------------------


def build(seed: int) -> tuple[Any, ToolCallingFakeChatModel]:
    model = scripted(tool_turn(), "plain answer", FOUR)
    agent = create_agent(
        model, tools=[lookup], middleware=[VerbalizedSamplingMiddleware(k=4, seed=seed)]
    )
    return agent, model


async def test_invoke_ainvoke_and_stream_agree_for_a_seed():
    for seed in (1, 5):
        agent, _ = build(seed)
        answer = agent.invoke(ask())["messages"][-1]
        agent, _ = build(seed)
        aanswer = (await agent.ainvoke(ask()))["messages"][-1]
        assert aanswer.content == answer.content
        assert record_of(aanswer)["chosen_index"] == record_of(answer)["chosen_index"]

        agent, _ = build(seed)
        parts = list(agent.stream(ask(), stream_mode=["updates", "messages", "custom"]))
        custom = [data for mode, data in parts if mode == "custom"]
        assert [e["type"] for e in custom] == [METADATA_KEY]  # as a persona node writes
        assert custom[-1]["chosen_index"] == record_of(answer)["chosen_index"]
        streamed = [data[0] for mode, data in parts if mode == "messages"]
        assert streamed[-1].content == answer.content
        # The probe's discarded answer and the VS call's raw JSON are never streamed.
        assert not any("plain answer" in m.text or "responses" in m.text for m in streamed)
        assert any(m.tool_calls for m in streamed)  # the tool turn arrives whole
        updates = [data for mode, data in parts if mode == "updates" and "model" in data]
        assert updates[-1]["model"]["messages"][-1].content == answer.content


async def test_astream_writes_the_custom_events_too():
    agent, _ = build(3)
    parts = [p async for p in agent.astream(ask(), stream_mode="custom")]
    assert [p["type"] for p in parts] == [METADATA_KEY]
    assert sum(c["probability"] for c in parts[0]["candidates"]) == pytest.approx(1.0)
    assert parts[0]["model_calls"] == 1 and parts[0]["k"] == 4


async def test_astream_events_see_the_samplers_custom_events():
    agent, _ = build(3)
    names = [
        event["name"]
        async for event in agent.astream_events(ask(), version="v2")
        if event["event"] == "on_custom_event"
    ]
    assert names == [DISTRIBUTION_EVENT]


# -- response_format -----------------------------------------------------------------------------


class Drink(BaseModel):
    name: str
    hot: bool


DRINKS = json.dumps(
    {
        "responses": [
            {"value": {"name": "Tea", "hot": True}, "probability": 0.6},
            {"value": {"name": "Lemonade", "hot": False}, "probability": 0.4},
        ]
    }
)


@pytest.mark.parametrize("strategy", [Drink, ToolStrategy(Drink), ProviderStrategy(Drink)])
def test_structured_response_is_drawn_over_the_schema(strategy: Any):
    model = scripted(DRINKS)
    agent = create_agent(
        model, response_format=strategy, middleware=[VerbalizedSamplingMiddleware(k=2, seed=0)]
    )
    state = agent.invoke(ask())
    drink, answer = state["structured_response"], state["messages"][-1]
    assert isinstance(drink, Drink) and drink.name in ("Tea", "Lemonade")
    assert json.loads(answer.content) == drink.model_dump()
    values = [c["value"] for c in record_of(answer)["candidates"]]
    assert {"name": "Lemonade", "hot": False} in values
    assert len(model.calls) == 1


def test_a_structured_answer_after_a_tool_turn_is_replaced_by_a_draw():
    answer_call = AIMessage(
        "",
        tool_calls=[{"name": "Drink", "args": {"name": "Water", "hot": False}, "id": "s1"}],
    )
    model = scripted(tool_turn(), answer_call, DRINKS)
    agent = create_agent(
        model,
        tools=[lookup],
        response_format=ToolStrategy(Drink),
        middleware=[VerbalizedSamplingMiddleware(k=2, seed=0)],
    )
    state = agent.invoke(ask())
    assert state["structured_response"].name in ("Tea", "Lemonade")
    assert state["messages"][1].tool_calls[0]["name"] == "lookup"  # the tool turn, untouched
    assert not state["messages"][-1].tool_calls  # the draw, not the discarded structured call
    assert len(model.calls) == 3


def test_an_unparseable_structured_answer_is_replaced_by_a_draw():
    model = scripted(tool_turn(), "not json", DRINKS)
    agent = create_agent(
        model,
        tools=[lookup],
        response_format=ProviderStrategy(Drink),
        middleware=[VerbalizedSamplingMiddleware(k=2, seed=0)],
    )
    assert agent.invoke(ask())["structured_response"].name in ("Tea", "Lemonade")


@dataclass
class DrinkRecord:
    name: str


class Snack(BaseModel):
    name: str


@pytest.mark.parametrize("schema", [Drink | Snack, DrinkRecord])
def test_a_response_format_vs_cannot_draw_is_refused_at_the_first_call(schema: Any):
    model = scripted(DRINKS)
    agent = create_agent(
        model, response_format=ToolStrategy(schema), middleware=[VerbalizedSamplingMiddleware()]
    )
    with pytest.raises(ValueError, match="cannot draw response_format") as caught:
        agent.invoke(ask())
    assert "pydantic model, TypedDict or JSON-schema dict" in str(caught.value)
    assert model.calls == []


# -- options -------------------------------------------------------------------------------------


def test_options_are_the_engines_checked_strictly():
    assert set(VerbalizedSamplingMiddleware.model_fields) == set(VerbalizedConfig.model_fields)
    with pytest.raises(ValueError, match=r"unknown option 'kk' \(did you mean 'k'\?\)"):
        VerbalizedSamplingMiddleware(kk=3)
    with pytest.raises(ValueError, match="k"):
        VerbalizedSamplingMiddleware(k="5")
    with pytest.raises(ValueError, match="selection"):
        VerbalizedSamplingMiddleware(selection="best-ish")
    with pytest.raises(ValueError, match=r"response_format"):
        VerbalizedSamplingMiddleware(schema=Drink)
    with pytest.raises(TypeError):
        VerbalizedSamplingMiddleware(5)  # type: ignore[misc]


def test_an_assigned_option_is_checked_and_in_force_for_the_next_call():
    middleware = VerbalizedSamplingMiddleware(k=4, selection="argmax")
    with pytest.raises(ValueError, match="k"):
        middleware.k = 0
    assert middleware.k == 4
    middleware.k = 2
    answer = create_agent(scripted(FOUR), middleware=[middleware]).invoke(ask())["messages"][-1]
    assert record_of(answer)["k"] == 2


def test_an_older_langchain_is_an_import_error_naming_the_extra(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(_middleware, "version", lambda _: "1.4.2")
    with pytest.raises(ImportError, match=r'pip install "langchain-vs\[agents\]"'):
        VerbalizedSamplingMiddleware()
