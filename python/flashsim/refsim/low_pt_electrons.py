"""Low-pt electrons (NanoAOD LowPtElectron): gen electrons of 1-20 GeV seen by the dedicated
low-pt GSF tracking, linked to the standard Electron and Photon made from the same particle."""

import numpy as np
from scipy.special import expit

from flashsim.refsim.matching import wrap_phi
from flashsim.refsim.objects import Objects
from flashsim.refsim.parameters import value as par
from flashsim.refsim.tracks import impact_parameters, isolation

__all__ = ["low_pt_electrons"]


def low_pt_electrons(gen, rng, rho) -> Objects:
    """LowPtElectrons (unsorted); ``_sc`` gives the supercluster id for the links."""
    g = gen.final_state(11, 1.0)
    g = g.take(g["pt"] < 20.0)
    ev, key = g.event, g["index"]
    u = rng.uniform("lowpt", ev, key, 2)
    z = rng.normal("lowpt", ev, key, 3)
    plateau, pt50 = par("lowpt.efficiency")
    eff = plateau * expit((g["pt"] - pt50) / 0.4) * (np.abs(g["eta"]) < 2.5)
    el = Objects(
        ev, pt=g["pt"] * (1 + 0.04 * z[:, 0]), eta=g["eta"] + 0.001 * z[:, 1],
        phi=g["phi"] + 0.001 * z[:, 2], charge=-np.sign(g["pdgId"]).astype(np.int64),
        genPartIdx=key, genPartFlav=g["origin"], _origin=g["origin"],
        _activity=g["activity"], _key=key, _sc=key * 2)
    el = el.take(u[:, 0] < eff)
    ev, key = el.event, el["_key"]
    z = rng.normal("lowpt.attributes", ev, key, 2)
    u = rng.uniform("lowpt.attributes", ev, key, 2)
    ip = impact_parameters(rng, "lowpt", ev, key, el["pt"], el["_origin"])
    el["dxy"], el["dz"] = ip["dxy"], ip["dz"]
    el["miniPFRelIso_all"] = isolation(rng, "lowpt", ev, key, el["pt"], el["_activity"],
                                       rho)["miniPFRelIso_all"]
    prompt = np.isin(el["_origin"], (1, 15))
    el["ID"] = 4.0 * np.where(prompt, 1.0, 0.4) + 1.5 * z[:, 0]
    el["convVeto"] = u[:, 0] < 0.97
    el["lostHits"] = (u[:, 1] < 0.1).astype(np.int64)
    el["mass"] = np.full(len(el), 0.000511)
    el["phi"] = wrap_phi(el["phi"])
    return el
