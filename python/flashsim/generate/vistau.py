"""GenVisTau (hadronic taus: the visible part of their decay products) and GenMET.

A GenVisTau is a decayed tau (its last copy) with no electron or muon among its direct decay
products; its four-momentum is the sum of its visible final-state descendants, its charge their
charge sum, and ``status`` the CMS decay mode: 0/1/2 one prong with 0/1/>=2 pi0,
10/11 three prongs with 0/>=1 pi0, 15 other. Kept if pt > 10 GeV (as NanoAOD).
GenMET is the vector sum of the invisible final-state particles (neutrinos, BSM invisibles).
"""

from __future__ import annotations

import numpy as np

from flashsim.generate.genpart import GenParticleTruth
from flashsim.generate.particles import ParticleRecord, any_ancestor, pt_eta_phi

__all__ = ["VIS_TAU_MIN_PT", "gen_met", "gen_visible_taus"]

VIS_TAU_MIN_PT = 10.0

# Charges (units of e) of the long-lived charged particles found in tau decays.
_CHARGED = {11: -1, 13: -1, 211: 1, 321: 1, 2212: 1, 3222: 1, 3112: -1, 3312: -1, 3334: -1}


def _charge(pid: np.ndarray) -> np.ndarray:
    aid = np.abs(pid)
    q = np.zeros(pid.size, dtype=np.int64)
    for code, charge in _CHARGED.items():
        q[aid == code] = charge
    return q * np.sign(pid)


def gen_met(rec: ParticleRecord) -> tuple[np.ndarray, np.ndarray]:
    """[n_events] GenMET pt and phi (float32)."""
    inv = np.flatnonzero(rec.is_final & rec.is_invisible)
    ev = rec.event_index[inv]
    mx = np.bincount(ev, weights=rec.px[inv], minlength=rec.n_events)
    my = np.bincount(ev, weights=rec.py[inv], minlength=rec.n_events)
    return np.hypot(mx, my).astype(np.float32), np.arctan2(my, mx).astype(np.float32)


def gen_visible_taus(rec: ParticleRecord, tr: GenParticleTruth, new_index: np.ndarray):
    """The GenVisTau collection.

    Args:
        rec, tr: the flat record and its truth; new_index: [n] GenPart index (-1 if pruned).
    Returns:
        (columns, counts): flat GenVisTau columns and [n_events] multiplicities.
    """
    aid, parent = rec.abs_id, rec.parent
    tau = tr.decayed & (aid == 15)
    # Leptonic taus have an electron or muon among their direct decay products.
    direct_lepton = ((aid == 11) | (aid == 13)) & tau[parent]
    leptonic = np.zeros(aid.size, dtype=bool)
    leptonic[parent[direct_lepton]] = True
    hadronic = tau & ~leptonic

    owner = tr.nearest_tau
    from_tau = owner >= 0
    owner_safe = np.where(from_tau, owner, 0)
    final_vis = rec.is_final & ~rec.is_invisible & from_tau & hadronic[owner_safe]
    d = np.flatnonzero(final_vis)
    n = aid.size
    sums = [np.bincount(owner[d], weights=w[d], minlength=n) for w in (rec.px, rec.py, rec.pz, rec.e)]
    charge = np.bincount(owner[d], weights=_charge(rec.pid)[d], minlength=n)
    # Prongs: charged final-state descendants, not those from K0S or Lambda decays.
    via_v0 = any_ancestor(parent, tr.decayed & ((aid == 310) | (aid == 3122)))
    prong = final_vis & (_charge(rec.pid) != 0) & ~via_v0
    n_prong = np.bincount(owner[prong], minlength=n)
    pi0 = (aid == 111) & from_tau & hadronic[owner_safe]
    n_pi0 = np.bincount(owner[pi0], minlength=n)

    taus = np.flatnonzero(hadronic)
    px, py, pz, e = (s[taus] for s in sums)
    pt, eta, phi = pt_eta_phi(px, py, pz)
    sel = pt > VIS_TAU_MIN_PT
    taus, px, py, pz, e, pt, eta, phi = (a[sel] for a in (taus, px, py, pz, e, pt, eta, phi))
    mass = np.sqrt(np.maximum(e**2 - px**2 - py**2 - pz**2, 0.0))
    npr, npi = n_prong[taus], n_pi0[taus]
    mode = np.full(taus.size, 15, dtype=np.uint8)
    mode[(npr == 1) & (npi == 0)] = 0
    mode[(npr == 1) & (npi == 1)] = 1
    mode[(npr == 1) & (npi >= 2)] = 2
    mode[(npr == 3) & (npi == 0)] = 10
    mode[(npr == 3) & (npi >= 1)] = 11
    counts = np.bincount(rec.event_index[taus], minlength=rec.n_events)
    columns = {
        "pt": pt.astype(np.float32),
        "eta": eta.astype(np.float32),
        "phi": phi.astype(np.float32),
        "mass": mass.astype(np.float32),
        "charge": np.rint(charge[taus]).astype(np.int16),
        "genPartIdxMother": new_index[taus].astype(np.int16),
        "status": mode,
    }
    return columns, counts
