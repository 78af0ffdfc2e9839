"""Counter-based random numbers: uniformity, independence of streams and keys, determinism."""

import numpy as np
from scipy import stats

from flashsim.refsim.random_streams import EventRandom, poisson_from_uniform


def _rng(seed=1, n=1000):
    ev = np.arange(n)
    return EventRandom(seed, np.ones(n), np.ones(n), ev + 1)


def test_uniform_and_normal_moments():
    rng = _rng(n=20000)
    u = rng.uniform("a", np.arange(20000), np.zeros(20000), 5).ravel()
    assert stats.kstest(u, "uniform").pvalue > 1e-3
    z = rng.normal("b", np.arange(20000), np.zeros(20000), 5).ravel()
    assert abs(z.mean()) < 0.02 and abs(z.std() - 1) < 0.02


def test_streams_keys_and_draws_are_independent():
    rng = _rng(n=5000)
    ev = np.arange(5000)
    a = rng.uniform("x", ev, ev * 0, 2)
    b = rng.uniform("y", ev, ev * 0, 1)[:, 0]
    c = rng.uniform("x", ev, ev * 0 + 1, 1)[:, 0]
    for x, y in ((a[:, 0], a[:, 1]), (a[:, 0], b), (a[:, 0], c)):
        assert abs(np.corrcoef(x, y)[0, 1]) < 0.05


def test_same_key_same_number_whatever_the_chunk():
    full = _rng(n=100)
    part = EventRandom(1, np.ones(10), np.ones(10), np.arange(50, 60) + 1)
    a = full.uniform("s", np.arange(50, 60), np.arange(10), 3)
    b = part.uniform("s", np.arange(10), np.arange(10), 3)
    assert np.array_equal(a, b)
    other_seed = EventRandom(2, np.ones(10), np.ones(10), np.arange(50, 60) + 1)
    assert not np.array_equal(b, other_seed.uniform("s", np.arange(10), np.arange(10), 3))


def test_poisson_inverse_cdf():
    u = _rng(n=50000).per_event("p")[:, 0]
    k = poisson_from_uniform(np.full(len(u), 2.5), u)
    assert abs(k.mean() - 2.5) < 0.05
    assert abs(k.var() - 2.5) < 0.1
