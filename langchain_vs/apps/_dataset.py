"""Synthetic data by Verbalized Sampling: every candidate of every call is a record.

[`generate_dataset()`][langchain_vs.apps.generate_dataset] (and its async twin
[`agenerate_dataset()`][langchain_vs.apps.agenerate_dataset]) asks the model with VS
over one prompt or many (spread round robin), keeps every candidate of each reply as a record
(the VS paper trains on all k), drops duplicates — exact, or near by embedding similarity — and
stops at ``n`` unique records or the call budget. Records go to a JSONL file as they arrive, so a
killed run resumes from it with nothing lost or repeated, and memory stays flat in ``n``.

Examples:
    ```python
    from pydantic import BaseModel
    from langchain_vs import generate_dataset, local_chat_model

    class MathProblem(BaseModel):
        question: str
        answer: int

    result = generate_dataset(
        local_chat_model(), "Write a grade-school math word problem.", n=20,
        schema=MathProblem, out="problems.jsonl",
    )
    print(result.report)
    ```
"""

from __future__ import annotations

import asyncio
import contextvars
import math
import os
import queue
import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from langchain_core.embeddings import Embeddings
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, HumanMessage
from langchain_core.rate_limiters import BaseRateLimiter
from langchain_core.runnables import RunnableConfig, RunnableLambda

from langchain_vs.apps._dataset_run import (
    DatasetProgress,
    DatasetReport,
    DatasetResult,
    DatasetRun,
    read_dataset,
)
from langchain_vs.apps._dedup import Deduper, DedupMode
from langchain_vs.core import (
    METADATA_KEY,
    Candidate,
    CandidateSchema,
    CandidateScore,
    Method,
    Scorer,
    checked_scores,
    configured_copy,
    scorer_name,
)
from langchain_vs.local import resolve_chat_model
from langchain_vs.runnables import VerbalizedSampler

__all__ = [
    "CALL_BUDGET_FACTOR",
    "DatasetProgress",
    "DatasetReport",
    "DatasetResult",
    "agenerate_dataset",
    "generate_dataset",
    "read_dataset",
]

CALL_BUDGET_FACTOR = 4
"""Default call budget: this many times the calls ``n`` needs when no candidate repeats."""
PATIENCE_CANDIDATES = 100
"""Default patience: a run stops after the calls that asked for this many candidates in a row
(but at least `PATIENCE_MIN_CALLS` calls) added no record."""
PATIENCE_MIN_CALLS = 10
_WORKER_POLL_SECONDS = 0.2  # how often a waiting sync run looks up (Ctrl-C is seen at once)
_CANCEL_GRACE_SECONDS = 1.0  # how long cancelled calls get to unwind


def _whole(name: str, value: Any, alternative: str = "") -> None:
    """``value`` is a whole number of at least 1 (``bool`` is not a number here)."""
    valid = f"a whole number of at least 1{' ' + alternative if alternative else ''}"
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{name} must be {valid}, got {value!r}")
    if value < 1:
        raise ValueError(f"{name} must be {valid}, got {value!r}")


def _prompts(prompts: Any) -> list[str]:
    """One prompt or a sequence of them, each a non-empty string."""
    what = "prompts must be a non-empty prompt or a list of non-empty prompts"
    if isinstance(prompts, str):
        listed = [prompts]
    elif isinstance(prompts, Sequence | Iterable) and not isinstance(prompts, bytes | Mapping):
        listed = list(prompts)
    else:
        raise TypeError(f"{what}, got {prompts!r}")
    if not listed or not all(isinstance(p, str) and p.strip() for p in listed):
        raise ValueError(f"{what}, got {prompts!r}"[:300])
    return listed


def _out_path(out: Any, resume: bool) -> Path | None:
    """The records file: a path that is not a folder; ``resume`` needs one."""
    if out is None:
        if resume:
            raise ValueError("resume=True continues the records in a file: give out= as well")
        return None
    if not isinstance(out, str | os.PathLike) or not str(out).strip():
        raise TypeError(f"out must be a file path (str or Path) or None, got {out!r}")
    path = Path(out)
    if path.is_dir():
        raise ValueError(
            f"out={str(out)!r} is a folder: give a file path, e.g. {str(path / 'data.jsonl')!r}"
        )
    return path


