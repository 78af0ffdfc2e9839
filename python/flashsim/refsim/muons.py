"""Muons: prompt and non-prompt (b/c/tau/light decays) gen muons, fakes near jets (punch-through
and decays in flight), and rare duplicates of a reconstructed muon.

Momentum is smeared in curvature q/pt, so charge flips appear where the curvature changes sign.
IDs are functions of the drawn hit counts, stations and impact parameters, as in CMS.
"""

import numpy as np
from scipy.special import expit

from flashsim.refsim.matching import wrap_phi
from flashsim.refsim.objects import Objects
from flashsim.refsim.parameters import value as par
from flashsim.refsim.tracks import impact_parameters, isolation

__all__ = ["muons"]

_FAKE_KEY = 2_000_000
_DUPLICATE_KEY = 4_000_000


def _efficiency(pt, eta):
    plateau, gap, overlap = par("muon.efficiency")
    a = np.abs(eta)
    eff = np.full(len(pt), plateau)
    eff = np.where((a > 0.2) & (a < 0.3), gap, eff)
    eff = np.where((a > 0.9) & (a < 1.2), overlap, eff)
    pt50, width = par("muon.turn_on")
    eff = eff * expit((pt - pt50) / width)
    return np.where(a < par("detector.muon_eta"), eff, 0.0)


def _curvature_sigma(pt, eta):
    edges, a, b = par("muon.curvature_resolution")
    k = np.clip(np.searchsorted(edges, np.abs(eta), side="right") - 1, 0, len(a) - 1)
    return np.hypot(np.asarray(a)[k], np.asarray(b)[k] * pt)


def muons(gen, rng, rho) -> Objects:
    """All reco muons of a chunk (unsorted; ``jetIdx`` is filled later)."""
    # --- from gen muons
    g = gen.final_state(13, 2.0)
    ev, key = g.event, g["index"]
    u = rng.uniform("muon.gen", ev, key, 3)
    z = rng.normal("muon.gen", ev, key, 4)
    sigma = _curvature_sigma(g["pt"], g["eta"])
    p_tail, w_tail = par("muon.tail")
    sigma = np.where(u[:, 1] < p_tail, sigma * w_tail, sigma)
    charge_gen = -np.sign(g["pdgId"]).astype(np.float64)
    curvature = charge_gen / g["pt"] * (1 + sigma * z[:, 0])
    pt = 1.0 / np.abs(curvature)
    reco = Objects(
        ev, pt=pt, eta=g["eta"] + 0.0005 * z[:, 1], phi=g["phi"] + 0.0005 * z[:, 2],
        charge=np.sign(curvature).astype(np.int64), genPartIdx=key,
        genPartFlav=g["origin"], _origin=g["origin"], _activity=g["activity"], _key=key,
        _sigma=sigma, _fake=np.zeros(len(g), dtype=np.int64))
    keep = (u[:, 0] < _efficiency(g["pt"], g["eta"])) & (pt > par("muon.min_pt"))
    reco = reco.take(keep)

    # --- fakes near gen jets: punch-through (flav 0) and light decays in flight (flav 3)
    gj = gen.genjet
    rate, dif_share = par("muon.fake_rate")
    uf = rng.uniform("muon.fake", gj.event, gj["index"], 5)
    p_fake = np.where((gj["pt"] > 20) & (np.abs(gj["eta"]) < 2.4),
                      rate * np.sqrt(gj["pt"] / 30), 0.0)
    sel = uf[:, 0] < p_fake
    f = gj.take(sel)
    uf = uf[sel]
    zf = rng.normal("muon.fake_dir", f.event, f["index"], 3)
    fpt = f["pt"] * (0.05 + 0.35 * uf[:, 1] ** 2)
    decay_in_flight = uf[:, 2] < dif_share
    flav = np.where(decay_in_flight, 3, 0)
    fakes = Objects(
        f.event, pt=fpt, eta=f["eta"] + 0.08 * zf[:, 0], phi=f["phi"] + 0.08 * zf[:, 1],
        charge=np.where(uf[:, 3] < 0.5, -1, 1), genPartIdx=np.full(len(f), -1),
        genPartFlav=flav, _origin=flav, _activity=np.maximum(f["pt"] - fpt, 0),
        _key=f["index"] + _FAKE_KEY, _sigma=_curvature_sigma(fpt, f["eta"]) * 2,
        _fake=np.where(decay_in_flight, 1, 2))
    fakes = fakes.take(fakes["pt"] > par("muon.min_pt"))

    # --- duplicates: a second, tracker-only muon from the same gen muon
    ud = rng.uniform("muon.duplicate", reco.event, reco["_key"], 1)[:, 0]
    p_dup = par("muon.duplicate_probability") * np.where(
        (np.abs(reco["eta"]) > 0.9) & (np.abs(reco["eta"]) < 1.2), 3.0, 1.0)
    d = reco.take(ud < p_dup)
    zd = rng.normal("muon.duplicate", d.event, d["_key"], 3)
    d["pt"] = d["pt"] * (1 + 0.05 * zd[:, 0])
    d["eta"] = d["eta"] + 0.01 * zd[:, 1]
    d["phi"] = d["phi"] + 0.01 * zd[:, 2]
    d["_key"] = d["_key"] + _DUPLICATE_KEY
    d["_fake"] = np.full(len(d), 3)

    mu = Objects.concat([reco, fakes, d])
    mu["phi"] = wrap_phi(mu["phi"])
    _attributes(mu, rng, rho)
    return mu


