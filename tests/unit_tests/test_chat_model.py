"""VerbalizedChatModel logic, on FAKE chat models (see fake_models.py)."""

from typing import Any
from uuid import UUID

import pytest
from langchain_core.callbacks import BaseCallbackHandler
from langchain_core.messages import AIMessage, AIMessageChunk, HumanMessage, ToolMessage
from langchain_core.prompts import ChatPromptTemplate
from langchain_core.tools import tool
from langchain_openai import ChatOpenAI
from langgraph.graph import START, MessagesState, StateGraph

from langchain_vs import VerbalizedChatModel, VerbalizedDistribution

from .fake_models import ScriptedFakeChatModel, ToolCallingFakeChatModel, vs_json

THREE = vs_json([("Tea", 0.5), ("Coffee", 0.3), ("Cocoa", 0.2)])


@tool
def lookup(city: str) -> str:
    """Look up the weather in a city."""
    return "sunny"


def test_invoke_returns_the_pick_with_the_distribution():
    model = VerbalizedChatModel(model=ScriptedFakeChatModel(replies=[THREE]), k=3, seed=4)
    message = model.invoke("A hot drink?")
    record = message.response_metadata["verbalized_sampling"]
    dist = VerbalizedDistribution.from_dict(record)
    assert message.content in dist.texts
    assert message.usage_metadata["input_tokens"] == 10


async def test_ainvoke_same_pick_as_invoke():
    picks = set()
    for _ in range(3):
        model = VerbalizedChatModel(model=ScriptedFakeChatModel(replies=[THREE]), k=3, seed=9)
        picks.add(model.invoke("Q").content)
        picks.add((await model.ainvoke("Q")).content)
    assert len(picks) == 1


def test_stream_yields_the_pick_as_one_chunk_after_selection():
    model = VerbalizedChatModel(model=ScriptedFakeChatModel(replies=[THREE]), k=3, seed=4)
    chunks = list(model.stream("Q"))
    assert len(chunks) == 1 and isinstance(chunks[0], AIMessageChunk)
    assert chunks[0].content == model.invoke("Q").content
    assert chunks[0].usage_metadata is not None


def test_drop_in_for_a_chain_and_a_langgraph_node():
    model = VerbalizedChatModel(model=ScriptedFakeChatModel(replies=[THREE]), k=3)
    chain = ChatPromptTemplate.from_messages([("human", "{q}")]) | model
    assert chain.invoke({"q": "A drink?"}).content in ("Tea", "Coffee", "Cocoa")

    def respond(state: MessagesState) -> dict[str, Any]:
        return {"messages": [model.invoke(state["messages"])]}

    graph = StateGraph(MessagesState).add_node("respond", respond)
    graph.add_edge(START, "respond")
    result = graph.compile().invoke({"messages": [HumanMessage("A drink?")]})
    assert result["messages"][-1].content in ("Tea", "Coffee", "Cocoa")


def test_tool_calling_turns_pass_through():
    call = AIMessage("", tool_calls=[{"name": "lookup", "args": {"city": "Oslo"}, "id": "c1"}])
    inner = ToolCallingFakeChatModel(replies=[call])
    reply = VerbalizedChatModel(model=inner, k=3).bind_tools([lookup]).invoke("Weather in Oslo?")
    assert reply.tool_calls[0]["args"] == {"city": "Oslo"}
    assert len(inner.calls) == 1 and inner.calls[0]["tools"] == ["lookup"]


def test_text_turns_with_tools_bound_are_sampled():
    inner = ToolCallingFakeChatModel(replies=["I know this one.", THREE])
    history = [
        HumanMessage("Drink?"),
        AIMessage("", tool_calls=[{"name": "lookup", "args": {"city": "Oslo"}, "id": "c1"}]),
        ToolMessage("sunny", tool_call_id="c1"),
    ]
    model = VerbalizedChatModel(model=inner, k=3).bind_tools([lookup], tool_choice="auto")
    reply = model.invoke(history)
    assert reply.content in ("Tea", "Coffee", "Cocoa")
    assert [c["tools"] for c in inner.calls] == [["lookup"], None]
    assert inner.calls[0]["kwargs"]["fake_tool_choice"] == "auto"
    assert reply.usage_metadata["input_tokens"] == 20  # both calls counted


