"""Preferences: the Bradley-Terry fit, its scorer, the pairwise judge (FAKE chat models, logic
only) and the embedding preference model."""

from __future__ import annotations

import itertools
import json
import math
import random
import re
import sys
from typing import Any

import pytest
from langchain_core.embeddings import Embeddings
from langchain_core.exceptions import OutputParserException
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatResult

from langchain_vs.core import Candidate, Scorer, checked_scores
from langchain_vs.eval import HashedNgramEmbeddings
from langchain_vs.quality import (
    BradleyTerryScorer,
    PairwiseJudge,
    Preference,
    PreferenceModel,
    bradley_terry,
    preferences_from_choice,
)
from tests.unit_tests.fake_models import ScriptedFakeChatModel


def kendall_tau(a: list[float], b: list[float]) -> float:
    pairs = list(itertools.combinations(range(len(a)), 2))
    return sum(math.copysign(1, (a[i] - a[j]) * (b[i] - b[j])) for i, j in pairs) / len(pairs)


def test_bradley_terry_recovers_a_known_order_from_sampled_comparisons() -> None:
    rng = random.Random(11)
    truth = {f"item {i}": math.exp(0.4 * i) for i in range(8)}
    names = list(truth)
    preferences = []
    for _ in range(300):
        a, b = rng.sample(names, 2)
        a_wins = rng.random() < truth[a] / (truth[a] + truth[b])
        preferences.append(Preference(a, b) if a_wins else Preference(b, a))
    fitted = bradley_terry(preferences)
    assert kendall_tau([fitted[n] for n in names], [truth[n] for n in names]) >= 0.8


def test_unbeaten_winless_disconnected_and_unseen_items_stay_finite() -> None:
    strengths = bradley_terry(
        [Preference("A", "B")] * 20 + [Preference("C", "D"), Preference("C", "D")]
    )
    assert all(0 < s < math.inf for s in strengths.values())
    assert strengths["A"] > strengths["C"] > 1 > strengths["D"] > strengths["B"]
    scorer = BradleyTerryScorer(strengths)
    assert isinstance(scorer, Scorer)
    scores = scorer.score([], [Candidate(" a ", 0.5), Candidate("never seen", 0.5, index=1)])
    assert scores[0].value == pytest.approx(math.log(strengths["A"]))  # case and spaces ignored
    assert (scores[1].value, scores[1].reason) == (0.0, "never compared")


async def test_the_scorer_is_the_fit_and_sync_equals_async() -> None:
    prefs = [Preference("Tea", "Coffee"), Preference("Tea", "Water"), Preference("Coffee", "Water")]
    scorer = BradleyTerryScorer.from_preferences(prefs, prior=0.5)
    candidates = [Candidate(t, 1 / 3, index=i) for i, t in enumerate(["Water", "Tea", "Coffee"])]
    scores = scorer.score([], candidates)
    assert scores[0].value < scores[2].value < scores[1].value  # Water < Coffee < Tea
    assert await scorer.ascore([], candidates) == scores
    assert checked_scores(scorer, scores, candidates) == scores


def test_thumbs_on_earlier_draws_rank_their_candidates() -> None:
    draws = [["Tea", "Coffee", "Water"], ["Tea", "Cocoa", "Coffee"], ["Cocoa", "Water"]]
    picks = ["Tea", "Tea", "Cocoa"]
    preferences = [
        p
        for pick, shown in zip(picks, draws, strict=True)
        for p in preferences_from_choice(pick, shown)
    ]
    scorer = BradleyTerryScorer.from_preferences(preferences)
    ranked = sorted(["Water", "Cocoa", "Coffee", "Tea"], key=scorer.log_strength, reverse=True)
    assert ranked[0] == "Tea" and ranked[-1] == "Water"
    with pytest.raises(ValueError, match="not among"):
        preferences_from_choice("Milk", ["Tea"])
    with pytest.raises(ValueError, match="nothing else"):
        preferences_from_choice("Tea", ["tea"])


@pytest.mark.parametrize(
    ("make", "error", "message"),
    [
        (lambda: bradley_terry([]), ValueError, "no preferences"),
        (lambda: Preference("Tea", " tea "), ValueError, "self-comparison"),
        (lambda: Preference("", "Tea"), ValueError, "winner is empty"),
        (lambda: Preference("Tea", 3), TypeError, "loser must be a string"),
        (lambda: bradley_terry([("Tea", "Coffee")]), TypeError, "Preference"),
        (lambda: bradley_terry([Preference("a", "b")], prior=math.nan), ValueError, "prior"),
        (lambda: bradley_terry([Preference("a", "b")], prior=0), ValueError, "prior"),
        (lambda: BradleyTerryScorer({"a": math.nan}), ValueError, "finite number > 0"),
        (lambda: BradleyTerryScorer({"a": 1.0}, unseen_strength=0), ValueError, "unseen"),
        (lambda: BradleyTerryScorer({}), ValueError, "non-empty"),
    ],
)
def test_bad_preferences_are_refused(make: Any, error: type, message: str) -> None:
    with pytest.raises(error, match=message):
        make()


