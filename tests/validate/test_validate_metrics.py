"""Per-variable metrics: zero for identical samples, the shift for a shifted one, a null that
follows the sample size."""

import numpy as np
import pytest

from flashsim.validate.metrics import ks_distance, variable_metrics, wasserstein1


def test_identical_samples_give_zero():
    x = np.random.default_rng(1).normal(size=2000)
    m = variable_metrics("x", x, x)
    assert m.w1 == 0.0 and m.ks == 0.0 and m.ks_pvalue == pytest.approx(1.0)
    assert m.excess < 0  # below the null: nothing to see


@pytest.mark.parametrize("shift", [0.1, 0.5])
def test_shift_is_measured_in_units_of_the_reference_spread(shift):
    rng = np.random.default_rng(2)
    b = rng.normal(0, 2, 50_000)
    a = rng.normal(2 * shift, 2, 50_000)
    m = variable_metrics("x", a, b)
    assert m.w1 == pytest.approx(shift, rel=0.1)
    assert m.excess > 5 * m.w1_null
    assert m.ks_pvalue < 1e-6


def test_null_shrinks_with_sample_size():
    rng = np.random.default_rng(3)
    small = variable_metrics("x", rng.normal(size=100), rng.normal(size=100))
    large = variable_metrics("x", rng.normal(size=10_000), rng.normal(size=10_000))
    assert large.w1_null < small.w1_null / 4
    assert abs(large.w1 - large.w1_null) < 0.03


def test_weights_equal_repeated_entries():
    a, b = np.array([1.0, 2.0, 3.0]), np.array([1.0, 1.0, 2.0, 3.0, 3.0, 3.0])
    wa = np.array([2.0, 1.0, 3.0])
    assert wasserstein1(a, b, wa) == pytest.approx(0.0, abs=1e-12)
    assert ks_distance(a, b, wa) == pytest.approx(0.0, abs=1e-12)
    assert wasserstein1([0.0], [1.0]) == pytest.approx(1.0)


def test_empty_and_non_finite_values():
    m = variable_metrics("x", np.array([np.nan, 1.0, 2.0]), np.array([1.0, 2.0, np.inf]))
    assert m.n_a == 2 and m.n_b == 2 and m.w1 == 0.0
    empty = variable_metrics("x", np.array([]), np.array([1.0]))
    assert np.isnan(empty.w1) and empty.to_json()["w1"] is None


def test_paired_null_is_smaller_for_correlated_samples():
    """Two noisy measurements of the same events: swapping within events gives the right noise
    level, far below a row permutation's (which treats the samples as independent)."""
    rng = np.random.default_rng(4)
    truth = rng.exponential(50, 20_000)
    events = np.arange(20_000)
    a, b = truth * rng.normal(1, 0.02, 20_000), truth * rng.normal(1, 0.02, 20_000)
    paired = variable_metrics("x", a, b, event_a=events, event_b=events)
    rows = variable_metrics("x", a, b)
    assert paired.w1_null < rows.w1_null / 3
    assert paired.w1 == pytest.approx(paired.w1_null, rel=0.5)
    shifted = variable_metrics("x", a * 1.02, b, event_a=events, event_b=events)
    assert shifted.excess > 5 * shifted.w1_null
