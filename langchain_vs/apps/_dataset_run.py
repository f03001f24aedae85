"""The state of one dataset run: the records file, the plan of calls, the report.

:class:`DatasetRun` holds no I/O scheduling: :func:`~langchain_vs.apps.generate_dataset` and
its async twin ask it for the next round of calls and hand it each result as it arrives. It
writes every new unique record to the JSONL file at once (flushed), so a killed run loses
nothing that arrived; it keeps a fixed-size sample of texts for the report's diversity, so
memory stays flat in ``n`` (beyond the dedup index).
"""

from __future__ import annotations

import json
import math
import random
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Literal

from langchain_core.embeddings import Embeddings
from langchain_core.exceptions import OutputParserException

from langchain_vs.apps._dedup import Deduper
from langchain_vs.core import METADATA_KEY, CandidateSchema

__all__ = [
    "FORMAT",
    "METRIC_SAMPLE",
    "DatasetProgress",
    "DatasetReport",
    "DatasetResult",
    "DatasetRun",
    "read_dataset",
]

FORMAT = "langchain-vs-dataset/1"
"""The ``format`` written in a dataset's ``.meta.json``."""
METRIC_SAMPLE = 500
"""Diversity in the report is measured on at most this many records (a seeded sample)."""
_LOAD_BATCH = 256


@dataclass(frozen=True)
class DatasetProgress:
    """Where a run stands; passed to ``on_progress`` after every call."""

    unique: int
    target: int
    calls: int
    duplicates: int
    output_tokens: int


