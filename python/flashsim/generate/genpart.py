"""GenPart: NanoAOD status codes and statusFlags from a Pythia record, the pruning, the mothers.

statusFlags follow CMS's MCTruthHelper (bit: meaning), computed for all particles at once:

 0 isPrompt: no decayed hadron, muon or tau among the ancestors
 1 isDecayedLeptonHadron: a hadron or lepton that decayed (status 2)
 2 isTauDecayProduct, 3 isPromptTauDecayProduct (the tau is prompt)
 4 isDirectTauDecayProduct, 5 isDirectPromptTauDecayProduct: the nearest decayed ancestor is
   the tau itself (not an intermediate hadron)
 6 isDirectHadronDecayProduct: the nearest decayed ancestor is a hadron
 7 isHardProcess: Pythia status 21-29
 8 fromHardProcess: a hard-process particle or one of its copies (same id, down the shower)
 9 isHardProcessTauDecayProduct, 10 isDirectHardProcessTauDecayProduct
11 fromHardProcessBeforeFSR: fromHardProcess and isLastCopyBeforeFSR
12 isFirstCopy, 13 isLastCopy: no mother / no daughter with the same id
14 isLastCopyBeforeFSR: the copy that radiates first (or the last copy if none radiates)

The pruning follows NanoAOD's ``finalGenParticles``: taus (with the decay chain of prompt or
pt > 15 GeV ones), all electrons and muons (heavy-flavour decays included) and their mothers,
photons with pt > 10 GeV or prompt with pt > 2 GeV, b and c hadrons, prompt neutrinos and
those from tau or heavy-flavour decays, the hard process and the last copies of its particles,
partons entering hadronisation with pt > 15 GeV, W, Z, H, H+, top, and BSM particles.
``genPartIdxMother`` points to the nearest kept ancestor (following Pythia's mother1).
"""

from __future__ import annotations

import numpy as np

from flashsim.generate.particles import (
    ParticleRecord,
    any_ancestor,
    nearest_ancestor,
    pt_eta_phi,
)

__all__ = ["FLAG_BITS", "GenParticleTruth", "gen_particles", "hepmc_status", "truth"]

FLAG_BITS = {
    "isPrompt": 0,
    "isDecayedLeptonHadron": 1,
    "isTauDecayProduct": 2,
    "isPromptTauDecayProduct": 3,
    "isDirectTauDecayProduct": 4,
    "isDirectPromptTauDecayProduct": 5,
    "isDirectHadronDecayProduct": 6,
    "isHardProcess": 7,
    "fromHardProcess": 8,
    "isHardProcessTauDecayProduct": 9,
    "isDirectHardProcessTauDecayProduct": 10,
    "fromHardProcessBeforeFSR": 11,
    "isFirstCopy": 12,
    "isLastCopy": 13,
    "isLastCopyBeforeFSR": 14,
}

_VIP_BOSONS = np.array([23, 24, 25, 37])


def hepmc_status(rec: ParticleRecord) -> np.ndarray:
    """GenPart_status as CMS stores it (Pythia's statusHepMC): 1 final, 2 decayed hadron/mu/tau,
    4 beam, otherwise |Pythia status| (21-29 hard process, 62 last top copy, 71 ...)."""
    st = rec.status
    aid = rec.abs_id
    decays = rec.is_hadron | (aid == 13) | (aid == 15)
    d1 = np.clip(rec.daughter1, 0, rec.pid.size - 1)
    decays &= rec.pid[d1] != rec.pid  # a particle "decaying" into itself is a copy, not a decay
    out = np.where((st <= -11) & (st >= -200), -st, 0)
    out = np.where((st < 0) & decays, 2, out)
    out = np.where(st == -12, 4, out)
    return np.where(st > 0, 1, out)


