"""A verbalized distribution: candidates with weights; normalize, floor, merge, select, serialize.

Examples:
    >>> dist = VerbalizedDistribution.from_weights(
    ...     [("Heads", 0.5), ("Tails", "50%"), ("Edge", None)]
    ... )
    >>> [round(c.probability, 3) for c in dist]
    [0.333, 0.333, 0.333]
    >>> dist.argmax().text
    'Heads'
    >>> dist.sample(seed=7) == dist.sample(seed=7)
    True
"""

from __future__ import annotations

import _random
import math
import random
import threading
from bisect import bisect
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from itertools import accumulate
from typing import Any, Literal, get_args

from pydantic_core import to_jsonable_python

from langchain_vs.core._algebra import best_position, reweighted, tilted, top_positions
from langchain_vs.core._candidate_schema import CandidateSchema
from langchain_vs.core._methods import Method, ProbabilityDefinition
from langchain_vs.core._slots import slot_setting_init
from langchain_vs.core._utility import Utility, checked_matrix
from langchain_vs.core._weights import repair_weights

__all__ = [
    "Candidate",
    "Seed",
    "SelectionStrategy",
    "VerbalizedDistribution",
    "WeightedText",
    "text_key",
]

SelectionStrategy = Literal["sample", "argmax", "uniform", "tail", "best", "mbr"]
"""How one candidate is drawn: ``sample`` by weight, ``argmax`` the likeliest, ``uniform`` any with
equal chance, ``tail`` uniformly among the least likely half, ``best`` the highest-scored (needs
scores), ``mbr`` the highest expected utility under the distribution (needs a utility)."""

SELECTION_STRATEGIES: tuple[str, ...] = get_args(SelectionStrategy)

Seed = int | random.Random | None
"""An int (the same int always gives the same pick), a ``random.Random`` (advanced by each draw),
or ``None`` (fresh randomness)."""

_JSONScalar = str | int | float | bool | None


@slot_setting_init
@dataclass(frozen=True, slots=True)
class Candidate:
    """One response the model verbalized.

    Attributes:
        text: The response, newlines and all; for a structured candidate, its object's
            canonical JSON.
        probability: Its normalized weight in the distribution (all candidates sum to 1).
        raw_probability: The value exactly as the model gave it (``None`` when missing).
        index: Its position in the model's output, counted over all turns, from 0.
        repairs: Codes of the repairs made to its weight (see
            [`langchain_vs.core`][langchain_vs.core]).
        value: A structured candidate's validated object (a pydantic instance for a pydantic
            schema, else a dict); ``None`` for a text candidate.
    """

    text: str
    probability: float
    raw_probability: _JSONScalar = None
    index: int = 0
    repairs: tuple[str, ...] = ()
    value: Any = None

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-able data (a structured candidate's ``value`` as plain data too)."""
        data = {
            "text": self.text,
            "probability": self.probability,
            "raw_probability": self.raw_probability,
            "index": self.index,
            "repairs": list(self.repairs),
        }
        if self.value is not None:
            data["value"] = to_jsonable_python(self.value)
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any], *, schema: Any = None) -> Candidate:
        """Rebuild a candidate from `to_dict()` output.

        Args:
            data: What `to_dict()` gave.
            schema: The candidate schema, to rebuild ``value`` as its type (e.g. a pydantic
                instance); without it ``value`` stays plain data.
        """
        value = data.get("value")
        if value is not None and schema is not None:
            value = CandidateSchema.of(schema).validate(value)
        return cls(
            text=str(data["text"]),
            probability=float(data["probability"]),
            raw_probability=data.get("raw_probability"),
            index=int(data.get("index", 0)),
            repairs=tuple(data.get("repairs", ())),
            value=value,
        )


@slot_setting_init
@dataclass(frozen=True, slots=True)
class WeightedText:
    """A parsed response before normalization: text, repaired weight, and the raw value."""

    text: str
    weight: float
    raw_probability: _JSONScalar = None
    repairs: tuple[str, ...] = ()
    value: Any = None


def text_key(text: str) -> str:
    """What makes two texts the same answer: the text, ignoring case and runs of white space.

    Examples:
        >>> text_key("  Paris  France ") == text_key("paris france")
        True
    """
    return " ".join(text.casefold().split())


def as_json_scalar(value: Any) -> _JSONScalar:
    # A tuple, not ``str | int | ...``: that union would be built again on every call.
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return str(value)


