"""The vectorised record tools on hand-made records with known answers."""

import numpy as np
import pytest

from flashsim.errors import InputError
from flashsim.generate.particles import any_ancestor, has_quark, is_hadron, nearest_ancestor, pt_eta_phi
from flashsim.generate.pileup import PileupProfile, parse_pileup


def test_nearest_ancestor_on_two_events():
    # Event A: 0 root <- 1 <- 2 <- 3, 1 <- 4 ; event B: 5 root <- 6 <- 7
    parent = np.array([0, 0, 1, 2, 1, 5, 5, 6])
    prop = np.array([False, True, False, True, False, False, False, False])
    assert nearest_ancestor(parent, prop).tolist() == [-1, -1, 1, 1, 1, -1, -1, -1]
    prop[6] = True
    assert nearest_ancestor(parent, prop).tolist()[5:] == [-1, -1, 6]
    assert any_ancestor(parent, prop).tolist() == [False, False, True, True, True, False, False, True]


def test_nearest_ancestor_long_chain():
    n = 5000
    parent = np.concatenate([[0], np.arange(n - 1)])
    prop = np.zeros(n, dtype=bool)
    prop[10] = True
    out = nearest_ancestor(parent, prop)
    assert np.all(out[:11] == -1) and np.all(out[11:] == 10)


@pytest.mark.parametrize(
    ("pdg", "hadron", "b", "c"),
    [
        (511, True, True, False),
        (5122, True, True, False),
        (421, True, False, True),
        (4122, True, False, True),
        (443, True, False, True),
        (211, True, False, False),
        (2212, True, False, False),
        (2101, False, False, False),  # diquark
        (21, False, False, False),
        (5, False, False, False),
        (1000022, False, False, False),
        (10411, True, False, True),
    ],
)
def test_hadron_codes(pdg, hadron, b, c):
    aid = np.array([pdg])
    assert is_hadron(aid)[0] == hadron
    assert has_quark(aid, 5)[0] == b
    assert has_quark(aid, 4)[0] == c


def test_pt_eta_phi_along_the_beam():
    pt, eta, phi = pt_eta_phi(np.array([3.0, 0.0]), np.array([4.0, 0.0]), np.array([0.0, -100.0]))
    assert pt.tolist() == [5.0, 0.0]
    assert eta[0] == 0.0 and eta[1] == -(100 + 22756)
    assert phi[0] == pytest.approx(np.arctan2(4, 3))


def test_pileup_profiles():
    rng = np.random.default_rng(1)
    true, n_pu = parse_pileup("uniform:20:70").draw(rng, 20000)
    assert true.dtype == np.float32 and n_pu.dtype == np.int32
    assert 20 <= true.min() and true.max() <= 70
    assert abs(true.mean() - 45) < 0.5 and abs(n_pu.mean() - true.mean()) < 0.3
    assert np.var(n_pu) > np.var(true)  # Poisson smearing on top of the uniform
    assert parse_pileup("fixed:40") == PileupProfile("fixed", 40, 40)
    assert str(parse_pileup("none")) == "none"
    assert parse_pileup("none").draw(rng, 3)[1].tolist() == [0, 0, 0]
    for bad in ("uniform:70:20", "fixed:-1", "poisson", "uniform:a:b", ""):
        with pytest.raises(InputError, match="--pileup"):
            parse_pileup(bad)