class GenParticleTruth:
    """Per-particle truth of a flat record: copy chains, decays, status flags. Arrays are [n]."""

    def __init__(self, rec: ParticleRecord):
        self.rec = rec
        n = rec.pid.size
        idx = np.arange(n)
        pid, aid, parent = rec.pid, rec.abs_id, rec.parent
        self.status = hepmc_status(rec)
        status_abs = np.abs(rec.status)

        # Copies: a mother with the same id (shower recoil/emission copies, hadronisation copies).
        same1 = pid[rec.mother1] == pid
        m2 = np.where(rec.mother2 > rec.offsets[rec.event_index], rec.mother2, rec.mother1)
        same2 = pid[m2] == pid
        roots = rec.offsets[:-1]
        self.copy_parent = np.where(same1, rec.mother1, np.where(same2, m2, idx))
        self.copy_parent[roots] = roots
        is_copy_child = self.copy_parent != idx
        has_copy_child = np.zeros(n, dtype=bool)
        has_copy_child[self.copy_parent[is_copy_child]] = True
        n_children = np.bincount(parent, minlength=n)
        n_children[roots] -= 1  # the system line is its own parent
        self.is_first_copy = ~is_copy_child
        self.is_last_copy = ~has_copy_child
        radiates = has_copy_child & (n_children >= 2)
        self.is_last_copy_before_fsr = (radiates | self.is_last_copy) & ~any_ancestor(self.copy_parent, radiates)

        # Decays: hadrons, muons and taus whose daughters are Pythia decay products (91-99).
        decay_product = (status_abs >= 91) & (status_abs <= 99)
        self.hadron = rec.is_hadron
        self.decayed = np.zeros(n, dtype=bool)
        self.decayed[parent[decay_product]] = True
        self.decayed &= self.hadron | (aid == 13) | (aid == 15)
        self.decayed[roots] = False
        decayed_tau = self.decayed & (aid == 15)

        self.is_prompt = ~any_ancestor(parent, self.decayed)
        self.nearest_decayed = nearest_ancestor(parent, self.decayed)
        self.nearest_tau = nearest_ancestor(parent, decayed_tau)
        has_tau = self.nearest_tau >= 0
        tau = np.where(has_tau, self.nearest_tau, 0)
        direct = self.nearest_decayed >= 0
        nearest = np.where(direct, self.nearest_decayed, 0)
        direct_tau = direct & (aid[nearest] == 15)
        direct_hadron = direct & self.hadron[nearest]

        self.is_hard_process = (status_abs >= 21) & (status_abs <= 29)
        self.from_hard_process = self.is_hard_process | any_ancestor(self.copy_parent, self.is_hard_process)
        tau_prompt = has_tau & self.is_prompt[tau]
        tau_hard = has_tau & self.from_hard_process[tau]

        flags = {
            "isPrompt": self.is_prompt,
            "isDecayedLeptonHadron": (self.status == 2) & (self.hadron | (aid >= 11) & (aid <= 18)),
            "isTauDecayProduct": has_tau,
            "isPromptTauDecayProduct": tau_prompt,
            "isDirectTauDecayProduct": direct_tau,
            "isDirectPromptTauDecayProduct": direct_tau & tau_prompt,
            "isDirectHadronDecayProduct": direct_hadron,
            "isHardProcess": self.is_hard_process,
            "fromHardProcess": self.from_hard_process,
            "isHardProcessTauDecayProduct": tau_hard,
            "isDirectHardProcessTauDecayProduct": direct_tau & tau_hard,
            "fromHardProcessBeforeFSR": self.from_hard_process & self.is_last_copy_before_fsr,
            "isFirstCopy": self.is_first_copy,
            "isLastCopy": self.is_last_copy,
            "isLastCopyBeforeFSR": self.is_last_copy_before_fsr,
        }
        bits = np.zeros(n, dtype=np.uint16)
        for name, value in flags.items():
            bits |= value.astype(np.uint16) << np.uint16(FLAG_BITS[name])
        self.status_flags = bits

    def keep(self) -> np.ndarray:
        """[n] bool: the NanoAOD-like pruned selection (see the module docstring)."""
        rec = self.rec
        aid, parent = rec.abs_id, rec.parent
        pt = np.hypot(rec.px, rec.py)
        final = rec.is_final
        st = np.abs(rec.status)

        keep = np.zeros(aid.size, dtype=bool)
        # Taus; full decay chain of prompt or pt > 15 GeV taus; first decay products of all.
        tau = aid == 15
        keep |= tau
        chain_tau = self.decayed & tau & (self.is_prompt | (pt > 15.0))
        keep |= any_ancestor(parent, chain_tau)
        keep |= self.decayed[parent] & (aid[parent] == 15)
        # Leptons (heavy-flavour decays included) and photons, each with its first mother.
        photon = (aid == 22) & final & ((pt > 10.0) | (self.is_prompt & (pt > 2.0)))
        lepton = (aid == 11) | (aid == 13)
        with_mother = photon | lepton
        keep |= with_mother
        keep[parent[with_mother]] = True
        # Heavy-flavour hadrons.
        heavy = rec.is_b_hadron | rec.is_c_hadron
        keep |= heavy
        # Neutrinos: prompt, or from a tau or heavy-flavour decay.
        neutrino = (aid == 12) | (aid == 14) | (aid == 16)
        via = np.where(self.nearest_decayed >= 0, self.nearest_decayed, 0)
        keep |= neutrino & (self.is_prompt | (self.nearest_decayed >= 0) & ((aid[via] == 15) | heavy[via]))
        # Hard-process summary, high-pt partons entering hadronisation, bosons and tops, BSM.
        keep |= self.is_hard_process
        keep |= self.from_hard_process & (self.is_last_copy | final | (self.status == 2))
        keep |= (st > 70) & (st < 80) & (pt > 15.0)
        keep |= np.isin(aid, _VIP_BOSONS)
        keep |= (aid >= 1_000_001) & (aid <= 1_000_039) | (aid >= 2_000_001) & (aid <= 2_000_015)
        # Never the beams or Pythia's system lines.
        keep &= (rec.status != -12) & (rec.pid != 90)
        keep[rec.offsets[:-1]] = False
        return keep


