"""Outcome comparison: do many simulations end the way the real world does?

An extractor maps each simulation's state to its outcome: a category (a vote, a stance) or a
number (a donation, a price). [`compare_outcomes()`][langchain_vs.graph.compare_outcomes] compares
the simulated distribution with
a reference one:

- **Categories** (strings): ``kl_divergence`` is KL(simulated || reference) in nats, with
  ``epsilon`` added to the reference's mass of every category (then renormalized) so a category
  the reference never saw stays finite; ``js_divergence`` is Jensen-Shannon in bits, in [0, 1].
  Both are [`langchain_vs.eval`][langchain_vs.eval]'s functions.
- **Numbers**: ``ks_statistic`` is the two-sample Kolmogorov-Smirnov statistic (the largest gap
  between the two empirical CDFs, in [0, 1]); ``histogram_l1`` is the L1 distance between the
  two histograms' shares over ``bins`` equal-width bins spanning both samples (in [0, 2]).

Examples:
    >>> from langchain_core.messages import AIMessage
    >>> def vote(state):
    ...     return "yes" if "yes" in state["messages"][-1].text.lower() else "no"
    >>> runs = [{"messages": [AIMessage(text, name="Ada")]} for text in ("Yes!", "No.", "yes")]
    >>> result = compare_outcomes(runs, vote, {"yes": 0.5, "no": 0.5})
    >>> {k: round(v, 3) for k, v in result.distribution.items()}, round(result.js_divergence, 3)
    ({'no': 0.333, 'yes': 0.667}, 0.021)
"""

from __future__ import annotations

import math
from bisect import bisect_right
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import Any, Literal

from langchain_vs.eval import js_divergence, kl_divergence
from langchain_vs.graph._transcripts import read_simulations

__all__ = ["Outcome", "OutcomeComparison", "OutcomeExtractor", "compare_outcomes"]

Outcome = str | int | float
"""A simulation's outcome: a category (a string) or a number."""
OutcomeExtractor = Callable[[Mapping[str, Any]], Outcome]
"""Maps a simulation's state (its ``messages``, ``draws``...) to its outcome."""


@dataclass(frozen=True)
class OutcomeComparison:
    """The simulated outcomes against the reference (fields of the other kind are ``None``).

    Attributes:
        kind: ``"categorical"`` or ``"numeric"``.
        outcomes: Each simulation's outcome, in order.
        distribution: Categories: the simulated shares.
        reference: Categories: the reference's shares (normalized).
        kl_divergence: Categories: KL(simulated || smoothed reference), nats.
        js_divergence: Categories: Jensen-Shannon divergence, bits.
        epsilon: Categories: the smoothing added to the reference's mass.
        ks_statistic: Numbers: the two-sample KS statistic.
        histogram_l1: Numbers: L1 distance of the histograms' shares.
        bins: Numbers: the histogram's bins.
        mean: Numbers: the simulated mean.
        reference_mean: Numbers: the reference's mean.
    """

    kind: Literal["categorical", "numeric"]
    outcomes: tuple[Outcome, ...]
    distribution: dict[str, float] | None = None
    reference: dict[str, float] | None = None
    kl_divergence: float | None = None
    js_divergence: float | None = None
    epsilon: float | None = None
    ks_statistic: float | None = None
    histogram_l1: float | None = None
    bins: int | None = None
    mean: float | None = None
    reference_mean: float | None = None

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-able data."""
        return asdict(self)

    def to_markdown(self) -> str:
        """A readable summary."""
        head = f"{len(self.outcomes)} simulation(s), {self.kind} outcomes"
        if self.kind == "categorical":
            assert self.distribution is not None and self.reference is not None
            simulated, reference = self.distribution, self.reference
            rows = [
                f"| {key} | {simulated.get(key, 0.0):.3f} | {reference.get(key, 0.0):.3f} |"
                for key in sorted(set(simulated) | set(reference))
            ]
            return "\n".join(
                [
                    f"{head}: KL {self.kl_divergence:.3f} nats (epsilon {self.epsilon:g}), "
                    f"JS {self.js_divergence:.3f} bits",
                    "",
                    "| outcome | simulated | reference |",
                    "|---|---:|---:|",
                    *rows,
                ]
            )
        return (
            f"{head}: KS {self.ks_statistic:.3f}, histogram L1 {self.histogram_l1:.3f} "
            f"({self.bins} bins); mean {self.mean:.3f} vs reference {self.reference_mean:.3f}"
        )


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _extract(states: Any, extractor: OutcomeExtractor) -> list[Outcome]:
    if not callable(extractor):
        raise TypeError(
            "extractor must be a function from a state to an outcome, "
            f"got {type(extractor).__name__}"
        )
    outcomes = []
    for simulation in read_simulations(states, need_lines=False):
        try:
            outcome = extractor(simulation.state)
        except Exception as error:
            raise ValueError(
                f"the outcome extractor failed on {simulation.label}: "
                f"{type(error).__name__}: {error}"
            ) from error
        if not isinstance(outcome, str) and not _is_number(outcome):
            raise TypeError(
                f"the outcome extractor returned {outcome!r} for {simulation.label}; return a "
                "category (a string) or a number"
            )
        if not isinstance(outcome, str) and not math.isfinite(outcome):
            raise ValueError(f"the outcome extractor returned {outcome} for {simulation.label}")
        outcomes.append(outcome)
    return outcomes


def _kind(values: Sequence[Any], what: str) -> Literal["categorical", "numeric"]:
    strings = [v for v in values if isinstance(v, str)]
    numbers = [v for v in values if _is_number(v)]
    if strings and numbers:
        raise ValueError(
            f"{what} mix categories and numbers (e.g. {strings[0]!r} and {numbers[0]!r}); "
            "return one kind: strings for categories, numbers for amounts"
        )
    if len(strings) + len(numbers) != len(values):
        odd = next(v for v in values if not isinstance(v, str) and not _is_number(v))
        raise TypeError(f"{what} hold {odd!r}: only strings (categories) and numbers")
    return "categorical" if strings else "numeric"


def _reference_values(reference: Any) -> tuple[list[Any], Mapping[str, float] | None]:
    if isinstance(reference, Mapping):
        return list(reference), reference
    if isinstance(reference, Sequence) and not isinstance(reference, str | bytes):
        return list(reference), None
    raise TypeError(
        "reference must be a mapping category -> count or share, or a list of observed "
        f"outcomes (categories or numbers), got {type(reference).__name__}"
    )


def _ks_statistic(a: Sequence[float], b: Sequence[float]) -> float:
    """The largest gap between the empirical CDFs of two samples (in [0, 1])."""
    a, b = sorted(a), sorted(b)
    return max(abs(bisect_right(a, x) / len(a) - bisect_right(b, x) / len(b)) for x in {*a, *b})


def _histogram_l1(a: Sequence[float], b: Sequence[float], bins: int) -> float:
    """L1 distance of the two samples' shares over equal-width bins spanning both (in [0, 2])."""
    low, high = min(*a, *b), max(*a, *b)
    width = (high - low) / bins or 1.0  # every value in one bin when all are equal

    def shares(values: Sequence[float]) -> list[float]:
        counts = Counter(min(int((v - low) / width), bins - 1) for v in values)
        return [counts[i] / len(values) for i in range(bins)]

    return math.fsum(abs(p - q) for p, q in zip(shares(a), shares(b), strict=True))


