"""Electrons: gen electrons (prompt, tau, b/c decays), electrons from photon conversions
(genPartFlav 22, genPartIdx = the photon) and fakes from jets (genPartFlav 0, genPartIdx -1).

Shower shapes (sieie, hoe, r9), track quantities (lostHits, 1/E - 1/p, convVeto) and isolation
are drawn per source; the MVA score is a function of them plus noise, and the cut-based ID and
the MVA working-point flags are computed from those values, so that they are consistent.
"""

import numpy as np
from scipy.special import expit

from flashsim.refsim.geometry import in_ecal_crack, in_hem
from flashsim.refsim.matching import wrap_phi
from flashsim.refsim.objects import Objects
from flashsim.refsim.parameters import value as par
from flashsim.refsim.tracks import impact_parameters, isolation

__all__ = ["conversions", "ecal_response", "electrons"]

_FAKE_KEY = 2_000_000
SC_ELECTRON, SC_PHOTON = 0, 1

# Cut-based ID thresholds (veto, loose, medium, tight), barrel / endcap, Fall17-V2-like (EGM):
# sieie, H/E, relative isolation a + b/pt, |1/E - 1/p|, max lost hits
_CUTS = {
    "sieie": ((0.0126, 0.0112, 0.0106, 0.0104), (0.0457, 0.0425, 0.0387, 0.0353)),
    "hoe": ((0.05, 0.05, 0.046, 0.026), (0.05, 0.05, 0.046, 0.026)),
    "iso_a": ((0.198, 0.112, 0.0478, 0.0287), (0.203, 0.108, 0.0658, 0.0445)),
    "iso_b": ((0.506, 0.506, 0.506, 0.506), (0.963, 0.963, 0.963, 0.963)),
    "eop": ((0.209, 0.193, 0.184, 0.159), (0.132, 0.111, 0.0721, 0.0197)),
    "lost": ((2, 1, 1, 1), (3, 1, 1, 1)),
}


def ecal_response(rng, stream, ev, key, pt, eta, tail=True):
    """Reco pt of an ECAL shower: stochastic, noise and constant terms, bremsstrahlung tail."""
    z = rng.normal(stream + ".ecal", ev, key, 1)[:, 0]
    u = rng.uniform(stream + ".ecal", ev, key, 2)
    energy = pt * np.cosh(eta)
    (sb, nb, cb), (se, ne, ce) = par("electron.energy_resolution")
    barrel = np.abs(eta) < 1.479
    s, n_, c = (np.where(barrel, x, y) for x, y in ((sb, se), (nb, ne), (cb, ce)))
    sigma = np.sqrt((s / np.sqrt(energy)) ** 2 + (n_ / energy) ** 2 + c**2)
    sigma = np.where(in_ecal_crack(eta), 2 * sigma, sigma)
    response = 1 + sigma * z
    if tail:
        p_tail, loss = par("electron.brem_tail")
        response = np.where(u[:, 0] < p_tail, response * (1 + loss * np.log(u[:, 1])), response)
    return pt * np.maximum(response, 0.05), sigma


def conversions(gen, rng, photons: Objects):
    """(converted?, reconstructed as an electron?) for each gen photon; one draw shared by the
    electron and photon reconstruction so that both see the same conversion."""
    u = rng.uniform("egamma.conversion", photons.event, photons["index"], 2)
    p0, p_as_electron = par("electron.conversion")
    a = np.abs(photons["eta"])
    p_conv = np.clip(p0 + 0.35 * np.minimum(a, 1.5) / 1.5, 0, 0.6)
    converted = u[:, 0] < p_conv
    return converted, converted & (u[:, 1] < p_as_electron)


def _efficiency(pt, eta, phi, plateau, crack):
    pt50, width = par("electron.efficiency")[2:]
    eff = np.where(in_ecal_crack(eta), crack, plateau) * expit((pt - pt50) / width)
    eff = np.where(in_hem(eta, phi), 0.5 * eff, eff)
    return np.where(np.abs(eta) < par("detector.tracker_eta"), eff, 0.0)