def _attributes(mu: Objects, rng, rho) -> None:
    ev, key, pt, eta = mu.event, mu["_key"], mu["pt"], mu["eta"]
    a = np.abs(eta)
    kind = mu["_fake"]  # 0 real, 1 decay in flight, 2 punch-through, 3 duplicate
    u = rng.uniform("muon.attributes", ev, key, 8)
    z = rng.normal("muon.attributes", ev, key, 4)
    mu.columns.update(impact_parameters(rng, "muon", ev, key, pt, mu["_origin"]))
    mu.columns.update({k: v for k, v in isolation(rng, "muon", ev, key, pt, mu["_activity"], rho)
                       .items() if k != "pfRelIso03_chg"})
    mu["ptErr"] = pt * mu["_sigma"] * np.exp(0.15 * z[:, 0])

    layers = np.rint(12 + 2.5 * np.clip(a - 0.8, 0, 1.5) + 1.3 * z[:, 1])
    layers = np.where(kind == 1, layers - 4, layers)
    mu["nTrackerLayers"] = np.clip(layers, 3, 18).astype(np.int64)
    reach = expit((pt - 4.5) / 1.0)  # low-pt muons stop before the outer stations
    stations = np.rint(1 + 3 * reach * (0.55 + 0.45 * u[:, 0]))
    stations = np.where(kind == 2, np.minimum(stations, 1 + (u[:, 1] < 0.5)), stations)
    stations = np.where(kind == 3, np.minimum(stations, 1), stations)
    mu["nStations"] = np.clip(stations, 0, 4).astype(np.int64)
    mu["isTracker"] = u[:, 2] < np.where(kind == 2, 0.7, 0.995)
    mu["isGlobal"] = (mu["nStations"] >= 2) & (u[:, 3] < np.where(kind == 3, 0.0, 0.97))
    mu["isPFcand"] = (mu["isTracker"] | mu["isGlobal"]) & (u[:, 4] < 0.995)
    good_segment = u[:, 5] < np.select([kind == 0, kind == 1, kind == 2], [0.985, 0.6, 0.35],
                                       0.10)
    good_fit = u[:, 6] < np.select([kind == 0, kind == 1], [0.985, 0.55], 0.30)
    mu["looseId"] = mu["isPFcand"] & (mu["isTracker"] | mu["isGlobal"])
    mu["mediumId"] = mu["looseId"] & good_segment & (mu["nTrackerLayers"] > 5)
    mu["tightId"] = (mu["isGlobal"] & mu["isPFcand"] & good_fit & (mu["nStations"] >= 2)
                     & (mu["nTrackerLayers"] > 5) & (np.abs(mu["dxy"]) < 0.2)
                     & (np.abs(mu["dz"]) < 0.5))
    mu["softId"] = (mu["isTracker"] & (mu["nTrackerLayers"] > 5) & (np.abs(mu["dxy"]) < 0.3)
                    & (np.abs(mu["dz"]) < 20) & good_segment)
    iso = mu["pfRelIso04_all"]
    mu["pfIsoId"] = ((iso < 0.40).astype(np.int64) + (iso < 0.25) + (iso < 0.20) + (iso < 0.15)
                     + (iso < 0.10) + (iso < 0.05))
    mu["pdgId"] = -13 * mu["charge"]
    mu["tightCharge"] = np.where(mu["ptErr"] / pt < 0.2, 2, 0)
