"""Pairwise preferences read as a Bradley-Terry model, and a scorer by the fitted strengths.

Bradley-Terry: item i beats item j with probability sᵢ / (sᵢ + sⱼ).
[`bradley_terry()`][langchain_vs.quality.bradley_terry] fits
the strengths s by maximum likelihood with Hunter's MM iteration (Hunter 2004, "MM algorithms for
generalized Bradley-Terry models", eq. 3): sᵢ ← Wᵢ / Σⱼ nᵢⱼ / (sᵢ + sⱼ), with Wᵢ the wins of i
and nᵢⱼ the comparisons of i and j. Alone, that estimate is infinite for an item that never
lost and zero for one that never won, and undefined across groups never compared with each
other. So every item also plays a virtual reference item of strength 1, ``prior`` wins and
``prior`` losses (a "ghost player"): all strengths stay finite and positive, a group compared
with nothing else is placed relative to the reference, and an item never compared gets exactly
strength 1. The reference also fixes the scale (no renormalization is needed). This is ~30
lines of pure Python; the ``choix`` package would add a dependency (and numpy/scipy for every
user of this core extra) for the same estimate.

[`BradleyTerryScorer`][langchain_vs.quality.BradleyTerryScorer] scores a candidate by its
log-strength, matched by text (ignoring
case and white space). On that scale a reward tilt p' ~ p * exp(score / beta) with beta = 1 is
p' ~ p * s: the VS distribution reweighted by the preference model's own odds.

Examples:
    >>> prefs = [Preference("Tea", "Coffee"), Preference("Tea", "Water"),
    ...          Preference("Coffee", "Water")]
    >>> strengths = bradley_terry(prefs)
    >>> sorted(strengths, key=strengths.get, reverse=True)
    ['Tea', 'Coffee', 'Water']
    >>> scorer = BradleyTerryScorer(strengths)
    >>> round(scorer.probability("tea", "water"), 2)
    0.86
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from langchain_core.messages import BaseMessage

from langchain_vs.core import Candidate, CandidateScore, text_key
from langchain_vs.quality._checks import check_positive, check_text

__all__ = [
    "BradleyTerryScorer",
    "DEFAULT_PRIOR",
    "Preference",
    "bradley_terry",
    "check_prior",
    "checked_preferences",
    "fit_strengths",
    "preferences_from_choice",
]

H = TypeVar("H", bound=Hashable)

DEFAULT_PRIOR = 1.0
"""Virtual wins and losses of every item against the reference item (of strength 1)."""
_MAX_ITERATIONS = 10_000
_TOLERANCE = 1e-10
"""The fit stops when no log-strength moves more than this in one iteration."""


@dataclass(frozen=True, slots=True)
class Preference:
    """One comparison: ``winner`` was preferred to ``loser`` (a judge's verdict, a thumbs-up).

    Raises:
        TypeError: A text is not a string.
        ValueError: A blank text, or a text compared with itself.
    """

    winner: str
    loser: str

    def __post_init__(self) -> None:
        check_text(self.winner, "winner", example='"the answer preferred"')
        check_text(self.loser, "loser", example='"the answer not preferred"')
        if text_key(self.winner) == text_key(self.loser):
            raise ValueError(
                f"a self-comparison: {self.winner!r} cannot be preferred to itself "
                "(texts are compared ignoring case and white space)"
            )


def preferences_from_choice(chosen: str, shown: Iterable[str]) -> list[Preference]:
    """A user chose ``chosen`` among ``shown`` (a thumbs-up on one candidate of a draw).

    Read as: ``chosen`` is preferred to every other text shown (the same text again, by
    [`text_key()`][langchain_vs.core.text_key], is skipped).

    Examples:
        >>> [p.loser for p in preferences_from_choice("Tea", ["Coffee", "tea", "Water"])]
        ['Coffee', 'Water']

    Raises:
        ValueError: ``chosen`` is not among ``shown``, or nothing else was shown.
    """
    check_text(chosen, "chosen", example='"the candidate the user picked"')
    texts = list(shown)
    if not any(isinstance(t, str) and text_key(t) == text_key(chosen) for t in texts):
        raise ValueError(f"the chosen text {chosen!r} is not among the texts shown")
    others = [Preference(chosen, t) for t in texts if text_key(t) != text_key(chosen)]
    if not others:
        raise ValueError("nothing else was shown: a choice among one text says nothing")
    return others


def check_prior(prior: Any) -> float:
    """``prior`` if it is a finite number > 0."""
    return check_positive(prior, "prior", why="it keeps unbeaten items finite")


def checked_preferences(preferences: Iterable[Preference]) -> list[Preference]:
    """``preferences`` as a list of at least one [`Preference`][langchain_vs.quality.Preference]."""
    listed = list(preferences)
    if not listed:
        raise ValueError("no preferences: give at least one Preference(winner=..., loser=...)")
    for preference in listed:
        if not isinstance(preference, Preference):
            raise TypeError(
                f"preferences must be Preference(winner=..., loser=...), got {preference!r}"
            )
    return listed


def fit_strengths(
    outcomes: Sequence[tuple[H, H]], *, prior: float, items: Iterable[H] = ()
) -> dict[H, float]:
    """Bradley-Terry strengths from ``(winner, loser)`` outcomes by Hunter's MM iteration.

    Every item (those in ``outcomes`` and ``items``) also wins and loses ``prior`` times against
    a reference item of strength 1 (see the module's notes).
    """
    wins: Counter[H] = Counter(winner for winner, _ in outcomes)
    games: defaultdict[H, Counter[H]] = defaultdict(Counter)
    for winner, loser in outcomes:
        games[winner][loser] += 1
        games[loser][winner] += 1
    strengths = dict.fromkeys([*items, *games], 1.0)
    for _ in range(_MAX_ITERATIONS):
        updated = {
            i: (wins[i] + prior)
            / (2 * prior / (s + 1.0) + sum(n / (s + strengths[j]) for j, n in games[i].items()))
            for i, s in strengths.items()
        }
        change = max((abs(math.log(updated[i] / s)) for i, s in strengths.items()), default=0.0)
        strengths = updated
        if change < _TOLERANCE:
            break
    return strengths


def bradley_terry(
    preferences: Iterable[Preference], *, prior: float = DEFAULT_PRIOR
) -> dict[str, float]:
    """Fit Bradley-Terry strengths to preferences (Hunter's MM with a reference-item prior).

    Texts that differ only in case or white space are one item, named as first written.

    Args:
        preferences: The comparisons, at least one.
        prior: Virtual wins and losses of each item against a reference item of strength 1;
            larger pulls every strength towards 1 (use more when comparisons are few).

    Returns:
        Each text's strength (> 0): P(a beats b) = s[a] / (s[a] + s[b]).

    Raises:
        ValueError: No preferences, or a bad prior.
        TypeError: An item that is not a [`Preference`][langchain_vs.quality.Preference].
    """
    prior = check_prior(prior)
    listed = checked_preferences(preferences)
    names: dict[str, str] = {}
    for preference in listed:
        for text in (preference.winner, preference.loser):
            names.setdefault(text_key(text), text)
    outcomes = [(text_key(p.winner), text_key(p.loser)) for p in listed]
    return {names[key]: s for key, s in fit_strengths(outcomes, prior=prior).items()}


class BradleyTerryScorer:
    """Scores candidates by Bradley-Terry strength: ``log(s)``, matched by text.

    Implements [`Scorer`][langchain_vs.core.Scorer]. A candidate whose text has no strength gets
    ``unseen_strength`` (1.0: the reference, where a fit puts an item never compared).

    Args:
        strengths: Each text's strength (> 0), e.g. from
            [`bradley_terry()`][langchain_vs.quality.bradley_terry].
        unseen_strength: The strength of a text not in ``strengths``.
        name: How the scorer is named in draw records.

    Raises:
        ValueError: No strengths, or one that is not a finite number > 0.
    """

    def __init__(
        self,
        strengths: Mapping[str, float],
        *,
        unseen_strength: float = 1.0,
        name: str = "bradley_terry",
    ) -> None:
        if not isinstance(strengths, Mapping) or not strengths:
            raise ValueError("strengths must be a non-empty mapping of text to strength (> 0)")
        self._log = {
            text_key(check_text(text, "a text of strengths", example='"Tea"')): math.log(
                check_positive(strength, f"the strength of {text!r}", why="a strength")
            )
            for text, strength in strengths.items()
        }
        self._unseen = math.log(
            check_positive(unseen_strength, "unseen_strength", why="a strength")
        )
        self.name = check_text(name, "name", example='"bradley_terry"')

    @classmethod
    def from_preferences(
        cls, preferences: Iterable[Preference], *, prior: float = DEFAULT_PRIOR
    ) -> BradleyTerryScorer:
        """Fit `bradley_terry()` to ``preferences`` and score by the strengths."""
        return cls(bradley_terry(preferences, prior=prior))

    def log_strength(self, text: str) -> float:
        """The text's log-strength (``log(unseen_strength)`` if it was never compared)."""
        return self._log.get(text_key(text), self._unseen)

    def probability(self, a: str, b: str) -> float:
        """P(``a`` is preferred to ``b``) under the model."""
        return 1.0 / (1.0 + math.exp(self.log_strength(b) - self.log_strength(a)))

    def score(
        self, request: Sequence[BaseMessage], candidates: Sequence[Candidate]
    ) -> list[CandidateScore]:
        """Each candidate's log-strength (the request plays no part: preferences are global)."""
        return [
            CandidateScore(self._log[key])
            if (key := text_key(c.text)) in self._log
            else CandidateScore(self._unseen, "never compared")
            for c in candidates
        ]

    async def ascore(
        self, request: Sequence[BaseMessage], candidates: Sequence[Candidate]
    ) -> list[CandidateScore]:
        """The same as `score()` (nothing to wait for)."""
        return self.score(request, candidates)
