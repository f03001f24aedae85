import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from langchain_vs.core._methods import ProbabilityDefinition
from langchain_vs.core._weights import _repaired, repair_weights


def weights(raw, definition=None):
    return [w for w, _ in repair_weights(raw, definition)]


def codes(raw, definition=None):
    return [c for _, c in repair_weights(raw, definition)]


def test_clean_probabilities_are_kept_unchanged():
    assert repair_weights([0.5, 0.3, 0.2]) == [(0.5, ()), (0.3, ()), (0.2, ())]


@pytest.mark.parametrize("raw", ["8%", "8 %", " 8% "])
def test_percent_strings(raw):
    assert repair_weights([raw, 0.5]) == [(0.08, ("percent_sign",)), (0.5, ())]


def test_numeric_percentages_summing_to_about_100_are_divided():
    assert weights([35, 25, 40]) == pytest.approx([0.35, 0.25, 0.40])
    assert codes([35, 25, 40]) == [("percent_scale",)] * 3


def test_bare_numbers_beside_percent_signs_are_percentages():
    assert repair_weights(["45%", "35 %", 20]) == [
        (0.45, ("percent_sign",)),
        (0.35, ("percent_sign",)),
        (0.2, ("percent_scale",)),
    ]


def test_percentage_definition_divides_any_value_over_one():
    assert weights([20, 5], ProbabilityDefinition.PERCENTAGE) == pytest.approx([0.2, 0.05])
    # fractions under the percentage definition are already fractions
    assert weights([0.2, 0.05], ProbabilityDefinition.PERCENTAGE) == [0.2, 0.05]


def test_all_values_over_one_are_rescaled_keeping_order():
    w = weights([25.19, 139.88, 2000])
    assert w == sorted(w)
    assert math.fsum(w) == pytest.approx(1.0)
    assert codes([2.0, 3.0]) == [("rescaled",)] * 2


def test_mixed_values_over_one_are_rescaled_keeping_order():
    raw = [284.67, 25, 9.1, 22, 0.3]
    w = weights(raw)
    assert sorted(range(5), key=lambda i: w[i]) == sorted(range(5), key=lambda i: raw[i])
    assert len(set(w)) == 5
    assert math.fsum(w) == pytest.approx(1.0)
    assert codes([0.2, 1.4, 0]) == [("rescaled",)] * 3


@pytest.mark.parametrize(
    "raw",
    [
        [1e308, 1e308],
        [10**400, 0.5],
        [int("9" * 400), int("9" * 399)],
        ["9" * 400 + "%", 0.2],
        ["1" * 5000, 0.3],
        [float("inf"), float("-inf"), 0.2],
        [1e-322, 5e-324, 0.0],
        [-1e308, 1e308, 1.0],
    ],
)
def test_numeric_extremes_give_finite_weights(raw):
    for definition in [None, *ProbabilityDefinition]:
        result = repair_weights(raw, definition)
        assert all(math.isfinite(w) and 0.0 <= w <= 1.0 for w, _ in result)
        assert any(w > 0.0 for w, _ in result)


def test_infinities_are_invalid_not_huge():
    assert codes([float("inf"), float("-inf"), 0.2]) == [("not_finite",), ("not_finite",), ()]


def test_tiny_positives_stay_tiny():
    w = weights([1e-322, 0.5, 0.5])
    assert w[0] < 1e-300


def test_perplexity_extremes():
    w = weights([1e-320, 2.0, 1e308], ProbabilityDefinition.PERPLEXITY)
    assert w[0] == 1.0 and w[1] == 0.5 and 0.0 < w[2] < 1e-300
    assert codes([1e-320], ProbabilityDefinition.PERPLEXITY) == [("clipped", "inverted")]


def test_negative_becomes_zero():
    assert repair_weights([-0.3, 0.4]) == [(0.0, ("negative",)), (0.4, ())]


def test_nan_inf_and_missing_get_the_mean_of_readable_weights():
    result = repair_weights([float("nan"), float("inf"), None, 0.2, 0.4])
    assert [w for w, _ in result] == pytest.approx([0.3, 0.3, 0.3, 0.2, 0.4])
    assert [c for _, c in result][:3] == [("not_finite",), ("not_finite",), ("missing",)]


def test_words_and_strings():
    assert repair_weights(["high", "very low", "0.25", "1/4", "often", True]) == [
        (0.7, ("word",)),
        (0.1, ("word",)),
        (0.25, ("string",)),
        (0.25, ("fraction",)),
        (pytest.approx(0.325), ("unreadable",)),
        (pytest.approx(0.325), ("unreadable",)),
    ]


def test_perplexity_lower_means_likelier():
    w = weights([2.0, 8.0], ProbabilityDefinition.PERPLEXITY)
    assert w == [0.5, 0.125]
    assert codes([2.0, -1.0], ProbabilityDefinition.PERPLEXITY) == [("inverted",), ("unreadable",)]


def test_nll_lower_means_likelier():
    w = weights([1.0, 3.0, -2.0], ProbabilityDefinition.NLL)
    assert w[0] > w[1]
    assert w == pytest.approx([math.exp(-1), math.exp(-3), 1.0])


@pytest.mark.parametrize("raw", [[0, 0, 0], [None, None], ["x", float("nan")], [-1, -2]])
def test_no_positive_weight_falls_back_to_uniform(raw):
    result = repair_weights(raw)
    assert [w for w, _ in result] == [1.0] * len(raw)
    assert all("uniform_fallback" in c for _, c in result)


def test_empty_input():
    assert repair_weights([]) == []


class _Float(float):
    pass


_CLEAN = st.one_of(st.floats(min_value=0.0, max_value=1.0), st.sampled_from([0, 1, -0.0, 5e-324]))
"""Values the clean-value shortcut reads as they stand."""
_ODD = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True),
    st.integers(min_value=-2, max_value=10**400),
    st.sampled_from([True, False, None, "0.5", "8%", 1.0000000000000002, -5e-324]),
    st.builds(_Float, st.floats(min_value=0.0, max_value=1.0)),
)
"""Values it must leave to the rules (bools, strings, subclasses, out of range, not finite)."""


@settings(max_examples=500, deadline=None)
@given(
    clean=st.lists(_CLEAN, max_size=8),
    odd=st.lists(_ODD, max_size=2),
    at=st.integers(min_value=0, max_value=8),
    definition=st.sampled_from([None, *ProbabilityDefinition]),
)
def test_the_clean_value_shortcut_gives_what_every_rule_gives(clean, odd, at, definition):
    raw = clean[:at] + odd + clean[at:]
    # repr tells 0.0 from -0.0 and shows NaN: the two must agree bit for bit.
    assert repr(repair_weights(raw, definition)) == repr(_repaired(raw, definition))
