"""Quality-aware selection on the real local model, through ChatOpenAI.

Contracts, not luck: whatever the seeded model answers, the pick is the one the recorded
scores or expected utilities say it must be, and those numbers are the ones recomputed here.
"""

import itertools
import math
from typing import Any

import pytest
from langchain_core.messages import AIMessage
from langchain_openai import ChatOpenAI

from langchain_vs import (
    EmbeddingUtility,
    MiniLMEmbeddings,
    PairwiseJudge,
    VerbalizedChatModel,
    VerbalizedDistribution,
    VerbalizedSampler,
    as_scorer,
)
from langchain_vs.quality import FluencyScorer

from .conftest import SEED
from .test_judge_local_model import CallCounter


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


def test_a_fluency_tilt_reweights_before_the_seeded_pick(chat_model: ChatOpenAI) -> None:
    fluency = FluencyScorer(chat_model)
    sampler = VerbalizedSampler(model=chat_model, k=4, scorer=fluency, tilt=0.5, seed=SEED)
    record = _record(sampler.invoke("Write an opening line for a story about the sea."))
    assert record["scorer"] == "fluency" and record["tilt"] == 0.5
    scores = {s["index"]: s["score"] for s in record["scores"]}
    assert set(scores) == {c["index"] for c in record["candidates"]}
    assert all(score <= 0 for score in scores.values())  # mean token log-probabilities
    # The record holds the tilted distribution, and the pick is its seeded sample.
    assert "tilt(beta=0.5)" in record["transforms"]
    tilted = VerbalizedDistribution.from_dict(record)
    assert sum(tilted.probabilities) == pytest.approx(1.0)
    assert record["chosen_index"] == tilted.sample(SEED).index


def test_a_pairwise_judge_scores_a_draw_in_one_call(chat_model: ChatOpenAI) -> None:
    prompt = "Name a pet cat."
    draw = VerbalizedSampler(model=chat_model, k=3, output="distribution").invoke(prompt)
    counter = CallCounter()
    judge = PairwiseJudge(
        chat_model.model_copy(update={"callbacks": [counter]}),
        rubric="Which is the better name for a pet cat?",
    )
    scores = judge.score([("human", prompt)], list(draw))
    assert len(scores) == len(draw) and counter.calls == 1  # every pair in one call
    wins = []
    for score in scores:
        assert math.isfinite(score.value) and score.reason is not None
        wins.append(int(score.reason.split()[1]))  # "won W of N comparisons"
    assert sum(wins) == len(draw) * (len(draw) - 1) // 2  # each pair decided once
    # Bradley-Terry on a round robin: more pairs won, a higher log-strength.
    for (w1, s1), (w2, s2) in itertools.product(zip(wins, scores, strict=True), repeat=2):
        assert not w1 > w2 or s1.value > s2.value
