"""Hadronic taus from GenVisTau (genPartFlav 5) and fakes from jets (genPartFlav 0).

Decay modes migrate (1 <-> 2 prongs+pi0, 10 <-> 11); the DeepTau-like VSjet score is high for
real taus and low for jet fakes; the working-point level counts the thresholds passed.
Tau_genPartIdx points to the gen tau in GenPart (coffea's convention).
"""

import numpy as np
from scipy.special import expit

from flashsim.refsim.matching import wrap_phi
from flashsim.refsim.objects import Objects
from flashsim.refsim.parameters import value as par
from flashsim.refsim.tracks import impact_parameters

__all__ = ["taus"]

_FAKE_KEY = 2_000_000
# DeepTau VSjet working points VVVLoose ... VVTight on the raw score
_VSJET_WP = (0.05, 0.1, 0.2, 0.35, 0.5, 0.65, 0.8, 0.9)


def taus(gen, rng, rho) -> Objects:
    """All reco hadronic taus of a chunk (unsorted; jetIdx filled later)."""
    vt = gen.genvistau
    ev, key = vt.event, vt["index"]
    u = rng.uniform("tau.gen", ev, key, 3)
    z = rng.normal("tau.gen", ev, key, 3)
    plateau, pt50, width = par("tau.efficiency")
    eff = plateau * expit((vt["pt"] - pt50) / width) * (np.abs(vt["eta"]) < 2.5)
    scale, res = par("tau.response")
    dm = vt["status"].astype(np.int64)
    migrate = u[:, 1] < par("tau.decay_mode_migration")
    dm = np.where(migrate & (dm == 1), 2, np.where(migrate & (dm == 2), 1, dm))
    dm = np.where(migrate & (dm == 10), 11, np.where(migrate & (dm == 11), 10, dm))
    real = Objects(
        ev, pt=vt["pt"] * scale * (1 + res * z[:, 0]), eta=vt["eta"] + 0.005 * z[:, 1],
        phi=vt["phi"] + 0.005 * z[:, 2], mass=vt["mass"].astype(np.float64),
        charge=vt["charge"].astype(np.int64), decayMode=dm,
        genPartIdx=vt["genPartIdxMother"].astype(np.int64), genPartFlav=np.full(len(vt), 5),
        _key=key, _fake=np.zeros(len(vt), dtype=bool))
    real = real.take((u[:, 0] < eff) & (real["pt"] > 18))

    gj = gen.genjet
    uf = rng.uniform("tau.fake", gj.event, gj["index"], 4)
    p_fake = np.where((gj["pt"] > 20) & (np.abs(gj["eta"]) < 2.5),
                      par("tau.fake_rate") * np.sqrt(30 / gj["pt"]), 0.0)
    sel = uf[:, 0] < p_fake
    f = gj.take(sel)
    uf = uf[sel]
    fake = Objects(
        f.event, pt=f["pt"] * (0.6 + 0.3 * uf[:, 1]), eta=f["eta"].copy(), phi=f["phi"].copy(),
        mass=np.clip(f["mass"] * 0.3, 0.14, 1.8), charge=np.where(uf[:, 2] < 0.5, -1, 1),
        decayMode=np.select([uf[:, 3] < 0.3, uf[:, 3] < 0.6, uf[:, 3] < 0.85], [0, 1, 10], 11),
        genPartIdx=np.full(len(f), -1), genPartFlav=np.zeros(len(f), dtype=np.int64),
        _key=f["index"] + _FAKE_KEY, _fake=np.ones(len(f), dtype=bool))
    fake = fake.take(fake["pt"] > 18)
    tau = Objects.concat([real, fake])
    tau["phi"] = wrap_phi(tau["phi"])
    ev, key, fk = tau.event, tau["_key"], tau["_fake"]
    z = rng.normal("tau.attributes", ev, key, 3)
    vs_jet = expit(np.where(fk, -2.2, 2.2) + 1.3 * z[:, 0])
    tau["rawDeepTau2018v2p5VSjet"] = vs_jet
    tau["rawDeepTau2018v2p5VSe"] = expit(3.0 + 1.5 * z[:, 1])
    tau["rawDeepTau2018v2p5VSmu"] = expit(4.0 + 1.5 * z[:, 2])
    tau["idDeepTau2018v2p5VSjet"] = sum((vs_jet > t).astype(np.int64) for t in _VSJET_WP)
    tau["idDeepTau2018v2p5VSe"] = sum((tau["rawDeepTau2018v2p5VSe"] > t).astype(np.int64)
                                      for t in (0.5, 0.7, 0.8, 0.9, 0.95, 0.97, 0.98, 0.99))
    tau["idDeepTau2018v2p5VSmu"] = sum((tau["rawDeepTau2018v2p5VSmu"] > t).astype(np.int64)
                                       for t in (0.9, 0.95, 0.98, 0.99))
    tau["idDecayModeNewDMs"] = np.isin(tau["decayMode"], (0, 1, 2, 10, 11))
    ip = impact_parameters(rng, "tau", ev, key, tau["pt"], np.where(fk, 0, 15))
    tau["dxy"], tau["dz"] = ip["dxy"], ip["dz"]
    return tau
