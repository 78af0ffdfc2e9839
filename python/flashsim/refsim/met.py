"""Missing transverse momentum (PuppiMET, Run-3 NanoAOD's default MET) from the reconstructed
jets plus an unclustered part.

MET = GenMET - sum over reco jets of (reco - gen) pT - pileup jets + lost jets, plus an
unclustered term whose resolution grows with the unclustered sumEt, i.e. with pileup.
The covariance and significance follow the CMS definition (JINST 14 (2019) P07004):
S = MET^T C^-1 MET, C = sum of per-jet resolutions (along and across the jet) + unclustered.
"""

import numpy as np

from flashsim.refsim.jets import relative_resolution
from flashsim.refsim.objects import Objects
from flashsim.refsim.parameters import value as par

__all__ = ["missing_et"]


def missing_et(gen, rng, jets: Objects, lost_jets: Objects) -> dict:
    """{branch: [n_events]} for PuppiMET_*. ``jets``: all reco jets (with ``genJetIdx`` and
    ``_gen_pt``/``_gen_phi`` for matched ones); ``lost_jets``: gen jets above threshold that
    were not reconstructed (their momentum is missing)."""
    n = gen.n
    mx = gen.genmet_pt * np.cos(gen.genmet_phi)
    my = gen.genmet_pt * np.sin(gen.genmet_phi)
    matched = jets["genJetIdx"] >= 0
    gen_px = np.where(matched, jets["_gen_pt"] * np.cos(jets["_gen_phi"]), 0.0)
    gen_py = np.where(matched, jets["_gen_pt"] * np.sin(jets["_gen_phi"]), 0.0)
    dpx = jets["pt"] * np.cos(jets["phi"]) - gen_px
    dpy = jets["pt"] * np.sin(jets["phi"]) - gen_py
    mx -= np.bincount(jets.event, weights=dpx, minlength=n)
    my -= np.bincount(jets.event, weights=dpy, minlength=n)
    mx += np.bincount(lost_jets.event, weights=lost_jets["pt"] * np.cos(lost_jets["phi"]),
                      minlength=n)
    my += np.bincount(lost_jets.event, weights=lost_jets["pt"] * np.sin(lost_jets["phi"]),
                      minlength=n)

    z = rng.per_event("met.unclustered", 3, normal=True)
    offset, per_pu = par("met.unclustered_sumet")
    sumet_u = np.maximum((offset + per_pu * gen.n_pu) * (1 + 0.15 * z[:, 2]), 1.0)
    a, b, _ = par("met.unclustered")
    sigma_u = np.hypot(a, b * np.sqrt(sumet_u))
    mx += sigma_u * z[:, 0]
    my += sigma_u * z[:, 1]

    # Covariance: each jet contributes sigma_pt^2 along its direction and (pt sigma_phi)^2
    # across it (angular resolution from the jet parameters).
    pt, phi = jets["pt"], jets["phi"]
    s_pt = pt * relative_resolution(pt, np.abs(jets["eta"]), gen.n_pu[jets.event])
    a_ang, b_ang = par("jet.angular_resolution")
    s_perp = pt * np.sqrt((a_ang / pt) ** 2 + b_ang**2)
    c, s = np.cos(phi), np.sin(phi)
    cxx = np.bincount(jets.event, weights=(s_pt * c) ** 2 + (s_perp * s) ** 2, minlength=n)
    cyy = np.bincount(jets.event, weights=(s_pt * s) ** 2 + (s_perp * c) ** 2, minlength=n)
    cxy = np.bincount(jets.event, weights=(s_pt**2 - s_perp**2) * c * s, minlength=n)
    cxx += sigma_u**2
    cyy += sigma_u**2
    det = cxx * cyy - cxy**2
    significance = (mx * mx * cyy - 2 * mx * my * cxy + my * my * cxx) / det
    sumet = sumet_u + np.bincount(jets.event, weights=pt, minlength=n)
    return {
        "PuppiMET_pt": np.hypot(mx, my),
        "PuppiMET_phi": np.arctan2(my, mx),
        "PuppiMET_sumEt": sumet,
        "PuppiMET_significance": significance,
        "PuppiMET_covXX": cxx,
        "PuppiMET_covXY": cxy,
        "PuppiMET_covYY": cyy,
        "PuppiMET_sumPtUnclustered": sumet_u,
    }
