"""generate_dataset with a scorer and a threshold, with FAKE chat models and a FAKE scorer (the
logic only: scores in records, the threshold, the report, resume). The real FluencyScorer runs
against the local model in the integration suite."""

import json
import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest
from langchain_core.messages import BaseMessage

from langchain_vs import agenerate_dataset, generate_dataset, read_dataset
from langchain_vs.core import Candidate, CandidateScore

from .fake_models import ScriptedFakeChatModel, vs_json


class TableScorer:
    """FAKE scorer: a known score per text (default 0), with a reason; counts its batches."""

    def __init__(self, table: dict[str, float], name: str = "table") -> None:
        self.table, self.name = table, name
        self.batches: list[tuple[list[str], list[str]]] = []

    def score(
        self, request: Sequence[BaseMessage], candidates: Sequence[Candidate]
    ) -> list[CandidateScore]:
        self.batches.append(([m.text for m in request], [c.text for c in candidates]))
        return [
            CandidateScore(self.table.get(c.text, 0.0), f"len {len(c.text)}") for c in candidates
        ]

    async def ascore(
        self, request: Sequence[BaseMessage], candidates: Sequence[Candidate]
    ) -> list[CandidateScore]:
        return self.score(request, candidates)


REPLIES = [
    vs_json([("good a", 0.4), ("bad a", 0.3), ("good b", 0.3)]),
    vs_json([("good c", 0.5), ("bad b", 0.5)]),
    vs_json([("good d", 0.5), ("good a", 0.5)]),
]
SCORES = {"good a": 0.9, "good b": 0.8, "good c": 0.7, "good d": 0.6, "bad a": 0.1, "bad b": 0.2}


def test_every_record_stores_its_score_and_reason_and_the_scorer_sees_the_prompt():
    scorer = TableScorer(SCORES)
    fake = ScriptedFakeChatModel(replies=REPLIES)
    result = generate_dataset(fake, "Q", n=5, k=3, scorer=scorer, max_concurrency=1)
    records = result.records or []
    assert [(r["text"], r["score"], r["reason"]) for r in records] == [
        (t, SCORES[t], f"len {len(t)}") for t in ["good a", "bad a", "good b", "good c", "bad b"]
    ]
    assert scorer.batches[0] == (["Q"], ["good a", "bad a", "good b"])  # one batch per draw
    report = result.report
    assert (report.scorer, report.min_score, report.below_threshold) == ("table", None, 0)
    assert report.mean_score == pytest.approx(sum(r["score"] for r in records) / 5)
    assert report.unique_per_1k_tokens == pytest.approx(1000 * 5 / report.output_tokens)


def test_records_below_min_score_are_dropped_and_counted_and_n_counts_the_rest():
    fake = ScriptedFakeChatModel(replies=REPLIES)
    result = generate_dataset(
        fake, "Q", n=4, k=3, scorer=TableScorer(SCORES), min_score=0.5, max_concurrency=1
    )
    records = result.records or []
    assert [r["text"] for r in records] == ["good a", "good b", "good c", "good d"]
    report = result.report
    # bad a, bad b: below; the second "good a" passes the threshold and is a duplicate.
    assert (report.below_threshold, report.exact_duplicates, report.calls) == (2, 1, 3)
    assert (report.unique_records, report.min_score) == (4, 0.5)
    assert report.mean_score == pytest.approx((0.9 + 0.8 + 0.7 + 0.6) / 4)
    assert report.unique_per_1k_tokens == pytest.approx(1000 * 4 / report.output_tokens)
    assert report.to_dict()["below_threshold"] == 2


def test_a_score_equal_to_the_threshold_is_kept():
    fake = ScriptedFakeChatModel(replies=REPLIES)
    result = generate_dataset(fake, "Q", n=1, k=3, scorer=TableScorer(SCORES), min_score=0.9)
    assert [r["text"] for r in result.records or []] == ["good a"]


async def test_the_async_twin_scores_the_same():
    def run_kwargs() -> dict[str, Any]:
        return {"n": 4, "k": 3, "scorer": TableScorer(SCORES), "min_score": 0.5}

    sync = generate_dataset(
        ScriptedFakeChatModel(replies=REPLIES), "Q", max_concurrency=1, **run_kwargs()
    )
    async_ = await agenerate_dataset(
        ScriptedFakeChatModel(replies=REPLIES), "Q", max_concurrency=1, **run_kwargs()
    )
    assert async_.records == sync.records
    assert async_.report.below_threshold == sync.report.below_threshold == 2