class _ThreadRandom(threading.local):
    """Each thread's generator for int-seeded draws: re-seeded by each, shared by no thread."""

    def __init__(self) -> None:
        self.rng = random.Random()


_PER_THREAD = _ThreadRandom()
_seed_state = _random.Random.seed
"""The C seeding under ``random.Random.seed`` (its base class): for an int, that Python method
only checks the type and clears ``gauss_next``, which no draw here reads."""


def _rng(seed: Seed) -> random.Random:
    """The generator a draw uses at once: ``seed`` itself, a fresh one, or one seeded to it."""
    if isinstance(seed, random.Random):
        return seed
    if seed is None:
        return random.Random()
    if not isinstance(seed, int):
        raise ValueError(f"seed must be an int, a random.Random or None, got {type(seed).__name__}")
    # Seeding sets the whole state, as random.Random(seed) does: the same draws, without
    # allocating a 2.5 kB generator for each pick.
    rng = _PER_THREAD.rng
    _seed_state(rng, seed)
    return rng


@dataclass(frozen=True)
class VerbalizedDistribution:
    """Candidates with probabilities that sum to 1: what a VS call returns.

    Build one with `from_weights()` (applies the repair rules) or `from_weighted()`;
    direct construction checks that the probabilities are already normalized.

    Attributes:
        candidates: The candidates, in the model's order.
        method: The method that produced it (``Method`` value), if known.
        probability_definition: The probability definition the model was given, if any.
        reasoning: The model's reasoning (``*_cot`` methods).
        repairs: Distribution-level repairs: ``json_repaired``, ``dropped_cut_off`` (a reply cut
            at the token limit lost its unfinished last response), ``merged_duplicates``, ``floor``,
            ``fewer_than_asked``.
        transforms: What was done to it after parsing, in order (``map``, ``filter``,
            ``reweight``, ``tilt(beta=…)``, ``top(m)``): the user's operations, kept apart from
            the repairs of the model's output.
    """

    candidates: tuple[Candidate, ...]
    method: str | None = None
    probability_definition: str | None = None
    reasoning: str | None = None
    repairs: tuple[str, ...] = field(default=())
    transforms: tuple[str, ...] = field(default=())

    def __post_init__(self) -> None:
        if not self.candidates:
            raise ValueError("a VerbalizedDistribution needs at least one candidate")
        for c in self.candidates:
            if not c.text.strip():
                raise ValueError(f"candidate {c.index} has an empty text")
            if not (math.isfinite(c.probability) and c.probability >= 0.0):
                raise ValueError(f"candidate {c.index} has probability {c.probability!r}")
        total = math.fsum([c.probability for c in self.candidates])  # (a list: no generator)
        if not math.isclose(total, 1.0, abs_tol=1e-6):
            raise ValueError(
                f"candidate probabilities sum to {total:.6g}, not 1; build the distribution "
                "with VerbalizedDistribution.from_weights() to normalize raw weights"
            )

    # -- construction -----------------------------------------------------------------------

    @classmethod
    def from_weighted(
        cls,
        items: Sequence[WeightedText],
        *,
        method: Method | str | None = None,
        probability_definition: ProbabilityDefinition | str | None = None,
        reasoning: str | None = None,
        repairs: Iterable[str] = (),
    ) -> VerbalizedDistribution:
        """Normalize repaired weights into a distribution (indices follow ``items``' order)."""
        # Scale by the largest weight first: tiny or huge weights normalize without
        # underflow or overflow; anything not finite or not positive weighs nothing.
        weights = [i.weight if math.isfinite(i.weight) and i.weight > 0.0 else 0.0 for i in items]
        top = max(weights, default=0.0)
        fallback: tuple[str, ...] = ()
        if top > 0.0:
            scaled = [w / top for w in weights]
        else:
            scaled = [1.0] * len(items)
            fallback = ("uniform_fallback",)
        total = math.fsum(scaled)  # (no items, no division: the distribution refuses to be empty)
        # Positional arguments: keywords cost a third more per candidate, on every parse.
        candidates = tuple(
            [
                Candidate(
                    item.text,
                    w / total,
                    item.raw_probability,
                    i,
                    item.repairs + fallback,
                    item.value,
                )
                for i, (item, w) in enumerate(zip(items, scaled, strict=True))
            ]
        )
        return cls(
            candidates=candidates,
            method=None if method is None else str(method),
            probability_definition=(
                None if probability_definition is None else str(probability_definition)
            ),
            reasoning=reasoning,
            repairs=tuple(repairs),
        )

    @classmethod
    def from_weights(
        cls,
        pairs: Sequence[tuple[str, Any]],
        *,
        probability_definition: ProbabilityDefinition | str | None = None,
        method: Method | str | None = None,
    ) -> VerbalizedDistribution:
        """Build a distribution from ``(text, raw_value)`` pairs, repairing the raw values.

        Args:
            pairs: Texts with their verbalized values, as the model gave them.
            probability_definition: How the values were defined (decides, e.g., that a lower
                perplexity means a likelier response).
            method: The method that produced them, kept for reference.
        """
        definition = (
            None
            if probability_definition is None
            else ProbabilityDefinition(probability_definition)
        )
        repaired = repair_weights([raw for _, raw in pairs], definition)
        items = [
            WeightedText(text, weight, as_json_scalar(raw), codes)
            for (text, raw), (weight, codes) in zip(pairs, repaired, strict=True)
        ]
        return cls.from_weighted(items, method=method, probability_definition=definition)

    # -- transformation ---------------------------------------------------------------------

    def _renormalized(self, candidates: Sequence[Candidate], repair: str) -> VerbalizedDistribution:
        total = math.fsum(c.probability for c in candidates)
        return replace(
            self,
            candidates=tuple(replace(c, probability=c.probability / total) for c in candidates),
            repairs=(*self.repairs, repair),
        )

    def with_floor(
        self, min_probability: float, *, min_survivors: int = 1
    ) -> VerbalizedDistribution:
        """Drop candidates less likely than ``min_probability``, keeping at least ``min_survivors``.

        This removes the tail (the opposite of the prompt-level tail threshold, which asks the
        model for tail responses). Survivors keep their original ``index``.
        """
        if not 0.0 < min_probability <= 1.0:
            raise ValueError(f"min_probability must be in (0, 1], got {min_probability!r}")
        if min_survivors < 1:
            raise ValueError(f"min_survivors must be at least 1, got {min_survivors!r}")
        kept = [c for c in self.candidates if c.probability >= min_probability]
        if len(kept) < min_survivors:
            ranked = sorted(self.candidates, key=lambda c: -c.probability)
            chosen = {id(c) for c in ranked[:min_survivors]}
            kept = [c for c in self.candidates if id(c) in chosen]
        if len(kept) == len(self.candidates):
            return self
        return self._renormalized(kept, "floor")

    def merge_duplicates(self) -> VerbalizedDistribution:
        """Merge candidates whose texts match ignoring case and white space; weights add up.

        The first occurrence keeps its text and index and gains the ``merged_duplicate`` repair.
        """
        merged: dict[str, Candidate] = {}
        for c in self.candidates:
            key = text_key(c.text)
            if key in merged:
                first = merged[key]
                merged[key] = replace(
                    first,
                    probability=first.probability + c.probability,
                    repairs=tuple(dict.fromkeys((*first.repairs, "merged_duplicate"))),
                )
            else:
                merged[key] = c
        if len(merged) == len(self.candidates):
            return self
        return self._renormalized(list(merged.values()), "merged_duplicates")

    # -- algebra: each returns a new normalized distribution and records what it did ---------

    def _derived(
        self, candidates: Sequence[Candidate], probabilities: Sequence[float], transform: str
    ) -> VerbalizedDistribution:
        return replace(
            self,
            candidates=tuple(
                replace(c, probability=p) for c, p in zip(candidates, probabilities, strict=True)
            ),
            transforms=(*self.transforms, transform),
        )

    def map(self, fn: Callable[[str], str]) -> VerbalizedDistribution:
        """Each candidate's text replaced by ``fn(text)``; probabilities and indices kept.

        A structured candidate whose text changes loses its ``value`` (it no longer matches).

        Examples:
            >>> VerbalizedDistribution.from_weights([("tea", 1)]).map(str.upper).texts
            ['TEA']
        """
        texts = [fn(c.text) for c in self.candidates]
        for c, text in zip(self.candidates, texts, strict=True):
            if not isinstance(text, str) or not text.strip():
                raise ValueError(f"map gave candidate {c.index} the text {text!r}; return text")
        mapped = [
            replace(c, text=t, value=c.value if t == c.text else None)
            for c, t in zip(self.candidates, texts, strict=True)
        ]
        return self._derived(mapped, self.probabilities, "map")

    def filter(self, predicate: Callable[[Candidate], bool]) -> VerbalizedDistribution:
        """The candidates ``predicate`` keeps, renormalized (``ValueError`` if it keeps none).

        Examples:
            >>> dist = VerbalizedDistribution.from_weights([("tea", 3), ("cola", 1), ("milk", 1)])
            >>> dist.filter(lambda c: c.text != "cola").probabilities
            [0.75, 0.25]
        """
        kept = [c for c in self.candidates if predicate(c)]
        if not kept:
            raise ValueError("filter kept no candidate; a distribution needs at least one")
        weights = [c.probability for c in kept]
        return self._derived(kept, reweighted(weights, [1.0] * len(kept), what="filter"), "filter")

    def reweight(self, fn: Callable[[Candidate], float]) -> VerbalizedDistribution:
        """``p'`` proportional to ``p * fn(candidate)``; each weight finite and at least 0.

        Examples:
            >>> dist = VerbalizedDistribution.from_weights([("tea", 1), ("coffee", 1)])
            >>> dist.reweight(lambda c: 3.0 if c.text == "tea" else 1.0).probabilities
            [0.75, 0.25]
        """
        weights = [fn(c) for c in self.candidates]
        return self._derived(
            self.candidates, reweighted(self.probabilities, weights, what="reweight"), "reweight"
        )

    def tilt(self, scores: Sequence[float], *, beta: float) -> VerbalizedDistribution:
        """The reward tilt ``p'`` proportional to ``p * exp(score / beta)``, one score a candidate.

        The optimum of "maximize the score, stay within KL of ``p``": a small ``beta`` nears
        the best-scored candidate, a large one keeps the distribution.

        Examples:
            >>> dist = VerbalizedDistribution.from_weights([("tea", 1), ("coffee", 1)])
            >>> [round(p, 3) for p in dist.tilt([1.0, 0.0], beta=0.5).probabilities]
            [0.881, 0.119]
        """
        probabilities = tilted(self.probabilities, scores, beta=beta)
        return self._derived(self.candidates, probabilities, f"tilt(beta={beta:g})")

    def top(self, m: int) -> VerbalizedDistribution:
        """The ``m`` likeliest candidates (earlier first on ties), in their order, renormalized.

        Examples:
            >>> VerbalizedDistribution.from_weights([("a", 1), ("b", 3), ("c", 2)]).top(2).texts
            ['b', 'c']
        """
        kept = [self.candidates[i] for i in top_positions(self.probabilities, m)]
        weights = [c.probability for c in kept]
        return self._derived(kept, reweighted(weights, [1.0] * len(kept), what="top"), f"top({m})")

    # -- selection --------------------------------------------------------------------------

    def sample(self, seed: Seed = None) -> Candidate:
        """Draw one candidate with chance equal to its probability."""
        # The draw of random.choices (one random() placed on the cumulative weights, so the
        # same seed picks the same candidate) without its checks of weights valid by construction.
        cumulative = list(accumulate([c.probability for c in self.candidates]))
        position = _rng(seed).random() * cumulative[-1]
        return self.candidates[bisect(cumulative, position, 0, len(cumulative) - 1)]

    def argmax(self) -> Candidate:
        """The likeliest candidate (the earliest one on ties)."""
        return max(self.candidates, key=lambda c: c.probability)

    def uniform(self, seed: Seed = None) -> Candidate:
        """Any candidate, each with the same chance."""
        return _rng(seed).choice(self.candidates)

    def tail(self, seed: Seed = None) -> Candidate:
        """A candidate drawn uniformly from the least likely half (rounded up, at least one)."""
        ranked = sorted(self.candidates, key=lambda c: c.probability)
        return _rng(seed).choice(ranked[: math.ceil(len(ranked) / 2)])

    def best(self, values: Sequence[float]) -> Candidate:
        """The candidate with the highest value (one a candidate); ties: likelier, then earlier.

        Examples:
            >>> dist = VerbalizedDistribution.from_weights([("a", 1), ("b", 3), ("c", 2)])
            >>> dist.best([0.0, 1.0, 1.0]).text
            'b'
        """
        if len(values) != len(self.candidates):
            raise ValueError(
                f"best needs one value per candidate: got {len(values)} for {len(self)}"
            )
        return self.candidates[best_position(values, self.probabilities)]

    def expected_utilities(self, utility: Utility) -> list[float]:
        """Each candidate's expected utility under the distribution: sum_j p_j * u(c_i, c_j).

        ``utility`` maps the texts to their k x k matrix (called once). The sum includes
        ``j = i``, so a likelier candidate counts its own weight, as model-based MBR does.

        Examples:
            >>> dist = VerbalizedDistribution.from_weights([("a", 1), ("b", 1)])
            >>> dist.expected_utilities(lambda texts: [[1.0, 0.2], [0.2, 1.0]])
            [0.6, 0.6]
        """
        matrix = checked_matrix(utility, utility(self.texts), len(self))
        p = self.probabilities
        return [math.fsum(pj * u for pj, u in zip(p, row, strict=True)) for row in matrix]

    def select(
        self,
        strategy: SelectionStrategy = "sample",
        seed: Seed = None,
        *,
        scores: Sequence[float] | None = None,
        utility: Utility | None = None,
    ) -> Candidate:
        """Pick one candidate by ``strategy``.

        ``best`` needs ``scores`` (one a candidate), ``mbr`` a ``utility``; the others need
        neither (and ``argmax``, ``best`` and ``mbr`` no seed).
        """
        if strategy == "best":
            if scores is None:
                raise ValueError('selection="best" needs scores=: one number per candidate')
            return self.best(scores)
        if strategy == "mbr":
            if utility is None:
                raise ValueError(
                    'selection="mbr" needs utility=: a callable from the texts to their k x k '
                    "matrix, e.g. langchain_vs.lexical_utility"
                )
            return self.best(self.expected_utilities(utility))
        if strategy == "sample":
            return self.sample(seed)
        if strategy == "argmax":
            return self.argmax()
        if strategy == "uniform":
            return self.uniform(seed)
        if strategy == "tail":
            return self.tail(seed)
        raise ValueError(
            f"unknown selection strategy {strategy!r}; use one of {', '.join(SELECTION_STRATEGIES)}"
        )

    # -- access -----------------------------------------------------------------------------

    def __len__(self) -> int:
        return len(self.candidates)

    def __iter__(self) -> Iterator[Candidate]:
        return iter(self.candidates)

    def __getitem__(self, position: int) -> Candidate:
        return self.candidates[position]

    @property
    def texts(self) -> list[str]:
        """The candidate texts, in order."""
        return [c.text for c in self.candidates]

    @property
    def values(self) -> list[Any]:
        """Structured candidates' objects, in order (``None`` for text candidates)."""
        return [c.value for c in self.candidates]

    @property
    def probabilities(self) -> list[float]:
        """The normalized probabilities, in order."""
        return [c.probability for c in self.candidates]

    # -- serialization ----------------------------------------------------------------------

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-able data; `from_dict()` rebuilds an equal distribution."""
        return {
            "candidates": [c.to_dict() for c in self.candidates],
            "method": self.method,
            "probability_definition": self.probability_definition,
            "reasoning": self.reasoning,
            "repairs": list(self.repairs),
            "transforms": list(self.transforms),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any], *, schema: Any = None) -> VerbalizedDistribution:
        """Rebuild a distribution from `to_dict()` output.

        Args:
            data: What `to_dict()` gave.
            schema: For structured candidates, their schema: values come back as its type.
        """
        if schema is not None:
            schema = CandidateSchema.of(schema)  # once, not once a candidate
        return cls(
            candidates=tuple(Candidate.from_dict(c, schema=schema) for c in data["candidates"]),
            method=data.get("method"),
            probability_definition=data.get("probability_definition"),
            reasoning=data.get("reasoning"),
            repairs=tuple(data.get("repairs", ())),
            transforms=tuple(data.get("transforms", ())),
        )

    def to_markdown(self, *, chosen: Candidate | None = None) -> str:
        """A markdown table of the candidates; the ``chosen`` one is marked with ``*``."""
        lines = ["| # | probability | response |", "|---|---:|---|"]
        for c in self.candidates:
            mark = "*" if chosen is not None and c.index == chosen.index else ""
            text = c.text.replace("|", "\\|").replace("\n", "<br>")
            lines.append(f"| {c.index}{mark} | {c.probability:.3f} | {text} |")
        return "\n".join(lines)
