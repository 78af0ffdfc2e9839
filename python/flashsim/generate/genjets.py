"""GenJet and GenJetAK8: anti-kt clustering of visible final-state particles, with flavour.

Flavour is assigned by ghost association (the CMS "JetFlavourClustering" definition): the
weakly decaying b and c hadrons (those with no b/c hadron among their daughters) and the
partons entering hadronisation (Pythia status 71-79: quarks d..b and gluons) are added to the
clustering with their momenta scaled by 1e-18, so they follow the jets without changing them.

* ``hadronFlavour``: 5 if a b-hadron ghost is in the jet, else 4 if a c-hadron ghost is, else 0.
* ``partonFlavour``: the signed PDG id of the hardest parton ghost in the jet; when the
  hadron flavour is 5 (4), the hardest b (c) parton ghost is preferred if there is one;
  0 without parton ghosts.

Every event of a batch is clustered in one call of FastJet's awkward (many-event) interface.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from flashsim.generate.particles import ParticleRecord, pt_eta_phi

__all__ = ["GHOST_SCALE", "JetCollection", "JetDefinition", "cluster_jets", "flavour_ghosts"]

GHOST_SCALE = 1e-18

_GHOST_NONE, _GHOST_B, _GHOST_C, _GHOST_PARTON = 0, 1, 2, 3


@dataclass(frozen=True)
class JetDefinition:
    """An anti-kt jet collection: its NanoAOD name, radius and minimum pt (GeV)."""

    name: str
    radius: float
    min_pt: float


AK4 = JetDefinition("GenJet", 0.4, 10.0)
AK8 = JetDefinition("GenJetAK8", 0.8, 100.0)


@dataclass
class JetCollection:
    """Jets of a batch, flat over events, sorted by decreasing pt within each event.

    Attributes:
        columns: branch name (without prefix) -> flat array (NanoAOD types).
        counts: [n_events] jets per event.
    """

    columns: dict
    counts: np.ndarray


def flavour_ghosts(rec: ParticleRecord) -> tuple[np.ndarray, np.ndarray]:
    """The particles used as flavour ghosts and their kind.

    Args:
        rec: the flat record.
    Returns:
        (index [n_ghosts] global particle index, kind [n_ghosts] 1 b hadron, 2 c hadron, 3 parton)
    """
    aid, parent = rec.abs_id, rec.parent
    b_had = rec.is_b_hadron
    c_had = rec.is_c_hadron
    # A hadron with a b (c) hadron daughter is not the weakly decaying one.
    has_b_daughter = np.zeros(aid.size, dtype=bool)
    has_b_daughter[parent[b_had]] = True
    has_c_daughter = np.zeros(aid.size, dtype=bool)
    has_c_daughter[parent[c_had]] = True
    last_b = b_had & ~has_b_daughter
    last_c = c_had & ~has_c_daughter
    st = np.abs(rec.status)
    parton = (st >= 71) & (st <= 79) & ((aid <= 5) | (aid == 21)) & (aid >= 1)
    kind = np.zeros(aid.size, dtype=np.int8)
    kind[parton] = _GHOST_PARTON
    kind[last_c] = _GHOST_C
    kind[last_b] = _GHOST_B
    index = np.flatnonzero(kind != _GHOST_NONE)
    return index, kind[index]


_BANNER_DONE = False


def _silence_fastjet_banner() -> None:
    """FastJet prints its banner once per process on stdout, which is the CLI's output channel:
    print it once into /dev/null (FastJet is credited in docs/generate.md)."""
    global _BANNER_DONE
    if _BANNER_DONE:
        return
    _BANNER_DONE = True
    import os
    import sys

    try:
        from fastjet._swig import _fastjet_swig
    except ImportError:
        return
    sys.stdout.flush()
    saved = os.dup(1)
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, 1)
        _fastjet_swig.ClusterSequence_print_banner()
    finally:
        os.dup2(saved, 1)
        os.close(saved)
        os.close(devnull)


def _group_argmax(group: np.ndarray, key: np.ndarray, n_groups: int) -> np.ndarray:
    """[n_groups] position (into ``group``) of the largest ``key`` in each group, or -1."""
    out = np.full(n_groups, -1, dtype=np.int64)
    if group.size == 0:
        return out
    order = np.lexsort((-key, group))
    first = np.concatenate([[True], group[order][1:] != group[order][:-1]])
    out[group[order][first]] = order[first]
    return out


def cluster_jets(
    rec: ParticleRecord,
    ghost_index: np.ndarray,
    ghost_kind: np.ndarray,
    definitions: tuple[JetDefinition, ...] = (AK4, AK8),
) -> dict[str, JetCollection]:
    """Cluster visible final-state particles plus flavour ghosts, for each jet definition."""
    import awkward as ak
    import fastjet

    _silence_fastjet_banner()
    visible = np.flatnonzero(rec.is_final & ~rec.is_invisible)
    ev = rec.event_index
    # Inputs: visible particles then ghosts, grouped by event (stable sort keeps Pythia order).
    inputs = np.concatenate([visible, ghost_index])
    kind = np.concatenate([np.zeros(visible.size, dtype=np.int8), ghost_kind])
    scale = np.where(kind == _GHOST_NONE, 1.0, GHOST_SCALE)
    order = np.argsort(ev[inputs], kind="stable")
    inputs, kind, scale = inputs[order], kind[order], scale[order]
    counts = np.bincount(ev[inputs], minlength=rec.n_events)
    in_offsets = np.concatenate([[0], np.cumsum(counts)])
    four = ak.zip(
        {
            "px": rec.px[inputs] * scale,
            "py": rec.py[inputs] * scale,
            "pz": rec.pz[inputs] * scale,
            "E": rec.e[inputs] * scale,
        }
    )
    four = ak.unflatten(four, counts)

    out = {}
    for jd in definitions:
        cs = fastjet.ClusterSequence(four, fastjet.JetDefinition(fastjet.antikt_algorithm, jd.radius))
        jets = cs.inclusive_jets(min_pt=jd.min_pt)
        const = cs.constituent_index(min_pt=jd.min_pt)
        jpt = np.hypot(jets.px, jets.py)
        by_pt = ak.argsort(jpt, axis=1, ascending=False)
        jets, const = jets[by_pt], const[by_pt]
        n_jets = ak.to_numpy(ak.num(jets, axis=1)).astype(np.int64)
        total = int(n_jets.sum())
        px = ak.to_numpy(ak.flatten(jets.px)).astype(np.float64)
        py = ak.to_numpy(ak.flatten(jets.py)).astype(np.float64)
        pz = ak.to_numpy(ak.flatten(jets.pz)).astype(np.float64)
        e = ak.to_numpy(ak.flatten(jets.E)).astype(np.float64)
        pt, eta, phi = pt_eta_phi(px, py, pz)
        mass = np.sqrt(np.maximum(e**2 - px**2 - py**2 - pz**2, 0.0))

        # Constituents -> positions in the flat input list, and the jet each belongs to.
        per_jet = ak.flatten(const, axis=1)
        n_const = ak.to_numpy(ak.num(per_jet, axis=1)).astype(np.int64)
        jet_event = np.repeat(np.arange(rec.n_events), n_jets)
        flat_pos = ak.to_numpy(ak.flatten(per_jet)).astype(np.int64) + np.repeat(in_offsets[:-1][jet_event], n_const)
        const_jet = np.repeat(np.arange(total), n_const)
        const_kind = kind[flat_pos]
        has_b = np.zeros(total, dtype=bool)
        has_b[const_jet[const_kind == _GHOST_B]] = True
        has_c = np.zeros(total, dtype=bool)
        has_c[const_jet[const_kind == _GHOST_C]] = True
        hadron_flavour = np.where(has_b, 5, np.where(has_c, 4, 0))

        is_parton = const_kind == _GHOST_PARTON
        p_jet = const_jet[is_parton]
        p_particle = inputs[flat_pos[is_parton]]
        p_id = rec.pid[p_particle]
        p_pt = np.hypot(rec.px[p_particle], rec.py[p_particle])
        preferred = np.abs(p_id) == hadron_flavour[p_jet]
        # Preferred flavour first, then the hardest: pt < 14 TeV, so 1e5 separates the classes.
        best = _group_argmax(p_jet, p_pt + 1e5 * preferred, total)
        parton_flavour = np.zeros(total, dtype=np.int64)
        found = best >= 0
        parton_flavour[found] = p_id[best[found]]

        out[jd.name] = JetCollection(
            columns={
                "pt": pt.astype(np.float32),
                "eta": eta.astype(np.float32),
                "phi": phi.astype(np.float32),
                "mass": mass.astype(np.float32),
                "partonFlavour": parton_flavour.astype(np.int16),
                "hadronFlavour": hadron_flavour.astype(np.uint8),
            },
            counts=n_jets,
        )
    return out
