"""Fast generator variations: reference x (FlashSim varied / FlashSim nominal), with errors."""

import numpy as np
import pytest

from flashsim.errors import InputError
from flashsim.validate.variations import generator_variation, varied_prediction


def test_values_and_error_propagation():
    p = varied_prediction([100.0, 50.0], [200.0, 100.0], [220.0, 80.0])
    assert p.values == pytest.approx([110.0, 40.0])
    assert p.ratio == pytest.approx([1.1, 0.8])
    # unit weights: (sigma/value)^2 = 1/ref + 1/varied + 1/nominal
    rel = np.sqrt([1 / 100 + 1 / 220 + 1 / 200, 1 / 50 + 1 / 80 + 1 / 100])
    assert p.errors == pytest.approx(p.values * rel)


def test_fully_correlated_identical_samples_return_the_reference():
    p = varied_prediction([10.0, 20.0], [30.0, 40.0], [30.0, 40.0], rho=1.0)
    assert p.values == pytest.approx([10.0, 20.0])
    assert p.ratio_errors == pytest.approx([0.0, 0.0], abs=1e-12)
    assert p.errors == pytest.approx(np.sqrt([10.0, 20.0]))


def test_errors_cover_the_spread_of_toys():
    """Pulls of the prediction against the true varied shape have unit width."""
    rng = np.random.default_rng(5)
    edges = np.linspace(0, 1, 6)
    truth_ratio = np.array([1.2, 1.1, 1.0, 0.9, 0.8])
    pulls = []
    for _ in range(300):
        ref = rng.poisson(200, 5).astype(float)
        nom = rng.poisson(400, 5).astype(float)
        var = rng.poisson(400 * truth_ratio).astype(float)
        p = varied_prediction(ref, nom, var, edges=edges)
        pulls.append((p.values - 200 * truth_ratio) / p.errors)
    assert np.std(pulls) == pytest.approx(1.0, abs=0.1)


def test_unbinned_helper_and_empty_nominal():
    p = generator_variation([0.1, 0.6], [0.2, 0.7, 0.8], [0.3, 0.9], [0.0, 0.5, 1.0])
    assert p.values == pytest.approx([1.0, 0.5])
    q = varied_prediction([1.0], [0.0], [1.0])
    assert np.isnan(q.values[0])
    with pytest.raises(InputError, match="equal length"):
        varied_prediction([1.0], [1.0, 2.0], [1.0])
