import json
import random
import sys
from concurrent.futures import ThreadPoolExecutor

import pytest

from langchain_vs.core._distribution import Candidate, VerbalizedDistribution


@pytest.fixture
def dist():
    return VerbalizedDistribution.from_weights(
        [("a", 0.5), ("b", 0.3), ("c", 0.15), ("d", 0.05)],
        probability_definition="explicit",
        method="vs_standard",
    )


def test_from_weights_normalizes_and_keeps_raw_values():
    d = VerbalizedDistribution.from_weights([("x", 30), ("y", "50%"), ("z", None)])
    assert sum(d.probabilities) == pytest.approx(1.0)
    assert [c.raw_probability for c in d] == [30, "50%", None]
    assert [c.index for c in d] == [0, 1, 2]
    assert d[2].repairs == ("missing",)


def test_all_zero_is_uniform_not_an_error():
    d = VerbalizedDistribution.from_weights([("x", 0), ("y", 0)])
    assert d.probabilities == [0.5, 0.5]
    assert all("uniform_fallback" in c.repairs for c in d)


def test_direct_construction_checks_invariants():
    with pytest.raises(ValueError, match="at least one candidate"):
        VerbalizedDistribution(candidates=())
    with pytest.raises(ValueError, match="empty text"):
        VerbalizedDistribution(candidates=(Candidate(" ", 1.0),))
    with pytest.raises(ValueError, match=r"sum to 0\.5"):
        VerbalizedDistribution(candidates=(Candidate("a", 0.5),))


def test_sequence_protocol(dist):
    assert len(dist) == 4
    assert [c.text for c in dist] == dist.texts == ["a", "b", "c", "d"]
    assert dist[1].text == "b"


def test_floor_keeps_at_least_min_survivors(dist):
    floored = dist.with_floor(0.2)
    assert floored.texts == ["a", "b"]
    assert floored.probabilities == pytest.approx([0.625, 0.375])
    assert floored[1].index == 1 and "floor" in floored.repairs
    assert dist.with_floor(0.9, min_survivors=2).texts == ["a", "b"]
    assert dist.with_floor(0.01) is dist
    with pytest.raises(ValueError, match=r"\(0, 1\]"):
        dist.with_floor(0)


def test_merge_duplicates_adds_weights():
    d = VerbalizedDistribution.from_weights([("Red", 0.4), (" red ", 0.2), ("Blue", 0.4)])
    merged = d.merge_duplicates()
    assert merged.texts == ["Red", "Blue"]
    assert merged.probabilities == pytest.approx([0.6, 0.4])
    assert "merged_duplicate" in merged[0].repairs
    assert "merged_duplicates" in merged.repairs


def test_seeded_selection_is_reproducible(dist):
    for strategy in ("sample", "uniform", "tail"):
        picks = {dist.select(strategy, seed=42).index for _ in range(5)}
        assert len(picks) == 1, strategy


def test_random_instance_seed_advances(dist):
    rng_a, rng_b = random.Random(3), random.Random(3)
    seq_a = [dist.sample(rng_a).index for _ in range(20)]
    seq_b = [dist.sample(rng_b).index for _ in range(20)]
    assert seq_a == seq_b and len(set(seq_a)) > 1


# Picks computed before the parse + pick fast path (issue #19): a seed is a reproducibility
# contract, so the same seed must draw the same candidate in every release.
PINNED_PICKS = {
    "sample": [2, 0, 3, 0, 0, 1, 1, 0, 0, 0, 1, 0, 0, 0, 0, 3, 0, 1, 0, 1],
    "uniform": [3, 1, 0, 1, 1, 2, 0, 2, 1, 3, 0, 3, 3, 2, 0, 1, 2, 3, 1, 0],
    "tail": [2, 3, 3, 3, 3, 2, 3, 2, 3, 2, 3, 2, 2, 2, 3, 3, 2, 2, 3, 3],
}
PINNED_FIVE = [3, 0, 4, 0, 0, 2, 3, 1, 0, 1, 2, 1, 1, 0, 0, 4, 1, 1, 0, 2]


@pytest.mark.parametrize("strategy", sorted(PINNED_PICKS))
def test_seeded_picks_are_pinned(dist, strategy):
    assert [dist.select(strategy, seed=s).index for s in range(20)] == PINNED_PICKS[strategy]


def test_seeded_samples_are_pinned_for_five_candidates_and_any_int():
    weights = [0.32, 0.24, 0.18, 0.16, 0.10]
    five = VerbalizedDistribution.from_weights([(f"r{i}", w) for i, w in enumerate(weights)])
    assert [five.sample(seed=s).index for s in range(20)] == PINNED_FIVE
    assert [five.sample(seed=s).index for s in (2**40, -3, 10**30)] == [0, 0, 4]
    rng = random.Random(5)
    assert [five.sample(seed=rng).index for _ in range(10)] == [2, 3, 3, 4, 2, 4, 0, 1, 4, 2]


def test_seeded_picks_are_the_same_in_concurrent_threads(dist):
    def picks(_: int) -> set[tuple[int, ...]]:
        return {tuple(dist.sample(seed=s).index for s in range(20)) for _ in range(100)}

    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # switch threads as often as possible: between seed and draw
    try:
        with ThreadPoolExecutor(max_workers=4) as pool:
            seen = set().union(*pool.map(picks, range(8)))
    finally:
        sys.setswitchinterval(interval)
    assert seen == {tuple(PINNED_PICKS["sample"])}


def test_sample_follows_the_weights(dist):
    rng = random.Random(0)
    counts = [0] * 4
    for _ in range(4000):
        counts[dist.sample(rng).index] += 1
    assert counts[0] / 4000 == pytest.approx(0.5, abs=0.04)
    assert counts[3] / 4000 == pytest.approx(0.05, abs=0.02)


def test_argmax_and_tail(dist):
    assert dist.argmax().text == "a"
    tails = {dist.tail(seed=s).text for s in range(50)}
    assert tails == {"c", "d"}


def test_argmax_tie_takes_the_earliest():
    d = VerbalizedDistribution.from_weights([("x", 0.5), ("y", 0.5)])
    assert d.argmax().text == "x"


def test_bad_strategy_and_seed(dist):
    with pytest.raises(ValueError, match="unknown selection strategy 'best'"):
        dist.select("best")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="seed must be"):
        dist.sample(seed="1")  # type: ignore[arg-type]


def test_round_trip_through_json(dist):
    d = VerbalizedDistribution.from_weights(
        [("line one\nline two", "8%"), ('say "hi"', None)], probability_definition="percentage"
    )
    for original in (dist, d):
        data = json.loads(json.dumps(original.to_dict()))
        assert VerbalizedDistribution.from_dict(data) == original


def test_markdown_marks_the_pick(dist):
    table = dist.to_markdown(chosen=dist[1])
    assert "| 1* | 0.300 | b |" in table
    d = VerbalizedDistribution.from_weights([("a|b\nc", 1)])
    assert "a\\|b<br>c" in d.to_markdown()
