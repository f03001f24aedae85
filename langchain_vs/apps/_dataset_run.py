"""The state of one dataset run: the records file, the plan of calls, the report.

`DatasetRun` holds no I/O scheduling: [`generate_dataset()`][langchain_vs.apps.generate_dataset] and
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
from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Literal

from langchain_core.embeddings import Embeddings
from langchain_core.exceptions import OutputParserException

from langchain_vs.apps._dedup import Deduper
from langchain_vs.apps._lock import WriterLock
from langchain_vs.core import METADATA_KEY, CandidateSchema, CandidateScore

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
    """What a run produced and cost.

    ``resumed`` counts the unique records already in the file; the duplicates count those the
    run dropped and any the resumed file holds (left in it): exact copies, near copies, and
    (``distinct_fields``) records that repeat a field's value (``field_duplicates``).
    ``stopped`` says why the run ended: ``n_reached``, ``call_budget`` (``max_calls`` spent) or
    ``no_new_records`` (``patience`` calls in a row added no record).

    With a scorer: ``scorer`` and ``min_score`` name them, ``below_threshold`` counts the
    candidates this run dropped for scoring under ``min_score`` (before dedup), and
    ``mean_score`` is the mean score of the unique records (resumed ones too).
    ``unique_per_1k_tokens`` is the yield: new unique records — all at or above ``min_score``
    when one is set — per 1,000 output tokens (the inverse of ``output_tokens_per_unique``,
    the figure to compare arms by).
    """

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
    stopped: Literal["n_reached", "call_budget", "no_new_records"]
    field_duplicates: int = 0
    unique_per_1k_tokens: float | None = None
    scorer: str | None = None
    min_score: float | None = None
    below_threshold: int = 0
    mean_score: float | None = None

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-able data."""
        return asdict(self)


@dataclass(frozen=True)
class DatasetResult:
    """The report, and the records: in memory when no ``out`` file was given, else in it.

    With ``out`` the result holds no records (memory stays flat in ``n``): read them with
    [`read_dataset()`][langchain_vs.apps.read_dataset].
    """

    report: DatasetReport
    records: list[dict[str, Any]] | None
    path: Path | None