def _prepare(
    model: BaseChatModel | str,
    prompts: str | Sequence[str],
    *,
    n: int,
    schema: Any,
    method: Method | str,
    k: int,
    dedup: DedupMode,
    similarity_threshold: float,
    distinct_fields: Sequence[str],
    embeddings: Embeddings | None,
    max_concurrency: int,
    rate_limiter: BaseRateLimiter | None,
    out: str | Path | None,
    resume: bool,
    max_calls: int | None,
    patience: int | None,
    seed: int | None,
    on_progress: Callable[[DatasetProgress], None] | None,
    scorer: Scorer | None,
    min_score: float | None,
    options: dict[str, Any],
) -> tuple[DatasetRun, RunnableLambda[dict[str, Any], Any]]:
    """Check everything before any model call; the run and its one-call runnable."""
    listed = _prompts(prompts)
    _whole("n", n)
    _whole("max_concurrency", max_concurrency)
    if max_calls is not None:
        _whole("max_calls", max_calls, "or None (the default budget)")
    if patience is not None:
        _whole("patience", patience, "or None (the default)")
    if seed is not None and (isinstance(seed, bool) or not isinstance(seed, int)):
        raise TypeError(f"seed must be a whole number or None, got {seed!r}")
    if dedup not in ("exact", "semantic"):
        raise ValueError(f"dedup must be 'exact' or 'semantic', got {dedup!r}")
    if isinstance(similarity_threshold, bool) or not isinstance(similarity_threshold, int | float):
        raise TypeError(
            f"similarity_threshold must be a number in (0, 1], got {similarity_threshold!r}"
        )
    if not 0.0 < similarity_threshold <= 1.0:
        raise ValueError(f"similarity_threshold must be in (0, 1], got {similarity_threshold!r}")
    if embeddings is not None and not all(
        callable(getattr(embeddings, name, None)) for name in ("embed_documents", "embed_query")
    ):
        raise TypeError(
            "embeddings must be a LangChain Embeddings (with embed_documents and embed_query) "
            f"or None (the default), got {embeddings!r}"
        )
    if dedup == "semantic":  # numpy is an extra: missing, it fails here, not after calls
        from langchain_vs.eval import SimilarityIndex  # noqa: F401
    if rate_limiter is not None and not isinstance(rate_limiter, BaseRateLimiter):
        raise TypeError(
            "rate_limiter must be a LangChain BaseRateLimiter (e.g. InMemoryRateLimiter) or "
            f"None, got {rate_limiter!r}"
        )
    if on_progress is not None and not callable(on_progress):
        raise TypeError(
            f"on_progress must be a function taking a DatasetProgress, or None; got {on_progress!r}"
        )
    if not isinstance(resume, bool):
        raise TypeError(f"resume must be True or False, got {resume!r}")
    _check_scoring(scorer, min_score)
    path = _out_path(out, resume)
    model = resolve_chat_model(model)
    if rate_limiter is not None:
        model = configured_copy(model, {"rate_limiter": rate_limiter})
    sampler = VerbalizedSampler(
        model=model,
        method=Method(method),
        k=k,
        candidate_schema=schema,
        seed=seed,
        output="message",
        **options,
    )
    fields = _distinct_fields(distinct_fields, sampler.candidate_schema)
    asked = sampler.candidates_asked
    budget = CALL_BUDGET_FACTOR * math.ceil(n / asked) if max_calls is None else max_calls
    run = DatasetRun(
        listed,
        n=n,
        k=asked,
        schema=sampler.candidate_schema,
        deduper=Deduper(dedup, similarity_threshold, embeddings, fields=fields),
        out=path,
        resume=resume,
        max_calls=budget,
        seed=seed,
        on_progress=on_progress,
        patience=patience or max(PATIENCE_MIN_CALLS, math.ceil(PATIENCE_CANDIDATES / asked)),
        scorer=None if scorer is None else scorer_name(scorer),
        min_score=None if min_score is None else float(min_score),
    )
    # A seeded model would repeat itself on a repeated prompt: each call gets its own seed.
    seeded = seed is not None and "seed" in type(model).model_fields

    def call_kwargs(item: dict[str, Any]) -> dict[str, Any]:
        return {"seed": seed + item["call_id"]} if seeded and seed is not None else {}

    def scoring(item: dict[str, Any], message: AIMessage) -> tuple[Any, list[Candidate]]:
        """What the scorer is given: the request as the model got it, and the candidates."""
        records = message.response_metadata[METADATA_KEY]["candidates"]
        return [HumanMessage(item["prompt"])], [Candidate.from_dict(c) for c in records]

    # Each call scores its own candidates (one batch per draw), on its worker or task.
    def call(item: dict[str, Any], config: RunnableConfig) -> Scored:
        message = sampler.invoke(item["prompt"], config, **call_kwargs(item))
        if scorer is None:
            return message, None
        request, candidates = scoring(item, message)
        return message, checked_scores(scorer, scorer.score(request, candidates), candidates)

    async def acall(item: dict[str, Any], config: RunnableConfig) -> Scored:
        message = await sampler.ainvoke(item["prompt"], config, **call_kwargs(item))
        if scorer is None:
            return message, None
        request, candidates = scoring(item, message)
        scores = await scorer.ascore(request, candidates)
        return message, checked_scores(scorer, scores, candidates)

    return run, RunnableLambda(call, afunc=acall, name="VerbalizedDatasetCall")


