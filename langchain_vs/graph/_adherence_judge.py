"""Judge-based persona adherence: a chat model rates whether each persona stayed in character.

The optional, model-based counterpart of the embedding adherence of
[`simulation_metrics()`][langchain_vs.graph.simulation_metrics]: one structured call per persona
(the calls of a
report run as one batch), showing the judge the persona's description and its lines (at most
`JUDGE_LINES`, evenly spaced over the run) and asking for a score from 1 to 5 and a reason.

Examples:
    >>> lines_for_judge([f"line {i}" for i in range(5)], limit=3)
    ['line 0', 'line 2', 'line 4']
"""

from __future__ import annotations

from collections.abc import Sequence

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import HumanMessage, SystemMessage
from pydantic import BaseModel, Field

from langchain_vs.graph._node import Persona
from langchain_vs.local import resolve_chat_model

__all__ = ["JUDGE_LINES", "AdherenceVerdict", "judge_adherence", "lines_for_judge"]

JUDGE_LINES = 20
"""The most lines of one persona a judge is shown (evenly spaced), to keep the prompt short."""

_SYSTEM = (
    "You judge role-play. Given a persona and lines it spoke in a conversation, rate how well "
    "the lines stay in character: 1 = they could be anyone's or contradict the persona, "
    "5 = unmistakably this persona (its views, role and way of speaking)."
)


class AdherenceVerdict(BaseModel):
    """The judge's verdict on one persona's lines."""

    score: int = Field(ge=1, le=5, description="1 (out of character) to 5 (fully in character)")
    reason: str = Field(description="One sentence: why this score")


def lines_for_judge(lines: Sequence[str], *, limit: int = JUDGE_LINES) -> list[str]:
    """At most ``limit`` of ``lines``, evenly spaced from the first to the last."""
    if len(lines) <= limit:
        return list(lines)
    return [lines[round(i * (len(lines) - 1) / (limit - 1))] for i in range(limit)]


def _request(persona: Persona, lines: Sequence[str]) -> list[SystemMessage | HumanMessage]:
    numbered = "\n".join(f"{i}. {line}" for i, line in enumerate(lines_for_judge(lines), 1))
    return [
        SystemMessage(_SYSTEM),
        HumanMessage(
            f"Persona: {persona.name}. {persona.description}\n\nLines {persona.name} spoke:\n"
            f"{numbered}\n\nGive the score (1-5) and a one-sentence reason."
        ),
    ]


def judge_adherence(
    judge: BaseChatModel | str, lines: dict[str, list[str]], cast: Sequence[Persona]
) -> dict[str, AdherenceVerdict]:
    """The judge's verdict per persona with lines (one structured call each, in one batch).

    Args:
        judge: A chat model, or its name (see
            [`resolve_chat_model()`][langchain_vs.local.resolve_chat_model]).
        lines: Each persona's lines, by name.
        cast: The personas, in order.

    Raises:
        TypeError: ``judge`` is neither a chat model nor a name.
    """
    judge = resolve_chat_model(judge)
    spoken = [persona for persona in cast if lines.get(persona.name)]
    if not spoken:
        return {}
    structured = judge.with_structured_output(AdherenceVerdict)
    verdicts = structured.batch([_request(p, lines[p.name]) for p in spoken])
    return {
        persona.name: AdherenceVerdict.model_validate(verdict)
        for persona, verdict in zip(spoken, verdicts, strict=True)
    }
