"""Secondary vertices (the SV collection): weak decays of b and c hadrons, 3-prong taus, and fakes in light jets.

A weakly decaying hadron flies ``c*tau * beta*gamma`` (exponential) along its direction before it
decays; the vertex finder sees its charged tracks (a share of its momentum and mass, 2 or more
tracks), with a position resolution that improves with the vertex pt. A B that decays to a D gives
two vertices (the cascade). Light jets make a few fake vertices (material, V0s, mis-associated
tracks), reconstructed 3-prong taus sometimes one. NanoAOD keeps the vertices with dlenSig > 3.

Positions are absolute (PV + flight), as NanoAOD's SV_x/y/z; dxy and dlen are the transverse and 3D
distances to the PV, pAngle the angle between the flight direction and the vertex momentum.
"""

import numpy as np
from scipy.special import expit

from flashsim.refsim.matching import wrap_phi
from flashsim.refsim.objects import Objects
from flashsim.refsim.parameters import value as par
from flashsim.refsim.random_streams import poisson_from_uniform

__all__ = ["secondary_vertices"]

_FAKE_KEY = 3_000_000
_TAU_KEY = 4_000_000
_TAU_MASS = 1.777


def _lifetime(abs_pdg, flavour):
    ctau = par("sv.lifetime")
    out = np.where(flavour == 5, ctau["5"], ctau["4"])
    for pdg in ("411", "421", "431"):
        out = np.where(abs_pdg == int(pdg), ctau[pdg], out)
    return out


def _vertices(ev, key, rng, stream, pt, eta, phi, flight, visible, mass, ntracks, charge, pv):
    """Reco vertices of decays at 3D distance ``flight`` along (eta, phi), seeing a share
    ``visible`` of the momentum ``pt``: the NanoAOD SV branches, before the significance cut."""
    z = rng.normal(stream + ".vertex", ev, key, 6)
    sv_pt = pt * visible
    a, b, fz = par("sv.resolution")
    sigma = a + b / np.sqrt(np.maximum(sv_pt, 0.1))
    theta = 2 * np.arctan(np.exp(-eta))
    true = np.stack([flight * np.sin(theta) * np.cos(phi), flight * np.sin(theta) * np.sin(phi),
                     flight * np.cos(theta)], axis=1)
    dx, dy = true[:, 0] + sigma * z[:, 0], true[:, 1] + sigma * z[:, 1]
    dz = true[:, 2] + fz * sigma * z[:, 2]
    dxy = np.hypot(dx, dy)
    dlen = np.sqrt(dxy**2 + dz**2)
    dxy_err = sigma * np.exp(0.15 * z[:, 3])
    dlen_err = np.sqrt((dxy * dxy_err) ** 2 + (dz * fz * dxy_err) ** 2) / np.maximum(dlen, 1e-9)
    # the vertex momentum: the hadron's direction blurred by the missing neutrals
    sv_eta = eta + 0.02 * z[:, 4]
    sv_phi = wrap_phi(phi + 0.02 * z[:, 5])
    sv_theta = 2 * np.arctan(np.exp(-sv_eta))
    p_dir = np.stack([np.sin(sv_theta) * np.cos(sv_phi), np.sin(sv_theta) * np.sin(sv_phi), np.cos(sv_theta)], axis=1)
    cos_angle = (dx * p_dir[:, 0] + dy * p_dir[:, 1] + dz * p_dir[:, 2]) / np.maximum(dlen, 1e-12)
    # the adaptive fit weighs the tracks (0.8-1 here): ndof = 2 sum(w) - 3
    ndof = 2.0 * ntracks * (0.8 + 0.2 * rng.uniform(stream + ".weights", ev, key, 1)[:, 0]) - 3.0
    chi2 = np.exp(0.35 * rng.normal(stream + ".chi2", ev, key, 1)[:, 0])
    return dict(pt=sv_pt, eta=sv_eta, phi=sv_phi, mass=mass, charge=charge, ntracks=ntracks, ndof=ndof, chi2=chi2,
                dxy=dxy, dxySig=dxy / dxy_err, dlen=dlen, dlenSig=dlen / dlen_err,
                pAngle=np.arccos(np.clip(cos_angle, -1.0, 1.0)),
                x=pv["PV_x"][ev] + dx, y=pv["PV_y"][ev] + dy, z=pv["PV_z"][ev] + dz)