def electrons(gen, rng, rho) -> Objects:
    """All reco electrons of a chunk (unsorted; jetIdx/photonIdx filled later)."""
    plateau, crack = par("electron.efficiency")[:2]
    # --- gen electrons
    g = gen.final_state(11, 3.0)
    ev, key = g.event, g["index"]
    u = rng.uniform("electron.gen", ev, key, 2)
    z = rng.normal("electron.gen", ev, key, 2)
    pt, sigma = ecal_response(rng, "electron.gen", ev, key, g["pt"], g["eta"])
    charge = -np.sign(g["pdgId"]).astype(np.int64)
    mis_b, mis_e = par("electron.charge_misid")
    flip = u[:, 1] < np.where(np.abs(g["eta"]) < 1.479, mis_b, mis_e)
    from_gen = Objects(
        ev, pt=pt, eta=g["eta"] + 0.0008 * z[:, 0], phi=g["phi"] + 0.0010 * z[:, 1],
        charge=np.where(flip, -charge, charge), genPartIdx=key, genPartFlav=g["origin"],
        _origin=g["origin"], _activity=g["activity"], _key=key, _sigma=sigma,
        _kind=np.zeros(len(g), dtype=np.int64), _flip=flip,
        _sc=key * 2 + SC_ELECTRON)
    keep = (u[:, 0] < _efficiency(g["pt"], g["eta"], g["phi"], plateau, crack))
    from_gen = from_gen.take(keep & (pt > par("electron.min_pt")))

    # --- conversions of gen photons
    gph = gen.final_state(22, 3.0)
    _, as_electron = conversions(gen, rng, gph)
    c = gph.take(as_electron)
    zc = rng.normal("electron.conversion", c.event, c["index"], 3)
    uc = rng.uniform("electron.conversion", c.event, c["index"], 2)
    cpt, csig = ecal_response(rng, "electron.conversion", c.event, c["index"], c["pt"],
                              c["eta"])
    cpt = cpt * (0.85 + 0.15 * uc[:, 1])  # one leg of the pair carries most of the energy
    conv = Objects(
        c.event, pt=cpt, eta=c["eta"] + 0.002 * zc[:, 0], phi=c["phi"] + 0.003 * zc[:, 1],
        charge=np.where(zc[:, 2] > 0, 1, -1), genPartIdx=c["index"],
        genPartFlav=np.full(len(c), 22), _origin=np.full(len(c), 22),
        _activity=c["activity"], _key=c["index"] + 1_000_000, _sigma=csig,
        _kind=np.ones(len(c), dtype=np.int64), _flip=np.zeros(len(c), dtype=bool),
        _sc=c["index"] * 2 + SC_PHOTON)
    conv = conv.take((uc[:, 0] < _efficiency(c["pt"], c["eta"], c["phi"], plateau, crack))
                     & (cpt > par("electron.min_pt")))

    # --- fakes from jets
    gj = gen.genjet
    uf = rng.uniform("electron.fake", gj.event, gj["index"], 4)
    p_fake = np.where((gj["pt"] > 15) & (np.abs(gj["eta"]) < 2.5),
                      par("electron.fake_rate") * np.sqrt(gj["pt"] / 30), 0.0)
    sel = uf[:, 0] < p_fake
    f = gj.take(sel)
    uf = uf[sel]
    zf = rng.normal("electron.fake", f.event, f["index"], 2)
    fpt = f["pt"] * (0.15 + 0.6 * uf[:, 1])
    fakes = Objects(
        f.event, pt=fpt, eta=f["eta"] + 0.05 * zf[:, 0], phi=f["phi"] + 0.05 * zf[:, 1],
        charge=np.where(uf[:, 2] < 0.5, -1, 1), genPartIdx=np.full(len(f), -1),
        genPartFlav=np.zeros(len(f), dtype=np.int64), _origin=np.full(len(f), 3),
        _activity=np.maximum(f["pt"] - fpt, 0), _key=f["index"] + _FAKE_KEY,
        _sigma=np.full(len(f), 0.05), _kind=np.full(len(f), 2), _flip=np.zeros(len(f), bool),
        _sc=np.full(len(f), -1))
    fakes = fakes.take((fakes["pt"] > par("electron.min_pt"))
                       & (np.abs(fakes["eta"]) < par("detector.tracker_eta")))

    el = Objects.concat([from_gen, conv, fakes])
    el["phi"] = wrap_phi(el["phi"])
    _attributes(el, rng, rho)
    return el


