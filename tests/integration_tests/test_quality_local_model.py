"""Quality-aware selection on the real local model, through ChatOpenAI.

Contracts, not luck: whatever the seeded model answers, the pick is the one the recorded
scores or expected utilities say it must be, and those numbers are the ones recomputed here.
"""

from typing import Any

import pytest
from langchain_core.messages import AIMessage
from langchain_openai import ChatOpenAI

from langchain_vs import (
    EmbeddingUtility,
    MiniLMEmbeddings,
    VerbalizedChatModel,
    VerbalizedSampler,
    as_scorer,
)

from .conftest import SEED


def _record(message: Any) -> dict[str, Any]:
    assert isinstance(message, AIMessage) and message.text.strip()
    record: dict[str, Any] = message.response_metadata["verbalized_sampling"]
    return record


def _chosen(record: dict[str, Any]) -> dict[str, Any]:
    return next(c for c in record["candidates"] if c["index"] == record["chosen_index"])


def test_mbr_picks_the_highest_expected_utility(chat_model: ChatOpenAI) -> None:
    sampler = VerbalizedSampler(model=chat_model, k=4, selection="mbr", seed=SEED)
    message = sampler.invoke("Name a fruit that is red, in a few words.")
    record = _record(message)
    candidates = record["candidates"]
    assert record["utility"].startswith("embedding_cosine(MiniLMEmbeddings")  # "auto"
    expected = {e["index"]: e["expected_utility"] for e in record["expected_utilities"]}
    assert list(expected) == [c["index"] for c in candidates]
    # The recorded numbers are sum_j p_j * cos(c_i, c_j), recomputed from the texts.
    matrix = EmbeddingUtility(MiniLMEmbeddings())([c["text"] for c in candidates])
    for c, row in zip(candidates, matrix, strict=True):
        by_hand = sum(d["probability"] * u for d, u in zip(candidates, row, strict=True))
        assert expected[c["index"]] == pytest.approx(by_hand, abs=1e-6)
    best = max(candidates, key=lambda c: (expected[c["index"]], c["probability"], -c["index"]))
    assert record["chosen_index"] == best["index"] and message.text == best["text"]


async def test_best_with_a_callable_scorer_async(chat_model: ChatOpenAI) -> None:
    brevity = as_scorer(lambda text: -len(text), name="brevity")
    model = VerbalizedChatModel(model=chat_model, k=4, scorer=brevity, selection="best")
    message = await model.ainvoke("Describe the sea in one sentence.")
    record = _record(message)
    assert record["scorer"] == "brevity" and record["selection"] == "best"
    texts = {c["index"]: c["text"] for c in record["candidates"]}
    assert {s["index"]: s["score"] for s in record["scores"]} == {
        i: -len(t) for i, t in texts.items()
    }
    shortest = min(len(t) for t in texts.values())
    assert len(_chosen(record)["text"]) == shortest and message.text == _chosen(record)["text"]