def _heavy_flavour(gen, rng, pv):
    had = gen.weak_heavy_hadrons(2.0)
    had = had.take(np.abs(had["eta"]) < par("detector.tracker_eta"))
    ev, key, flav = had.event, had["index"], had["flavour"]
    u = rng.uniform("sv.hadron", ev, key, 4)
    plateau_b, plateau_c, pt50, width = par("sv.efficiency")
    eff = np.where(flav == 5, plateau_b, plateau_c) * expit((had["pt"] - pt50) / width)
    found = u[:, 0] < eff
    had, u, ev, key, flav = had.take(found), u[found], ev[found], key[found], flav[found]
    p = had["pt"] * np.cosh(had["eta"])
    mass = np.maximum(had["mass"], 0.1)
    flight = -_lifetime(had["abs_pdg"], flav) * (p / mass) * np.log(u[:, 1])
    z = rng.normal("sv.hadron", ev, key, 3)
    visible = np.clip(0.6 + 0.15 * z[:, 0], 0.15, 0.98)
    sv_mass = np.clip(mass * np.where(flav == 5, 0.42, 0.5) * np.exp(0.25 * z[:, 1]), 0.28, mass)
    ntracks = 2 + poisson_from_uniform(np.where(flav == 5, 2.2, 0.8), u[:, 2])
    sign = -np.sign(had["pdgId"]).astype(np.int64)
    charge = np.where(ntracks % 2 == 1, sign, 0) + np.where(u[:, 3] < 0.1, 2 * sign, 0) * (ntracks > 3)
    cols = _vertices(ev, key, rng, "sv.hadron", had["pt"], had["eta"], had["phi"], flight, visible, sv_mass,
                     ntracks, charge, pv)
    return Objects(ev, **cols, _key=key, _origin=flav)


def _light_fakes(jets, rng, pv):
    light = (jets["genJetIdx"] >= 0) & (jets["hadronFlavour"] == 0) & (jets["pt"] > 20) & \
        (np.abs(jets["eta"]) < par("detector.tracker_eta"))
    j = jets.take(light)
    key = j["genJetIdx"] + _FAKE_KEY
    u = rng.uniform("sv.fake", j.event, key, 5)
    made = u[:, 0] < par("sv.light_fake_rate")
    j, u, key = j.take(made), u[made], key[made]
    flight = -0.08 * np.log(u[:, 1])
    ntracks = 2 + (u[:, 2] < 0.3)
    charge = np.where(ntracks == 3, np.where(u[:, 3] < 0.5, -1, 1), 0)
    cols = _vertices(j.event, key, rng, "sv.fake", j["pt"], j["eta"], j["phi"], flight, 0.05 + 0.15 * u[:, 4],
                     0.3 + 1.2 * u[:, 4], ntracks, charge, pv)
    return Objects(j.event, **cols, _key=key, _origin=np.zeros(len(j), dtype=np.int64))


def _taus(tau, rng, pv):
    three_prong = (tau["genPartFlav"] == 5) & np.isin(tau["decayMode"], (10, 11))
    t = tau.take(three_prong)
    key = t["_key"] + _TAU_KEY
    u = rng.uniform("sv.tau", t.event, key, 2)
    made = u[:, 0] < par("sv.tau_efficiency")
    t, u, key = t.take(made), u[made], key[made]
    p = t["pt"] * np.cosh(t["eta"])
    flight = -par("sv.lifetime")["15"] * (p / _TAU_MASS) * np.log(u[:, 1])
    cols = _vertices(t.event, key, rng, "sv.tau", t["pt"], t["eta"], t["phi"], flight, np.full(len(t), 0.9),
                     np.clip(t["mass"], 0.3, _TAU_MASS), np.full(len(t), 3), t["charge"], pv)
    return Objects(t.event, **cols, _key=key, _origin=np.full(len(t), 15, dtype=np.int64))


def secondary_vertices(gen, rng, jets: Objects, tau: Objects, pv: dict) -> Objects:
    """All reconstructed secondary vertices of a chunk (unsorted) that pass dlenSig > 3; ``_origin``
    is 5, 4 (the hadron's flavour), 15 (a tau) or 0 (a fake), ``_key`` the hadron's GenPart index."""
    sv = Objects.concat([_heavy_flavour(gen, rng, pv), _light_fakes(jets, rng, pv), _taus(tau, rng, pv)])
    return sv.take(sv["dlenSig"] > par("sv.min_significance"))
