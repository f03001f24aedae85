"""A weighted sum of scorers: one score from several (a judge, a verifier, a length check).

Examples:
    >>> from langchain_vs.core import Candidate
    >>> both = combine_scorers((len, 1.0), (lambda text: text.startswith("T"), 10.0))
    >>> candidates = [Candidate("Tea", 0.5), Candidate("Coffee", 0.5, index=1)]
    >>> [s.value for s in both.score([], candidates)]
    [13.0, 6.0]
"""

from __future__ import annotations

import asyncio
import math
from collections.abc import Sequence
from typing import Any

from langchain_core.messages import BaseMessage

from langchain_vs.core import Candidate, CandidateScore, Scorer, checked_scores, scorer_name
from langchain_vs.quality._callables import as_scorer

__all__ = ["WeightedScorer", "combine_scorers"]


class WeightedScorer:
    """Scores each candidate with every member (each once a draw); the weighted sum of those.

    The members' reasons are kept, each after its member's name.
    """

    def __init__(self, members: Sequence[tuple[Scorer, float]], name: str) -> None:
        self.members, self.name = tuple(members), name

    def _summed(
        self, candidates: Sequence[Candidate], results: Sequence[Any]
    ) -> list[CandidateScore]:
        checked = [
            checked_scores(member, scores, candidates)
            for (member, _), scores in zip(self.members, results, strict=True)
        ]
        summed = []
        for position in range(len(candidates)):
            parts = [scores[position] for scores in checked]
            value = math.fsum(w * s.value for (_, w), s in zip(self.members, parts, strict=True))
            reasons = [
                f"{scorer_name(member)}: {s.reason}"
                for (member, _), s in zip(self.members, parts, strict=True)
                if s.reason
            ]
            summed.append(CandidateScore(value, "\n".join(reasons) or None))
        return summed

    def score(
        self, request: Sequence[BaseMessage], candidates: Sequence[Candidate]
    ) -> list[CandidateScore]:
        """Score every candidate, in order."""
        return self._summed(candidates, [m.score(request, candidates) for m, _ in self.members])

    async def ascore(
        self, request: Sequence[BaseMessage], candidates: Sequence[Candidate]
    ) -> list[CandidateScore]:
        """The asynchronous twin of `score()`; the members score concurrently."""
        results = await asyncio.gather(*(m.ascore(request, candidates) for m, _ in self.members))
        return self._summed(candidates, results)


def combine_scorers(*weighted: tuple[Any, float], name: str | None = None) -> WeightedScorer:
    """One scorer from ``(scorer, weight)`` pairs: the weighted sum of their scores.

    Args:
        *weighted: Each a scorer (anything [`as_scorer()`][langchain_vs.quality.as_scorer] takes)
            and a finite, non-zero
            weight (negative: a penalty).
        name: The combined scorer's name (default: e.g. ``"0.7*judge+0.3*len"``).

    Raises:
        ValueError: no pair, a pair that is not ``(scorer, weight)``, or a weight that is 0,
            NaN, infinite or not a number.
        TypeError: a member [`as_scorer()`][langchain_vs.quality.as_scorer] cannot take.

    Examples:
        >>> combine_scorers((len, 0.5), (len, -0.25)).name
        '0.5*len-0.25*len'
    """
    if not weighted:
        raise ValueError("combine_scorers needs at least one (scorer, weight) pair")
    members = []
    for pair in weighted:
        if not isinstance(pair, tuple) or len(pair) != 2:
            raise ValueError(f"combine_scorers takes (scorer, weight) pairs, got {pair!r}")
        scorer, weight = pair
        if (
            isinstance(weight, bool)
            or not isinstance(weight, int | float)
            or not math.isfinite(weight)
            or weight == 0
        ):
            raise ValueError(
                f"the weight of {scorer_name(scorer)!r} must be a finite, non-zero number, "
                f"got {weight!r}"
            )
        members.append((as_scorer(scorer), float(weight)))
    label = name or "".join(
        f"{'+' if w > 0 and i else ''}{w:g}*{scorer_name(m)}" for i, (m, w) in enumerate(members)
    )
    return WeightedScorer(members, label)
