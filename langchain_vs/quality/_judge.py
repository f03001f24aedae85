"""An LLM judge: one chat-model call scores all k candidates of a draw by a rubric on a scale.

The judge sees the request and the candidates (in a seeded shuffle of their order, against
position bias: the first VS candidate is usually the mode) and answers one JSON object with a
``{reason, score}`` entry per candidate, keyed by the candidate's number, by structured output
where the model has it and in text otherwise (`langchain_vs.quality._ask`). Keyed, not a
list of ``{index, ...}``: a schema-constrained decoder then scores each candidate exactly once
(on a list, the local model numbered candidates twice). The reason comes before the score, so
a model that writes in order reasons before it rates. A reply that misses a candidate, names
one that does not exist or rates one outside the scale is unusable: the judge is told what
was wrong and asked again (``max_retries`` times), then ``OutputParserException`` carries the
raw reply. Scores outside the scale are refused, not clamped: a judge that answers 85 on a 1-10
scale has misread the scale, and clamping would hide that as a 10.

Examples:
    >>> from langchain_core.language_models import GenericFakeChatModel
    >>> from langchain_vs.core import Candidate
    >>> fake = GenericFakeChatModel(messages=iter([  # FAKE: a judge's reply, as a model writes it
    ...     '{"scores": {"1": {"reason": "Vague.", "score": 3},'
    ...     ' "2": {"reason": "Concrete.", "score": 8}}}']))
    >>> judge = LLMJudge(fake, rubric="Is it concrete?", shuffle=False)
    >>> judge.score([], [Candidate("Things.", 0.5), Candidate("Two eggs.", 0.5, index=1)])
    [CandidateScore(value=3.0, reason='Vague.'), CandidateScore(value=8.0, reason='Concrete.')]
"""

from __future__ import annotations

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

__all__ = ["LLMJudge"]


def _check_scale(scale: Any) -> tuple[int, int]:
    if (
        not isinstance(scale, tuple | list)
        or len(scale) != 2
        or not all(isinstance(v, int) and not isinstance(v, bool) for v in scale)
        or scale[0] >= scale[1]
    ):
        raise ValueError(
            f"scale must be (low, high): two integers with low < high, such as (1, 10); "
            f"got {scale!r}"
        )
    return scale[0], scale[1]


class LLMJudge:
    """Scores all candidates of a draw in one call of a chat model, by a rubric on a scale.

    Implements [`Scorer`][langchain_vs.core.Scorer]; each
    [`CandidateScore`][langchain_vs.core.CandidateScore]
    keeps the judge's reason.

    Args:
        model: The judge: any LangChain chat model, configured as it should be called, or its
            name (``"openai:gpt-4.1-mini"``, ``"local"``; see
            [`resolve_chat_model()`][langchain_vs.local.resolve_chat_model]).
        rubric: What makes a response good, in words (``"Is it funny and original?"``).
        scale: ``(low, high)``, integers, higher is better.
        structured_output: How to ask for the JSON reply, as for the samplers: ``"auto"``
            uses the model's structured output when it has it, else text.
        max_retries: Re-asks after an unusable reply (0 to ``MAX_RETRIES``).
        shuffle: Show the candidates in a seeded shuffle, against position bias.
        seed: The shuffle's seed; the same candidates are always shown in the same order.
        name: How the scorer is named in draw records.

    Raises:
        TypeError: ``model`` is neither a chat model nor a name.
        ValueError: An empty rubric, a bad scale, a bad option.
    """

    def __init__(
        self,
        model: BaseChatModel | str,
        *,
        rubric: str,
        scale: tuple[int, int] = (1, 10),
        structured_output: StructuredOutputMode = "auto",
        max_retries: int = 2,
        shuffle: bool = True,
        seed: int = 0,
        name: str = "llm_judge",
    ) -> None:
        self.chat = ChatJudge(
            model,
            rubric=rubric,
            structured_output=structured_output,
            max_retries=max_retries,
            shuffle=shuffle,
            seed=seed,
            name=name,
            examples=('"Is it concrete and correct?"', '"llm_judge"'),
        )
        self.name = self.chat.name  # how draw records name this scorer
        self.scale = _check_scale(scale)

    def __repr__(self) -> str:
        return f"LLMJudge(rubric={self.chat.rubric!r}, scale={self.scale!r}, name={self.name!r})"

    def _task(
        self, request: Sequence[BaseMessage], candidates: Sequence[Candidate], order: list[int]
    ) -> JsonTask[list[CandidateScore]]:
        low, high = self.scale
        count = len(candidates)
        system = (
            "You are a careful, impartial judge. You score candidate responses by this rubric:\n"
            f"{self.chat.rubric}\n\n"
            f"Score every candidate on its own merits from {low} (worst) to {high} (best), "
            "with a one-sentence reason. Reply with only a JSON object: "
            '{"scores": {"1": {"reason": "<one sentence>", '
            f'"score": <an integer from {low} to {high}>}}, "2": {{...}}, ...}}}} '
            f"with one entry for each of the {count} candidates, keyed by its number."
        )
        entry = {
            "type": "object",
            "properties": {
                "reason": {"type": "string", "minLength": 1},  # a judge says why
                "score": {"type": "integer", "minimum": low, "maximum": high},
            },
            "required": ["reason", "score"],
            "additionalProperties": False,
        }
        human = shown_candidates(request, candidates, order)

        def read(value: Any) -> list[CandidateScore]:
            return self._read(value, order)

        return JsonTask(
            [SystemMessage(system), HumanMessage(human)],
            numbered_schema("CandidateScores", "scores", [entry] * count),
            read,
        )

    def _read(self, value: Any, order: list[int]) -> list[CandidateScore]:
        """The scores in the candidates' order; ``ValueError`` saying what makes them unusable."""
        low, high = self.scale
        shown = []
        for number, entry in enumerate(
            numbered_entries(value, "scores", len(order), "candidate"), 1
        ):
            score, reason = entry.get("score"), entry.get("reason")
            if (
                not isinstance(score, int | float)
                or isinstance(score, bool)
                or not math.isfinite(score)
            ):
                raise ValueError(f"candidate {number}'s score {score!r} is not a number")
            if not low <= score <= high:
                raise ValueError(
                    f"candidate {number}'s score {score} is outside the scale {low} to {high}"
                )
            text = reason.strip() if isinstance(reason, str) else ""
            shown.append(CandidateScore(float(score), text or None))
        by_candidate = dict(zip(order, shown, strict=True))
        return [by_candidate[i] for i in range(len(order))]

    def score(
        self, request: Sequence[BaseMessage], candidates: Sequence[Candidate]
    ) -> list[CandidateScore]:
        """Score every candidate, in order, in one model call (more only after a bad reply).

        Raises:
            OutputParserException: The judge's replies stayed unusable after every re-ask; it
                carries the last raw reply.
        """
        if not candidates:
            return []
        order, _ = shown_order(candidates, shuffle=self.chat.shuffle, seed=self.chat.seed)
        return self.chat.ask(self._task(request, candidates, order))

    async def ascore(
        self, request: Sequence[BaseMessage], candidates: Sequence[Candidate]
    ) -> list[CandidateScore]:
        """The asynchronous twin of `score()`."""
        if not candidates:
            return []
        order, _ = shown_order(candidates, shuffle=self.chat.shuffle, seed=self.chat.seed)
        return await self.chat.aask(self._task(request, candidates, order))