def read_dataset(path: str | Path) -> Iterator[dict[str, Any]]:
    """The records of a JSONL file written by `generate_dataset()`, one at a time.

    A last line cut short by a killed run is skipped (a complete one without its newline is a
    record).

    Raises:
        ValueError: A line that is not JSON, naming the file and the line.
    """
    with Path(path).open("rb") as lines:
        for number, line in enumerate(lines, 1):
            try:
                yield json.loads(line)
            except ValueError as error:
                if not line.endswith(b"\n"):
                    return  # cut short by a kill
                raise ValueError(f"{path}: line {number} is not JSON ({error})") from None


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
        patience: int | None = None,
        scorer: str | None = None,
        min_score: float | None = None,
    ) -> None:
        self.prompts, self.n, self.k, self.schema = prompts, n, k, schema
        self.scorer, self.min_score = scorer, min_score
        self.below = 0  # candidates dropped under min_score
        self.score_sum = 0.0  # of the unique records, for the report's mean
        self.deduper, self.out, self.max_calls = deduper, out, max_calls
        self.on_progress, self.patience = on_progress, patience
        self.records: list[dict[str, Any]] | None = [] if out is None else None
        self.sample: list[str] = []  # reservoir of texts for the diversity metrics
        self.rng = random.Random(seed)
        self.unique = self.resumed = self.next_call = self.next_id = 0
        self.calls = self.failures = self.exact = self.near = self.tokens = 0
        self.in_flight = 0  # calls planned and not yet absorbed
        self.idle = 0  # calls in a row that added no record
        self.started = time.perf_counter()
        self._file: Any = None
        self._lock: WriterLock | None = None
        if out is not None:
            self._lock = WriterLock(out)
            try:
                out.parent.mkdir(parents=True, exist_ok=True)  # the lock file goes beside it
                self._lock.acquire()
                self._open(out, resume)
            except OSError as error:
                self.close()
                raise ValueError(f"cannot write the dataset to {out}: {error}") from error
            except BaseException:
                self.close()
                raise

    # -- the file ---------------------------------------------------------------------------

    def _meta(self) -> dict[str, Any]:
        schema = None if self.schema is None else self.schema.json_schema
        return {
            "format": FORMAT,
            "prompts": self.prompts,
            "schema": schema,
            "scorer": self.scorer,
            "min_score": self.min_score,
        }

    def _open(self, out: Path, resume: bool) -> None:
        """Check (and on resume, load) the file, under the writer's lock; open it to append."""
        meta_path = out.with_name(out.name + ".meta.json")
        if out.is_dir():
            raise ValueError(f"{out} is a folder: give a file path, e.g. {out / 'data.jsonl'}")
        holds_records = out.exists() and out.stat().st_size > 0
        if holds_records and not resume:
            raise ValueError(f"{out} already holds records: pass resume=True, or another path")
        newline = False
        if resume and holds_records:
            self._check_meta(out, meta_path)
            newline = self._load(out)
        meta_path.write_text(json.dumps(self._meta()), encoding="utf-8")
        self._file = out.open("a", encoding="utf-8")
        if newline:  # a complete last record that lost only its newline is kept
            self._file.write("\n")
            self._file.flush()

    def _check_meta(self, out: Path, meta_path: Path) -> None:
        """The meta file is readable and made for the same prompts and schema."""
        move = f"or move {out.name} aside to start a new dataset"
        try:
            saved = json.loads(meta_path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise ValueError(
                f"cannot resume {out}: {meta_path.name} is missing; restore it, {move}"
            ) from None
        except (OSError, ValueError) as error:
            raise ValueError(
                f"cannot resume {out}: {meta_path} is unreadable ({error}); restore it, {move}"
            ) from None
        if not isinstance(saved, dict) or saved.get("format") != FORMAT:
            raise ValueError(
                f"cannot resume {out}: {meta_path} is not a dataset's meta file (its format is "
                f"not {FORMAT!r}); restore it, {move}"
            )
        for what in ("prompts", "schema", "scorer", "min_score"):
            if saved.get(what) != self._meta()[what]:
                raise ValueError(
                    f"cannot resume {out}: it was made for other {what} "
                    f"({json.dumps(saved.get(what))[:200]}); use the same {what} or a new file"
                )

    def _load(self, out: Path) -> bool:
        """Index the file's records (every line checked); whether its last line needs a newline.

        A last line cut short by a kill is cut off the file (its record is asked for again).
        """
        size = 0
        newline = False
        batch: list[tuple[str, Any, float | None]] = []  # embedded together in semantic mode
        with out.open("rb") as raw:
            for number, line in enumerate(raw, 1):
                try:  # a hand-edited file: checked before anything is sent or written
                    record = json.loads(line)
                    text, record_id, call_id, score = self._record(record)
                except (ValueError, KeyError, TypeError) as error:
                    if not line.endswith(b"\n"):
                        break  # cut short by a kill: dropped, the record is asked for again
                    raise ValueError(
                        f"cannot resume {out}: line {number} is not a record ({_reason(error)}); "
                        f"repair or delete that line, or move {out.name} aside to start a new "
                        "dataset"
                    ) from error
                size += len(line)
                newline = not line.endswith(b"\n")
                batch.append((text, record.get("value"), score))
                self.next_call = max(self.next_call, call_id + 1)
                self.next_id = max(self.next_id, record_id + 1)  # a deleted record's id too
                if len(batch) == _LOAD_BATCH:
                    self._index_loaded(batch)
                    batch = []
        self._index_loaded(batch)
        with out.open("r+b") as raw:
            raw.truncate(size)
        self.resumed = self.unique
        return newline

    def _record(self, record: Any) -> tuple[str, int, int, float | None]:
        """A file's record checked: its dedup text, id, call number and score.

        Raises:
            ValueError, KeyError, TypeError: It is not a record of this dataset.
        """
        if not isinstance(record, dict):
            raise TypeError(f"a JSON object, not {type(record).__name__}")
        numbers = []
        for name in ("id", "call_id"):
            value = record[name]
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                raise TypeError(f"{name} must be a whole number of at least 0, got {value!r}")
            numbers.append(value)
        if record["prompt"] not in self.prompts:
            raise ValueError(f"prompt {str(record['prompt'])[:80]!r} is not one of the dataset's")
        if self.schema is not None:  # (resume checked that the file has the same schema)
            self.schema.validate(record["value"])
            text = self.schema.canonical_text(record["value"])
        elif isinstance(record["text"], str):
            text = record["text"]
        else:
            raise TypeError(f"text must be a string, got {record['text']!r}"[:120])
        return text, numbers[0], numbers[1], self._saved_score(record)

    def _saved_score(self, record: dict[str, Any]) -> float | None:
        """A scored dataset's record holds a finite score, at or above the threshold."""
        if self.scorer is None:
            return None
        score, reason = record["score"], record.get("reason")
        if (
            isinstance(score, bool)
            or not isinstance(score, int | float)
            or not math.isfinite(score)
        ):
            raise TypeError(f"score must be a finite number, got {score!r}"[:120])
        if self.min_score is not None and score < self.min_score:
            raise ValueError(f"score {score!r} is below the dataset's min_score {self.min_score!r}")
        if reason is not None and not isinstance(reason, str):
            raise TypeError(f"reason must be a string, got {reason!r}"[:120])
        return float(score)

    def _index_loaded(self, batch: list[tuple[str, Any, float | None]]) -> None:
        """The file's records into the dedup index; one it holds twice counts as a duplicate."""
        texts = [text for text, _, _ in batch]
        kept, exact, near = self.deduper.keep(texts, [value for _, value, _ in batch])
        self.exact += exact
        self.near += near
        for position in kept:
            text, _, score = batch[position]
            self._sampled(text)
            self.score_sum += score or 0.0
            self.unique += 1

    def close(self) -> None:
        """Close the records file (every record in it is already flushed); drop the lock."""
        if self._file is not None:
            self._file.close()
            self._file = None
        if self._lock is not None:
            self._lock.release()

    # -- planning and absorbing -------------------------------------------------------------

    @property
    def done(self) -> bool:
        """``n`` unique records made, the call budget spent, or ``patience`` calls in vain."""
        return (
            self.unique >= self.n
            or self.calls >= self.max_calls
            or (self.patience is not None and self.idle >= self.patience)
        )

    def plan(self, slots: int) -> list[dict[str, Any]]:
        """Up to ``slots`` more calls, none once the run is done.

        With the calls in flight, just enough for the records still missing, within the budget.
        """
        if self.done:
            return []
        missing = math.ceil((self.n - self.unique) / self.k) - self.in_flight
        size = max(0, min(missing, slots, self.max_calls - self.calls - self.in_flight))
        self.in_flight += size
        round_ = []
        for _ in range(size):
            call_id = self.next_call
            self.next_call += 1
            round_.append({"call_id": call_id, "prompt": self.prompts[call_id % len(self.prompts)]})
        return round_

    def absorb(
        self, call: dict[str, Any], result: Any, scores: Sequence[CandidateScore] | None = None
    ) -> None:
        """Take one call's result (an ``AIMessage`` or the exception it raised).

        ``scores``: the scorer's, one per candidate of the reply, in order (a scored run).
        """
        self.calls += 1
        self.in_flight = max(0, self.in_flight - 1)
        before = self.unique
        if isinstance(result, OutputParserException):
            self.failures += 1
        elif isinstance(result, BaseException):
            raise result  # a fault (server down, time-out): the records so far are kept
        else:
            self.tokens += (result.usage_metadata or {}).get("output_tokens", 0)
            candidates = result.response_metadata[METADATA_KEY]["candidates"]
            each = scores if scores is not None else [None] * len(candidates)
            scored: list[tuple[Any, CandidateScore | None]] = list(
                zip(candidates, each, strict=True)
            )
            if self.min_score is not None:  # before dedup: a dropped text takes no dedup slot
                threshold = self.min_score
                passing: list[tuple[Any, CandidateScore | None]] = [
                    (c, s) for c, s in scored if s is not None and s.value >= threshold
                ]
                self.below += len(scored) - len(passing)
                scored = passing
            kept, exact, near = self.deduper.keep(
                [c["text"] for c, _ in scored], [c.get("value") for c, _ in scored]
            )
            self.exact += exact
            self.near += near
            for position in kept[: self.n - self.unique]:
                self._write(call, *scored[position])
        self.idle = 0 if self.unique > before else self.idle + 1
        if self.on_progress is not None:
            self.on_progress(
                DatasetProgress(
                    self.unique,
                    self.n,
                    self.calls,
                    self.exact + self.near + self.deduper.field_duplicates,
                    self.tokens,
                )
            )

    def _write(
        self, call: dict[str, Any], candidate: dict[str, Any], score: CandidateScore | None
    ) -> None:
        record: dict[str, Any] = {"id": self.next_id}
        self.next_id += 1
        if self.schema is not None:
            record["value"] = candidate["value"]
        else:
            record["text"] = candidate["text"]
        record.update(
            probability=candidate["probability"], prompt=call["prompt"], call_id=call["call_id"]
        )
        if score is not None:
            record["score"] = score.value
            if score.reason is not None:
                record["reason"] = score.reason
            self.score_sum += score.value
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
            stopped=self._stopped(),
            field_duplicates=self.deduper.field_duplicates,
            unique_per_1k_tokens=1000 * new / self.tokens if self.tokens else None,
            scorer=self.scorer,
            min_score=self.min_score,
            below_threshold=self.below,
            mean_score=self.score_sum / self.unique if self.scorer and self.unique else None,
        )
        return DatasetResult(report, self.records, self.out)

    def _stopped(self) -> Literal["n_reached", "call_budget", "no_new_records"]:
        if self.unique >= self.n:
            return "n_reached"
        if self.patience is not None and self.idle >= self.patience:
            return "no_new_records"
        return "call_budget"


def _reason(error: BaseException) -> str:
    """Why a line is no record, in words: a missing key is named as such."""
    if isinstance(error, KeyError):
        return f"no {error.args[0]!r}"
    if isinstance(error, json.JSONDecodeError):
        return f"not JSON: {error.msg}" if error.doc.strip() else "a blank line"
    return str(error) or type(error).__name__
