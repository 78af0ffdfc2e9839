"""Pythia event records of many events as flat numpy arrays, and vectorised record-graph tools.

All particles of a batch sit in one flat array (event after event, Pythia's own order, entry 0
of each event being Pythia's "system" line). Mother indices are made global, so that walks
up the history (nearest ancestor with a property, any ancestor with a property) are done for
all particles of all events at once by pointer jumping: O(n log depth) numpy operations.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np

__all__ = [
    "ParticleRecord",
    "any_ancestor",
    "has_quark",
    "is_hadron",
    "nearest_ancestor",
    "pt_eta_phi",
]

# Invisible final-state particles: neutrinos, and BSM ones (sneutrinos, neutralino, gravitino).
INVISIBLE_IDS = np.array([12, 14, 16, 1000012, 1000014, 1000016, 1000022, 1000039])

# ROOT's GenVector gives |eta| = |pz| + 22756 for a particle along the beam (pt = 0).
_ETA_MAX = 22756.0


def is_hadron(abs_id: np.ndarray) -> np.ndarray:
    """Hadron from its |PDG id|: three- or more-digit codes, not diquarks, not BSM (< 10^6)."""
    return (abs_id > 100) & (abs_id < 1_000_000) & ((abs_id // 10) % 10 != 0) & ((abs_id // 100) % 10 != 0)


def has_quark(abs_id: np.ndarray, quark: int) -> np.ndarray:
    """Whether a hadron's PDG code contains ``quark`` (5: b hadrons, 4: c hadrons, onia too)."""
    digits = [(abs_id // 1000) % 10, (abs_id // 100) % 10, (abs_id // 10) % 10]
    return is_hadron(abs_id) & ((digits[0] == quark) | (digits[1] == quark) | (digits[2] == quark))


def pt_eta_phi(px, py, pz):
    """pt, eta, phi of momenta; eta along the beam as ROOT's GenVector (sign(pz)(|pz| + 22756))."""
    pt = np.hypot(px, py)
    with np.errstate(divide="ignore", invalid="ignore"):
        eta = np.where(pt > 0, np.arcsinh(pz / np.where(pt > 0, pt, 1.0)), 0.0)
    eta = np.where(pt > 0, eta, np.sign(pz) * (np.abs(pz) + _ETA_MAX))
    return pt, eta, np.arctan2(py, px)


def _pointer_jump(target: np.ndarray, max_iter: int = 64) -> np.ndarray:
    """Iterate ``t = t[t]`` to the fixed point: every entry ends on the root of its chain."""
    for _ in range(max_iter):
        nxt = target[target]
        if np.array_equal(nxt, target):
            break
        target = nxt
    return target


def nearest_ancestor(parent: np.ndarray, prop: np.ndarray) -> np.ndarray:
    """For every particle, its nearest strict ancestor with ``prop``, or -1.

    Args:
        parent: [n] global index of each particle's parent; a root is its own parent
            (Pythia's system line of each event) and must not have ``prop``.
        prop: [n] bool.
    Returns:
        [n] int64 global index, -1 where no ancestor has ``prop``.
    """
    idx = np.arange(parent.size)
    hop = _pointer_jump(np.where(prop, idx, parent))
    found = hop[parent]
    return np.where(prop[found] & (found != idx), found, -1)


def any_ancestor(parent: np.ndarray, prop: np.ndarray) -> np.ndarray:
    """[n] bool: whether any strict ancestor of a particle has ``prop``."""
    return nearest_ancestor(parent, prop) >= 0


@dataclass
class ParticleRecord:
    """The Pythia event records of a batch, flattened. Arrays are [n_particles] unless said.

    Attributes:
        offsets: [n_events + 1] start of each event in the flat arrays.
        pid, status: PDG id and Pythia status code (signed: negative = not final).
        mother1, mother2, daughter1, daughter2: global indices (Pythia's 0 -> the event's
            system line, i.e. its offset).
        px, py, pz, e, m: four-momentum and mass (GeV).
        weight: [n_events] Pythia's nominal event weight.
        hard: [n_events] fields of the hard process (Pythia's Info): id1, id2, x1, x2, pdf1,
            pdf2 (x * f(x)), Q2Fac, pT2Hat.
    """

    offsets: np.ndarray
    pid: np.ndarray
    status: np.ndarray
    mother1: np.ndarray
    mother2: np.ndarray
    daughter1: np.ndarray
    daughter2: np.ndarray
    px: np.ndarray
    py: np.ndarray
    pz: np.ndarray
    e: np.ndarray
    m: np.ndarray
    weight: np.ndarray
    hard: dict

    @classmethod
    def from_batch(cls, batch) -> ParticleRecord:
        """From the awkward array of ``Pythia.nextBatch`` (fields ``prt`` and ``info``)."""
        import awkward as ak

        prt = batch["prt"]
        counts = ak.to_numpy(ak.num(prt, axis=1)).astype(np.int64)
        offsets = np.zeros(counts.size + 1, dtype=np.int64)
        np.cumsum(counts, out=offsets[1:])
        flat = ak.flatten(prt, axis=1)
        start = np.repeat(offsets[:-1], counts)

        def column(name, *sub):
            arr = flat[name]
            for s in sub:
                arr = arr[s]
            return np.asarray(ak.to_numpy(arr))

        mom = flat["p"]
        weights = batch["info", "weights"]
        has_weight = ak.to_numpy(ak.num(weights, axis=1)) > 0
        weight = np.where(has_weight, ak.to_numpy(ak.fill_none(ak.firsts(weights), 1.0)), 1.0)
        return cls(
            offsets=offsets,
            pid=column("id").astype(np.int64),
            status=column("status").astype(np.int64),
            mother1=column("mother1").astype(np.int64) + start,
            mother2=column("mother2").astype(np.int64) + start,
            daughter1=column("daughter1").astype(np.int64) + start,
            daughter2=column("daughter2").astype(np.int64) + start,
            px=np.asarray(ak.to_numpy(mom["px"]), dtype=np.float64),
            py=np.asarray(ak.to_numpy(mom["py"]), dtype=np.float64),
            pz=np.asarray(ak.to_numpy(mom["pz"]), dtype=np.float64),
            e=np.asarray(ak.to_numpy(mom["e"]), dtype=np.float64),
            m=column("m").astype(np.float64),
            weight=weight.astype(np.float64),
            hard={
                k: np.asarray(ak.to_numpy(batch["info", k]))
                for k in ("id1", "id2", "x1", "x2", "pdf1", "pdf2", "Q2Fac", "pT2Hat")
            },
        )

    @property
    def n_events(self) -> int:
        return self.offsets.size - 1

    @property
    def counts(self) -> np.ndarray:
        return np.diff(self.offsets)

    @property
    def event_index(self) -> np.ndarray:
        """[n] the (0-based, within the batch) event of each particle."""
        return np.repeat(np.arange(self.n_events), self.counts)

    @cached_property
    def abs_id(self) -> np.ndarray:
        return np.abs(self.pid)

    @cached_property
    def _id_classes(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        # A batch holds a few hundred distinct ids among ~10^6 particles: classify the
        # distinct ones and broadcast back.
        unique, inverse = np.unique(self.abs_id, return_inverse=True)
        return (
            is_hadron(unique)[inverse],
            has_quark(unique, 5)[inverse],
            has_quark(unique, 4)[inverse],
        )

    @property
    def is_hadron(self) -> np.ndarray:
        """[n] bool: hadrons."""
        return self._id_classes[0]

    @property
    def is_b_hadron(self) -> np.ndarray:
        """[n] bool: hadrons with a b quark (onia included)."""
        return self._id_classes[1]

    @property
    def is_c_hadron(self) -> np.ndarray:
        """[n] bool: hadrons with a c quark (onia and b-c hadrons included)."""
        return self._id_classes[2]

    @property
    def is_final(self) -> np.ndarray:
        return self.status > 0

    @property
    def is_invisible(self) -> np.ndarray:
        return np.isin(self.abs_id, INVISIBLE_IDS)

    @cached_property
    def parent(self) -> np.ndarray:
        """[n] the parent used to walk up the history (system lines are roots): mother1, except
        for b and c hadrons made by hadronisation (status 81-89), whose mothers are a whole
        string (mother1..mother2): their parent is the string end carrying their heavy quark,
        so that a b hadron leads back to its b quark."""
        parent = self.mother1.copy()
        st = np.abs(self.status)
        from_string = (st >= 81) & (st <= 89) & (self.mother2 > self.mother1)
        for quark, heavy in ((5, self.is_b_hadron), (4, self.is_c_hadron & ~self.is_b_hadron)):
            heavy = from_string & heavy
            end2 = heavy & (np.abs(self.pid[self.mother2]) == quark)
            end1 = heavy & (np.abs(self.pid[self.mother1]) == quark)
            parent[end2 & ~end1] = self.mother2[end2 & ~end1]
        return parent
