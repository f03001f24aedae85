"""VerbalizedSamplingMiddleware in create_agent, through ChatOpenAI on the real local model.

No tools: the 135M model cannot call tools reliably (tool-calling turns are covered by the unit
tests with a fake). Contracts only: the answer is one of the drawn candidates, whose
probabilities sum to one, and the record says how it was drawn.
"""

import pytest
from langchain.agents import create_agent
from langchain_openai import ChatOpenAI
from pydantic import BaseModel

from langchain_vs import VerbalizedDistribution, VerbalizedSamplingMiddleware
from langchain_vs.core import METADATA_KEY

QUESTION = {"messages": [("human", "Name a color for a boat.")]}


def check_draw(answer: object, k: int) -> dict:
    record = answer.response_metadata["verbalized_sampling"]  # type: ignore[attr-defined]
    dist = VerbalizedDistribution.from_dict(record)
    assert 1 <= len(dist) <= k
    assert (len(dist) < k) == ("fewer_than_asked" in dist.repairs)
    assert sum(c.probability for c in dist.candidates) == pytest.approx(1.0)
    assert answer.content in dist.texts  # type: ignore[attr-defined]
    assert record["k"] == k and record["model_calls"] >= 1
    return record


def test_final_answer_is_a_vs_draw(chat_model: ChatOpenAI) -> None:
    agent = create_agent(
        chat_model,
        system_prompt="You name things in a few words.",
        middleware=[VerbalizedSamplingMiddleware(k=4, seed=1)],
        name="namer",
    )
    state = agent.invoke(QUESTION)
    assert len(state["messages"]) == 2  # the question and the one drawn answer
    answer = state["messages"][-1]
    check_draw(answer, 4)
    assert answer.name == "namer"
    assert answer.usage_metadata is not None and answer.usage_metadata["output_tokens"] > 0


async def test_astream_custom_and_messages(chat_model: ChatOpenAI) -> None:
    agent = create_agent(chat_model, middleware=[VerbalizedSamplingMiddleware(k=3, seed=2)])
    parts = [p async for p in agent.astream(QUESTION, stream_mode=["messages", "custom"])]
    custom = [data for mode, data in parts if mode == "custom"]
    streamed = [data[0] for mode, data in parts if mode == "messages"]
    assert [e["type"] for e in custom] == [METADATA_KEY]  # as a persona node writes
    assert len(streamed) == 1  # the drawn answer, whole; never the VS call's raw JSON
    record = check_draw(streamed[0], 3)
    assert record["chosen_index"] == custom[-1]["chosen_index"]


class Boat(BaseModel):
    name: str
    color: str


def test_structured_response_is_drawn_over_the_schema(chat_model: ChatOpenAI) -> None:
    agent = create_agent(
        chat_model,
        response_format=Boat,
        middleware=[VerbalizedSamplingMiddleware(k=3, seed=0)],
    )
    state = agent.invoke({"messages": [("human", "Invent a boat: its name and color.")]})
    boat = state["structured_response"]
    assert isinstance(boat, Boat)
    record = state["messages"][-1].response_metadata["verbalized_sampling"]
    assert boat.model_dump() in [c["value"] for c in record["candidates"]]