def truth(rec: ParticleRecord) -> GenParticleTruth:
    return GenParticleTruth(rec)


def gen_particles(rec: ParticleRecord, tr: GenParticleTruth):
    """The pruned GenPart collection.

    Returns:
        (columns, counts, new_index): ``columns`` maps GenPart branch names (without prefix)
        to flat numpy arrays of the kept particles, ``counts`` [n_events] the kept multiplicity,
        ``new_index`` [n] the index of each particle in its event's GenPart list (-1 if dropped).
    """
    keep = tr.keep()
    ev = rec.event_index
    kept = np.flatnonzero(keep)
    counts = np.bincount(ev[kept], minlength=rec.n_events)
    starts = np.concatenate([[0], np.cumsum(counts)[:-1]])
    new_index = np.full(keep.size, -1, dtype=np.int64)
    new_index[kept] = np.arange(kept.size) - starts[ev[kept]]
    mother = nearest_ancestor(rec.parent, keep)[kept]
    mother_idx = np.where(mother >= 0, new_index[np.where(mother >= 0, mother, 0)], -1)
    pt, eta, phi = pt_eta_phi(rec.px[kept], rec.py[kept], rec.pz[kept])
    columns = {
        "pt": pt.astype(np.float32),
        "eta": eta.astype(np.float32),
        "phi": phi.astype(np.float32),
        "mass": rec.m[kept].astype(np.float32),
        "pdgId": rec.pid[kept].astype(np.int32),
        "status": tr.status[kept].astype(np.int32),
        "statusFlags": tr.status_flags[kept].astype(np.uint16),
        "genPartIdxMother": mother_idx.astype(np.int16),
    }
    return columns, counts, new_index
