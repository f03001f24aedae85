"""Synthetic data by Verbalized Sampling: every candidate of every call is a record.

:func:`generate_dataset` (and its async twin :func:`agenerate_dataset`) asks the model with VS
over one prompt or many (spread round robin), keeps every candidate of each reply as a record
(the VS paper trains on all k), drops duplicates — exact, or near by embedding similarity — and
stops at ``n`` unique records or the call budget. Records go to a JSONL file as they arrive, so a
killed run resumes from it with nothing lost or repeated, and memory stays flat in ``n``.

Example:
    .. code-block:: python

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
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from langchain_core.embeddings import Embeddings
from langchain_core.language_models import BaseChatModel
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
from langchain_vs.core import Method, configured_copy
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
    embeddings: Embeddings | None,
    max_concurrency: int,
    rate_limiter: BaseRateLimiter | None,
    out: str | Path | None,
    resume: bool,
    max_calls: int | None,
    seed: int | None,
    on_progress: Callable[[DatasetProgress], None] | None,
    options: dict[str, Any],
) -> tuple[DatasetRun, RunnableLambda[dict[str, Any], Any]]:
    """Check everything before any model call; the run and its one-call runnable."""
    listed = [prompts] if isinstance(prompts, str) else list(prompts)
    if not listed or not all(isinstance(p, str) and p.strip() for p in listed):
        raise ValueError("prompts must be a non-empty prompt or a list of non-empty prompts")
    for name, value in (("n", n), ("max_concurrency", max_concurrency)):
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ValueError(f"{name} must be a whole number of at least 1, got {value!r}")
    if dedup not in ("exact", "semantic"):
        raise ValueError(f"dedup must be 'exact' or 'semantic', got {dedup!r}")
    if not 0.0 < similarity_threshold <= 1.0:
        raise ValueError(f"similarity_threshold must be in (0, 1], got {similarity_threshold!r}")
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
    budget = max_calls or CALL_BUDGET_FACTOR * math.ceil(n / sampler.candidates_asked)
    run = DatasetRun(
        listed,
        n=n,
        k=sampler.candidates_asked,
        schema=sampler.candidate_schema,
        deduper=Deduper(dedup, similarity_threshold, embeddings),
        out=None if out is None else Path(out),
        resume=resume,
        max_calls=budget,
        seed=seed,
        on_progress=on_progress,
    )
    # A seeded model would repeat itself on a repeated prompt: each call gets its own seed.
    seeded = seed is not None and "seed" in type(model).model_fields

    def call_kwargs(item: dict[str, Any]) -> dict[str, Any]:
        return {"seed": seed + item["call_id"]} if seeded and seed is not None else {}

    def call(item: dict[str, Any], config: RunnableConfig) -> Any:
        return sampler.invoke(item["prompt"], config, **call_kwargs(item))

    async def acall(item: dict[str, Any], config: RunnableConfig) -> Any:
        return await sampler.ainvoke(item["prompt"], config, **call_kwargs(item))

    return run, RunnableLambda(call, afunc=acall, name="VerbalizedDatasetCall")


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
    embeddings: Embeddings | None = None,
    max_concurrency: int = 8,
    rate_limiter: BaseRateLimiter | None = None,
    out: str | Path | None = None,
    resume: bool = False,
    max_calls: int | None = None,
    seed: int | None = None,
    on_progress: Callable[[DatasetProgress], None] | None = None,
    **options: Any,
) -> DatasetResult:
    """Generate ``n`` unique records by VS: every candidate of every call is a record.

    Args:
        model: Any LangChain chat model, or its name (``"openai:gpt-4.1-mini"``, ``"local"``;
            see :func:`~langchain_vs.local.resolve_chat_model`).
        prompts: One prompt, or many (e.g. topics times personas), asked round robin.
        n: How many unique records to produce.
        schema: Structured records: a pydantic model class, ``TypedDict`` or JSON-schema dict
            (each record's ``value``); ``None``: text records (``text``).
        method: The sampling method (``direct`` gives one record per call).
        k: Candidates per call: ``n`` records cost about ``n / k`` calls.
        dedup: ``exact`` (same text ignoring case and spaces) or ``semantic`` (also drops a
            record whose embedding's cosine similarity to a kept one is ``similarity_threshold``
            or more).
        similarity_threshold: The semantic-duplicate threshold, in (0, 1].
        embeddings: For ``semantic`` dedup and the report's diversity; default: the offline
            MiniLM (the ``embeddings`` extra), else lexical.
        max_concurrency: Calls in flight at once.
        rate_limiter: A LangChain rate limiter (e.g. ``InMemoryRateLimiter``) set on a copy of
            the model: every call waits for it.
        out: A JSONL file: one record a line (``id``, ``value`` or ``text``, ``probability``,
            ``prompt``, ``call_id``), written as records arrive, with ``<out>.meta.json`` beside
            it. An existing file with records is never overwritten (``resume=True`` continues
            it; the prompts and schema must be the same).
        resume: Continue the records in ``out``: no record is lost or repeated.
        max_calls: The call budget; default 4 times the calls ``n`` needs if no record repeated.
        seed: Seeds the picks, the metric sample and (where the model has a ``seed`` setting)
            each call's model seed (``seed + call number``).
        on_progress: Called after every call with a :class:`DatasetProgress`.
        **options: Any other :class:`~langchain_vs.runnables.VerbalizedSampler` option.

    Returns:
        A :class:`DatasetResult`: the report, and the records (in memory only without ``out``).

    Raises:
        ValueError: A bad argument, schema or ``out`` file, before any model call.
        Exception: A model fault (server down, time-out), after the records so far are saved.
    """
    run, runner = _prepare(
        model, prompts, n=n, schema=schema, method=method, k=k, dedup=dedup,
        similarity_threshold=similarity_threshold, embeddings=embeddings,
        max_concurrency=max_concurrency, rate_limiter=rate_limiter, out=out, resume=resume,
        max_calls=max_calls, seed=seed, on_progress=on_progress, options=options,
    )  # fmt: skip
    try:
        while not run.done:
            calls = run.plan(max_concurrency)
            config: RunnableConfig = {"max_concurrency": max_concurrency}
            for index, result in runner.batch_as_completed(calls, config, return_exceptions=True):
                run.absorb(calls[index], result)
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
    embeddings: Embeddings | None = None,
    max_concurrency: int = 8,
    rate_limiter: BaseRateLimiter | None = None,
    out: str | Path | None = None,
    resume: bool = False,
    max_calls: int | None = None,
    seed: int | None = None,
    on_progress: Callable[[DatasetProgress], None] | None = None,
    **options: Any,
) -> DatasetResult:
    """The asynchronous twin of :func:`generate_dataset` (calls through ``abatch``)."""
    run, runner = _prepare(
        model, prompts, n=n, schema=schema, method=method, k=k, dedup=dedup,
        similarity_threshold=similarity_threshold, embeddings=embeddings,
        max_concurrency=max_concurrency, rate_limiter=rate_limiter, out=out, resume=resume,
        max_calls=max_calls, seed=seed, on_progress=on_progress, options=options,
    )  # fmt: skip
    try:
        while not run.done:
            calls = run.plan(max_concurrency)
            config: RunnableConfig = {"max_concurrency": max_concurrency}
            async for index, result in runner.abatch_as_completed(
                calls, config, return_exceptions=True
            ):
                run.absorb(calls[index], result)
    finally:
        run.close()
    return run.result(embeddings)
