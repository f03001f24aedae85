"""Quality-aware draws: scorers, best, mbr, tilt and min_score in the engine and every face.

FAKE chat models and FAKE scorers (known scores, logic only); the real model is in
tests/integration_tests/test_quality_local_model.py.
"""

from __future__ import annotations

import asyncio
import json
import math
from collections.abc import Sequence
from typing import Any

import pytest
from langchain_core.messages import AIMessage, BaseMessage, HumanMessage
from langchain_core.runnables import RunnableLambda

from langchain_vs import (
    CandidateScore,
    EmbeddingUtility,
    HashedNgramEmbeddings,
    VerbalizedChatModel,
    VerbalizedNode,
    VerbalizedSampler,
    as_scorer,
    combine_scorers,
    lexical_utility,
    resolve_utility,
    verbalize,
)
from langchain_vs.core import Candidate, VerbalizedConfig, VerbalizedEngine

from .fake_models import ScriptedFakeChatModel, vs_json

ASK = [("human", "A hot drink?")]
REPLY = vs_json([("Tea", 0.5), ("Coffee", 0.3), ("Cocoa", 0.2), ("Tea", 0.1)])
"""Tea twice: the scorer must see it once."""
SCORES = {"Tea": 0.0, "Coffee": 2.0, "Cocoa": 1.0}


class KnownScorer:
    """FAKE scorer: known scores by text; counts its calls and what it was shown."""

    name = "known"

    def __init__(self, scores: dict[str, float] | None = None) -> None:
        self.scores = scores or SCORES
        self.calls: list[tuple[str, list[str], list[str]]] = []

    def _score(self, way: str, request: Sequence[BaseMessage], candidates: Sequence[Candidate]):
        self.calls.append((way, [m.text for m in request], [c.text for c in candidates]))
        return [CandidateScore(self.scores[c.text], f"{c.text} rated") for c in candidates]

    def score(self, request, candidates):
        return self._score("sync", request, candidates)

    async def ascore(self, request, candidates):
        await asyncio.sleep(0)
        return self._score("async", request, candidates)


def engine(**options: Any) -> VerbalizedEngine:
    return VerbalizedEngine(ScriptedFakeChatModel(replies=[REPLY]), VerbalizedConfig(**options))


def four_ways(**options: Any) -> list[Any]:
    """The draw of invoke, ainvoke, stream and astream, each on a fresh engine."""

    async def async_ways() -> list[Any]:
        first = await engine(**options).ainvoke(ASK)
        last = [e async for e in engine(**options).astream(ASK)][-1]
        return [first, last]

    sync = [engine(**options).invoke(ASK), list(engine(**options).stream(ASK))[-1]]
    return sync + asyncio.run(async_ways())


def test_best_picks_the_highest_score_once_a_text_and_records_it() -> None:
    scorer = KnownScorer()
    draw = engine(scorer=scorer, selection="best").invoke(ASK)
    assert draw.chosen.text == "Coffee"
    assert scorer.calls == [("sync", ["A hot drink?"], ["Tea", "Coffee", "Cocoa"])]
    record = draw.record
    assert record["scorer"] == "known" and record["selection"] == "best"
    assert record["scores"] == [
        {"index": 0, "score": 0.0, "reason": "Tea rated"},
        {"index": 1, "score": 2.0, "reason": "Coffee rated"},
        {"index": 2, "score": 1.0, "reason": "Cocoa rated"},
        {"index": 3, "score": 0.0, "reason": "Tea rated"},  # the cached score of its text
    ]
    json.dumps(record)  # plain JSON


def test_best_ties_go_to_the_likelier_then_the_earlier() -> None:
    tied = KnownScorer({"Tea": 1.0, "Coffee": 1.0, "Cocoa": 1.0})
    assert engine(scorer=tied, selection="best").invoke(ASK).chosen.index == 0


def test_sync_and_async_pick_the_same_with_the_same_seed() -> None:
    for options in [
        {"selection": "sample", "tilt": 0.5, "seed": 3},
        {"selection": "best", "min_score": 0.5},
        {"selection": "mbr", "utility": "lexical", "tilt": 1.0},
        {"selection": "tail", "seed": 11},
    ]:
        scorer = KnownScorer()
        draws = four_ways(scorer=scorer, **options)
        assert len({d.chosen.index for d in draws}) == 1, options
        assert len({json.dumps(d.record) for d in draws}) == 1, options
        assert [way for way, _, _ in scorer.calls] == ["sync", "sync", "async", "async"]


def test_the_tilt_reweights_by_score_before_the_pick() -> None:
    draw = engine(scorer=KnownScorer(), tilt=0.5, seed=1).invoke(ASK)
    p = [0.5 / 1.1, 0.3 / 1.1, 0.2 / 1.1, 0.1 / 1.1]
    weights = [pi * math.exp(s / 0.5) for pi, s in zip(p, [0.0, 2.0, 1.0, 0.0], strict=True)]
    assert draw.distribution.probabilities == pytest.approx([w / sum(weights) for w in weights])
    assert draw.record["transforms"] == ["tilt(beta=0.5)"] and draw.record["tilt"] == 0.5
    # A strong tilt makes the best-scored the sample almost always.
    picks = [engine(scorer=KnownScorer(), tilt=0.01, seed=s).invoke(ASK) for s in range(20)]
    assert {d.chosen.text for d in picks} == {"Coffee"}


