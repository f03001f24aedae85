"""DatasetRun, driven by hand: the plan of calls, the JSONL file, resume, the report, the sample.

Replies are FAKE ``AIMessage`` objects carrying the metadata a VerbalizedSampler would write.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from langchain_core.exceptions import OutputParserException
from langchain_core.messages import AIMessage

from langchain_vs.apps import _dataset_run
from langchain_vs.apps._dataset_run import DatasetProgress, DatasetRun, read_dataset
from langchain_vs.apps._dedup import Deduper

from .test_dedup import TableFakeEmbeddings


def _run(out: Path | None = None, **overrides: Any) -> DatasetRun:
    settings: dict[str, Any] = {
        "n": 6,
        "k": 3,
        "schema": None,
        "deduper": Deduper("exact", 0.9, None),
        "out": out,
        "resume": False,
        "max_calls": 10,
        "seed": 0,
        "on_progress": None,
    }
    prompts = overrides.pop("prompts", ["Q"])
    return DatasetRun(prompts, **{**settings, **overrides})


def _reply(*texts: str, tokens: int = 5) -> AIMessage:
    """FAKE sampler reply: the candidates in its metadata, and its token usage."""
    candidates = [{"text": t, "probability": 1 / len(texts)} for t in texts]
    return AIMessage(
        content="",
        response_metadata={"verbalized_sampling": {"candidates": candidates}},
        usage_metadata={"input_tokens": 1, "output_tokens": tokens, "total_tokens": tokens + 1},
    )


def _absorb(run: DatasetRun, *replies: Any) -> None:
    """One round: plan a call per reply, then hand each its reply."""
    calls = run.plan(len(replies))
    assert len(calls) == len(replies)
    for call, reply in zip(calls, replies, strict=True):
        run.absorb(call, reply)


def _lines(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


# -- the plan -----------------------------------------------------------------------------


def test_calls_go_round_robin_over_the_prompts_and_are_numbered_on() -> None:
    run = _run(prompts=["a", "b", "c"], n=100, max_calls=100)
    first, second = run.plan(4), run.plan(4)
    assert [c["call_id"] for c in first + second] == list(range(8))
    assert [c["prompt"] for c in first + second] == ["a", "b", "c", "a", "b", "c", "a", "b"]


def test_a_round_asks_only_for_the_calls_still_needed_within_the_budget() -> None:
    assert len(_run(n=7, k=3).plan(8)) == 3  # ceil(7 / 3)
    assert len(_run(n=7, k=3, max_calls=2).plan(8)) == 2
    assert len(_run(n=7, k=3).plan(1)) == 1
    run = _run(n=7, k=3)
    _absorb(run, _reply("a", "b", "c"))
    assert len(run.plan(8)) == 2  # 4 missing: ceil(4 / 3), one call of the budget spent


# -- records --------------------------------------------------------------------------------


def test_each_record_is_in_the_file_as_soon_as_its_call_is_absorbed(tmp_path: Path) -> None:
    out = tmp_path / "data.jsonl"
    run = _run(out, prompts=["p", "q"])
    _absorb(run, _reply("one", "two"))
    assert [r["text"] for r in _lines(out)] == ["one", "two"]  # flushed, not yet closed
    _absorb(run, _reply("ONE", "three"))
    assert _lines(out)[-1] == {
        "id": 2,
        "text": "three",
        "probability": 0.5,
        "prompt": "q",
        "call_id": 1,
    }
    run.close()
    assert [r["id"] for r in read_dataset(out)] == [0, 1, 2]
    meta = json.loads((tmp_path / "data.jsonl.meta.json").read_text(encoding="utf-8"))
    assert meta == {
        "format": _dataset_run.FORMAT,
        "prompts": ["p", "q"],
        "schema": None,
        "scorer": None,
        "min_score": None,
    }


def test_without_a_file_the_records_are_held_in_memory() -> None:
    run = _run()
    _absorb(run, _reply("one", "two"), _reply("two", "three"))
    result = run.result(None)
    assert result.path is None and result.records is not None
    assert [(r["id"], r["text"], r["call_id"]) for r in result.records] == [
        (0, "one", 0),
        (1, "two", 0),
        (2, "three", 1),
    ]


def test_new_records_beyond_n_are_not_written() -> None:
    run = _run(n=4)
    _absorb(run, _reply("a", "b", "c"), _reply("d", "e", "f"))
    assert run.done and [r["text"] for r in run.result(None).records or []] == list("abcd")


def test_read_dataset_skips_a_last_line_cut_short(tmp_path: Path) -> None:
    out = tmp_path / "data.jsonl"
    out.write_text('{"id": 0, "text": "x"}\n{"id": 1, "te', encoding="utf-8")
    assert list(read_dataset(out)) == [{"id": 0, "text": "x"}]


# -- resume -------------------------------------------------------------------------------


def test_resume_continues_ids_and_call_numbers_and_skips_known_texts(tmp_path: Path) -> None:
    out = tmp_path / "data.jsonl"
    first = _run(out, prompts=["p", "q", "r"], n=10)
    _absorb(first, _reply("a", "b"), _reply("c"))
    first.close()
    with out.open("a", encoding="utf-8") as file:
        file.write('{"id": 3, "text": "cut sh')  # killed mid-line

    again = _run(out, prompts=["p", "q", "r"], n=10, resume=True)
    (call,) = again.plan(1)
    assert again.unique == 3 and call == {"call_id": 2, "prompt": "r"}
    again.absorb(call, _reply(" A ", "cut short", "d"))
    again.close()
    records = list(read_dataset(out))
    assert [(r["id"], r["text"]) for r in records] == [
        (0, "a"),
        (1, "b"),
        (2, "c"),
        (3, "cut short"),  # the cut line was dropped: its record is asked for again
        (4, "d"),
    ]
    report = again.result(None).report
    assert (report.resumed, report.new_records, report.unique_records) == (3, 2, 5)
    assert (report.exact_duplicates, report.calls) == (1, 1)


def test_resume_of_a_missing_file_starts_afresh(tmp_path: Path) -> None:
    run = _run(tmp_path / "new.jsonl", resume=True)
    assert run.unique == 0 and run.plan(1)[0]["call_id"] == 0
    run.close()


# -- the report -----------------------------------------------------------------------------


def test_the_report_counts_duplicates_calls_failures_and_tokens() -> None:
    table = {t: [1.0, 0.0] for t in ("cat", "kitten")} | {"dog": [0.0, 1.0], "owl": [0.6, 0.8]}
    deduper = Deduper("semantic", 0.9, TableFakeEmbeddings(table))
    run = _run(n=10, max_calls=3, deduper=deduper)
    unreadable = OutputParserException("no responses")
    _absorb(
        run, _reply("cat", "CAT", "kitten", tokens=7), unreadable, _reply("dog", "owl", tokens=3)
    )
    report = run.result(None).report
    assert (report.unique_records, report.new_records, report.resumed) == (3, 3, 0)
    assert (report.exact_duplicates, report.near_duplicates) == (1, 1)
    assert (report.calls, report.failures, report.output_tokens) == (3, 1, 10)
    assert report.output_tokens_per_unique == pytest.approx(10 / 3)
    assert report.stopped == "call_budget" and run.done


def test_the_report_says_n_was_reached() -> None:
    run = _run(n=2)
    _absorb(run, _reply("a", "b"))
    report = run.result(None).report
    assert run.done and report.stopped == "n_reached" and report.calls == 1


def test_a_run_with_no_new_record_reports_no_cost_per_record() -> None:
    run = _run(n=2, max_calls=1)
    _absorb(run, OutputParserException("no responses"))
    report = run.result(None).report
    assert report.output_tokens_per_unique is None and report.seconds_per_unique is None
    assert report.semantic_diversity is None and report.vendi_score is None


def test_a_fault_is_raised_and_the_records_so_far_are_kept(tmp_path: Path) -> None:
    out = tmp_path / "data.jsonl"
    run = _run(out)
    calls = run.plan(2)
    run.absorb(calls[0], _reply("a"))
    with pytest.raises(ConnectionError, match="refused"):
        run.absorb(calls[1], ConnectionError("refused"))
    run.close()
    assert [r["text"] for r in read_dataset(out)] == ["a"]


def test_progress_is_reported_after_every_call_failures_included() -> None:
    seen: list[DatasetProgress] = []
    run = _run(n=4, k=1, on_progress=seen.append)
    _absorb(run, _reply("a", "A", "b", tokens=4), OutputParserException("x"), _reply("c"))
    assert seen == [
        DatasetProgress(unique=2, target=4, calls=1, duplicates=1, output_tokens=4),
        DatasetProgress(unique=2, target=4, calls=2, duplicates=1, output_tokens=4),
        DatasetProgress(unique=3, target=4, calls=3, duplicates=1, output_tokens=9),
    ]


# -- the metric sample ----------------------------------------------------------------------


def test_the_metric_sample_stays_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_dataset_run, "METRIC_SAMPLE", 4)
    run = _run(n=50, k=1, max_calls=50)
    texts = [f"t{i}" for i in range(30)]
    _absorb(run, *(_reply(t) for t in texts))
    assert len(run.sample) == 4 and set(run.sample) <= set(texts)


def test_every_record_has_the_same_chance_to_be_in_the_sample(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Reservoir sampling, over many seeds: each of 4 records is in a 2-record sample half the
    time (a deterministic count: the seeds are fixed)."""
    monkeypatch.setattr(_dataset_run, "METRIC_SAMPLE", 2)
    seeds = 4_000
    picked: Counter[str] = Counter()
    for seed in range(seeds):
        run = _run(n=4, seed=seed)
        _absorb(run, _reply("r0", "r1", "r2", "r3"))
        picked.update(run.sample)
    shares = {text: picked[text] / seeds for text in ("r0", "r1", "r2", "r3")}
    assert all(share == pytest.approx(0.5, abs=0.04) for share in shares.values()), shares


