"""Photons: gen photons (converted ones with low r9), the superclusters of electrons
(genPartFlav 11, pixelSeed, failing the electron veto) and pi0 fakes from jets (genPartFlav 0)."""

import numpy as np
from scipy.special import expit

from flashsim.refsim.electrons import SC_ELECTRON, SC_PHOTON, conversions, ecal_response
from flashsim.refsim.geometry import in_ecal_crack, in_hem
from flashsim.refsim.matching import wrap_phi
from flashsim.refsim.objects import Objects
from flashsim.refsim.parameters import value as par
from flashsim.refsim.tracks import isolation

__all__ = ["photons"]

_FROM_ELECTRON_KEY = 1_000_000
_FAKE_KEY = 2_000_000


def _efficiency(eta, phi, pt):
    plateau, crack = par("photon.efficiency")
    eff = np.where(in_ecal_crack(eta), crack, plateau) * expit((pt - 8.0) / 1.5)
    eff = np.where(in_hem(eta, phi), 0.5 * eff, eff)
    return np.where(np.abs(eta) < par("detector.tracker_eta"), eff, 0.0)


def photons(gen, rng, rho) -> Objects:
    """All reco photons of a chunk (unsorted; electronIdx/jetIdx filled later)."""
    min_pt = par("photon.min_pt")
    # --- gen photons
    g = gen.final_state(22, 3.0)
    converted, _ = conversions(gen, rng, g)
    ev, key = g.event, g["index"]
    u = rng.uniform("photon.gen", ev, key, 1)[:, 0]
    z = rng.normal("photon.gen", ev, key, 2)
    pt, sigma = ecal_response(rng, "photon.gen", ev, key, g["pt"], g["eta"], tail=False)
    flav = np.where((g["origin"] == 1), 1, 0)
    from_gen = Objects(
        ev, pt=pt, eta=g["eta"] + 0.0008 * z[:, 0], phi=g["phi"] + 0.001 * z[:, 1],
        genPartIdx=key, genPartFlav=flav, _activity=g["activity"], _key=key, _sigma=sigma,
        _kind=np.where(converted, 1, 0), _sc=key * 2 + SC_PHOTON)
    from_gen = from_gen.take((u < _efficiency(g["eta"], g["phi"], g["pt"])) & (pt > min_pt))

    # --- electron superclusters (made whenever the gen electron is in the ECAL acceptance)
    ge = gen.final_state(11, 5.0)
    ue = rng.uniform("photon.electron", ge.event, ge["index"], 2)
    ze = rng.normal("photon.electron", ge.event, ge["index"], 2)
    ept, esig = ecal_response(rng, "electron.gen", ge.event, ge["index"], ge["pt"], ge["eta"])
    ept = ept * (1 + 0.01 * ze[:, 0])
    from_e = Objects(
        ge.event, pt=ept, eta=ge["eta"] + 0.0008 * ze[:, 1], phi=ge["phi"].copy(),
        genPartIdx=ge["index"], genPartFlav=np.where(ge["origin"] == 1, 11, 0),
        _activity=ge["activity"], _key=ge["index"] + _FROM_ELECTRON_KEY, _sigma=esig,
        _kind=np.full(len(ge), 2), _sc=ge["index"] * 2 + SC_ELECTRON)
    from_e = from_e.take((ue[:, 0] < par("photon.from_electron"))
                         & (ue[:, 1] < _efficiency(ge["eta"], ge["phi"], ge["pt"]))
                         & (ept > min_pt))

    # --- pi0 / eta fakes from jets
    gj = gen.genjet
    uf = rng.uniform("photon.fake", gj.event, gj["index"], 2)
    p_fake = np.where((gj["pt"] > 20) & (np.abs(gj["eta"]) < 2.5),
                      par("photon.fake_rate") * np.sqrt(gj["pt"] / 30), 0.0)
    sel = uf[:, 0] < p_fake
    f = gj.take(sel)
    fpt = f["pt"] * (0.2 + 0.6 * uf[sel, 1])
    zf = rng.normal("photon.fake", f.event, f["index"], 2)
    fakes = Objects(
        f.event, pt=fpt, eta=f["eta"] + 0.04 * zf[:, 0], phi=f["phi"] + 0.04 * zf[:, 1],
        genPartIdx=np.full(len(f), -1), genPartFlav=np.zeros(len(f), dtype=np.int64),
        _activity=np.maximum(f["pt"] - fpt, 0), _key=f["index"] + _FAKE_KEY,
        _sigma=np.full(len(f), 0.03), _kind=np.full(len(f), 3), _sc=np.full(len(f), -1))
    fakes = fakes.take((fpt > min_pt) & (np.abs(fakes["eta"]) < par("detector.tracker_eta")))

    ph = Objects.concat([from_gen, from_e, fakes])
    ph["phi"] = wrap_phi(ph["phi"])
    _attributes(ph, rng, rho)
    return ph