def test_min_score_filters_and_keeps_the_best_when_none_passes() -> None:
    draw = engine(scorer=KnownScorer(), min_score=1.0, selection="argmax").invoke(ASK)
    assert draw.distribution.texts == ["Coffee", "Cocoa"] and draw.chosen.text == "Coffee"
    assert draw.record["transforms"] == ["filter"] and draw.record["min_score"] == 1.0
    assert len(draw.record["scores"]) == 4  # the scores of the dropped ones stay on record
    none_pass = engine(scorer=KnownScorer(), min_score=9.0).invoke(ASK)
    assert none_pass.distribution.texts == ["Coffee"] and none_pass.chosen.text == "Coffee"


def test_mbr_picks_the_consensus_and_records_the_expected_utilities() -> None:
    # Coffee agrees most with the rest under this known matrix (Tea is likeliest).
    matrix = {("Tea", "Coffee"): 0.5, ("Coffee", "Cocoa"): 0.9}

    def known(texts: Sequence[str]) -> list[list[float]]:
        return [
            [1.0 if a == b else matrix.get((a, b), matrix.get((b, a), 0.0)) for b in texts]
            for a in texts
        ]

    draw = engine(selection="mbr", utility=known).invoke(ASK)
    assert draw.chosen.text == "Coffee" and draw.record["utility"] == "known"
    expected = [e["expected_utility"] for e in draw.record["expected_utilities"]]
    by_hand = [0.75, 0.25 + 0.3 + 0.18 + 0.05, 0.27 + 0.2, 0.75]  # p sums to 1.1 before
    assert expected == pytest.approx([u / 1.1 for u in by_hand])
    lexical = engine(selection="mbr", utility="lexical").invoke(ASK)
    assert lexical.record["utility"] == "lexical_utility"
    assert lexical.chosen.text == "Tea"  # the two Teas agree


def test_the_engine_refuses_an_unresolved_utility() -> None:
    with pytest.raises(ValueError, match="selection_utility"):
        engine(selection="mbr")  # "auto" needs langchain_vs.quality


def test_a_bad_scorer_result_names_the_scorer() -> None:
    wrong = as_scorer(lambda text: [1.0], name="listy")
    with pytest.raises(ValueError, match=r"scorer 'listy' returned \[1.0\] for candidate 0"):
        engine(scorer=wrong).invoke(ASK)

    class Short(KnownScorer):
        def score(self, request, candidates):
            return super().score(request, candidates)[:1]

    with pytest.raises(ValueError, match="returned 1 scores for 3 candidates"):
        engine(scorer=Short()).invoke(ASK)


@pytest.mark.parametrize(
    ("options", "error", "message"),
    [
        ({"selection": "best"}, ValueError, 'selection="best" uses .* pass scorer='),
        ({"tilt": 1.0}, ValueError, "tilt uses the candidates' scores: pass scorer="),
        ({"min_score": 0.5}, ValueError, r"min_score uses .* pass scorer="),
        ({"scorer": len}, TypeError, "as_scorer"),
        ({"scorer": KnownScorer(), "tilt": 0.0}, ValueError, "greater than 0"),
        ({"scorer": KnownScorer(), "tilt": math.inf}, ValueError, "finite number"),
        ({"scorer": KnownScorer(), "min_score": "high"}, ValueError, "valid number"),
        ({"utility": "lexcial"}, ValueError, "did you mean 'lexical'"),
        ({"utility": 3}, TypeError, "utility must be one of auto, lexical, embedding"),
    ],
)
def test_quality_options_are_checked_strictly(options, error, message) -> None:
    with pytest.raises(error, match=message):
        VerbalizedConfig(**options)


# -- every face -----------------------------------------------------------------------------


def _record(face: Any, way: str) -> dict[str, Any]:
    if isinstance(face, VerbalizedNode):
        state = {"messages": [HumanMessage("A hot drink?")]}
        update = face.invoke(state) if way == "sync" else asyncio.run(face.ainvoke(state))
        record: dict[str, Any] = update["draws"][0]
        return record
    message = (
        face.invoke("A hot drink?") if way == "sync" else asyncio.run(face.ainvoke("A hot drink?"))
    )
    assert isinstance(message, AIMessage)
    drawn: dict[str, Any] = message.response_metadata["verbalized_sampling"]
    return drawn


FACES = [
    lambda model, **o: VerbalizedSampler(model=model, **o),
    lambda model, **o: VerbalizedChatModel(model=model, **o),
    lambda model, **o: VerbalizedNode(model, **o),
]


