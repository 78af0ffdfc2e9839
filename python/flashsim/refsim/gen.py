"""Gen-level inputs of one chunk as flat arrays, and the origin of gen leptons and photons.

The origin follows NanoAOD's ``genPartFlav`` convention: 1 prompt, 15 from a prompt tau,
5 from a b hadron, 4 from a c hadron (no b), 3 light hadron / unknown.
"""

import awkward as ak
import numpy as np

from flashsim.refsim.matching import nearest
from flashsim.refsim.objects import Objects

__all__ = ["GenEvent", "hadron_flavour_of_pdgid"]

# GenPart_statusFlags bits (NanoAOD)
IS_PROMPT = 1 << 0
IS_PROMPT_TAU_DECAY_PRODUCT = 1 << 3
IS_DIRECT_PROMPT_TAU_DECAY_PRODUCT = 1 << 5
FROM_HARD_PROCESS = 1 << 8
IS_LAST_COPY = 1 << 13


def _flat(array) -> np.ndarray:
    return ak.to_numpy(ak.flatten(array, axis=1))


def _collection(chunk, name, fields, n_events) -> Objects:
    counts = ak.to_numpy(ak.num(chunk[f"{name}_{fields[0]}"], axis=1))
    event = np.repeat(np.arange(n_events, dtype=np.int64), counts)
    cols = {f: _flat(chunk[f"{name}_{f}"]) for f in fields}
    cols["index"] = np.arange(len(event), dtype=np.int64) - np.repeat(
        np.cumsum(counts) - counts, counts)
    return Objects(event, **cols)