@dataclass(frozen=True)
class DatasetReport:
    """What a run produced and cost (``resumed`` counts the records already in the file)."""

    unique_records: int
    new_records: int
    resumed: int
    exact_duplicates: int
    near_duplicates: int
    semantic_diversity: float | None
    vendi_score: float | None
    output_tokens: int
    seconds: float
    output_tokens_per_unique: float | None
    seconds_per_unique: float | None
    calls: int
    failures: int
    stopped: Literal["n_reached", "call_budget"]

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-able data."""
        return asdict(self)


@dataclass(frozen=True)
class DatasetResult:
    """The report, and the records: in memory when no ``out`` file was given, else in it.

    With ``out`` the result holds no records (memory stays flat in ``n``): read them with
    :func:`read_dataset`.
    """

    report: DatasetReport
    records: list[dict[str, Any]] | None
    path: Path | None


def read_dataset(path: str | Path) -> Iterator[dict[str, Any]]:
    """The records of a JSONL file written by :func:`generate_dataset`, one at a time.

    A last line cut short by a killed run is skipped.
    """
    with Path(path).open(encoding="utf-8") as lines:
        for line in lines:
            if line.endswith("\n"):
                yield json.loads(line)


class DatasetRun:
    """The run's state, free of I/O scheduling: plans calls, absorbs results, writes records."""

    def __init__(
        self,
        prompts: list[str],
        *,
        n: int,
        k: int,
        schema: CandidateSchema | None,
        deduper: Deduper,
        out: Path | None,
        resume: bool,
        max_calls: int,
        seed: int | None,
        on_progress: Callable[[DatasetProgress], None] | None,
    ) -> None:
        self.prompts, self.n, self.k, self.schema = prompts, n, k, schema
        self.deduper, self.out, self.max_calls = deduper, out, max_calls
        self.on_progress = on_progress
        self.records: list[dict[str, Any]] | None = [] if out is None else None
        self.sample: list[str] = []  # reservoir of texts for the diversity metrics
        self.rng = random.Random(seed)
        self.unique = self.resumed = self.next_call = 0
        self.calls = self.failures = self.exact = self.near = self.tokens = 0
        self.started = time.perf_counter()
        self._file: Any = None
        if out is not None:
            self._open(out, resume)

    # -- the file ---------------------------------------------------------------------------

    def _meta(self) -> dict[str, Any]:
        schema = None if self.schema is None else self.schema.json_schema
        return {"format": FORMAT, "prompts": self.prompts, "schema": schema}

    def _open(self, out: Path, resume: bool) -> None:
        meta_path = out.with_name(out.name + ".meta.json")
        if out.exists() and out.stat().st_size and not resume:
            raise ValueError(f"{out} already holds records: pass resume=True, or another path")
        if resume and out.exists():
            if not meta_path.exists():
                raise ValueError(f"cannot resume {out}: {meta_path.name} is missing")
            saved = json.loads(meta_path.read_text(encoding="utf-8"))
            for what in ("prompts", "schema"):
                if saved.get(what) != self._meta()[what]:
                    raise ValueError(
                        f"cannot resume {out}: it was made for other {what} "
                        f"({json.dumps(saved.get(what))[:200]}); use the same {what} or a new file"
                    )
            self._load(out)
        try:
            out.parent.mkdir(parents=True, exist_ok=True)
            meta_path.write_text(json.dumps(self._meta()), encoding="utf-8")
            self._file = out.open("a", encoding="utf-8")
        except OSError as error:
            raise ValueError(f"cannot write the dataset to {out}: {error}") from error

    def _load(self, out: Path) -> None:
        size = 0
        batch: list[str] = []  # embedded together in semantic mode, not one call a record
        with out.open("rb") as raw:
            for number, line in enumerate(raw, 1):
                if not line.endswith(b"\n"):
                    break  # cut short by a kill: dropped, the record is asked for again
                size += len(line)
                try:  # a hand-edited file: checked before anything is sent or written
                    record = json.loads(line)
                    text, call_id = self._text(record), int(record["call_id"])
                except (ValueError, KeyError, TypeError) as error:
                    raise ValueError(
                        f"cannot resume {out}: line {number} is not a record ({error!r})"
                    ) from error
                batch.append(text)
                self.next_call = max(self.next_call, call_id + 1)
                if len(batch) == _LOAD_BATCH:
                    self._index_loaded(batch)
                    batch = []
        self._index_loaded(batch)
        with out.open("r+b") as raw:
            raw.truncate(size)
        self.resumed = self.unique

    def _index_loaded(self, texts: list[str]) -> None:
        self.deduper.keep(texts)  # the file's records are unique already: all are kept
        for text in texts:
            self._sampled(text)
            self.unique += 1

    def _text(self, record: dict[str, Any]) -> str:
        if self.schema is not None:  # (resume checked that the file has the same schema)
            return self.schema.canonical_text(record["value"])
        return str(record["text"])

    def close(self) -> None:
        """Close the records file (every record in it is already flushed)."""
        if self._file is not None:
            self._file.close()

    # -- planning and absorbing -------------------------------------------------------------

    @property
    def done(self) -> bool:
        """``n`` unique records made, or the call budget spent."""
        return self.unique >= self.n or self.calls >= self.max_calls

    def plan(self, max_concurrency: int) -> list[dict[str, Any]]:
        """The next round of calls: enough for the records still missing, within the budget."""
        missing = math.ceil((self.n - self.unique) / self.k)
        size = max(1, min(missing, max_concurrency, self.max_calls - self.calls))
        round_ = []
        for _ in range(size):
            call_id = self.next_call
            self.next_call += 1
            round_.append({"call_id": call_id, "prompt": self.prompts[call_id % len(self.prompts)]})
        return round_

    def absorb(self, call: dict[str, Any], result: Any) -> None:
        """Take one call's result (an ``AIMessage`` or the exception it raised)."""
        self.calls += 1
        if isinstance(result, OutputParserException):
            self.failures += 1
        elif isinstance(result, Exception):
            raise result  # a fault (server down, time-out): the records so far are kept
        else:
            self.tokens += (result.usage_metadata or {}).get("output_tokens", 0)
            candidates = result.response_metadata[METADATA_KEY]["candidates"]
            texts = [c["text"] for c in candidates]
            kept, exact, near = self.deduper.keep(texts)
            self.exact += exact
            self.near += near
            for position in kept[: self.n - self.unique]:
                self._write(call, candidates[position])
        if self.on_progress is not None:
            self.on_progress(
                DatasetProgress(
                    self.unique, self.n, self.calls, self.exact + self.near, self.tokens
                )
            )

    def _write(self, call: dict[str, Any], candidate: dict[str, Any]) -> None:
        record: dict[str, Any] = {"id": self.unique}
        if self.schema is not None:
            record["value"] = candidate["value"]
        else:
            record["text"] = candidate["text"]
        record.update(
            probability=candidate["probability"], prompt=call["prompt"], call_id=call["call_id"]
        )
        self._sampled(candidate["text"])
        self.unique += 1
        if self._file is not None:
            self._file.write(json.dumps(record, ensure_ascii=False) + "\n")
            self._file.flush()
        else:
            assert self.records is not None
            self.records.append(record)

    def _sampled(self, text: str) -> None:
        """Reservoir sampling: every record has the same chance to be in the metric sample.

        Called before the record is counted: ``self.unique`` is its 0-based number.
        """
        if len(self.sample) < METRIC_SAMPLE:
            self.sample.append(text)
        elif (slot := self.rng.randrange(self.unique + 1)) < METRIC_SAMPLE:
            self.sample[slot] = text

    def result(self, embeddings: Embeddings | None) -> DatasetResult:
        """The report (diversity measured on the sample) and the records held in memory."""
        seconds = time.perf_counter() - self.started
        new = self.unique - self.resumed
        diversity = vendi = None
        if len(self.sample) >= 2:
            try:
                from langchain_vs.eval import semantic_diversity, vendi_score
            except ImportError:  # numpy is an extra; the records do not need it
                pass
            else:
                diversity = semantic_diversity(self.sample, embeddings)
                vendi = vendi_score(self.sample, embeddings)
        report = DatasetReport(
            unique_records=self.unique,
            new_records=new,
            resumed=self.resumed,
            exact_duplicates=self.exact,
            near_duplicates=self.near,
            semantic_diversity=diversity,
            vendi_score=vendi,
            output_tokens=self.tokens,
            seconds=seconds,
            output_tokens_per_unique=self.tokens / new if new else None,
            seconds_per_unique=seconds / new if new else None,
            calls=self.calls,
            failures=self.failures,
            stopped="n_reached" if self.unique >= self.n else "call_budget",
        )
        return DatasetResult(report, self.records, self.out)