@pytest.mark.parametrize("make", FACES)
def test_every_face_takes_the_quality_options_both_ways(make) -> None:
    for way in ("sync", "async"):
        scorer = KnownScorer()
        face = make(ScriptedFakeChatModel(replies=[REPLY]), scorer=scorer, selection="best")
        record = _record(face, way)
        assert record["chosen_index"] == 1 and record["scorer"] == "known"
        assert [w for w, _, _ in scorer.calls] == [way]
        face.selection = "mbr"
        face.utility = "lexical"
        record = _record(face, way)
        assert record["chosen_index"] == 0 and record["utility"] == "lexical_utility"


@pytest.mark.parametrize("make", FACES)
def test_a_face_re_validates_the_quality_options_on_assignment(make) -> None:
    face = make(ScriptedFakeChatModel(replies=[REPLY]), scorer=KnownScorer(), selection="best")
    with pytest.raises(ValueError, match=r'selection="best" uses .* pass scorer='):
        face.scorer = None
    assert face.scorer is not None and _record(face, "sync")["selection"] == "best"
    with pytest.raises(TypeError, match="as_scorer"):
        face.scorer = lambda text: 1.0
    with pytest.raises(ValueError, match="greater than 0"):
        face.tilt = -1.0
    face.tilt = 0.01
    assert _record(face, "sync")["tilt"] == 0.01
    face.selection = "mbr"
    face.utility = "lexical"
    assert _record(face, "sync")["utility"] == "lexical_utility"
    face.utility = lexical_utility  # a callable
    assert _record(face, "sync")["utility"] == "lexical_utility"


def test_verbalize_returns_the_distribution_the_scores_shaped() -> None:
    dist = verbalize(
        "A hot drink?",
        model=ScriptedFakeChatModel(replies=[REPLY]),
        scorer=KnownScorer(),
        min_score=1.0,
        tilt=1.0,
    )
    assert dist.texts == ["Coffee", "Cocoa"] and dist.transforms == ("filter", "tilt(beta=1)")


# -- quality: callables, Runnables, combinations, utilities -------------------------------


def test_as_scorer_wraps_functions_runnables_and_verifiers() -> None:
    candidates = [Candidate("Tea", 0.5), Candidate("Coffee", 0.5, index=1)]
    assert [s.value for s in as_scorer(len).score([], candidates)] == [3.0, 6.0]
    verifier = as_scorer(lambda text: text.startswith("T"), name="starts_with_t")
    assert [s.value for s in verifier.score([], candidates)] == [1.0, 0.0]
    seen: list[Any] = []
    runnable = RunnableLambda(lambda x: seen.append(x) or len(x["text"]))
    with_request = as_scorer(runnable, with_request=True)
    request = [HumanMessage("Drink?")]
    assert [s.value for s in with_request.score(request, candidates)] == [3.0, 6.0]
    assert seen[0] == {"text": "Tea", "request": request}
    scores = asyncio.run(as_scorer(len).ascore([], candidates))
    assert [s.value for s in scores] == [3.0, 6.0]
    scorer = KnownScorer()
    assert as_scorer(scorer) is scorer


def test_as_scorer_refuses_what_it_cannot_run() -> None:
    async def judge(text: str) -> float:
        return 1.0

    with pytest.raises(TypeError, match="RunnableLambda"):
        as_scorer(judge)
    with pytest.raises(TypeError, match="function text -> number, a Runnable or a Scorer"):
        as_scorer(3)
    with pytest.raises(ValueError, match="a Scorer is used as it is"):
        as_scorer(KnownScorer(), name="other")
    with pytest.raises(TypeError, match="embeddings must be a LangChain Embeddings"):
        EmbeddingUtility("minilm")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="unknown utility 3"):
        resolve_utility(3)  # type: ignore[arg-type]


def test_combined_scorers_add_weighted_scores_and_keep_reasons() -> None:
    both = combine_scorers((KnownScorer(), 2.0), (len, -0.5))
    assert both.name == "2*known-0.5*len"
    candidates = [Candidate("Tea", 0.5), Candidate("Coffee", 0.5, index=1)]
    sync = both.score([], candidates)
    assert [s.value for s in sync] == [0.0 - 1.5, 4.0 - 3.0]
    assert sync[0].reason == "known: Tea rated"
    assert asyncio.run(both.ascore([], candidates)) == sync
    for bad, message in [((), "at least one"), (((len, 0.0),), "non-zero"), ((len,), "pairs")]:
        with pytest.raises(ValueError, match=message):
            combine_scorers(*bad)  # type: ignore[arg-type]


def test_the_embedding_utility_and_auto(monkeypatch: pytest.MonkeyPatch) -> None:
    utility = EmbeddingUtility(HashedNgramEmbeddings())
    matrix = utility(["a red cat", "a red cat", "quantum fields"])
    assert matrix[0][1] == pytest.approx(1.0) and matrix[0][2] < 0.5
    assert utility.name == "embedding_cosine(HashedNgramEmbeddings)"
    assert resolve_utility("lexical") is lexical_utility
    auto = resolve_utility("auto")
    assert isinstance(auto, EmbeddingUtility) and "MiniLM" in auto.name  # the extra is here
    assert resolve_utility("auto") is auto  # one shared model session
    monkeypatch.setattr("langchain_vs.quality._utility.minilm_available", lambda: False)
    assert resolve_utility("auto") is lexical_utility
