"""Track-level quantities shared by muons and electrons: impact parameters and isolation.

Prompt leptons have impact parameters at the resolution; leptons from b/c hadrons and from tau
decays carry the lifetime of their parent (exponential flight), light decays in flight larger.
Isolation comes from the gen-level hadronic activity around the lepton plus pileup.
"""

import numpy as np

from flashsim.refsim.parameters import value as par

__all__ = ["impact_parameters", "isolation"]

# mean transverse displacement scale [cm] per genPartFlav-like origin; taus: c*tau = 87 um
_TAU_LENGTH = 0.008


def impact_parameters(rng, stream, ev, key, pt, origin) -> dict:
    """dxy, dxyErr, dz, dzErr, ip3d, sip3d [cm] for tracks of transverse momentum ``pt``."""
    z = rng.normal(stream + ".ip", ev, key, 6)
    u = rng.uniform(stream + ".flight", ev, key, 2)
    a, b = par("muon.dxy_resolution")
    sigma = np.sqrt(a**2 + (b / pt) ** 2)
    lengths = par("muon.decay_length")
    scale = np.select([origin == 5, origin == 4, origin == 3, origin == 15],
                      [lengths["5"], lengths["4"], lengths["3"], _TAU_LENGTH], 0.0)
    flight_xy = -scale * np.log(u[:, 0]) * np.sign(z[:, 4])
    flight_z = -scale * np.log(u[:, 1]) * np.sign(z[:, 5]) * 1.3
    fz = par("muon.dz_factor")
    dxy = flight_xy + sigma * z[:, 0]
    dz = flight_z + fz * sigma * z[:, 1]
    dxy_err = sigma * np.exp(0.15 * z[:, 2])
    dz_err = fz * sigma * np.exp(0.15 * z[:, 3])
    ip3d = np.hypot(dxy, dz)
    err3d = np.sqrt((dxy * dxy_err) ** 2 + (dz * dz_err) ** 2) / np.maximum(ip3d, 1e-9)
    return {"dxy": dxy, "dxyErr": dxy_err, "dz": dz, "dzErr": dz_err, "ip3d": ip3d,
            "sip3d": ip3d / err3d}


def isolation(rng, stream, ev, key, pt, activity, rho) -> dict:
    """Relative PF isolation in cones 0.3/0.4, its charged part and mini-isolation.

    ``activity``: gen-level hadronic pt around the object (gen jet pt minus its own pt).
    """
    u = rng.uniform(stream + ".iso", ev, key, 3)
    z = rng.normal(stream + ".iso_pu", ev, key, 2)
    in_cone = activity * (0.35 + 0.65 * u[:, 0])        # share of the jet's activity in R=0.4
    ue = -0.3 * np.log(u[:, 1])                         # underlying event [GeV]
    pu = par("muon.iso_pu") * rho[ev] * np.abs(1 + 0.5 * z[:, 0])
    neutral_share = 0.35 + 0.2 * u[:, 2]
    iso04 = (in_cone + ue + pu) / pt
    iso03 = (in_cone * (0.65 + 0.15 * u[:, 2]) + 0.56 * (ue + pu)) / pt
    charged03 = (in_cone * (0.65 + 0.15 * u[:, 2]) * (1 - neutral_share) + 0.56 * ue * 0.6) / pt
    mini_cone = np.clip(10.0 / np.maximum(pt, 1e-3), 0.05, 0.2)
    mini = (in_cone * (mini_cone / 0.4) + (ue + pu) * (mini_cone / 0.4) ** 2) / pt
    return {"pfRelIso04_all": iso04, "pfRelIso03_all": iso03, "tkRelIso": charged03,
            "miniPFRelIso_all": mini, "pfRelIso03_chg": charged03}
