"""VerbalizedSampler through ChatOpenAI on the real local model.

Contracts, not luck: the model (seeded) may finish fewer responses than asked when a reply hits
the token limit, which the record then says (``fewer_than_asked``); counts are checked that way.
"""

import json

import pytest
from langchain_core.messages import AIMessage, AIMessageChunk
from langchain_openai import ChatOpenAI
from pydantic import BaseModel

from langchain_vs import Candidate, Method, VerbalizedDistribution, VerbalizedSampler, verbalize

from .conftest import SEED

PROMPT = "Write a one-sentence opening line for a story about the sea."


def check_count(dist: VerbalizedDistribution, asked: int) -> None:
    assert 1 <= len(dist) <= asked
    # A contract both ways: fewer candidates than asked exactly when the repair says so.
    assert (len(dist) < asked) == ("fewer_than_asked" in dist.repairs)


@pytest.mark.parametrize(
    "method", [Method.VS_STANDARD, Method.VS_COT, Method.VS_MULTI, Method.SEQUENCE, Method.DIRECT]
)
def test_every_method_sync(chat_model: ChatOpenAI, method: Method) -> None:
    sampler = VerbalizedSampler(model=chat_model, method=method, k=3, seed=0)
    message = sampler.invoke(PROMPT)
    assert isinstance(message, AIMessage) and message.content.strip()
    record = message.response_metadata["verbalized_sampling"]
    dist = VerbalizedDistribution.from_dict(record)
    check_count(dist, 1 if method is Method.DIRECT else 3)
    assert record["k"] == 3  # what was asked for; what the method asked the model for:
    assert record["candidates_asked"] == (1 if method is Method.DIRECT else 3)
    assert message.content == dist[[c.index for c in dist].index(record["chosen_index"])].text
    assert record["structured"] is (method is not Method.DIRECT)
    assert record["model_calls"] >= (2 if method is Method.VS_MULTI else 1)
    assert message.usage_metadata is not None and message.usage_metadata["output_tokens"] > 0


async def test_async_and_abatch(chat_model: ChatOpenAI) -> None:
    sampler = VerbalizedSampler(model=chat_model, k=3, output="distribution")
    check_count(await sampler.ainvoke("Name a color."), 3)
    results = await sampler.abatch(
        ["Name a fruit.", "Name a city.", "Name a tree."], {"max_concurrency": 3}
    )
    assert len(results) == 3
    for dist in results:
        check_count(dist, 3)


def test_batch(chat_model: ChatOpenAI) -> None:
    sampler = VerbalizedSampler(model=chat_model, k=3, output="text")
    texts = sampler.batch(["Name a fruit.", "Name an animal."], {"max_concurrency": 2})
    assert len(texts) == 2 and all(isinstance(t, str) and t.strip() for t in texts)


def test_stream_yields_candidates_then_the_pick(chat_model: ChatOpenAI) -> None:
    sampler = VerbalizedSampler(model=chat_model, k=3, output="candidate", seed=1)
    items = list(sampler.stream("Name a planet."))
    assert all(isinstance(c, Candidate) for c in items)
    *streamed, pick = items
    # Each candidate as it completes, then the pick; a reply the sampler re-asks has streamed
    # its candidates too, so the pick is among the last reply's.
    assert streamed and pick.text in {c.text for c in streamed}
    assert [c.index for c in streamed] == sorted(c.index for c in streamed)


async def test_astream_message_output(chat_model: ChatOpenAI) -> None:
    sampler = VerbalizedSampler(model=chat_model, k=3)
    chunks = [c async for c in sampler.astream("Name a bird.")]
    assert len(chunks) == 1 and isinstance(chunks[0], AIMessageChunk)
    events = [e async for e in sampler.astream_events("Name a bird.")]
    custom = [e for e in events if e["event"] == "on_custom_event"]
    final = [e["data"] for e in custom if e["name"] == "verbalized_sampling.distribution"]
    streamed = [e for e in custom if e["name"] == "verbalized_sampling.candidate"]
    assert len(final) == 1 and len(streamed) >= len(final[0]["candidates"]) >= 1


def test_text_mode_with_repairs(chat_model: ChatOpenAI) -> None:
    # No structured output: the tiny model must be re-asked or its text repaired; either way
    # the result is a valid distribution or an OutputParserException, never garbage.
    from langchain_core.exceptions import OutputParserException

    sampler = VerbalizedSampler(
        model=chat_model.model_copy(update={"max_tokens": 256}),  # unconstrained text rambles
        k=3,
        structured_output="none",
        output="distribution",
        max_retries=2,
    )
    try:
        dist = sampler.invoke("Name a color.")
    except OutputParserException as error:
        assert error.llm_output  # noqa: PT017 -- either outcome is checked
    else:
        assert len(dist) >= 1 and abs(sum(dist.probabilities) - 1) < 1e-9


def test_verbalize_helper(chat_model: ChatOpenAI) -> None:
    dist = verbalize("Tell me a joke about coffee.", model=chat_model, k=3)
    check_count(dist, 3)
    assert all(c.text.strip() for c in dist)


class Pet(BaseModel):
    """A pet for a children's story."""

    name: str
    species: str


def test_structured_candidates_through_the_servers_json_schema(chat_model: ChatOpenAI) -> None:
    # The schema nested per response goes to llama.cpp as response_format json_schema: its
    # constrained decoding returns objects of the user's schema.
    sampler = VerbalizedSampler(model=chat_model, k=3, schema=Pet, output="distribution", seed=SEED)
    dist = sampler.invoke("Invent a pet for a children's story.")
    check_count(dist, 3)
    assert all(isinstance(c.value, Pet) for c in dist)
    assert all(json.loads(c.text) == c.value.model_dump() for c in dist)
    record = dist.to_dict()
    assert VerbalizedDistribution.from_dict(record, schema=Pet).values == dist.values
