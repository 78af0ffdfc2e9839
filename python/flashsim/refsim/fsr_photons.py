"""FSR photons: gen photons close to a reconstructed muon (NanoAOD's FsrPhoton, with the
Muon_fsrPhotonIdx / FsrPhoton_muonIdx links)."""

import numpy as np

from flashsim.refsim.electrons import ecal_response
from flashsim.refsim.matching import nearest
from flashsim.refsim.objects import Objects
from flashsim.refsim.parameters import value as par

__all__ = ["fsr_photons"]


def fsr_photons(gen, rng, muons: Objects, muon_local: np.ndarray) -> Objects:
    """FSR photons (unsorted) with ``muonIdx`` = local index of the nearest reco muon."""
    g = gen.final_state(22, 2.0)
    max_dr, eff = par("fsr.cone_efficiency")
    best, dr = nearest(g.event, g["eta"], g["phi"], muons.event, muons["eta"], muons["phi"],
                       gen.n, max_dr)
    u = rng.uniform("fsr", g.event, g["index"], 1)[:, 0]
    keep = (best >= 0) & (u < eff) & (np.abs(g["eta"]) < 2.4)
    g, best, dr = g.take(keep), best[keep], dr[keep]
    pt, _ = ecal_response(rng, "fsr", g.event, g["index"], g["pt"], g["eta"], tail=False)
    z = rng.normal("fsr", g.event, g["index"], 1)[:, 0]
    fsr = Objects(g.event, pt=pt, eta=g["eta"].copy(), phi=g["phi"].copy(),
                  dROverEt2=dr / pt**2, relIso03=np.abs(0.3 * z) * np.minimum(
                      g["activity"] / pt + 0.05, 5.0),
                  muonIdx=muon_local[best], _muon_flat=best)
    return fsr.take(pt > 2.0)
