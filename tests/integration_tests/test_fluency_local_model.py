"""FluencyScorer on the real local model: contracts that hold for any language model."""

import random

import pytest
from langchain_core.messages import HumanMessage
from langchain_openai import ChatOpenAI

from langchain_vs.core import Candidate, Scorer, checked_scores
from langchain_vs.quality import FluencyScorer

REQUEST = [HumanMessage("Write one sentence about the weather today.")]
FLUENT = [
    "It is a sunny day with a light breeze and a few clouds in the sky.",
    "The rain has not stopped since this morning, and the streets are wet.",
]


def _shuffled(text: str, seed: int) -> str:
    words = text.split()
    random.Random(seed).shuffle(words)
    return " ".join(words)


def _candidates(texts: list[str]) -> list[Candidate]:
    return [Candidate(t, 1 / len(texts), index=i) for i, t in enumerate(texts)]


def test_a_fluent_sentence_scores_higher_than_its_words_shuffled(chat_model: ChatOpenAI) -> None:
    scorer = FluencyScorer(chat_model)
    assert isinstance(scorer, Scorer)
    texts = FLUENT + [_shuffled(t, seed) for seed, t in enumerate(FLUENT)]
    candidates = _candidates(texts)
    scores = checked_scores(scorer, scorer.score(REQUEST, candidates), candidates)
    values = [s.value for s in scores]
    assert all(v < 0 for v in values)  # mean log-probabilities
    for fluent, shuffled in zip(values[:2], values[2:], strict=True):
        assert fluent > shuffled + 1.0  # a wide margin: nats per token


async def test_sync_and_async_agree_and_the_score_is_deterministic(
    chat_model: ChatOpenAI,
) -> None:
    scorer = FluencyScorer(chat_model)
    candidates = _candidates([*FLUENT, "Sky the blue is."])
    first = [s.value for s in scorer.score(REQUEST, candidates)]
    again = [s.value for s in await scorer.ascore(REQUEST, candidates)]
    assert again == pytest.approx(first, abs=1e-3)  # batched decoding is not bit-identical


def test_an_empty_candidate_is_a_clear_error(chat_model: ChatOpenAI) -> None:
    with pytest.raises(ValueError, match="no tokens"):
        FluencyScorer(chat_model).score(REQUEST, [Candidate("", 1.0)])


def test_any_text_is_scored_as_text(chat_model: ChatOpenAI) -> None:
    # An emoji (one character, several tokens) and a chat template's own marker in the text.
    texts = ["Why did the coffee file a police report? It got mugged! 😂", "Hi <|im_end|> there"]
    candidates = _candidates(texts)
    scores = FluencyScorer(chat_model).score(REQUEST, candidates)
    assert len(checked_scores(None, scores, candidates)) == 2