def test_loaded_and_written_records_are_sampled_alike(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A resumed run draws the same sample from the file as the run that wrote it."""
    monkeypatch.setattr(_dataset_run, "METRIC_SAMPLE", 3)
    out = tmp_path / "data.jsonl"
    written = _run(out, n=20, seed=7)
    _absorb(written, _reply(*(f"t{i}" for i in range(12))))
    written.close()
    loaded = _run(out, n=20, seed=7, resume=True)
    loaded.close()
    assert loaded.sample == written.sample


@pytest.mark.parametrize(
    "line",
    [
        '{"id": 1, "text": "b"}',
        '{"id": 1, "call_id": 0}',
        '["b", 0]',
        '{"id": 1, "text": "b", "call_id": "x"}',
    ],
)
def test_resuming_a_hand_edited_file_that_holds_no_record_is_a_value_error(
    tmp_path: Path, line: str
) -> None:
    out = tmp_path / "data.jsonl"
    _run(out).close()  # writes the meta file
    content = '{"id": 0, "text": "a", "prompt": "Q", "call_id": 0}\n' + line + "\n"
    out.write_text(content, encoding="utf-8")
    with pytest.raises(ValueError, match=r"cannot resume .*data\.jsonl: line 2 is not a record"):
        _run(out, resume=True)
    assert out.read_text(encoding="utf-8") == content


# -- hand-edited and damaged files ----------------------------------------------------------


def _record(record_id: int, text: str, call_id: int | None = None) -> str:
    call = record_id if call_id is None else call_id
    return json.dumps(
        {"id": record_id, "text": text, "probability": 0.5, "prompt": "Q", "call_id": call}
    )


def _hand_edited(tmp_path: Path, *lines: str, end: str = "\n") -> Path:
    out = tmp_path / "data.jsonl"
    _run(out).close()  # writes the meta file
    out.write_text("\n".join(lines) + end, encoding="utf-8")
    return out


def test_a_complete_last_record_without_its_newline_is_kept(tmp_path: Path) -> None:
    out = _hand_edited(tmp_path, _record(0, "a"), _record(1, "b"), end="")
    run = _run(out, n=4, resume=True)
    assert (run.unique, run.resumed) == (2, 2)
    _absorb(run, _reply("c"))
    run.close()
    assert [(r["id"], r["text"]) for r in read_dataset(out)] == [(0, "a"), (1, "b"), (2, "c")]
    assert out.read_text(encoding="utf-8").count("\n") == 3


def test_read_dataset_yields_a_complete_last_record_without_its_newline(tmp_path: Path) -> None:
    out = tmp_path / "data.jsonl"
    out.write_text('{"id": 0, "text": "x"}\n{"id": 1, "text": "y"}', encoding="utf-8")
    assert [r["id"] for r in read_dataset(out)] == [0, 1]


def test_read_dataset_names_the_line_that_is_not_json(tmp_path: Path) -> None:
    out = tmp_path / "data.jsonl"
    out.write_text('{"id": 0, "text": "x"}\n\n{"id": 1, "text": "y"}\n', encoding="utf-8")
    with pytest.raises(ValueError, match=r"data\.jsonl: line 2 is not JSON"):
        list(read_dataset(out))


def test_resume_after_a_deleted_record_never_reuses_an_id(tmp_path: Path) -> None:
    out = _hand_edited(tmp_path, _record(0, "a"), _record(2, "c"))  # record 1 deleted
    run = _run(out, n=4, resume=True)
    _absorb(run, _reply("d"))
    run.close()
    assert [r["id"] for r in read_dataset(out)] == [0, 2, 3]


def test_a_duplicate_pasted_into_the_file_counts_as_a_duplicate(tmp_path: Path) -> None:
    out = _hand_edited(tmp_path, _record(0, "a"), _record(1, "b"), _record(0, "a"))
    run = _run(out, n=3, resume=True)
    assert (run.unique, run.resumed) == (2, 2)
    (call,) = run.plan(5)  # one record missing: one call
    run.absorb(call, _reply("A", "c"))
    run.close()
    report = run.result(None).report
    assert (report.unique_records, report.resumed, report.new_records) == (3, 2, 1)
    assert report.exact_duplicates == 2  # the pasted line and the model's "A"
    assert [r["id"] for r in read_dataset(out)][-1] == 2


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        ("", "a blank line"),
        ("   ", "a blank line"),
        ("not json at all", "not JSON"),
        ('{"id": 1, "text": "b", "probability": 0.5, "prompt": "Q"}', "no 'call_id'"),
        ('{"id": true, "text": "b", "prompt": "Q", "call_id": 1}', "id must be a whole number"),
        ('{"id": 1, "text": "b", "prompt": "Q", "call_id": -1}', "call_id must be a whole"),
        ('{"id": 1, "text": 7, "prompt": "Q", "call_id": 1}', "text must be a string"),
        ('{"id": 1, "text": "b", "prompt": "Other", "call_id": 1}', "is not one of the dataset"),
    ],
)
def test_resume_refuses_a_damaged_middle_line_naming_file_line_and_remedy(
    tmp_path: Path, line: str, reason: str
) -> None:
    out = _hand_edited(tmp_path, _record(0, "a"), line, _record(2, "c"))
    before = out.read_bytes()
    with pytest.raises(ValueError, match=r"data\.jsonl: line 2 is not a record") as info:
        _run(out, resume=True)
    assert reason in str(info.value) and "move data.jsonl aside" in str(info.value)
    assert out.read_bytes() == before
    with pytest.raises(ValueError, match="line 2"):  # refused again, not "being written"
        _run(out, resume=True)


def test_a_record_whose_value_breaks_the_schema_is_refused(tmp_path: Path) -> None:
    from langchain_vs.core import CandidateSchema

    schema = CandidateSchema.of(
        {"type": "object", "properties": {"a": {"type": "integer"}}, "required": ["a"]}
    )
    out = tmp_path / "data.jsonl"
    _run(out, schema=schema).close()
    good = {"id": 0, "value": {"a": 1}, "probability": 1.0, "prompt": "Q", "call_id": 0}
    bad = {**good, "id": 1, "value": {"a": "one"}}
    out.write_text(json.dumps(good) + "\n" + json.dumps(bad) + "\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"line 2 is not a record \(does not match"):
        _run(out, schema=schema, resume=True)


@pytest.mark.parametrize(
    ("meta", "message"),
    [
        ('{"format": "langchain-vs-dataset/1", "prompts": ["Q"], "sch', "is unreadable"),
        ("[1, 2]", "is not a dataset's meta file"),
        ('{"prompts": ["Q"], "schema": null}', "is not a dataset's meta file"),
        (None, "data.jsonl.meta.json is missing"),
    ],
)
def test_resume_refuses_a_damaged_meta_file_naming_it(
    tmp_path: Path, meta: str | None, message: str
) -> None:
    out = _hand_edited(tmp_path, _record(0, "a"))
    meta_path = tmp_path / "data.jsonl.meta.json"
    if meta is None:
        meta_path.unlink()
    else:
        meta_path.write_text(meta, encoding="utf-8")
    with pytest.raises(ValueError, match=message) as info:
        _run(out, resume=True)
    assert "meta.json" in str(info.value) and "aside" in str(info.value)


def test_a_folder_as_out_is_named_as_such(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="is a folder: give a file path"):
        _run(tmp_path, resume=True)


# -- one writer a file ----------------------------------------------------------------------


def test_a_second_writer_is_refused_naming_the_holder(tmp_path: Path) -> None:
    import os

    out = tmp_path / "data.jsonl"
    first = _run(out)
    for resume in (False, True):
        with pytest.raises(
            ValueError, match=rf"being written by another run \(process {os.getpid()} on "
        ):
            _run(out, resume=resume)
    _absorb(first, _reply("a"))
    first.close()
    second = _run(out, resume=True)  # the lock is dropped on close
    second.close()
    assert [r["text"] for r in read_dataset(out)] == ["a"]
    assert not (tmp_path / "data.jsonl.lock").exists()


def test_a_lock_left_by_a_killed_process_does_not_block(tmp_path: Path) -> None:
    import signal
    import subprocess
    import sys

    out = tmp_path / "data.jsonl"
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time, pathlib\n"
            "from langchain_vs.apps._lock import WriterLock\n"
            "WriterLock(pathlib.Path(sys.argv[1])).acquire()\n"
            "print('locked', flush=True)\n"
            "time.sleep(60)\n",
            str(out),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline() == "locked\n"
        with pytest.raises(ValueError, match=rf"process {holder.pid} on "):
            _run(out)
        holder.send_signal(signal.SIGKILL)
        holder.wait(timeout=10)
        assert (tmp_path / "data.jsonl.lock").exists()  # left behind by the killed holder
        run = _run(out)  # ... and it does not block
        run.close()
    finally:
        holder.kill()
        holder.wait(timeout=10)


# -- patience and calls in flight -------------------------------------------------------------


def test_the_run_stops_after_patience_calls_in_a_row_added_no_record() -> None:
    run = _run(n=100, k=2, max_calls=100, patience=3)
    _absorb(run, _reply("a", "b"), _reply("a"), OutputParserException("x"))
    assert not run.done  # two calls in vain
    _absorb(run, _reply("c"))  # a new record starts the count again
    _absorb(run, _reply("a"), _reply("b"))
    assert not run.done
    _absorb(run, _reply("c", "A"))
    assert run.done and run.plan(8) == []
    report = run.result(None).report
    assert report.stopped == "no_new_records" and report.calls == 7


def test_calls_in_flight_count_against_the_records_missing_and_the_budget() -> None:
    run = _run(n=9, k=3, max_calls=10)
    first = run.plan(2)
    assert len(first) == 2 and len(run.plan(8)) == 1  # 3 calls for 9 records
    assert run.plan(8) == []
    run.absorb(first[0], _reply("a", "b", "c"))
    assert run.plan(8) == []  # the two in flight may bring the 6 missing
    run.absorb(first[1], _reply("a"))
    assert len(run.plan(8)) == 1
    tight = _run(n=30, k=3, max_calls=4)
    assert len(tight.plan(3)) == 3 and len(tight.plan(3)) == 1 and tight.plan(3) == []


def test_a_missing_folder_for_the_file_is_made(tmp_path: Path) -> None:
    out = tmp_path / "new" / "folder" / "data.jsonl"
    run = _run(out)
    _absorb(run, _reply("a"))
    run.close()
    assert [r["text"] for r in read_dataset(out)] == ["a"]


def test_resume_beyond_the_issue_crlf_nul_tail_and_bad_utf8(tmp_path: Path) -> None:
    """An editor's CRLF line ends are fine; a zero-filled tail left by a crash is cut like a
    half-written line; bytes that are no UTF-8 are a damaged line."""
    out = _hand_edited(tmp_path, _record(0, "a"), _record(1, "b"), end="\r\n")
    out.write_bytes(out.read_bytes().replace(b"\n", b"\r\n").replace(b"\r\r", b"\r"))
    run = _run(out, n=5, resume=True)
    assert run.unique == 2
    run.close()
    out.write_bytes(out.read_bytes() + b"\0" * 64)
    run = _run(out, n=5, resume=True)
    run.close()
    assert b"\0" not in out.read_bytes() and run.unique == 2
    out.write_bytes(out.read_bytes() + b'{"id": 2, "text": "\xff\xfe"}\n')
    with pytest.raises(ValueError, match="line 3 is not a record"):
        _run(out, resume=True)
