"""Soft-drop subjets of the AK8 jets: each FatJet's groomed momentum split into two prongs with
momentum sharing z > 0.1 (the soft-drop condition) at the opening angle the mass implies."""

import numpy as np
from scipy.special import expit

from flashsim.refsim.matching import wrap_phi
from flashsim.refsim.objects import Objects

__all__ = ["subjets"]


def subjets(fat: Objects, rng) -> Objects:
    """SubJets (unsorted); ``_parent`` is the flat FatJet row, ``_which`` 0 (harder) or 1."""
    has = fat["msoftdrop"] > 1.0
    f = fat.take(has)
    parent = np.flatnonzero(has)
    u = rng.uniform("subjet", f.event, f["genJetAK8Idx"], 2)
    z = rng.normal("subjet", f.event, f["genJetAK8Idx"], 4)
    share = 0.1 + 0.4 * u[:, 0]  # softer prong's momentum fraction
    dr = np.clip(f["msoftdrop"] / (f["pt"] * np.sqrt(share * (1 - share))), 0.05, 0.8)
    angle = 2 * np.pi * u[:, 1]
    rows = []
    for frac, sign in ((1 - share, -1), (share, 1)):
        lever = share if sign < 0 else (1 - share)
        rows.append(dict(
            pt=f["pt"] * frac, eta=f["eta"] + sign * lever * dr * np.cos(angle),
            phi=f["phi"] + sign * lever * dr * np.sin(angle),
            mass=f["msoftdrop"] * frac * 0.3))
    n_b = f["_nBHadrons"]
    cols = {}
    for k in rows[0]:
        cols[k] = np.concatenate([rows[0][k], rows[1][k]])
    event = np.concatenate([f.event, f.event])
    which = np.concatenate([np.zeros(len(f), int), np.ones(len(f), int)])
    b_here = np.concatenate([n_b >= 1, n_b >= 2])
    zz = np.concatenate([z[:, 0], z[:, 1]])
    cols["btagDeepFlavB"] = expit(np.where(b_here, 1.8, -3.5) + 1.2 * zz)
    cols["hadronFlavour"] = np.where(b_here, 5, 0)
    cols["rawFactor"] = np.clip(0.05 + 0.02 * np.concatenate([z[:, 2], z[:, 3]]), 0, 0.5)
    cols["_parent"] = np.concatenate([parent, parent])
    cols["_which"] = which
    sub = Objects(event, **cols)
    sub["phi"] = wrap_phi(sub["phi"])
    return sub
