"""Pileup fake jets: a Poisson number per event growing with Pileup_nPU, unmatched
(genJetIdx = -1, flavours 0), falling pt spectrum, flat in eta, low pileup-ID discriminant."""

import numpy as np

from flashsim.refsim.jets import PILEUP, jet_attributes
from flashsim.refsim.objects import Objects
from flashsim.refsim.parameters import value as par
from flashsim.refsim.random_streams import poisson_from_uniform

__all__ = ["pileup_jets"]


def pileup_jets(gen, rng, rho) -> Objects:
    """Fake jets from pileup for every event of ``gen`` (a :class:`GenEvent`)."""
    mean = par("pujet.rate_per_pu") * gen.n_pu
    n_fake = poisson_from_uniform(mean, rng.per_event("pujet.count")[:, 0])
    ev = np.repeat(np.arange(gen.n, dtype=np.int64), n_fake)
    key = np.arange(len(ev), dtype=np.int64) - np.repeat(np.cumsum(n_fake) - n_fake, n_fake)
    u = rng.uniform("pujet.kinematics", ev, key, 4)
    alpha = par("pujet.pt_slope")
    pt = par("jet.min_pt") * u[:, 0] ** (-1.0 / (alpha - 1))
    eta = par("pujet.eta_max") * (2 * u[:, 1] - 1)
    phi = np.pi * (2 * u[:, 2] - 1)
    mass = pt * (0.08 + 0.10 * u[:, 3])
    zero = np.zeros(len(ev))
    jets = Objects(
        ev, pt=pt, eta=eta, phi=phi, mass=mass, genJetIdx=np.full(len(ev), -1, dtype=np.int64),
        hadronFlavour=zero.astype(np.int64), partonFlavour=zero.astype(np.int64),
        _class=np.full(len(ev), PILEUP), _key=key + 1_000_000, _gen_pt=zero, _gen_phi=zero, _frac_mu=zero,
        _frac_e=zero, _frac_gamma=zero, _pileup=np.ones(len(ev), dtype=bool))
    jet_attributes(jets, rng, rho, gen.n_pu, "pujet")
    return jets
