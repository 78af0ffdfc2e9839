"""One chunk of events through the whole reference detector: the order of the data flow.

pileup scalars -> jets (gen-matched + pileup) -> muons, electrons, photons, AK8 jets ->
cross-references (Muon_jetIdx, Jet_muonIdx1, Electron_photonIdx, ...) -> taus, FSR photons,
low-pt electrons, subjets -> secondary vertices and their cross-references -> MET.
"""

import numpy as np

from flashsim.refsim.electrons import electrons
from flashsim.refsim.event_scalars import event_scalars
from flashsim.refsim.fatjets import fatjets
from flashsim.refsim.fsr_photons import fsr_photons
from flashsim.refsim.gen import GenEvent
from flashsim.refsim.jets import jets_from_genjets
from flashsim.refsim.low_pt_electrons import low_pt_electrons
from flashsim.refsim.matching import local_index, nearest
from flashsim.refsim.met import missing_et
from flashsim.refsim.muons import muons
from flashsim.refsim.objects import Objects
from flashsim.refsim.photons import photons
from flashsim.refsim.pileup_jets import pileup_jets
from flashsim.refsim.random_streams import EventRandom
from flashsim.refsim.secondary_vertices import secondary_vertices
from flashsim.refsim.subjets import subjets
from flashsim.refsim.taus import taus

__all__ = ["simulate_chunk"]

_MUON_MASS = 0.1056584
_ELECTRON_MASS = 0.000511


def _jet_index(objs: Objects, jets: Objects, jet_local: np.ndarray, n: int) -> np.ndarray:
    """Local index of the nearest reco jet within dR < 0.4 (the jet the object is clustered
    into), -1 if none; also returns the flat index for counting."""
    best, _ = nearest(objs.event, objs["eta"], objs["phi"], jets.event, jets["eta"],
                      jets["phi"], n, 0.4)
    return np.where(best >= 0, jet_local[np.maximum(best, 0)], -1), best


def _closest_within(objs: Objects, others: Objects, n: int, radius: float):
    """(dR, flat index) of the closest object of ``others`` within ``radius`` of each of ``objs``, -1 none."""
    best, dr = nearest(objs.event, objs["eta"], objs["phi"], others.event, others["eta"], others["phi"], n, radius)
    return dr, best


def _first_two(flat_jet: np.ndarray, objs_local: np.ndarray, n_jets: int):
    """For each jet: count of objects pointing to it and the local indices of the first two
    (objects are in pt order, so these are the two leading ones)."""
    has = flat_jet >= 0
    j = flat_jet[has]
    loc = objs_local[has]
    order = np.argsort(j, kind="stable")
    j, loc = j[order], loc[order]
    count = np.bincount(j, minlength=n_jets)
    first = np.ones(len(j), dtype=bool)
    first[1:] = j[1:] != j[:-1]
    start = np.maximum.accumulate(np.where(first, np.arange(len(j)), 0))
    rank = np.arange(len(j)) - start
    idx1 = np.full(n_jets, -1, dtype=np.int64)
    idx2 = np.full(n_jets, -1, dtype=np.int64)
    idx1[j[rank == 0]] = loc[rank == 0]
    idx2[j[rank == 1]] = loc[rank == 1]
    return count, idx1, idx2


def _link(a: Objects, b: Objects, b_local: np.ndarray) -> np.ndarray:
    """For each row of ``a``, the local index of the row of ``b`` in the same event with the
    same supercluster id ``_sc`` (>= 0), else -1."""
    key_b = np.where(b["_sc"] >= 0, b.event * (1 << 32) + b["_sc"], -1)
    order = np.argsort(key_b)
    sorted_b = key_b[order]
    key_a = np.where(a["_sc"] >= 0, a.event * (1 << 32) + a["_sc"], -2)
    pos = np.clip(np.searchsorted(sorted_b, key_a), 0, max(len(sorted_b) - 1, 0))
    if len(sorted_b) == 0:
        return np.full(len(a), -1, dtype=np.int64)
    found = sorted_b[pos] == key_a
    return np.where(found, b_local[order[pos]], -1)