def test_resume_keeps_the_scores_and_refuses_another_scorer_or_threshold(tmp_path: Path):
    out = tmp_path / "data.jsonl"
    scored = {"scorer": TableScorer(SCORES), "min_score": 0.5}
    generate_dataset(
        ScriptedFakeChatModel(replies=REPLIES), "Q", n=2, k=3, out=out, max_concurrency=1, **scored
    )
    meta = json.loads((tmp_path / "data.jsonl.meta.json").read_text())
    assert (meta["scorer"], meta["min_score"]) == ("table", 0.5)
    before = out.read_bytes()
    fake = ScriptedFakeChatModel(replies=REPLIES)
    for other, what in [
        ({"scorer": TableScorer(SCORES, name="judge"), "min_score": 0.5}, "scorer"),
        ({"scorer": TableScorer(SCORES), "min_score": 0.6}, "min_score"),
        ({"scorer": TableScorer(SCORES)}, "min_score"),
        ({}, "scorer"),
    ]:
        with pytest.raises(ValueError, match=f"made for other {what}"):
            generate_dataset(fake, "Q", n=4, out=out, resume=True, **other)
    assert fake.calls == [] and out.read_bytes() == before

    more = [vs_json([("good e", 0.5), ("bad c", 0.5)])]
    table = {**SCORES, "good e": 0.5}
    result = generate_dataset(
        ScriptedFakeChatModel(replies=more),
        "Q",
        n=3,
        k=3,
        out=out,
        resume=True,
        scorer=TableScorer(table),
        min_score=0.5,
    )
    records = list(read_dataset(out))
    assert [(r["text"], r["score"]) for r in records] == [
        ("good a", 0.9),
        ("good b", 0.8),
        ("good e", 0.5),
    ]
    report = result.report
    assert (report.resumed, report.new_records, report.below_threshold) == (2, 1, 1)
    assert report.mean_score == pytest.approx((0.9 + 0.8 + 0.5) / 3)  # resumed scores count


@pytest.mark.parametrize(
    ("line", "match"),
    [
        ({"id": 9, "text": "x", "probability": 1.0, "prompt": "Q", "call_id": 9}, "no 'score'"),
        (
            {"id": 9, "text": "x", "probability": 1.0, "prompt": "Q", "call_id": 9, "score": 0.1},
            "score 0.1 is below the dataset's min_score 0.5",
        ),
        (
            {"id": 9, "text": "x", "probability": 1, "prompt": "Q", "call_id": 9, "score": "hi"},
            "score must be a finite number",
        ),
    ],
)
def test_a_hand_edited_record_that_breaks_the_scoring_is_refused_on_resume(
    tmp_path: Path, line: dict[str, Any], match: str
):
    out = tmp_path / "data.jsonl"
    scored = {"scorer": TableScorer(SCORES), "min_score": 0.5}
    generate_dataset(ScriptedFakeChatModel(replies=REPLIES), "Q", n=1, k=3, out=out, **scored)
    with out.open("a") as file:
        file.write(json.dumps(line) + "\n")
    with pytest.raises(ValueError, match=f"line 2 is not a record \\({match}"):
        generate_dataset(
            ScriptedFakeChatModel(replies=REPLIES), "Q", n=3, out=out, resume=True, **scored
        )


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"min_score": 0.5}, ValueError, "needs a scorer"),
        ({"scorer": TableScorer({}), "min_score": math.nan}, ValueError, "finite number"),
        ({"scorer": TableScorer({}), "min_score": math.inf}, ValueError, "finite number"),
        ({"scorer": TableScorer({}), "min_score": True}, TypeError, "finite number"),
        ({"scorer": TableScorer({}), "min_score": "0.5"}, TypeError, "finite number"),
        ({"scorer": len}, TypeError, "must implement langchain_vs.core.Scorer"),
    ],
)
def test_scoring_arguments_are_checked_before_any_call(
    kwargs: dict[str, Any], error: type[Exception], match: str
):
    fake = ScriptedFakeChatModel(replies=REPLIES)
    with pytest.raises(error, match=match):
        generate_dataset(fake, "Q", n=3, **kwargs)
    assert fake.calls == []


def test_a_scorer_that_miscounts_is_named_and_the_records_so_far_are_kept(tmp_path: Path):
    class Short(TableScorer):
        def score(self, request, candidates):  # FAKE: from its second batch on, one short
            scores = super().score(request, candidates)
            return scores if len(self.batches) == 1 else scores[:-1]

    out = tmp_path / "data.jsonl"
    fake = ScriptedFakeChatModel(replies=REPLIES)
    with pytest.raises(ValueError, match="scorer 'short' returned 1 scores for 2 candidates"):
        generate_dataset(
            fake, "Q", n=6, k=3, out=out, scorer=Short(SCORES, name="short"), max_concurrency=1
        )
    assert [r["text"] for r in read_dataset(out)] == ["good a", "bad a", "good b"]
