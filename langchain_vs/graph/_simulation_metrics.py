"""Simulation metrics: diversity, persona adherence, convergence and repetition of the voices.

[`simulation_metrics()`][langchain_vs.graph.simulation_metrics] reads one finished (or running)
persona simulation, or many (e.g.
the same cast over several seeds), and measures with embeddings (offline by default:
[`default_embeddings()`][langchain_vs.eval.default_embeddings]). Every text is embedded once.
Definitions, with
``cos`` the cosine similarity of two embeddings:

- **Diversity** is [`semantic_diversity()`][langchain_vs.eval.semantic_diversity] (1 - mean pairwise
  ``cos``):
  of all persona lines; per persona (its lines, pooled over the simulations); per turn (the
  lines spoken at that turn in the different simulations, so it needs two or more).
- **Adherence** of persona *p*: ``mean cos(line, own description) - mean cos(line, another
  persona's description)``, both means over *p*'s lines (the second also over the other
  personas). Above 0: its lines resemble its own description more than the others'.
  ``recognized`` is the share of its lines whose most similar description is its own. Both need
  two or more personas.
- **Convergence**: the turns are cut into windows of ``window`` lines (default: one round, as
  many lines as personas); a window's similarity is the mean ``cos`` over the pairs of lines in
  it spoken by *different* personas of the same simulation (pooled over the simulations), and
  ``slope`` is its least-squares trend per window. A positive slope: the voices grow alike.
- **Repetition** per persona, within each simulation: ``exact_repeats`` are its lines equal to
  an earlier line of its own once case, punctuation and spacing are folded (as
  [`answer_counts()`][langchain_vs.eval.answer_counts] does); ``near_repeats`` are its lines at
  ``cos >= near_threshold`` to an earlier line of its own.
- **Judged adherence** (optional, with ``judge=`` a chat model): one structured call per
  persona rates its lines from 1 (anyone's, or out of character) to 5 (unmistakably this
  persona), with a reason.

Examples:
    >>> from langchain_core.messages import AIMessage
    >>> from langchain_vs import HashedNgramEmbeddings
    >>> lines = [("Ada", "Build more bike lanes."), ("Bo", "Cut the budget deficit."),
    ...          ("Ada", "Build more bike lanes!")]
    >>> state = {"messages": [AIMessage(text, name=name) for name, text in lines]}
    >>> cast = [{"name": "Ada", "description": "A cyclist who loves bike lanes."},
    ...         {"name": "Bo", "description": "An economist worried about the deficit."}]
    >>> report = simulation_metrics(state, cast, embeddings=HashedNgramEmbeddings())
    >>> ada = report.personas[0]
    >>> ada.lines, ada.exact_repeats, ada.near_repeats, ada.adherence > 0
    (2, 1, 1, True)
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, replace
from itertools import combinations
from typing import TYPE_CHECKING, Any

from langchain_core.embeddings import Embeddings
from langchain_core.language_models import BaseChatModel

from langchain_vs.eval import (
    answer_counts,
    default_embeddings,
    embeddings_name,
    semantic_diversity,
    unit_embeddings,
)
from langchain_vs.graph._adherence_judge import AdherenceVerdict, judge_adherence
from langchain_vs.graph._node import Persona
from langchain_vs.graph._simulation import _as_personas
from langchain_vs.graph._transcripts import Simulation, read_simulations

if TYPE_CHECKING:
    import numpy as np

__all__ = ["Convergence", "PersonaMetrics", "SimulationMetrics", "simulation_metrics"]


@dataclass(frozen=True)
class PersonaMetrics:
    """One persona's numbers (see the module's definitions); ``None`` where undefined.

    Attributes:
        name: The persona.
        lines: Its lines over all the simulations.
        diversity: Semantic diversity of its lines (two or more lines).
        own_similarity: Mean cosine of its lines to its own description.
        others_similarity: Mean cosine of its lines to the other personas' descriptions.
        adherence: ``own_similarity - others_similarity``.
        recognized: Share of its lines whose most similar description is its own.
        exact_repeats: Its lines that repeat one of its earlier lines (folded text).
        near_repeats: Its lines at cosine >= the threshold to one of its earlier lines.
        judge_score: With a judge: its score from 1 (out of character) to 5 (in character).
        judge_reason: With a judge: why.
    """

    name: str
    lines: int
    diversity: float | None
    own_similarity: float | None
    others_similarity: float | None
    adherence: float | None
    recognized: float | None
    exact_repeats: int
    near_repeats: int
    judge_score: int | None = None
    judge_reason: str | None = None


@dataclass(frozen=True)
class Convergence:
    """Cross-persona similarity per window of turns, and its trend.

    Attributes:
        window: Lines per window.
        similarities: One per window: the mean cosine of its cross-persona pairs (``None``
            where a window has no such pair).
        slope: Least-squares change of the similarity per window (two or more windows with
            a value); positive means the voices grow alike.
    """

    window: int
    similarities: tuple[float | None, ...]
    slope: float | None


@dataclass(frozen=True)
class SimulationMetrics:
    """What `simulation_metrics()` measured: plain, JSON-able data (`to_dict()`).

    Attributes:
        simulations: How many simulations were read.
        lines: Persona lines over all of them.
        embeddings: Which embeddings measured (compare numbers made with the same one only).
        near_threshold: The cosine at which a line counts as a near repeat.
        diversity: Semantic diversity of all the persona lines.
        per_turn_diversity: Per turn, the diversity of that turn's lines across simulations.
        adherence: Mean adherence over the personas that have one.
        personas: One [`PersonaMetrics`][langchain_vs.graph.PersonaMetrics] per persona, in the
            cast's order.
        convergence: The [`Convergence`][langchain_vs.graph.Convergence] of the voices.
    """

    simulations: int
    lines: int
    embeddings: str
    near_threshold: float
    diversity: float | None
    per_turn_diversity: tuple[float | None, ...]
    adherence: float | None
    personas: tuple[PersonaMetrics, ...]
    convergence: Convergence

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-able data."""
        return asdict(self)

    def to_markdown(self) -> str:
        """A readable summary: the overall numbers, then a table of the personas."""
        turns = ", ".join(_fmt(value) for value in self.per_turn_diversity)
        windows = ", ".join(_fmt(value) for value in self.convergence.similarities)
        lines = [
            f"{self.simulations} simulation(s), {self.lines} persona lines, "
            f"embeddings {self.embeddings}",
            "",
            f"- diversity: {_fmt(self.diversity)}; per turn (across simulations): {turns}",
            f"- adherence (mean over personas): {_fmt(self.adherence)}",
            f"- convergence (cross-persona similarity per {self.convergence.window} turns): "
            f"{windows}; slope {_fmt(self.convergence.slope)} per window",
            "",
            "| persona | lines | diversity | own sim | others sim | adherence | recognized "
            "| exact repeats | near repeats |",
            "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
        ]
        lines += [
            f"| {p.name} | {p.lines} | {_fmt(p.diversity)} | {_fmt(p.own_similarity)} | "
            f"{_fmt(p.others_similarity)} | {_fmt(p.adherence)} | {_fmt(p.recognized)} | "
            f"{p.exact_repeats} | {p.near_repeats} |"
            for p in self.personas
        ]
        lines += [
            f"\n{p.name}, judged {p.judge_score}/5: {p.judge_reason}"
            for p in self.personas
            if p.judge_score is not None
        ]
        return "\n".join(lines)


