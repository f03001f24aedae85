"""The distribution algebra: map, filter, reweight, tilt, top; and the quality picks.

Pure logic on hand-made distributions (no model).
"""

from __future__ import annotations

import math

import pytest

from langchain_vs.core import VerbalizedDistribution, lexical_utility

THREE = VerbalizedDistribution.from_weights(
    [("Tea", 0.5), ("Coffee", 0.3), ("Cocoa", 0.2)], method="vs_standard"
)


def test_each_operation_is_immutable_normalized_and_recorded() -> None:
    out = (
        THREE.reweight(lambda c: 2.0 if c.text == "Cocoa" else 1.0)
        .filter(lambda c: c.text != "Tea")
        .map(str.lower)
        .tilt([0.0, 1.0], beta=2.0)
        .top(1)
    )
    assert out.transforms == ("reweight", "filter", "map", "tilt(beta=2)", "top(1)")
    assert THREE.transforms == () and THREE.texts == ["Tea", "Coffee", "Cocoa"]  # unchanged
    assert out.texts == ["cocoa"] and out.probabilities == [1.0]
    assert [c.index for c in out] == [2]  # the index stays the model's
    assert out.method == "vs_standard" and out.repairs == THREE.repairs


def test_reweight_and_filter_by_hand() -> None:
    reweighted = THREE.reweight(lambda c: {"Tea": 0.0, "Coffee": 1.0, "Cocoa": 3.0}[c.text])
    assert reweighted.probabilities == pytest.approx([0.0, 0.3 / 0.9, 0.6 / 0.9])
    filtered = THREE.filter(lambda c: c.index > 0)
    assert filtered.probabilities == pytest.approx([0.6, 0.4])


def test_the_tilt_by_hand_and_its_limits() -> None:
    scores = [1.0, 3.0, 0.0]
    weights = [p * math.exp(s / 0.5) for p, s in zip(THREE.probabilities, scores, strict=True)]
    expected = [w / sum(weights) for w in weights]
    assert THREE.tilt(scores, beta=0.5).probabilities == pytest.approx(expected)
    kept = THREE.tilt(scores, beta=1e6).probabilities
    assert kept == pytest.approx(THREE.probabilities, rel=1e-5)
    near_best = THREE.tilt(scores, beta=1e-3).probabilities
    assert near_best[1] == pytest.approx(1.0)
    # Huge scores and tiny beta neither overflow nor give NaN (max subtracted first).
    huge = THREE.tilt([1e300, 0.0, -1e300], beta=1e-300).probabilities
    assert huge == [1.0, 0.0, 0.0]


@pytest.mark.parametrize(
    ("operation", "message"),
    [
        (lambda d: d.filter(lambda c: False), "filter kept no candidate"),
        (lambda d: d.reweight(lambda c: -1.0), r"weight for candidate 0 is -1.0; use w >= 0"),
        (lambda d: d.reweight(lambda c: math.nan), "must be a finite number, got nan"),
        (lambda d: d.reweight(lambda c: math.inf), "must be a finite number, got inf"),
        (lambda d: d.reweight(lambda c: True), "must be a finite number, got True"),
        (lambda d: d.reweight(lambda c: "2"), "must be a finite number, got '2'"),
        (lambda d: d.reweight(lambda c: 0.0), "every candidate weight 0"),
        (lambda d: d.tilt([1.0, 2.0, 3.0], beta=0.0), "beta must be above 0"),
        (lambda d: d.tilt([1.0, 2.0, 3.0], beta=-1.0), "beta must be above 0"),
        (lambda d: d.tilt([1.0, 2.0, 3.0], beta=math.inf), "beta must be a finite"),
        (lambda d: d.tilt([1.0, 2.0], beta=1.0), "one score per candidate: got 2 for 3"),
        (lambda d: d.tilt([1.0, math.nan, 3.0], beta=1.0), "score of candidate 1"),
        (lambda d: d.top(0), "m must be an int from 1 to 3, got 0"),
        (lambda d: d.top(4), "m must be an int from 1 to 3, got 4"),
        (lambda d: d.top(True), "m must be an int from 1 to 3, got True"),
        (lambda d: d.map(lambda text: " "), "map gave candidate 0 the text ' '"),
        (lambda d: d.best([1.0]), "one value per candidate: got 1 for 3"),
    ],
)
def test_invalid_input_is_a_clear_error_never_nan(operation, message) -> None:
    with pytest.raises(ValueError, match=message):
        operation(THREE)


def test_top_breaks_ties_by_position_and_keeps_order() -> None:
    dist = VerbalizedDistribution.from_weights([("a", 1), ("b", 2), ("c", 2), ("d", 1)])
    assert dist.top(2).texts == ["b", "c"]
    assert dist.top(3).texts == ["a", "b", "c"]


def test_transforms_survive_json() -> None:
    tilted = THREE.tilt([1.0, 0.0, 0.0], beta=1.0).top(2)
    again = VerbalizedDistribution.from_dict(tilted.to_dict())
    assert again == tilted and again.transforms == ("tilt(beta=1)", "top(2)")
    legacy = {k: v for k, v in THREE.to_dict().items() if k != "transforms"}
    assert VerbalizedDistribution.from_dict(legacy).transforms == ()


def test_best_breaks_ties_by_probability_then_position() -> None:
    assert THREE.best([0.0, 5.0, 1.0]).text == "Coffee"
    assert THREE.best([1.0, 1.0, 1.0]).text == "Tea"  # likelier
    even = VerbalizedDistribution.from_weights([("a", 1), ("b", 1)])
    assert even.best([2.0, 2.0]).text == "a"  # earlier


def test_mbr_with_a_known_utility_matrix() -> None:
    # Tea is likeliest but Coffee agrees with both others: MBR picks the consensus.
    matrix = [[1.0, 0.2, 0.0], [0.2, 1.0, 0.9], [0.0, 0.9, 1.0]]
    expected = THREE.expected_utilities(lambda texts: matrix)
    assert expected == pytest.approx([0.56, 0.58, 0.47])
    assert THREE.select("mbr", utility=lambda texts: matrix).text == "Coffee"
    assert THREE.select("argmax").text == "Tea"


@pytest.mark.parametrize(
    ("matrix", "message"),
    [
        ([[1.0]], "must return a 3 x 3 matrix"),
        ([[1.0, 0.0], [0.0, 1.0], [0.0, 1.0]], "must return a 3 x 3 matrix"),
        ([[1.0, 0.0, math.nan]] * 3, r"u\(0, 2\) = nan"),
        ([[1.0, 0.0, "x"]] * 3, r"u\(0, 2\) = 'x'"),
        (None, "must return a 3 x 3 matrix"),
    ],
)
def test_a_bad_utility_matrix_is_refused(matrix, message) -> None:
    with pytest.raises(ValueError, match=message):
        THREE.expected_utilities(lambda texts: matrix)


def test_the_lexical_utility() -> None:
    matrix = lexical_utility(["The red cat.", "the RED dog", "?"])
    assert matrix[0][1] == pytest.approx(2 * 2 / 6)  # {the, red} of 3 + 3 words
    assert [matrix[i][i] for i in range(3)] == [1.0, 1.0, 1.0]
    assert matrix[0][2] == 0.0 and matrix[1] == [matrix[i][1] for i in range(3)]  # symmetric