def _distinct_fields(fields: Any, schema: CandidateSchema | None) -> tuple[str, ...]:
    """The fields that must differ between records: top-level properties of the schema."""
    if isinstance(fields, str) or not isinstance(fields, Sequence):
        raise TypeError(f"distinct_fields must be a list of field names, got {fields!r}")
    if not fields:
        return ()
    properties = (schema.json_schema.get("properties") or {}) if schema is not None else {}
    for name in fields:
        if not isinstance(name, str) or name not in properties:
            where = (
                f"{schema.name} has: {', '.join(properties) or 'no top-level properties'}"
                if schema is not None
                else "records have fields only with a schema: give schema= as well"
            )
            raise ValueError(f"distinct_fields names {name!r}, not a field of the records; {where}")
    return tuple(fields)


Scored = tuple[AIMessage, list[CandidateScore] | None]
"""A call's reply, and its candidates' scores in a scored run."""


def _check_scoring(scorer: Any, min_score: Any) -> None:
    """A scorer follows the Scorer protocol; a threshold is a finite number and needs one."""
    if scorer is not None and not isinstance(scorer, Scorer):
        raise TypeError(
            "scorer must implement langchain_vs.core.Scorer (score and ascore over the "
            f"candidates of a draw), e.g. langchain_vs.quality.FluencyScorer; got {scorer!r}"
        )
    if min_score is None:
        return
    if isinstance(min_score, bool) or not isinstance(min_score, int | float):
        raise TypeError(f"min_score must be a finite number or None, got {min_score!r}")
    if not math.isfinite(min_score):
        raise ValueError(f"min_score must be a finite number or None, got {min_score!r}")
    if scorer is None:
        raise ValueError(
            f"min_score={min_score!r} needs a scorer to score the records: pass scorer= too"
        )


def _run_calls(run: DatasetRun, runner: RunnableLambda[dict[str, Any], Any], slots: int) -> None:
    """Keep ``slots`` calls in flight on worker threads until the run is done.

    The workers are daemon threads and nothing waits for them on the way out: on Ctrl-C or a
    fault the calls still in flight are abandoned (their replies dropped, nothing more is
    written) and the exception propagates at once.
    """
    todo: queue.SimpleQueue[tuple[dict[str, Any], contextvars.Context] | None] = queue.SimpleQueue()
    replies: queue.SimpleQueue[tuple[dict[str, Any], tuple[Any, Any]]] = queue.SimpleQueue()

    def work() -> None:
        while (job := todo.get()) is not None:
            call, context = job
            try:
                reply = context.run(runner.invoke, call)
            except BaseException as error:  # noqa: BLE001 -- handed to the run, re-raised there
                reply = (error, None)
            replies.put((call, reply))

    workers = 0
    in_flight = 0
    try:
        while True:
            for call in run.plan(slots - in_flight):
                if workers == in_flight:  # every worker busy: one more (at most ``slots``)
                    name = f"langchain-vs-dataset-{workers}"
                    threading.Thread(target=work, name=name, daemon=True).start()
                    workers += 1
                todo.put((call, contextvars.copy_context()))  # tracing context goes along
                in_flight += 1
            if not in_flight:
                return
            while True:
                try:
                    call, reply = replies.get(timeout=_WORKER_POLL_SECONDS)
                    break
                except queue.Empty:
                    continue
            in_flight -= 1
            run.absorb(call, *reply)
    finally:
        for _ in range(workers):
            todo.put(None)  # an idle worker ends now, a busy one after its call


