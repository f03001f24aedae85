"""A preference model over embeddings: learn from pairs, score candidates never compared.

Bradley-Terry with features: P(a is preferred to b) = sigmoid(w . (e(a) - e(b))), where e is a
text's embedding. [`PreferenceModel.fit()`][langchain_vs.quality.PreferenceModel.fit] finds w by
L2-regularized logistic regression on
the differences of the preferred and the other text's embeddings (no intercept: swapping a pair
flips the probability). The optimum lies in the span of the n differences D (the representer
theorem), so w = D^T a and Newton's method runs on the n coefficients a: each step solves the
n-by-n system (S K + lambda I) step = lambda a - (1 - sigmoid(K a)), with K = D D^T and S the
logistic weights. That is cheap for the few hundred pairs a user gives, whatever the embedding's
dimension (2048 for hashed n-grams). A candidate's score is w . e(text), a log-strength on the
same scale as [`BradleyTerryScorer`][langchain_vs.quality.BradleyTerryScorer]'s, for any text: a
user's thumbs
on earlier candidates rate (and, through a tilt, reweight) new ones.

Needs numpy (the ``embeddings`` extra) and any LangChain ``Embeddings``.

Examples:
    >>> from langchain_vs.eval import HashedNgramEmbeddings
    >>> from langchain_vs.core import Candidate
    >>> prefs = [Preference("A calm sea at dawn.", "A dry desert road."),
    ...          Preference("Waves on the shore.", "Sand dunes and cactus.")]
    >>> model = PreferenceModel.fit(prefs, embeddings=HashedNgramEmbeddings())
    >>> new = [Candidate("Dunes under the sun.", 0.5), Candidate("The sea shore.", 0.5, index=1)]
    >>> [s.value > 0 for s in model.score([], new)]
    [False, True]
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from langchain_core.embeddings import Embeddings
from langchain_core.messages import BaseMessage

from langchain_vs.core import Candidate, CandidateScore
from langchain_vs.eval import INSTALL_EMBEDDINGS
from langchain_vs.quality._checks import check_positive, check_text
from langchain_vs.quality._preferences import Preference, checked_preferences

__all__ = ["PreferenceModel"]

_MAX_NEWTON_STEPS = 50
_TOLERANCE = 1e-9
"""Newton stops when no coefficient moves more than this."""


def _numpy() -> Any:
    try:
        import numpy
    except ImportError as error:
        raise ImportError(
            f"PreferenceModel needs numpy, not installed: {INSTALL_EMBEDDINGS}"
        ) from error
    return numpy


def _check_embeddings(embeddings: Any) -> None:
    if not isinstance(embeddings, Embeddings):
        raise TypeError(f"embeddings must be a LangChain Embeddings, got {embeddings!r}")


def _vectors(embedded: Any, texts: Sequence[str]) -> Any:
    """The embeddings as a float matrix; ``ValueError`` for a wrong shape or a NaN."""
    np = _numpy()
    matrix = np.asarray(embedded, dtype=np.float64)
    if matrix.ndim != 2 or matrix.shape[0] != len(texts) or matrix.shape[1] == 0:
        raise ValueError(
            f"the embeddings gave an array of shape {matrix.shape} for {len(texts)} texts; "
            "they must give one vector per text"
        )
    if not np.isfinite(matrix).all():
        raise ValueError("the embeddings gave a NaN or infinite value; check the embeddings model")
    return matrix


def _fit_weights(differences: Any, regularization: float) -> Any:
    """The w minimizing sum log(1 + exp(-w . d)) + lambda/2 |w|^2, by Newton on w = D^T a."""
    np = _numpy()
    kernel = differences @ differences.T
    alpha = np.zeros(len(differences))
    identity = np.eye(len(differences))
    for _ in range(_MAX_NEWTON_STEPS):
        margins = kernel @ alpha
        preferred = 1.0 / (1.0 + np.exp(-margins))
        weights = preferred * (1.0 - preferred)
        step = np.linalg.solve(
            weights[:, None] * kernel + regularization * identity,
            regularization * alpha - (1.0 - preferred),
        )
        alpha -= step
        if np.abs(step).max() < _TOLERANCE:
            break
    return differences.T @ alpha


class PreferenceModel:
    """Scores any text by a preference model fitted on pairs of embedded texts.

    Implements [`Scorer`][langchain_vs.core.Scorer]. Make one with `fit()`; a candidate's
    score is its log-strength w . e(text): P(a preferred to b) = sigmoid(score(a) - score(b)).

    Args:
        embeddings: The embeddings that the weights were fitted with.
        weights: The fitted weight vector.
        name: How the scorer is named in draw records.
    """

    def __init__(
        self, embeddings: Embeddings, weights: Sequence[float], *, name: str = "preference_model"
    ) -> None:
        _check_embeddings(embeddings)
        np = _numpy()
        vector = np.asarray(weights, dtype=np.float64)
        if vector.ndim != 1 or not len(vector) or not np.isfinite(vector).all():
            raise ValueError("weights must be a non-empty vector of finite numbers")
        self.embeddings = embeddings
        self.weights = vector
        """The fitted weight vector (a numpy array)."""
        self.name = check_text(name, "name", example='"preference_model"')

    @classmethod
    def fit(
        cls,
        preferences: Iterable[Preference],
        *,
        embeddings: Embeddings,
        regularization: float = 1.0,
        name: str = "preference_model",
    ) -> PreferenceModel:
        """Fit the model to preferences (logistic regression on embedding differences).

        Args:
            preferences: The comparisons, at least one.
            embeddings: Any LangChain ``Embeddings`` (``MiniLMEmbeddings`` for meaning,
                ``HashedNgramEmbeddings`` for wording); candidates are embedded with it too.
            regularization: The L2 strength λ (> 0); larger keeps scores nearer 0 and
                trusts few preferences less.
            name: How the scorer is named in draw records.

        Raises:
            ValueError: No preferences, a bad regularization, embeddings with NaN.
            TypeError: An item that is not a [`Preference`][langchain_vs.quality.Preference], or no
                ``Embeddings``.
            ImportError: numpy is not installed (the message has the ``pip install`` line).
        """
        regularization = check_positive(
            regularization, "regularization", why="it keeps the weights finite"
        )
        listed = checked_preferences(preferences)
        _check_embeddings(embeddings)
        texts = list(dict.fromkeys(t for p in listed for t in (p.winner, p.loser)))
        row = {text: i for i, text in enumerate(texts)}
        vectors = _vectors(embeddings.embed_documents(texts), texts)
        winners = vectors[[row[p.winner] for p in listed]]
        losers = vectors[[row[p.loser] for p in listed]]
        weights = _fit_weights(winners - losers, regularization)
        return cls(embeddings, weights.tolist(), name=name)

    def _scores(self, embedded: Any, candidates: Sequence[Candidate]) -> list[CandidateScore]:
        vectors = _vectors(embedded, [c.text for c in candidates])
        if vectors.shape[1] != self.weights.shape[0]:
            raise ValueError(
                f"the embeddings give {vectors.shape[1]} dimensions, the model was fitted on "
                f"{self.weights.shape[0]}: score with the embeddings it was fitted with"
            )
        return [CandidateScore(float(value)) for value in vectors @ self.weights]

    def score(
        self, request: Sequence[BaseMessage], candidates: Sequence[Candidate]
    ) -> list[CandidateScore]:
        """Each candidate's log-strength (the request plays no part: preferences are global)."""
        if not candidates:
            return []
        return self._scores(
            self.embeddings.embed_documents([c.text for c in candidates]), candidates
        )

    async def ascore(
        self, request: Sequence[BaseMessage], candidates: Sequence[Candidate]
    ) -> list[CandidateScore]:
        """The asynchronous twin of `score()`, through the embeddings' async API."""
        if not candidates:
            return []
        embedded = await self.embeddings.aembed_documents([c.text for c in candidates])
        return self._scores(embedded, candidates)