def hadron_flavour_of_pdgid(pdg: np.ndarray) -> np.ndarray:
    """5 for b hadrons, 4 for c hadrons, 0 otherwise (quarks and leptons are not hadrons)."""
    a = np.abs(pdg)
    hadron = a >= 100
    q1 = (a // 100) % 10
    q2 = (a // 1000) % 10
    is_b = hadron & ((q1 == 5) | (q2 == 5))
    is_c = hadron & ((q1 == 4) | (q2 == 4))
    return np.where(is_b, 5, np.where(is_c, 4, 0))


class GenEvent:
    """The gen-level content of a chunk that the detector responds to.

    Attributes:
        n: number of events. run, lumi, event: [n]. n_pu: [n] Pileup_nPU.
        genpart, genjet, genjet_ak8: :class:`Objects` with the NanoAOD fields plus ``index``
            (position in the event's gen collection, the value of *_genPartIdx/_genJetIdx).
        genpart has ``origin`` (genPartFlav-like); :meth:`final_state` adds ``activity``.
    """

    def __init__(self, chunk, max_ancestry: int = 40):
        self.n = len(chunk["event"])
        n = self.n
        self.run = ak.to_numpy(chunk["run"])
        self.lumi = ak.to_numpy(chunk["luminosityBlock"])
        self.event = ak.to_numpy(chunk["event"])
        self.n_pu = ak.to_numpy(chunk["Pileup_nPU"]).astype(np.int64)
        self.n_true = ak.to_numpy(chunk["Pileup_nTrueInt"]).astype(np.float64)
        self.genmet_pt = ak.to_numpy(chunk["GenMET_pt"]).astype(np.float64)
        self.genmet_phi = ak.to_numpy(chunk["GenMET_phi"]).astype(np.float64)
        self.genpart = _collection(
            chunk, "GenPart",
            ["pt", "eta", "phi", "mass", "pdgId", "status", "statusFlags", "genPartIdxMother"], n)
        self.genjet = _collection(
            chunk, "GenJet", ["pt", "eta", "phi", "mass", "partonFlavour", "hadronFlavour"], n)
        self.genjet_ak8 = _collection(
            chunk, "GenJetAK8", ["pt", "eta", "phi", "mass", "hadronFlavour"], n)
        self.genvistau = _collection(
            chunk, "GenVisTau", ["pt", "eta", "phi", "mass", "charge", "genPartIdxMother",
                                 "status"], n)
        for objs in (self.genpart, self.genjet, self.genjet_ak8, self.genvistau):
            for k in ("pt", "eta", "phi", "mass"):
                objs[k] = objs[k].astype(np.float64)
        self._classify(max_ancestry)

    def _classify(self, max_ancestry):
        gp = self.genpart
        gp["abs_pdg"] = np.abs(gp["pdgId"].astype(np.int64))
        gp["final"] = gp["status"] == 1
        counts = gp.counts(self.n)
        start = np.repeat(np.cumsum(counts) - counts, counts)
        mother_local = gp["genPartIdxMother"].astype(np.int64)
        self._mother = np.where(mother_local >= 0, mother_local + start, -1)
        self._hf_of = hadron_flavour_of_pdgid(gp["abs_pdg"])
        self._max_ancestry = max_ancestry

    def _origin(self, flat_index: np.ndarray, flags: np.ndarray) -> np.ndarray:
        """genPartFlav-like origin of the particles at ``flat_index``: walks their mother chains
        at once and keeps the heaviest heavy-flavour hadron ancestor."""
        hf = np.zeros(len(flat_index), dtype=np.int64)
        cur = self._mother[flat_index]
        for _ in range(self._max_ancestry):
            alive = cur >= 0
            if not alive.any():
                break
            anc = np.where(alive, cur, 0)
            hf = np.maximum(hf, np.where(alive, self._hf_of[anc], 0))
            cur = np.where(alive, self._mother[anc], -1)
        origin = np.full(len(flat_index), 3, dtype=np.int64)
        origin[hf == 4] = 4
        origin[hf == 5] = 5
        flags = flags.astype(np.int64)
        origin[(flags & IS_PROMPT) != 0] = 1
        tau = (flags & (IS_PROMPT_TAU_DECAY_PRODUCT | IS_DIRECT_PROMPT_TAU_DECAY_PRODUCT)) != 0
        origin[tau] = 15
        return origin

    def weak_heavy_hadrons(self, min_pt: float) -> Objects:
        """The b and c hadrons that decay weakly (no daughter hadron of their own flavour: a B*
        decays to a B, a B to a D, which is then the next one) above ``min_pt``; ``flavour`` 5 or 4."""
        gp = self.genpart
        has_mother = self._mother >= 0
        same = has_mother & (self._hf_of > 0)
        same &= self._hf_of == self._hf_of[np.where(has_mother, self._mother, 0)]
        decays_strongly = np.zeros(len(gp), dtype=bool)
        decays_strongly[self._mother[same]] = True
        flat_index = np.flatnonzero((self._hf_of > 0) & ~decays_strongly & (gp["pt"] > min_pt))
        out = gp.take(flat_index)
        out["flavour"] = self._hf_of[flat_index]
        return out

    def final_state(self, abs_pdg: int, min_pt: float) -> Objects:
        """Final-state (status 1) gen particles of one kind above ``min_pt``."""
        gp = self.genpart
        flat_index = np.flatnonzero(
            gp["final"] & (gp["abs_pdg"] == abs_pdg) & (gp["pt"] > min_pt))
        out = gp.take(flat_index)
        out["origin"] = self._origin(flat_index, out["statusFlags"])
        # Hadronic activity around each particle: pt of the gen jet containing it minus its own
        # pt (gen jets include leptons and photons). Drives isolation and fakes.
        best, _ = nearest(out.event, out["eta"], out["phi"], self.genjet.event,
                          self.genjet["eta"], self.genjet["phi"], self.n, 0.4)
        jet_pt = np.where(best >= 0, self.genjet["pt"][np.maximum(best, 0)], 0.0)
        out["activity"] = np.maximum(jet_pt - out["pt"], 0.0)
        out["genjet_flat"] = best
        return out