async def _arun_calls(
    run: DatasetRun, runner: RunnableLambda[dict[str, Any], Any], slots: int
) -> None:
    """Keep ``slots`` calls in flight as tasks until the run is done.

    On cancellation (Ctrl-C under ``asyncio.run``) or a fault, the calls in flight are
    cancelled and given `_CANCEL_GRACE_SECONDS` to unwind.
    """
    pending: dict[asyncio.Task[Any], dict[str, Any]] = {}
    try:
        while True:
            for call in run.plan(slots - len(pending)):
                pending[asyncio.ensure_future(runner.ainvoke(call))] = call
            if not pending:
                return
            finished, _ = await asyncio.wait(pending, return_when=asyncio.FIRST_COMPLETED)
            for task in sorted(finished, key=lambda t: pending[t]["call_id"]):
                call = pending.pop(task)
                try:
                    reply = task.result()
                except Exception as error:  # noqa: BLE001 -- handed to the run, re-raised there
                    reply = (error, None)
                run.absorb(call, *reply)
    finally:
        for task in pending:
            task.cancel()
        if pending:
            await asyncio.wait(pending, timeout=_CANCEL_GRACE_SECONDS)


def generate_dataset(
    model: BaseChatModel | str,
    prompts: str | Sequence[str],
    *,
    n: int,
    schema: Any = None,
    method: Method | str = Method.VS_STANDARD,
    k: int = 5,
    dedup: DedupMode = "exact",
    similarity_threshold: float = 0.9,
    distinct_fields: Sequence[str] = (),
    embeddings: Embeddings | None = None,
    max_concurrency: int = 8,
    rate_limiter: BaseRateLimiter | None = None,
    out: str | Path | None = None,
    resume: bool = False,
    max_calls: int | None = None,
    patience: int | None = None,
    seed: int | None = None,
    on_progress: Callable[[DatasetProgress], None] | None = None,
    scorer: Scorer | None = None,
    min_score: float | None = None,
    **options: Any,
) -> DatasetResult:
    """Generate ``n`` unique records by VS: every candidate of every call is a record.

    Args:
        model: Any LangChain chat model, or its name (``"openai:gpt-4.1-mini"``, ``"local"``;
            see [`resolve_chat_model()`][langchain_vs.local.resolve_chat_model]).
        prompts: One prompt, or many (e.g. topics times personas), asked round robin.
        n: How many unique records to produce (a whole number, at least 1).
        schema: Structured records: a pydantic model class, ``TypedDict`` or JSON-schema dict
            (each record's ``value``); ``None``: text records (``text``).
        method: The sampling method (``direct`` gives one record per call).
        k: Candidates per call: ``n`` records cost about ``n / k`` calls.
        dedup: ``exact`` (same text ignoring case and spaces) or ``semantic`` (also drops a
            record whose embedding's cosine similarity to a kept one is ``similarity_threshold``
            or more).
        similarity_threshold: The semantic-duplicate threshold, in (0, 1].
        distinct_fields: Fields of a structured record that must differ between records
            (top-level fields of ``schema``): a record repeating a kept record's value of one
            (ignoring case and spaces) is a duplicate (``field_duplicates`` in the report).
        embeddings: For ``semantic`` dedup and the report's diversity; default: the offline
            MiniLM (the ``embeddings`` extra), else lexical.
        max_concurrency: Calls in flight at once (at least 1).
        rate_limiter: A LangChain rate limiter (e.g. ``InMemoryRateLimiter``) set on a copy of
            the model: every call waits for it.
        out: A JSONL file: one record a line (``id``, ``value`` or ``text``, ``probability``,
            ``prompt``, ``call_id``), written as records arrive, with ``<out>.meta.json`` beside
            it. An existing file with records is never overwritten (``resume=True`` continues
            it; the prompts, schema, scorer name and ``min_score`` must be the same). One run
            writes it at a time (a lock, ``<out>.lock``, while it runs).
        resume: Continue the records in ``out``: no record is lost or repeated, no id reused.
        max_calls: The call budget (at least 1); default 4 times the calls ``n`` needs if no
            record repeated.
        patience: Stop after this many calls in a row added no record (a model that only
            repeats itself); default: the calls that ask for 100 candidates, at least 10. To
            turn it off, give it ``max_calls``.
        seed: Seeds the picks, the metric sample and (where the model has a ``seed`` setting)
            each call's model seed (``seed + call number``).
        on_progress: Called after every call with a
            [`DatasetProgress`][langchain_vs.apps.DatasetProgress].
        scorer: Scores the k candidates of each call (a
            [`Scorer`][langchain_vs.core.Scorer], e.g.
            [`FluencyScorer`][langchain_vs.quality.FluencyScorer]), given the prompt as the request:
            each record stores its ``score`` (and ``reason`` when the scorer gives one).
        min_score: Drop candidates scoring below this (before dedup; counted in the report's
            ``below_threshold``), so ``n`` counts records at or above it. Needs ``scorer``.
            Dropped rather than kept with a flag: the file then is the dataset, and ``n``
            means usable records.
        **options: Any other [`VerbalizedSampler`][langchain_vs.runnables.VerbalizedSampler] option.

    Returns:
        A [`DatasetResult`][langchain_vs.apps.DatasetResult]: the report, and the records (in memory
        only without ``out``).

    Raises:
        TypeError: An argument of the wrong type, before any model call.
        ValueError: A bad argument, schema or ``out`` file (damaged, or written by another run
            at the moment), before any model call.
        KeyboardInterrupt: Ctrl-C: the calls in flight are abandoned at once; the records so
            far are in ``out``, ready to resume.
        Exception: A model fault (server down, time-out), after the records so far are saved.
    """
    run, runner = _prepare(
        model, prompts, n=n, schema=schema, method=method, k=k, dedup=dedup,
        similarity_threshold=similarity_threshold, distinct_fields=distinct_fields,
        embeddings=embeddings, max_concurrency=max_concurrency, rate_limiter=rate_limiter,
        out=out, resume=resume,
        max_calls=max_calls, patience=patience, seed=seed, on_progress=on_progress,
        scorer=scorer, min_score=min_score, options=options,
    )  # fmt: skip
    try:
        _run_calls(run, runner, max_concurrency)
    finally:
        run.close()
    return run.result(embeddings)


