"""The scoring contract: what a scorer gives for the candidates of one draw.

A scorer rates all k candidates of one request in one batch (an LLM judge makes one call per
draw, a reward model one batch). The engine checks what comes back here, in one place, so a
scorer that returns the wrong number of scores, a NaN or a bool fails with a message naming it.
Concrete scorers (callables, Runnables, the LLM judge, Bradley-Terry preferences) live in
[`langchain_vs.quality`][langchain_vs.quality].

Examples:
    >>> from langchain_vs.core._distribution import Candidate
    >>> class Length:
    ...     name = "length"
    ...     def score(self, request, candidates):
    ...         return [CandidateScore(float(len(c.text))) for c in candidates]
    ...     async def ascore(self, request, candidates):
    ...         return self.score(request, candidates)
    >>> candidates = [Candidate("Tea", 0.5), Candidate("Coffee", 0.5, index=1)]
    >>> isinstance(Length(), Scorer)
    True
    >>> [s.value for s in checked_scores(Length(), Length().score([], candidates), candidates)]
    [3.0, 6.0]
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable

from langchain_core.messages import BaseMessage

from langchain_vs.core._distribution import Candidate
from langchain_vs.core._utility import display_name

__all__ = ["CandidateScore", "Scorer", "checked_scores", "scorer_name"]


@dataclass(frozen=True, slots=True)
class CandidateScore:
    """One candidate's score.

    Attributes:
        value: A finite number; higher is better.
        reason: Why, if the scorer said (an LLM judge's explanation).
    """

    value: float
    reason: str | None = None


@runtime_checkable
class Scorer(Protocol):
    """Scores the candidates of one draw for the request that produced them.

    ``request`` is the conversation the model answered; the result holds one
    [`CandidateScore`][langchain_vs.core.CandidateScore] per candidate, in the candidates' order.
    Both methods must give the
    same scores for the same input (the sync and async faces pick the same candidate).
    """

    def score(
        self, request: Sequence[BaseMessage], candidates: Sequence[Candidate]
    ) -> Sequence[CandidateScore]:
        """Score every candidate, in order."""
        ...

    async def ascore(
        self, request: Sequence[BaseMessage], candidates: Sequence[Candidate]
    ) -> Sequence[CandidateScore]:
        """The asynchronous twin of `score()`."""
        ...


def scorer_name(scorer: Any) -> str:
    """How a scorer is named in records and messages (see `display_name()`)."""
    return display_name(scorer)


def checked_scores(
    scorer: Any, scores: Any, candidates: Sequence[Candidate]
) -> list[CandidateScore]:
    """``scores`` as a list, one finite `CandidateScore` per candidate.

    Raises:
        ValueError: a wrong count, a score that is not a ``CandidateScore`` with a finite
            number (NaN, infinity, a bool, a string), naming the scorer and the candidate.
    """
    name = scorer_name(scorer)
    if isinstance(scores, str | bytes) or not isinstance(scores, Sequence):
        raise ValueError(
            f"scorer {name!r} returned {type(scores).__name__}, not a sequence of "
            f"CandidateScore (one per candidate)"
        )
    if len(scores) != len(candidates):
        raise ValueError(
            f"scorer {name!r} returned {len(scores)} scores for {len(candidates)} candidates; "
            "it must score every candidate, in order"
        )
    checked = []
    for candidate, score in zip(candidates, scores, strict=True):
        value = getattr(score, "value", None)
        if (
            not isinstance(score, CandidateScore)
            or isinstance(value, bool)
            or not isinstance(value, int | float)
            or not math.isfinite(value)
        ):
            raise ValueError(
                f"scorer {name!r} gave candidate {candidate.index} the score {score!r}; a score "
                "is a CandidateScore holding a finite number"
            )
        checked.append(score)
    return checked