def _attributes(el: Objects, rng, rho) -> None:
    ev, key, pt, eta = el.event, el["_key"], el["pt"], el["eta"]
    kind = el["_kind"]  # 0 gen electron, 1 conversion, 2 jet fake
    barrel = np.abs(eta) < 1.479
    u = rng.uniform("electron.attributes", ev, key, 6)
    z = rng.normal("electron.attributes", ev, key, 6)
    origin = np.where(kind == 1, 0, el["_origin"])
    el.columns.update(impact_parameters(rng, "electron", ev, key, pt, origin))
    iso = isolation(rng, "electron", ev, key, pt, el["_activity"], rho)
    el["pfRelIso03_all"] = iso["pfRelIso03_all"]
    el["miniPFRelIso_all"] = iso["miniPFRelIso_all"]

    (mb, sb), (me, se) = par("electron.sieie")
    s_mean, s_width = np.where(barrel, mb, me), np.where(barrel, sb, se)
    widen = np.select([kind == 2, kind == 1], [1.35 + 0.25 * np.abs(z[:, 1]), 1.05], 1.0)
    el["sieie"] = np.maximum(s_mean * widen + s_width * z[:, 0], 0.3 * s_mean)
    hoe_scale = np.select([kind == 2], [0.08], 0.008)
    el["hoe"] = -hoe_scale * np.log(u[:, 0]) + np.where(in_hem(eta, el["phi"]), 0.2, 0.0)
    r9_loss = np.select([kind == 1, kind == 2], [0.25, 0.35], 0.07)
    el["r9"] = np.clip(1 - r9_loss * -np.log(u[:, 1]) * (0.5 + 0.5 * u[:, 2]), 0.1, 1.05)
    el["eInvMinusPInv"] = np.where(kind == 2, 0.03, 0.004) * z[:, 2]
    lost_mean = np.select([kind == 1, kind == 2], [1.6, 0.3], 0.04)
    lost = np.floor(-np.log(u[:, 3]) * lost_mean + (kind == 1)).astype(np.int64)
    el["lostHits"] = np.clip(lost, 0, 5)
    el["convVeto"] = u[:, 4] < np.select([kind == 1, kind == 2], [0.25, 0.9], 0.99)
    el["energyErr"] = pt * np.cosh(eta) * el["_sigma"] * np.exp(0.1 * z[:, 3])
    el["deltaEtaSC"] = 0.01 * z[:, 4]

    # Discriminants from the features (so that the flags are consistent with them).
    sieie_pull = (el["sieie"] / s_mean - 1) / 0.1
    shape = (4.0 - 0.9 * sieie_pull - 40 * el["hoe"] - 30 * np.abs(el["eInvMinusPInv"])
             - 0.8 * el["lostHits"] + 2.0 * (el["r9"] - 0.9) + 0.6 * z[:, 5])
    el["mvaNoIso"] = np.tanh(shape / 3)
    el["mvaIso"] = np.tanh((shape - 6 * el["pfRelIso03_all"]) / 3)
    wp80, wp90 = par("electron.mva_wp")
    el["mvaIso_WP80"] = el["mvaIso"] > wp80
    el["mvaIso_WP90"] = el["mvaIso"] > wp90
    el["mvaNoIso_WP80"] = el["mvaNoIso"] > wp80
    el["mvaNoIso_WP90"] = el["mvaNoIso"] > wp90
    cut = np.zeros(len(el), dtype=np.int64)
    region = np.where(barrel, 0, 1)
    for level in range(4):
        def thr(name, level=level):
            return np.asarray(_CUTS[name])[region, level]
        ok = ((el["sieie"] < thr("sieie")) & (el["hoe"] < thr("hoe"))
              & (el["pfRelIso03_all"] < thr("iso_a") + thr("iso_b") / pt)
              & (np.abs(el["eInvMinusPInv"]) < thr("eop")) & (el["lostHits"] <= thr("lost"))
              & el["convVeto"])
        cut = np.where(ok & (cut == level), level + 1, cut)
    el["cutBased"] = cut
    el["pdgId"] = -11 * el["charge"]
    el["tightCharge"] = np.where(el["_flip"], np.where(u[:, 5] < 0.3, 2, 0), 2)
    energy = pt * np.cosh(eta)
    el["seedGain"] = np.select([energy < 200, energy < 2000], [12, 6], 1)