class LongerIsBetterFakeChatModel(BaseChatModel):
    """FAKE pairwise judge: reads candidates and pairs from the prompt, prefers the longer."""

    calls: int = 0

    @property
    def _llm_type(self) -> str:
        return "longer-is-better-fake"

    def _generate(
        self, messages: list[BaseMessage], stop: Any = None, run_manager: Any = None, **kw: Any
    ) -> ChatResult:
        self.calls += 1
        prompt = messages[-1].text
        texts = dict(re.findall(r'<candidate index="(\d+)">\n(.*?)\n</candidate>', prompt))
        pairs = re.findall(r"^(\d+)\. candidate (\d+) or candidate (\d+)$", prompt, re.M)
        comparisons = {
            n: {"reason": "longer", "better": int(max(a, b, key=lambda i: len(texts[i])))}
            for n, a, b in pairs
        }
        reply = AIMessage(json.dumps({"comparisons": comparisons}))
        return ChatResult(generations=[ChatGeneration(message=reply)])


async def test_pairwise_judge_ranks_by_its_verdicts_in_one_call() -> None:
    model = LongerIsBetterFakeChatModel()
    judge = PairwiseJudge(model, rubric="Which is more detailed?", seed=5)
    texts = ["ab", "abcdef", "a", "abcd", "abc"]
    candidates = [Candidate(t, 0.2, index=i) for i, t in enumerate(texts)]
    scores = judge.score([("human", "Describe it.")], candidates)
    assert kendall_tau([s.value for s in scores], [len(t) for t in texts]) == 1.0
    assert scores[1].reason == "won 4 of 4 comparisons"
    assert await judge.ascore([("human", "Describe it.")], candidates) == scores
    assert model.calls == 2  # one call per draw, each way


def test_pairwise_judge_re_asks_a_wrong_verdict_then_raises_with_the_raw_output() -> None:
    wrong = json.dumps({"comparisons": {"1": {"reason": "?", "better": 3}}})
    model = ScriptedFakeChatModel(replies=[wrong, "no idea"], structured=True)
    judge = PairwiseJudge(model, rubric="Which is better?", max_retries=1, shuffle=False)
    with pytest.raises(OutputParserException) as caught:
        judge.score([], [Candidate("x", 0.5), Candidate("y", 0.5, index=1)])
    assert caught.value.llm_output == "no idea"
    assert "compares candidates 1 and 2, but its answer is 3" in model.calls[1]["messages"][-1].text
    entry = model.calls[0]["schema"]["properties"]["comparisons"]["properties"]["1"]
    assert entry["properties"]["better"]["enum"] == [1, 2]


def test_a_single_candidate_needs_no_comparison() -> None:
    model = ScriptedFakeChatModel(replies=["unused"])
    scores = PairwiseJudge(model, rubric="Which is better?").score([], [Candidate("x", 1.0)])
    assert [(s.value, s.reason) for s in scores] == [(0.0, "nothing to compare with")]
    assert model.calls == []


def test_pairwise_judge_refuses_too_many_candidates() -> None:
    judge = PairwiseJudge(ScriptedFakeChatModel(replies=["x"]), rubric="Which is better?")
    with pytest.raises(ValueError, match="at most 10 candidates"):
        judge.score([], [Candidate(str(i), 1 / 11, index=i) for i in range(11)])


OCEAN = [
    "The ocean waves roll in.",
    "Sea spray on the harbour wall.",
    "A boat on the open sea.",
    "Tides wash the sandy shore.",
    "Seagulls over the ocean.",
    "Waves break on the reef.",
]
DESERT = [
    "A dry desert road at noon.",
    "Cactus in the hot desert.",
    "Dunes of dry sand.",
    "A dusty trail through the desert.",
    "Heat over the dry plain.",
    "Camels cross the dunes.",
]


async def test_the_preference_model_generalises_to_unseen_texts() -> None:
    preferences = [Preference(o, d) for o, d in itertools.product(OCEAN[:4], DESERT[:4])]
    model = PreferenceModel.fit(preferences, embeddings=HashedNgramEmbeddings())
    assert isinstance(model, Scorer)
    unseen = [Candidate(t, 0.25, index=i) for i, t in enumerate(OCEAN[4:] + DESERT[4:])]
    scores = model.score([], unseen)
    held_out = [(o.value > d.value) for o, d in itertools.product(scores[:2], scores[2:])]
    assert all(held_out)
    assert await model.ascore([], unseen) == scores


class FakeEmbeddings(Embeddings):
    """FAKE embeddings returning fixed vectors (to test input checks)."""

    def __init__(self, vector: list[float]) -> None:
        self.vector = vector

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return [self.vector for _ in texts]

    def embed_query(self, text: str) -> list[float]:
        return self.vector


def test_bad_preference_model_input_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    prefs = [Preference("a", "b")]
    with pytest.raises(ValueError, match="no preferences"):
        PreferenceModel.fit([], embeddings=HashedNgramEmbeddings())
    with pytest.raises(ValueError, match="NaN"):
        PreferenceModel.fit(prefs, embeddings=FakeEmbeddings([math.nan, 1.0]))
    with pytest.raises(ValueError, match="regularization"):
        PreferenceModel.fit(prefs, embeddings=HashedNgramEmbeddings(), regularization=0)
    with pytest.raises(TypeError, match="Embeddings"):
        PreferenceModel.fit(prefs, embeddings="minilm")  # type: ignore[arg-type]
    model = PreferenceModel.fit(prefs, embeddings=FakeEmbeddings([1.0, 0.0]))
    model.embeddings = FakeEmbeddings([1.0, 0.0, 0.0])
    with pytest.raises(ValueError, match="fitted with"):
        model.score([], [Candidate("c", 1.0)])
    monkeypatch.setitem(sys.modules, "numpy", None)
    with pytest.raises(ImportError, match=r'pip install "langchain-vs\[embeddings\]"'):
        PreferenceModel.fit(prefs, embeddings=FakeEmbeddings([1.0, 0.0]))