async def agenerate_dataset(
    model: BaseChatModel | str,
    prompts: str | Sequence[str],
    *,
    n: int,
    schema: Any = None,
    method: Method | str = Method.VS_STANDARD,
    k: int = 5,
    dedup: DedupMode = "exact",
    similarity_threshold: float = 0.9,
    distinct_fields: Sequence[str] = (),
    embeddings: Embeddings | None = None,
    max_concurrency: int = 8,
    rate_limiter: BaseRateLimiter | None = None,
    out: str | Path | None = None,
    resume: bool = False,
    max_calls: int | None = None,
    patience: int | None = None,
    seed: int | None = None,
    on_progress: Callable[[DatasetProgress], None] | None = None,
    scorer: Scorer | None = None,
    min_score: float | None = None,
    **options: Any,
) -> DatasetResult:
    """The asynchronous twin of `generate_dataset()` (each call a task).

    Cancelled (or Ctrl-C under ``asyncio.run``), it cancels the calls in flight and ends at
    once; the records so far are in ``out``, ready to resume.
    """
    run, runner = _prepare(
        model, prompts, n=n, schema=schema, method=method, k=k, dedup=dedup,
        similarity_threshold=similarity_threshold, distinct_fields=distinct_fields,
        embeddings=embeddings, max_concurrency=max_concurrency, rate_limiter=rate_limiter,
        out=out, resume=resume,
        max_calls=max_calls, patience=patience, seed=seed, on_progress=on_progress,
        scorer=scorer, min_score=min_score, options=options,
    )  # fmt: skip
    try:
        await _arun_calls(run, runner, max_concurrency)
    finally:
        run.close()
    return run.result(embeddings)
