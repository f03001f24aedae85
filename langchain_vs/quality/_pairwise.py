"""A pairwise judge: one chat-model call compares every pair of a draw's candidates.

Rating on a scale asks a judge for an absolute number it cannot calibrate; choosing the better of
two is easier and steadier. [`PairwiseJudge`][langchain_vs.quality.PairwiseJudge] shows the request
and the candidates (in a
seeded shuffle), lists all k(k-1)/2 pairs (each pair's two sides in a seeded order, against
position bias) and asks for the better one of each pair in one JSON reply — one call per draw,
structured output where the model has it, the text fallback and re-asks of
`langchain_vs.quality._ask`. The verdicts are fitted as a Bradley-Terry model
([`bradley_terry()`][langchain_vs.quality.bradley_terry]'s algorithm and prior) and each candidate
scores its
log-strength. One call holds at most ``MAX_PAIRWISE_CANDIDATES`` candidates (45 pairs); for
more, use [`LLMJudge`][langchain_vs.quality.LLMJudge].

Examples:
    >>> from langchain_core.language_models import GenericFakeChatModel
    >>> from langchain_vs.core import Candidate
    >>> fake = GenericFakeChatModel(messages=iter([  # FAKE: a judge's reply
    ...     '{"comparisons": {"1": {"reason": "Warmer.", "better": 2}}}']))
    >>> judge = PairwiseJudge(fake, rubric="Which is more comforting?", shuffle=False)
    >>> scores = judge.score([], [Candidate("Ice.", 0.5), Candidate("Tea.", 0.5, index=1)])
    >>> scores[1].value > scores[0].value, scores[1].reason
    (True, 'won 1 of 1 comparisons')
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from typing import Any

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import BaseMessage, HumanMessage, SystemMessage

from langchain_vs.core import Candidate, CandidateScore, StructuredOutputMode
from langchain_vs.quality._ask import JsonTask
from langchain_vs.quality._chat_judge import ChatJudge
from langchain_vs.quality._checks import (
    numbered_entries,
    numbered_schema,
    shown_candidates,
    shown_order,
)
from langchain_vs.quality._preferences import DEFAULT_PRIOR, check_prior, fit_strengths

__all__ = ["MAX_PAIRWISE_CANDIDATES", "PairwiseJudge"]

MAX_PAIRWISE_CANDIDATES = 10
"""The most candidates one pairwise call compares (45 pairs): beyond, a reply grows too long."""


class PairwiseJudge:
    """Compares every pair of a draw's candidates in one chat-model call; scores by Bradley-Terry.

    Implements [`Scorer`][langchain_vs.core.Scorer]: a candidate's score is its fitted
    log-strength (0 is the reference), its reason how many comparisons it won.

    Args:
        model: The judge: any LangChain chat model, configured as it should be called, or its
            name (``"openai:gpt-4.1-mini"``, ``"local"``; see
            [`resolve_chat_model()`][langchain_vs.local.resolve_chat_model]).
        rubric: What makes a response better, in words.
        prior: The Bradley-Terry prior (see
            [`bradley_terry()`][langchain_vs.quality.bradley_terry]).
        structured_output: How to ask for the JSON reply (``"auto"``: the model's structured
            output when it has it, else text).
        max_retries: Re-asks after an unusable reply (0 to ``MAX_RETRIES``).
        shuffle: Show candidates, and each pair's sides, in a seeded order.
        seed: That order's seed.
        name: How the scorer is named in draw records.

    Raises:
        TypeError: ``model`` is neither a chat model nor a name.
        ValueError: An empty rubric, a bad option.
    """

    def __init__(
        self,
        model: BaseChatModel | str,
        *,
        rubric: str,
        prior: float = DEFAULT_PRIOR,
        structured_output: StructuredOutputMode = "auto",
        max_retries: int = 2,
        shuffle: bool = True,
        seed: int = 0,
        name: str = "pairwise_judge",
    ) -> None:
        self.chat = ChatJudge(
            model,
            rubric=rubric,
            structured_output=structured_output,
            max_retries=max_retries,
            shuffle=shuffle,
            seed=seed,
            name=name,
            examples=('"Which is more concrete?"', '"pairwise_judge"'),
        )
        self.name = self.chat.name  # how draw records name this scorer
        self.prior = check_prior(prior)

    def __repr__(self) -> str:
        return f"PairwiseJudge(rubric={self.chat.rubric!r}, name={self.name!r})"

    def _task(
        self, request: Sequence[BaseMessage], candidates: Sequence[Candidate]
    ) -> JsonTask[list[CandidateScore]]:
        count = len(candidates)
        if count > MAX_PAIRWISE_CANDIDATES:
            raise ValueError(
                f"PairwiseJudge compares at most {MAX_PAIRWISE_CANDIDATES} candidates in one "
                f"call, got {count}; use LLMJudge (one score per candidate) for more"
            )
        order, rng = shown_order(candidates, shuffle=self.chat.shuffle, seed=self.chat.seed)
        pairs = [
            (b, a) if self.chat.shuffle and rng.random() < 0.5 else (a, b)
            for a, b in itertools.combinations(range(1, count + 1), 2)
        ]
        system = (
            "You are a careful, impartial judge. You compare candidate responses by this "
            f"rubric:\n{self.chat.rubric}\n\n"
            "For each numbered pair, choose the better of its two candidates by the rubric, "
            "with a one-sentence reason. Reply with only a JSON object: "
            '{"comparisons": {"1": {"reason": "<one sentence>", '
            '"better": <the better candidate\'s number>}, "2": {...}, ...}} '
            f"with one entry for each of the {len(pairs)} pairs, keyed by the pair's number."
        )
        listed = "\n".join(
            f"{n}. candidate {a} or candidate {b}" for n, (a, b) in enumerate(pairs, 1)
        )
        human = f"{shown_candidates(request, candidates, order)}\n\nThe pairs:\n{listed}"
        # Each pair's answer is one of its two candidates: a constrained decoder cannot stray.
        entries = [
            {
                "type": "object",
                "properties": {
                    "reason": {"type": "string"},
                    "better": {"type": "integer", "enum": [a, b]},
                },
                "required": ["reason", "better"],
                "additionalProperties": False,
            }
            for a, b in pairs
        ]

        def read(value: Any) -> list[CandidateScore]:
            return self._scores(_outcomes(value, pairs), order)

        return JsonTask(
            [SystemMessage(system), HumanMessage(human)],
            numbered_schema("PairwiseVerdicts", "comparisons", entries),
            read,
        )

    def _scores(self, outcomes: list[tuple[int, int]], order: list[int]) -> list[CandidateScore]:
        """Fit the verdicts (positions shown) and score each candidate, in the candidates' order."""
        shown = range(1, len(order) + 1)
        strengths = fit_strengths(outcomes, prior=self.prior, items=shown)
        wins = [sum(1 for winner, _ in outcomes if winner == p) for p in shown]
        by_candidate = {
            order[p - 1]: CandidateScore(
                math.log(strengths[p]), f"won {wins[p - 1]} of {len(order) - 1} comparisons"
            )
            for p in shown
        }
        return [by_candidate[i] for i in range(len(order))]

    def score(
        self, request: Sequence[BaseMessage], candidates: Sequence[Candidate]
    ) -> list[CandidateScore]:
        """Score every candidate, in order, from one call's pairwise verdicts.

        Raises:
            ValueError: More than ``MAX_PAIRWISE_CANDIDATES`` candidates.
            OutputParserException: The judge's replies stayed unusable after every re-ask; it
                carries the last raw reply.
        """
        if len(candidates) < 2:
            return [CandidateScore(0.0, "nothing to compare with")] * len(candidates)
        return self.chat.ask(self._task(request, candidates))

    async def ascore(
        self, request: Sequence[BaseMessage], candidates: Sequence[Candidate]
    ) -> list[CandidateScore]:
        """The asynchronous twin of `score()`."""
        if len(candidates) < 2:
            return [CandidateScore(0.0, "nothing to compare with")] * len(candidates)
        return await self.chat.aask(self._task(request, candidates))


def _outcomes(value: Any, pairs: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """``(winner, loser)`` per pair, as shown; ``ValueError`` saying what makes them unusable."""
    outcomes = []
    entries = numbered_entries(value, "comparisons", len(pairs), "pair")
    for number, ((a, b), entry) in enumerate(zip(pairs, entries, strict=True), 1):
        better = entry.get("better")
        if isinstance(better, bool) or better not in (a, b):
            raise ValueError(
                f"pair {number} compares candidates {a} and {b}, but its answer is {better!r}"
            )
        outcomes.append((a, b) if better == a else (b, a))
    return outcomes