def _fmt(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.3f}"


class _EmbedOnce(Embeddings):
    """Wraps the user's embeddings so that each distinct text is embedded once per report."""

    def __init__(self, inner: Embeddings) -> None:
        self.inner = inner
        self.vectors: dict[str, list[float]] = {}

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        missing = list(dict.fromkeys(t for t in texts if t not in self.vectors))
        if missing:
            self.vectors.update(zip(missing, self.inner.embed_documents(missing), strict=True))
        return [self.vectors[text] for text in texts]

    def embed_query(self, text: str) -> list[float]:
        return self.embed_documents([text])[0]


def _diversity(texts: Sequence[str], embeddings: Embeddings) -> float | None:
    return semantic_diversity(texts, embeddings) if len(texts) >= 2 else None


def _cast(personas: Any) -> list[Persona]:
    cast = _as_personas(personas)
    if not cast:
        raise ValueError("personas is empty: pass the personas the simulation ran with")
    repeated = sorted(name for name, n in Counter(p.name for p in cast).items() if n > 1)
    if repeated:
        raise ValueError(f"persona names must be unique; repeated: {', '.join(repeated)}")
    return cast


def _check_options(window: int | None, near_threshold: float) -> None:
    if window is not None and (isinstance(window, bool) or not isinstance(window, int)):
        raise TypeError(f"window must be an int (lines per window) or None, got {window!r}")
    if window is not None and window < 2:
        raise ValueError(f"window must be at least 2 lines (to hold a pair), got {window}")
    if isinstance(near_threshold, bool) or not isinstance(near_threshold, int | float):
        raise TypeError(f"near_threshold must be a number in (0, 1], got {near_threshold!r}")
    if not 0 < near_threshold <= 1:
        raise ValueError(f"near_threshold must be in (0, 1], got {near_threshold}")


