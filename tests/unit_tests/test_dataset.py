"""generate_dataset / agenerate_dataset with FAKE chat models (the logic only: planning, dedup,
the JSONL file, resume, budgets, errors). The real model runs it in the integration suite."""

import asyncio
import contextlib
import json
import os
import signal
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage
from langchain_core.outputs import ChatGeneration, ChatResult
from langchain_core.rate_limiters import InMemoryRateLimiter
from pydantic import BaseModel, Field, PrivateAttr

from langchain_vs import agenerate_dataset, generate_dataset, read_dataset
from langchain_vs.eval._embeddings import HashedNgramEmbeddings

from .fake_models import ScriptedFakeChatModel, vs_json


class HangingFakeChatModel(BaseChatModel):
    """FAKE: answers its first ``answers`` calls with distinct VS replies, then never answers.

    A sync call waits until :attr:`release` is set (then fails); an async one sleeps until it
    is cancelled, which it counts in :attr:`cancelled`.
    """

    answers: int = 1
    k: int = 3
    release: threading.Event = Field(default_factory=threading.Event)
    cancelled: list[int] = Field(default_factory=list)
    _count: int = PrivateAttr(default=0)

    @property
    def _llm_type(self) -> str:
        return "hanging-fake"

    def _number(self) -> int:
        number, self._count = self._count, self._count + 1
        return number

    def _answer(self, number: int) -> ChatResult:
        text = vs_json([(f"record {number}.{i}", 1 / self.k) for i in range(self.k)])
        return ChatResult(generations=[ChatGeneration(message=AIMessage(content=text))])

    def _generate(self, messages: Any, stop: Any = None, run_manager: Any = None, **kw: Any):
        number = self._number()
        if number < self.answers:
            return self._answer(number)
        self.release.wait(300)  # longer than any wait for the first records
        raise ConnectionError("released at the end of the test")

    async def _agenerate(
        self, messages: Any, stop: Any = None, run_manager: Any = None, **kw: Any
    ) -> ChatResult:
        number = self._number()
        if number < self.answers:
            return self._answer(number)
        try:
            await asyncio.sleep(3600)
        except asyncio.CancelledError:
            self.cancelled.append(number)
            raise
        raise AssertionError("not reached")


def numbered_replies(calls: int, k: int = 3) -> list[str]:
    """A distinct VS reply per call: call c gives 'item c.0' ... 'item c.(k-1)'."""
    return [vs_json([(f"item {c}.{i}", 1 / k) for i in range(k)]) for c in range(calls)]


def test_every_candidate_is_a_record_until_n_unique():
    fake = ScriptedFakeChatModel(replies=numbered_replies(10))
    result = generate_dataset(fake, ["about cats", "about dogs"], n=7, k=3, max_concurrency=1)
    records = result.records
    assert records is not None and len(records) == 7
    assert [r["text"] for r in records] == [f"item {c}.{i}" for c in range(3) for i in range(3)][:7]
    assert [r["prompt"] for r in records[::3]] == ["about cats", "about dogs", "about cats"]
    assert [r["id"] for r in records] == list(range(7))
    report = result.report
    assert (report.unique_records, report.calls, report.failures) == (7, 3, 0)
    assert report.stopped == "n_reached" and report.output_tokens > 0
    assert report.output_tokens_per_unique == pytest.approx(report.output_tokens / 7)
    assert report.semantic_diversity is not None and report.vendi_score is not None


def test_duplicates_are_dropped_and_counted_and_the_run_goes_on():
    same = vs_json([("Paris", 0.5), ("paris ", 0.3), ("Lyon", 0.2)])
    replies = [same, same, vs_json([("Nice", 0.6), ("Lille", 0.4)])]
    fake = ScriptedFakeChatModel(replies=replies)
    result = generate_dataset(fake, "A French city.", n=4, k=3, max_concurrency=1)
    assert [r["text"] for r in result.records or []] == ["Paris", "Lyon", "Nice", "Lille"]
    assert result.report.exact_duplicates == 1 + 3 and result.report.calls == 3


def test_the_call_budget_stops_a_run_that_only_repeats():
    fake = ScriptedFakeChatModel(replies=[vs_json([("Same", 1.0)])])
    result = generate_dataset(fake, "Q", n=10, k=2, max_calls=5, max_concurrency=2)
    assert result.report.stopped == "call_budget" and result.report.calls == 5
    assert result.report.unique_records == 1 and len(fake.calls) == 5