def _attributes(ph: Objects, rng, rho) -> None:
    ev, key, pt, eta = ph.event, ph["_key"], ph["pt"], ph["eta"]
    kind = ph["_kind"]  # 0 unconverted, 1 converted, 2 electron SC, 3 jet fake
    a = np.abs(eta)
    barrel = a < 1.479
    u = rng.uniform("photon.attributes", ev, key, 6)
    z = rng.normal("photon.attributes", ev, key, 4)
    iso = isolation(rng, "photon", ev, key, pt, ph["_activity"], rho)
    ph["pfRelIso03_all_quadratic"] = iso["pfRelIso03_all"]
    ph["pfRelIso03_chg_quadratic"] = iso["pfRelIso03_chg"]
    s_mean = np.where(barrel, 0.0090, 0.025)
    s_width = np.where(barrel, 0.0008, 0.0025)
    widen = np.where(kind == 3, 1.3 + 0.3 * np.abs(z[:, 1]), 1.0)
    ph["sieie"] = np.maximum(s_mean * widen + s_width * z[:, 0], 0.3 * s_mean)
    ph["hoe"] = -np.where(kind == 3, 0.05, 0.01) * np.log(u[:, 0]) + np.where(
        in_hem(eta, ph["phi"]), 0.2, 0.0)
    r9_top = par("photon.r9_unconverted")
    r9 = np.select([kind == 0, kind == 1, kind == 2],
                   [r9_top, 0.55 + 0.38 * u[:, 1],
                    0.75 + 0.2 * u[:, 1]], 0.45 + 0.4 * u[:, 1])
    ph["r9"] = np.clip(np.where(kind == 0, r9_top + 0.03 * z[:, 2], r9), 0.1, 1.05)
    ph["pixelSeed"] = u[:, 2] < np.select([kind == 2, kind == 1], [0.95, 0.12], 0.02)
    ph["electronVeto"] = u[:, 3] < np.select([kind == 2, kind == 1], [0.03, 0.9], 0.98)
    ph["isScEtaEB"] = a < 1.4442
    ph["isScEtaEE"] = (a > 1.566) & (a < 2.5)
    ph["energyErr"] = pt * np.cosh(eta) * ph["_sigma"] * np.exp(0.1 * z[:, 3])
    energy = pt * np.cosh(eta)
    ph["seedGain"] = np.select([energy < 200, energy < 2000], [12, 6], 1)
    shape = (3.5 - 0.9 * (ph["sieie"] / s_mean - 1) / 0.1 - 40 * ph["hoe"]
             + 3.0 * (ph["r9"] - 0.85) - 5 * ph["pfRelIso03_all_quadratic"] + 0.6 * z[:, 3])
    ph["mvaID"] = np.tanh(shape / 3)
    ph["mvaID_WP80"] = ph["mvaID"] > 0.85
    ph["mvaID_WP90"] = ph["mvaID"] > 0.6
    iso_ok = [ph["pfRelIso03_all_quadratic"] < t for t in (0.30, 0.15, 0.08)]
    sieie_ok = [ph["sieie"] < s_mean * t for t in (1.25, 1.15, 1.10)]
    hoe_ok = [ph["hoe"] < t for t in (0.10, 0.06, 0.03)]
    ph["cutBased"] = sum(
        np.logical_and.reduce([iso_ok[i] for i in range(k + 1)] + [sieie_ok[i] for i in
                                                                     range(k + 1)]
                              + [hoe_ok[i] for i in range(k + 1)]).astype(np.int64)
        for k in range(3))