def simulate_chunk(chunk, seed: int):
    """Reco content of one chunk.

    Args:
        chunk: mapping branch name -> awkward array (the gen branches of :mod:`reader`).
        seed: the detector seed.
    Returns:
        (collections: {name: Objects sorted by pt}, scalars: {branch: [n_events] array}).
    """
    gen = GenEvent(chunk)
    n = gen.n
    rng = EventRandom(seed, gen.run, gen.lumi, gen.event)
    scalars = event_scalars(gen, rng)
    rho = scalars.pop("_rho")

    jets_gen, lost = jets_from_genjets(gen, rng, rho)
    jets, _ = Objects.concat([jets_gen, pileup_jets(gen, rng, rho)]).sorted_by_pt(n)
    mu, _ = muons(gen, rng, rho).sorted_by_pt(n)
    el, _ = electrons(gen, rng, rho).sorted_by_pt(n)
    ph, _ = photons(gen, rng, rho).sorted_by_pt(n)
    fat, _ = fatjets(gen, rng, rho).sorted_by_pt(n)
    mu["mass"] = np.full(len(mu), _MUON_MASS)
    el["mass"] = np.full(len(el), _ELECTRON_MASS)

    jet_local = local_index(jets.event, n)
    mu_local = local_index(mu.event, n)
    el_local = local_index(el.event, n)
    ph_local = local_index(ph.event, n)
    mu["jetIdx"], mu_jet = _jet_index(mu, jets, jet_local, n)
    el["jetIdx"], el_jet = _jet_index(el, jets, jet_local, n)
    ph["jetIdx"], _ = _jet_index(ph, jets, jet_local, n)
    jets["nMuons"], jets["muonIdx1"], jets["muonIdx2"] = _first_two(mu_jet, mu_local, len(jets))
    jets["nElectrons"], jets["electronIdx1"], jets["electronIdx2"] = _first_two(
        el_jet, el_local, len(jets))
    el["photonIdx"] = _link(el, ph, ph_local)
    ph["electronIdx"] = _link(ph, el, el_local)

    tau, _ = taus(gen, rng, rho).sorted_by_pt(n)
    tau["jetIdx"], _ = _jet_index(tau, jets, jet_local, n)
    fsr, _ = fsr_photons(gen, rng, mu, mu_local).sorted_by_pt(n)
    _, mu["fsrPhotonIdx"], _ = _first_two(fsr["_muon_flat"], local_index(fsr.event, n), len(mu))
    low, _ = low_pt_electrons(gen, rng, rho).sorted_by_pt(n)
    low["electronIdx"] = _link(low, el, el_local)
    low["photonIdx"] = _link(low, ph, ph_local)
    sub, _ = subjets(fat, rng).sorted_by_pt(n)
    sub_local = local_index(sub.event, n)
    for which, name in ((0, "subJetIdx1"), (1, "subJetIdx2")):
        idx = np.full(len(fat), -1, dtype=np.int64)
        rows = sub["_which"] == which
        idx[sub["_parent"][rows]] = sub_local[rows]
        fat[name] = idx

    sv, _ = secondary_vertices(gen, rng, jets, tau, scalars).sorted_by_pt(n)
    sv_local = local_index(sv.event, n)
    for objs in (jets, tau):
        _, flat = _closest_within(sv, objs, n, 0.4)
        objs["nSVs"], objs["svIdx1"], objs["svIdx2"] = _first_two(flat, sv_local, len(objs))
    for lepton in (mu, el):
        _, flat = _closest_within(lepton, sv, n, 0.4)
        heavy = np.isin(lepton["genPartFlav"], (4, 5)) & (flat >= 0)
        # a chunk may have no vertex at all (one event): no index to take
        lepton["svIdx"] = (np.where(heavy, sv_local[np.maximum(flat, 0)], -1) if len(sv)
                           else np.full(len(lepton), -1, dtype=np.int64))

    scalars.update(missing_et(gen, rng, jets, lost))
    collections = {"Jet": jets, "Muon": mu, "Electron": el, "Photon": ph, "FatJet": fat,
                   "SubJet": sub, "Tau": tau, "FsrPhoton": fsr, "LowPtElectron": low, "SV": sv}
    return collections, scalars
