"""Scorers from what users already have: a function, a LangChain Runnable, or a Scorer.

[`as_scorer()`][langchain_vs.quality.as_scorer] turns a reward model, a verifier, a regex check or a
schema check into a
[`Scorer`][langchain_vs.core.Scorer] that scores all candidates of a draw in one batch.

Examples:
    >>> from langchain_vs.core import Candidate
    >>> short = as_scorer(lambda text: -len(text), name="brevity")
    >>> candidates = [Candidate("Tea", 0.5), Candidate("Coffee", 0.5, index=1)]
    >>> [s.value for s in short.score([], candidates)]
    [-3.0, -6.0]
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Sequence
from typing import Any

from langchain_core.messages import BaseMessage
from langchain_core.runnables import Runnable
from langchain_core.runnables.config import run_in_executor

from langchain_vs.core import Candidate, CandidateScore, Scorer, display_name

__all__ = ["as_scorer"]


def _as_score(value: Any, name: str, candidate: Candidate) -> CandidateScore:
    """A function's or Runnable's result as a score: a number, a bool (1 or 0), a score."""
    if isinstance(value, CandidateScore):
        return value
    if isinstance(value, bool | int | float):
        return CandidateScore(float(value))
    raise ValueError(
        f"scorer {name!r} returned {value!r} for candidate {candidate.index}; return a number, "
        "a bool (a verifier: 1 or 0) or a CandidateScore"
    )


class _CallableScorer:
    """Calls ``fn(text)`` (or ``fn(text, request)``) once a candidate."""

    def __init__(self, fn: Callable[..., Any], name: str, with_request: bool) -> None:
        self.fn, self.name, self.with_request = fn, name, with_request

    def score(
        self, request: Sequence[BaseMessage], candidates: Sequence[Candidate]
    ) -> list[CandidateScore]:
        """Score every candidate, in order."""
        return [
            _as_score(
                self.fn(c.text, list(request)) if self.with_request else self.fn(c.text),
                self.name,
                c,
            )
            for c in candidates
        ]

    async def ascore(
        self, request: Sequence[BaseMessage], candidates: Sequence[Candidate]
    ) -> list[CandidateScore]:
        """`score()` in a worker thread, so a slow function does not block the loop."""
        return await run_in_executor(None, self.score, request, candidates)


class _RunnableScorer:
    """Sends the candidates to a Runnable as one ``batch`` (``abatch`` when async)."""

    def __init__(self, runnable: Runnable[Any, Any], name: str, with_request: bool) -> None:
        self.runnable, self.name, self.with_request = runnable, name, with_request

    def _inputs(self, request: Sequence[BaseMessage], candidates: Sequence[Candidate]) -> list[Any]:
        if self.with_request:
            return [{"text": c.text, "request": list(request)} for c in candidates]
        return [c.text for c in candidates]

    def score(
        self, request: Sequence[BaseMessage], candidates: Sequence[Candidate]
    ) -> list[CandidateScore]:
        """Score every candidate, in order, with one ``batch``."""
        outputs = self.runnable.batch(self._inputs(request, candidates))
        return [_as_score(v, self.name, c) for v, c in zip(outputs, candidates, strict=True)]

    async def ascore(
        self, request: Sequence[BaseMessage], candidates: Sequence[Candidate]
    ) -> list[CandidateScore]:
        """The asynchronous twin of `score()`, with one ``abatch``."""
        outputs = await self.runnable.abatch(self._inputs(request, candidates))
        return [_as_score(v, self.name, c) for v, c in zip(outputs, candidates, strict=True)]


def as_scorer(scorer: Any, *, name: str | None = None, with_request: bool = False) -> Scorer:
    """A [`Scorer`][langchain_vs.core.Scorer] from a function, a Runnable, or a Scorer.

    Args:
        scorer: A function ``text -> number`` (a bool counts 1 or 0; a
            [`CandidateScore`][langchain_vs.core.CandidateScore] keeps a reason), a LangChain
            Runnable
            with the same input and output (called with ``batch``/``abatch``: one batch a
            draw), or a Scorer, returned as it is.
        name: The name records and messages use (default: the function's or Runnable's).
        with_request: Show the conversation too: a function is called ``fn(text, request)``,
            a Runnable gets ``{"text": text, "request": messages}``.

    Returns:
        A scorer for ``scorer=`` of any face, or for
        [`combine_scorers()`][langchain_vs.quality.combine_scorers].

    Raises:
        TypeError: ``scorer`` is none of these, or an ``async`` function (wrap it as
            ``RunnableLambda(sync_fn, afunc=async_fn)``).

    Examples:
        >>> as_scorer(len).name
        'len'
    """
    if isinstance(scorer, Scorer):
        if name is not None or with_request:
            raise ValueError(
                "name= and with_request= apply to a function or Runnable; a Scorer is used as "
                "it is (it names itself and always sees the request)"
            )
        return scorer
    label = name or display_name(scorer)
    if isinstance(scorer, Runnable):
        return _RunnableScorer(scorer, label, with_request)
    if inspect.iscoroutinefunction(scorer):
        raise TypeError(
            "as_scorer got an async function; a scorer runs both ways: pass "
            "RunnableLambda(sync_fn, afunc=async_fn) instead"
        )
    if callable(scorer):
        return _CallableScorer(scorer, label, with_request)
    raise TypeError(
        f"as_scorer takes a function text -> number, a Runnable or a Scorer, got "
        f"{type(scorer).__name__}"
    )