def _slope(points: list[tuple[int, float]]) -> float | None:
    if len(points) < 2:
        return None
    mean_x = math.fsum(x for x, _ in points) / len(points)
    mean_y = math.fsum(y for _, y in points) / len(points)
    spread = math.fsum((x - mean_x) ** 2 for x, _ in points)
    return math.fsum((x - mean_x) * (y - mean_y) for x, y in points) / spread


def _convergence(simulations: list[Simulation], unit: np.ndarray, window: int) -> Convergence:
    pairs: dict[int, list[float]] = {}
    row = 0
    for simulation in simulations:
        lines = simulation.lines
        windows: dict[int, list[int]] = {}
        for i, line in enumerate(lines):
            windows.setdefault(line.turn // window, []).append(i)
        for w, members in windows.items():
            for i, j in combinations(members, 2):
                if lines[i].persona != lines[j].persona:
                    pairs.setdefault(w, []).append(float(unit[row + i] @ unit[row + j]))
        row += len(lines)
    count = max(line.turn for s in simulations for line in s.lines) // window + 1
    means = tuple(math.fsum(pairs[w]) / len(pairs[w]) if w in pairs else None for w in range(count))
    points = [(w, mean) for w, mean in enumerate(means) if mean is not None]
    return Convergence(window=window, similarities=means, slope=_slope(points))


def _persona(
    position: int,
    cast: list[Persona],
    simulations: list[Simulation],
    unit: np.ndarray,
    descriptions: np.ndarray,
    embeddings: Embeddings,
    near_threshold: float,
) -> PersonaMetrics:
    import numpy as np

    # Here, not at the top: SimilarityIndex imports numpy, which a core install lacks.
    from langchain_vs.eval import SimilarityIndex

    name = cast[position].name
    rows, texts, exact, near, row = [], [], 0, 0, 0
    for simulation in simulations:
        own = [
            (row + i, line.text) for i, line in enumerate(simulation.lines) if line.persona == name
        ]
        row += len(simulation.lines)
        exact += len(own) - len(answer_counts(text for _, text in own))
        index = SimilarityIndex()  # the near-duplicate walk of eval, over this simulation only
        for r, _ in own:
            nearest = index.nearest(unit[r])
            near += nearest is not None and nearest[1] >= near_threshold
            index.add(unit[r])
        rows += [r for r, _ in own]
        texts += [text for _, text in own]
    if not rows:
        return PersonaMetrics(name, 0, None, None, None, None, None, 0, 0)
    similarity = unit[rows] @ descriptions.T  # lines x personas
    own_similarity = float(similarity[:, position].mean())
    others_similarity = adherence = recognized = None
    if len(cast) > 1:
        others_similarity = float(np.delete(similarity, position, axis=1).mean())
        adherence = own_similarity - others_similarity
        recognized = float((similarity.argmax(axis=1) == position).mean())
    return PersonaMetrics(
        name=name,
        lines=len(rows),
        diversity=_diversity(texts, embeddings),
        own_similarity=own_similarity,
        others_similarity=others_similarity,
        adherence=adherence,
        recognized=recognized,
        exact_repeats=exact,
        near_repeats=int(near),
    )


def _judged(metrics: PersonaMetrics, verdicts: dict[str, AdherenceVerdict]) -> PersonaMetrics:
    verdict = verdicts.get(metrics.name)
    if verdict is None:
        return metrics
    return replace(metrics, judge_score=verdict.score, judge_reason=verdict.reason)


def simulation_metrics(
    states: Any,
    personas: Sequence[Persona | Mapping[str, Any]],
    *,
    embeddings: Embeddings | None = None,
    window: int | None = None,
    near_threshold: float = 0.9,
    judge: BaseChatModel | str | None = None,
) -> SimulationMetrics:
    """Measure one or more persona simulations: diversity, adherence, convergence, repetition.

    Args:
        states: One simulation's state (a ``PersonaSimulationState`` dict; message dicts, as
            LangGraph Server returns them, work too) or its checkpoint snapshot
            (``app.get_state(config)``), or a list of them (e.g. one per seed).
        personas: The cast the simulations ran with ([`Persona`][langchain_vs.graph.Persona] objects
            or their dicts).
        embeddings: Any LangChain ``Embeddings``; default
            [`default_embeddings()`][langchain_vs.eval.default_embeddings] (offline).
        window: Lines per convergence window; default one round (as many as personas).
        near_threshold: Cosine in (0, 1] from which a line counts as a near repeat.
        judge: A chat model (or its name, e.g. ``"local"``) that also rates each persona's
            adherence: one structured call per persona, showing at most 20 of its lines
            (evenly spaced); ``None``: embeddings only.

    Returns:
        A [`SimulationMetrics`][langchain_vs.graph.SimulationMetrics] (``to_dict()``,
        ``to_markdown()``).

    Raises:
        ValueError: No simulation, one without persona lines, a line spoken by someone not in
            ``personas`` (each naming the simulation), no personas or repeated names, a
            ``window`` below 2, or a ``near_threshold`` outside (0, 1].
        TypeError: ``states`` neither states nor snapshots, or an option of the wrong type
            (``embeddings`` that are not LangChain ``Embeddings``, a ``judge`` neither a chat
            model nor a model's name).
    """
    cast = _cast(personas)
    _check_options(window, near_threshold)
    if embeddings is not None and not isinstance(embeddings, Embeddings):
        raise TypeError(
            "embeddings must be LangChain Embeddings (e.g. MiniLMEmbeddings()) or None for the "
            f"default, got {type(embeddings).__name__}"
        )
    simulations = read_simulations(states, {p.name for p in cast})
    by_turn: dict[int, list[str]] = {}
    by_persona: dict[str, list[str]] = {}
    for simulation in simulations:
        for line in simulation.lines:
            by_turn.setdefault(line.turn, []).append(line.text)
            by_persona.setdefault(line.persona, []).append(line.text)
    verdicts = judge_adherence(judge, by_persona, cast) if judge is not None else {}
    measure = _EmbedOnce(embeddings or default_embeddings())
    texts = [line.text for simulation in simulations for line in simulation.lines]
    vectors = unit_embeddings([*texts, *(p.description for p in cast)], measure)
    unit, descriptions = vectors[: len(texts)], vectors[len(texts) :]
    per_persona = tuple(
        _judged(
            _persona(i, cast, simulations, unit, descriptions, measure, near_threshold), verdicts
        )
        for i in range(len(cast))
    )
    adherences = [p.adherence for p in per_persona if p.adherence is not None]
    return SimulationMetrics(
        simulations=len(simulations),
        lines=len(texts),
        embeddings=embeddings_name(measure.inner),
        near_threshold=float(near_threshold),
        diversity=_diversity(texts, measure),
        per_turn_diversity=tuple(_diversity(by_turn[t], measure) for t in sorted(by_turn)),
        adherence=math.fsum(adherences) / len(adherences) if adherences else None,
        personas=per_persona,
        convergence=_convergence(simulations, unit, window or max(len(cast), 2)),
    )