def test_default_budget_is_four_times_the_calls_needed():
    fake = ScriptedFakeChatModel(replies=[vs_json([("Same", 1.0)])])
    assert generate_dataset(fake, "Q", n=6, k=3).report.calls == 4 * 2


def test_semantic_dedup_drops_near_copies():
    reply = vs_json(
        [("The cat sat on the mat.", 0.4), ("The cat sat on the mat!", 0.3), ("Dogs bark.", 0.3)]
    )
    fake = ScriptedFakeChatModel(replies=[reply, *numbered_replies(5)])
    result = generate_dataset(
        fake, "Q", n=4, k=3, dedup="semantic", embeddings=HashedNgramEmbeddings(), max_concurrency=1
    )
    texts = [r["text"] for r in result.records or []]
    assert texts[:2] == ["The cat sat on the mat.", "Dogs bark."]
    assert result.report.near_duplicates == 1 and result.report.exact_duplicates == 0


class Problem(BaseModel):
    question: str
    answer: int


def test_structured_records_hold_the_value(tmp_path: Path):
    objects = [
        {"value": {"question": f"{a}+1?", "answer": a + 1}, "probability": 0.5} for a in range(4)
    ]
    fake = ScriptedFakeChatModel(replies=[json.dumps({"responses": objects})])
    out = tmp_path / "problems.jsonl"
    result = generate_dataset(fake, "Q", n=3, k=4, schema=Problem, out=out)
    assert result.records is None and result.path == out  # records live in the file only
    lines = list(read_dataset(out))
    assert [line["value"] for line in lines] == [o["value"] for o in objects[:3]]
    assert "text" not in lines[0] and set(lines[0]) == {
        "id",
        "value",
        "probability",
        "prompt",
        "call_id",
    }
    meta = json.loads((tmp_path / "problems.jsonl.meta.json").read_text())
    assert meta["schema"]["title"] == "Problem" and meta["prompts"] == ["Q"]


def test_a_killed_run_resumes_with_nothing_lost_or_repeated(tmp_path: Path):
    out = tmp_path / "data.jsonl"
    first = ScriptedFakeChatModel(replies=numbered_replies(10))
    generate_dataset(first, "Q", n=4, k=3, out=out, max_concurrency=1)  # calls in order
    with out.open("a") as file:
        file.write('{"id": 4, "text": "half a rec')  # the kill came mid-line
    again = ScriptedFakeChatModel(replies=numbered_replies(10))  # repeats the first calls too
    result = generate_dataset(again, "Q", n=8, k=3, out=out, resume=True, max_concurrency=1)
    records = list(read_dataset(out))
    texts = [r["text"] for r in records]
    assert len(records) == 8 and len(set(texts)) == 8
    assert [r["id"] for r in records] == list(range(8))
    assert [r["call_id"] for r in records][:4] == [0, 0, 0, 1]
    assert min(r["call_id"] for r in records[4:]) >= 2  # call numbers continue
    assert result.report.resumed == 4 and result.report.new_records == 4
    assert out.read_text().endswith("\n")


def test_resuming_another_dataset_or_overwriting_is_refused_before_any_call(tmp_path: Path):
    out = tmp_path / "data.jsonl"
    generate_dataset(ScriptedFakeChatModel(replies=numbered_replies(3)), "Q", n=3, k=3, out=out)
    before = out.read_bytes()
    fake = ScriptedFakeChatModel(replies=numbered_replies(3))
    with pytest.raises(ValueError, match="made for other prompts"):
        generate_dataset(fake, "Another prompt", n=6, out=out, resume=True)
    with pytest.raises(ValueError, match="made for other schema"):
        generate_dataset(fake, "Q", n=6, schema=Problem, out=out, resume=True)
    with pytest.raises(ValueError, match="already holds records: pass resume=True"):
        generate_dataset(fake, "Q", n=6, out=out)
    assert fake.calls == [] and out.read_bytes() == before


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"n": 0}, "n must be a whole number of at least 1"),
        ({"n": 3, "max_concurrency": 0}, "max_concurrency must be"),
        ({"n": 3, "dedup": "fuzzy"}, "dedup must be 'exact' or 'semantic'"),
        ({"n": 3, "similarity_threshold": 1.5}, "similarity_threshold must be in"),
        ({"n": 3, "schema": int}, "schema must be a pydantic model class"),
        ({"n": 3, "kk": 3}, "unknown option 'kk'"),
    ],
)
def test_bad_arguments_are_value_errors_before_any_call(kwargs, message):
    fake = ScriptedFakeChatModel(replies=numbered_replies(1))
    with pytest.raises(ValueError, match=message):
        generate_dataset(fake, "Q", **kwargs)
    assert fake.calls == []