def compare_outcomes(
    states: Any,
    extractor: OutcomeExtractor,
    reference: Mapping[str, float] | Sequence[Outcome],
    *,
    bins: int = 10,
    epsilon: float = 1e-6,
) -> OutcomeComparison:
    """Compare the outcomes of many simulations with a reference distribution.

    Args:
        states: The simulations: states or checkpoint snapshots, as for
            [`simulation_metrics()`][langchain_vs.graph.simulation_metrics].
        extractor: ``state -> outcome``: a category (a string) or a number.
        reference: For categories, a mapping category -> count or share, or a list of observed
            categories; for numbers, a list of observed numbers.
        bins: Numbers: bins of the histograms compared by L1.
        epsilon: Categories: mass added to every category of the reference before KL.

    Returns:
        An [`OutcomeComparison`][langchain_vs.graph.OutcomeComparison] (``to_dict()``,
        ``to_markdown()``).

    Raises:
        ValueError: The extractor raised (the error names the simulation, by index or thread
            id, and chains the cause) or returned a non-finite number; categories mixed with
            numbers (in the outcomes, or against the reference); an empty reference, one with
            negative mass, or categories none of which the reference holds; ``bins`` or
            ``epsilon`` below 1 and 0.
        TypeError: An outcome that is neither a string nor a number (``None``, a bool), or a
            reference that is neither a mapping nor a list.
    """
    if isinstance(bins, bool) or not isinstance(bins, int) or bins < 1:
        raise ValueError(f"bins must be an int of at least 1, got {bins!r}")
    if not _is_number(epsilon) or not 0 < epsilon < 1:
        raise ValueError(f"epsilon must be a number in (0, 1), got {epsilon!r}")
    outcomes = _extract(states, extractor)
    kind = _kind(outcomes, "the simulated outcomes")
    keys, masses = _reference_values(reference)
    if not keys:
        raise ValueError("the reference is empty: give observed outcomes or category shares")
    reference_kind = _kind(keys, "the reference's outcomes")
    if reference_kind != kind:
        raise ValueError(
            f"the simulated outcomes are {kind} but the reference is {reference_kind}; give a "
            "reference of the same kind"
        )
    if kind == "numeric":
        if masses is not None:
            raise TypeError("for numeric outcomes give the reference as a list of observed numbers")
        simulated = [o for o in outcomes if not isinstance(o, str)]
        observed = [float(k) for k in keys]
        return OutcomeComparison(
            kind=kind,
            outcomes=tuple(outcomes),
            ks_statistic=_ks_statistic(simulated, observed),
            histogram_l1=_histogram_l1(simulated, observed, bins),
            bins=bins,
            mean=math.fsum(simulated) / len(simulated),
            reference_mean=math.fsum(observed) / len(observed),
        )
    counts = Counter(o for o in outcomes if isinstance(o, str))
    shares: Mapping[str, float] = masses if masses is not None else Counter(keys)
    if any(not _is_number(v) or not math.isfinite(v) or v < 0 for v in shares.values()):
        raise ValueError("the reference's masses must be finite numbers of at least 0")
    if not any(shares.get(key, 0) > 0 for key in counts):
        raise ValueError(
            f"none of the simulated outcomes {sorted(counts)} has mass in the reference "
            f"{sorted(shares)}; make the extractor return the reference's categories"
        )
    total = math.fsum(shares.values())
    return OutcomeComparison(
        kind=kind,
        outcomes=tuple(outcomes),
        distribution={k: v / len(outcomes) for k, v in sorted(counts.items())},
        reference={k: v / total for k, v in sorted(shares.items())},
        kl_divergence=kl_divergence(counts, shares, epsilon=epsilon),
        js_divergence=js_divergence(counts, shares),
        epsilon=float(epsilon),
    )