def test_stop_cuts_the_chosen_response():
    inner = ScriptedFakeChatModel(replies=[vs_json([("Hello you there", 1.0)])])
    assert VerbalizedChatModel(model=inner, k=1).invoke("Q", stop=["you"]).content == "Hello "


def test_settings_reach_the_wrapped_model():
    inner = ChatOpenAI(model="gpt-4.1-mini", api_key="sk-test", temperature=0.7)
    model = VerbalizedChatModel(model=inner, k=4, temperature=1.1, max_tokens=40, timeout=9)
    copy = model.inner_model()
    assert (copy.temperature, copy.max_tokens, copy.request_timeout) == (1.1, 4 * 90, 9)
    assert inner.temperature == 0.7  # the user's model is left alone
    # The token budget of one call follows the responses that call asks for, not the raw k.
    for method, per_call in (("direct", 1), ("multi_turn", 1), ("vs_multi", 2), ("sequence", 4)):
        wrapped = VerbalizedChatModel(model=inner, k=4, method=method, max_tokens=40)
        assert wrapped.inner_model().max_tokens == per_call * 90, method
    params = model._get_ls_params(stop=["x"])
    assert params == {
        "ls_provider": "langchain_vs",
        "ls_model_name": "gpt-4.1-mini",
        "ls_model_type": "chat",
        "ls_temperature": 1.1,
        "ls_max_tokens": 40,
        "ls_stop": ["x"],
    }
    assert model._get_ls_params(model="other")["ls_model_name"] == "other"
    assert model._llm_type == "verbalized-sampling"
    assert model._identifying_params["model"] == "openai-chat"


def test_per_call_kwargs_reach_the_wrapped_model():
    inner = ToolCallingFakeChatModel(replies=[THREE])
    VerbalizedChatModel(model=inner, k=3).invoke("Q", model="other-model")
    assert inner.calls[0]["kwargs"]["model"] == "other-model"


class _Parents(BaseCallbackHandler):
    def __init__(self) -> None:
        self.runs: list[tuple[str, UUID, UUID | None]] = []

    def on_chat_model_start(self, serialized, messages, *, run_id, parent_run_id=None, **kw):
        self.runs.append((kw.get("name") or serialized.get("name", ""), run_id, parent_run_id))


async def test_inner_calls_are_child_runs_sync_and_async():
    for use_async in (False, True):
        handler = _Parents()
        model = VerbalizedChatModel(model=ScriptedFakeChatModel(replies=[THREE]), k=3)
        if use_async:
            await model.ainvoke("Q", {"callbacks": [handler]})
        else:
            model.invoke("Q", {"callbacks": [handler]})
        (outer_name, outer_id, _), (inner_name, _, inner_parent) = handler.runs
        assert inner_name == "ScriptedFakeChatModel"
        assert outer_name == "VerbalizedChatModel" and inner_parent == outer_id


def test_bad_options_fail_at_construction():
    with pytest.raises(ValueError, match=r"k\n.*greater than or equal to 1"):
        VerbalizedChatModel(model=ScriptedFakeChatModel(replies=[THREE]), k=0)
    with pytest.raises(ValueError, match="unknown option 'kk'"):
        VerbalizedChatModel(model=ScriptedFakeChatModel(replies=[THREE]), kk=3)


@pytest.mark.parametrize("prompt", ["", "   ", []])
def test_an_empty_prompt_is_a_value_error_before_any_call(prompt):
    inner = ScriptedFakeChatModel(replies=[THREE])
    with pytest.raises(ValueError, match="The prompt is empty"):
        VerbalizedChatModel(model=inner).invoke(prompt)
    assert inner.calls == []