@pytest.mark.parametrize("prompts", ["", [], ["ok", "  "], [3]])
def test_empty_prompts_are_refused(prompts):
    with pytest.raises(ValueError, match="non-empty prompt"):
        generate_dataset(ScriptedFakeChatModel(replies=["x"]), prompts, n=1)


def test_an_unwritable_out_is_refused_before_any_call(tmp_path: Path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    fake = ScriptedFakeChatModel(replies=numbered_replies(1))
    with pytest.raises(ValueError, match="cannot write the dataset to"):
        generate_dataset(fake, "Q", n=3, out=blocker / "data.jsonl")
    assert fake.calls == []


def test_unusable_replies_count_as_failures_and_faults_propagate_with_records_kept(tmp_path: Path):
    broken = ScriptedFakeChatModel(replies=["no JSON", *numbered_replies(3)])
    result = generate_dataset(broken, "Q", n=3, k=3, max_retries=0, max_concurrency=1)
    assert result.report.failures == 1 and result.report.unique_records == 3

    out = tmp_path / "data.jsonl"
    down = ScriptedFakeChatModel(replies=[numbered_replies(1)[0], ConnectionError("refused")])
    with pytest.raises(ConnectionError):
        generate_dataset(down, "Q", n=9, k=3, out=out, max_concurrency=1)
    assert len(list(read_dataset(out))) == 3  # what arrived before the fault is saved


def test_progress_is_reported_after_every_call():
    seen = []
    generate_dataset(
        ScriptedFakeChatModel(replies=numbered_replies(4)), "Q", n=6, k=3, on_progress=seen.append
    )
    assert [p.unique for p in seen] == [3, 6] and seen[-1].target == 6


def test_the_rate_limiter_is_set_on_a_copy_of_the_model():
    fake = ScriptedFakeChatModel(replies=numbered_replies(2))
    limiter = InMemoryRateLimiter(requests_per_second=1000, check_every_n_seconds=0.001)
    generate_dataset(fake, "Q", n=6, k=3, rate_limiter=limiter)
    assert fake.rate_limiter is None and limiter.available_tokens < limiter.max_bucket_size


async def test_async_twin_gives_the_same_records():
    sync = generate_dataset(
        ScriptedFakeChatModel(replies=numbered_replies(5)), "Q", n=7, k=3, max_concurrency=1
    )
    fake = ScriptedFakeChatModel(replies=numbered_replies(5))
    result = await agenerate_dataset(fake, "Q", n=7, k=3, max_concurrency=1)
    assert result.records == sync.records


def test_memory_stays_flat_in_n_when_records_go_to_a_file(tmp_path: Path):
    import tracemalloc

    def peak_bytes(n: int) -> int:
        fake = ScriptedFakeChatModel(replies=numbered_replies(n // 50, k=50))
        out = tmp_path / f"{n}.jsonl"
        tracemalloc.start()
        result = generate_dataset(fake, "Q", n=n, k=50, out=out, max_concurrency=1)
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        assert result.records is None and len(list(read_dataset(out))) == n
        return peak

    peak_bytes(500)  # first-use imports and caches, not the run's own memory
    small, large = peak_bytes(2_000), peak_bytes(10_000)
    # Five times the records, about the same peak: beyond the dedup index (a key a record),
    # nothing grows with n.
    assert large < 1.3 * small, (small, large)


# -- arguments, checked before any call ------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"n": 2.5}, TypeError, "n must be a whole number of at least 1, got 2.5"),
        ({"n": True}, TypeError, "n must be a whole number of at least 1, got True"),
        ({"max_calls": 0}, ValueError, "max_calls must be a whole number of at least 1 or None"),
        ({"max_calls": -5}, ValueError, "max_calls must be a whole number of at least 1"),
        ({"max_calls": True}, TypeError, "max_calls must be a whole number"),
        ({"max_concurrency": True}, TypeError, "max_concurrency must be a whole number"),
        ({"patience": 0}, ValueError, "patience must be a whole number of at least 1 or None"),
        ({"patience": 2.0}, TypeError, "patience must be a whole number"),
        ({"seed": "1"}, TypeError, "seed must be a whole number or None"),
        ({"similarity_threshold": "0.9"}, TypeError, r"similarity_threshold must be a number in"),
        ({"similarity_threshold": float("nan")}, ValueError, r"similarity_threshold must be in"),
        ({"resume": True}, ValueError, "resume=True continues the records in a file: give out="),
        ({"resume": "yes", "out": "x.jsonl"}, TypeError, "resume must be True or False"),
        ({"out": 5}, TypeError, "out must be a file path"),
        ({"out": ""}, TypeError, "out must be a file path"),
        ({"on_progress": 5}, TypeError, "on_progress must be a function"),
        ({"embeddings": "minilm"}, TypeError, "embeddings must be a LangChain Embeddings"),
        ({"rate_limiter": 5}, TypeError, "rate_limiter must be a LangChain BaseRateLimiter"),
    ],
)
def test_every_argument_is_checked_before_any_call(kwargs, error, message, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    fake = ScriptedFakeChatModel(replies=numbered_replies(3))
    with pytest.raises(error, match=message):
        generate_dataset(fake, "Q", **{"n": 3, **kwargs})
    assert fake.calls == [] and list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("prompts", [5, None, b"bytes", {"a": 1}])
def test_prompts_of_the_wrong_type_are_a_type_error(prompts):
    with pytest.raises(TypeError, match="prompts must be a non-empty prompt or a list"):
        generate_dataset(ScriptedFakeChatModel(replies=["x"]), prompts, n=1)


def test_a_folder_as_out_is_named_as_such_before_any_call(tmp_path: Path):
    fake = ScriptedFakeChatModel(replies=numbered_replies(1))
    for resume in (False, True):
        with pytest.raises(ValueError, match=r"is a folder: give a file path, e.g. .*data\.jsonl"):
            generate_dataset(fake, "Q", n=3, out=tmp_path, resume=resume)
    assert fake.calls == []


# -- patience -------------------------------------------------------------------------------


def test_a_model_that_only_repeats_itself_stops_after_patience_calls():
    fake = ScriptedFakeChatModel(replies=[vs_json([(f"r{i}", 0.2) for i in range(5)])])
    report = generate_dataset(fake, "Q", n=1_000, k=5, max_concurrency=1).report
    # Default patience: the calls asking for 100 candidates (20 of k=5) after the first call;
    # the budget alone would allow 800 calls.
    assert (report.stopped, report.unique_records, report.calls) == ("no_new_records", 5, 21)
    fake = ScriptedFakeChatModel(replies=[vs_json([("same", 1.0)])])
    report = generate_dataset(fake, "Q", n=50, k=5, patience=3, max_concurrency=2).report
    # The first call's record, three in vain, and the one still in flight (its reply counted).
    assert report.stopped == "no_new_records" and report.calls == 5 == len(fake.calls)


# -- one writer a file ----------------------------------------------------------------------


def test_a_second_writer_of_the_same_file_is_refused_before_any_call(tmp_path: Path):
    out = tmp_path / "data.jsonl"
    fake = HangingFakeChatModel(answers=1)
    first = threading.Thread(
        target=lambda: _ignore(ConnectionError, generate_dataset, fake, "Q", n=9, k=3, out=out),
        daemon=True,
    )
    first.start()
    try:
        _wait_for(lambda: out.exists() and len(out.read_text().splitlines()) == 3)
        second = ScriptedFakeChatModel(replies=numbered_replies(3))
        for resume in (False, True):
            with pytest.raises(ValueError, match=rf"process {os.getpid()} on .*another file"):
                generate_dataset(second, "Q", n=9, k=3, out=out, resume=resume)
        assert second.calls == [] and len(out.read_text().splitlines()) == 3
    finally:
        fake.release.set()
        first.join(timeout=10)
    result = generate_dataset(second, "Q", n=3, k=3, out=out, resume=True)
    assert result.report.resumed == 3 and second.calls == []


def _ignore(error: type[BaseException], function: Any, *args: Any, **kwargs: Any) -> None:
    with contextlib.suppress(error):
        function(*args, **kwargs)


def _wait_for(condition: Any, seconds: float = 120.0) -> None:  # a hang guard, not a limit
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.01)


# -- Ctrl-C and cancellation ----------------------------------------------------------------


def test_ctrl_c_returns_at_once_with_the_records_saved_and_resumable(tmp_path: Path):
    out = tmp_path / "data.jsonl"
    fake = HangingFakeChatModel(answers=1)

    def interrupt_after_the_first_records() -> None:
        _wait_for(lambda: out.exists() and len(out.read_text().splitlines()) == 3)
        time.sleep(0.3)  # the other calls hang
        sent.append(time.monotonic())
        os.kill(os.getpid(), signal.SIGINT)

    sent: list[float] = []
    killer = threading.Thread(target=interrupt_after_the_first_records, daemon=True)
    # Ctrl-C as in a user's Python process: a test runner's worker may ignore SIGINT.
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    killer.start()
    try:
        with pytest.raises(KeyboardInterrupt):
            generate_dataset(fake, "Q", n=12, k=3, out=out, max_concurrency=3, dedup="exact")
        returned = time.monotonic()
    finally:
        fake.release.set()
        killer.join(timeout=10)
        signal.signal(signal.SIGINT, previous)
    assert returned - sent[0] < 10.0  # at once: the calls in flight would hang for 300 s
    again = ScriptedFakeChatModel(replies=numbered_replies(3))
    report = generate_dataset(again, "Q", n=3, k=3, out=out, resume=True).report
    assert (report.resumed, report.calls, again.calls) == (3, 0, [])


async def test_cancelling_the_async_run_cancels_the_calls_in_flight(tmp_path: Path):
    out = tmp_path / "data.jsonl"
    fake = HangingFakeChatModel(answers=1)
    task = asyncio.ensure_future(agenerate_dataset(fake, "Q", n=12, k=3, out=out, dedup="exact"))
    deadline = time.monotonic() + 120  # a hang guard for a loaded machine, not a speed limit
    while not (out.exists() and len(out.read_text().splitlines()) == 3):
        assert time.monotonic() < deadline
        await asyncio.sleep(0.01)
    await asyncio.sleep(0.1)
    started = time.monotonic()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert time.monotonic() - started < 10.0  # at once: the calls would sleep an hour
    assert len(fake.cancelled) == 3  # every call in flight (12 - 3 records: 3 calls of k=3)
    report = (await agenerate_dataset(fake, "Q", n=3, k=3, out=out, resume=True)).report
    assert report.resumed == 3 and report.calls == 0


def test_a_fault_does_not_wait_for_the_calls_still_in_flight(tmp_path: Path):
    class FaultAfterHang(HangingFakeChatModel):
        def _generate(self, messages: Any, stop: Any = None, run_manager: Any = None, **kw: Any):
            if self._number() == 1:
                time.sleep(0.2)
                raise ConnectionError("refused")
            self.release.wait(300)  # longer than any wait for the first records
            raise ConnectionError("released")

    fake = FaultAfterHang()
    started = time.monotonic()
    try:
        with pytest.raises(ConnectionError, match="refused"):
            generate_dataset(fake, "Q", n=12, k=3, max_concurrency=2, max_retries=0)
    finally:
        fake.release.set()
    assert time.monotonic() - started < 5.0


def test_distinct_fields_must_be_fields_of_the_schema():
    fake = ScriptedFakeChatModel(replies=numbered_replies(1))
    with pytest.raises(ValueError, match="records have fields only with a schema"):
        generate_dataset(fake, "Q", n=1, distinct_fields=["question"])
    with pytest.raises(ValueError, match=r"'topic', not a field.*Problem has: question, answer"):
        generate_dataset(fake, "Q", n=1, schema=Problem, distinct_fields=["topic"])
    with pytest.raises(TypeError, match="distinct_fields must be a list of field names"):
        generate_dataset(fake, "Q", n=1, schema=Problem, distinct_fields="question")
    assert fake.calls == []


def test_a_record_repeating_a_distinct_field_is_dropped_and_counted():
    objects = [
        {"value": {"question": q, "answer": a}, "probability": 0.25}
        for q, a in [("1+1?", 2), ("2+0?", 2), ("3+1?", 4), ("1 + 1?", 5)]
    ]
    fake = ScriptedFakeChatModel(replies=[json.dumps({"responses": objects})])
    result = generate_dataset(
        fake, "Q", n=4, k=4, schema=Problem, distinct_fields=["answer"], max_calls=1
    )
    assert [r["value"]["question"] for r in result.records] == ["1+1?", "3+1?", "1 + 1?"]
    assert result.report.field_duplicates == 1 and result.report.exact_duplicates == 0
