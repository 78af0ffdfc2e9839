"""Every *_genJetIdx / *_genPartIdx / *Idx is -1 or a valid index of the right collection."""

import awkward as ak
import numpy as np
import pytest

INDICES = [
    ("Jet_genJetIdx", "GenJet"), ("FatJet_genJetAK8Idx", "GenJetAK8"),
    ("Muon_genPartIdx", "GenPart"), ("Electron_genPartIdx", "GenPart"),
    ("Photon_genPartIdx", "GenPart"), ("Muon_jetIdx", "Jet"), ("Electron_jetIdx", "Jet"),
    ("Photon_jetIdx", "Jet"), ("Jet_muonIdx1", "Muon"), ("Jet_muonIdx2", "Muon"),
    ("Jet_electronIdx1", "Electron"), ("Jet_electronIdx2", "Electron"),
    ("Electron_photonIdx", "Photon"), ("Photon_electronIdx", "Electron"),
    ("Jet_svIdx1", "SV"), ("Jet_svIdx2", "SV"), ("Tau_svIdx1", "SV"), ("Tau_svIdx2", "SV"), ("Muon_svIdx", "SV"),
    ("Electron_svIdx", "SV"),
]


@pytest.mark.parametrize("branch,target", INDICES)
def test_index_is_valid(ttbar, branch, target):
    idx = ttbar[branch]
    n = ttbar[f"n{target}"]
    assert ak.all(idx >= -1)
    assert ak.all(idx < n)


def test_gen_matches_are_unique_for_jets(ttbar):
    idx = ttbar.Jet_genJetIdx
    matched = idx[idx >= 0]
    assert ak.all(ak.num(matched) == ak.num(ak.run_lengths(ak.sort(matched))))


def test_jet_lepton_counts_agree(ttbar):
    for lep, short in (("Muon", "muon"), ("Electron", "electron")):
        jet_idx = ttbar[f"{lep}_jetIdx"]
        for ev in range(200):
            n_jet = int(ttbar.nJet[ev])
            counts = np.bincount(np.asarray(jet_idx[ev])[np.asarray(jet_idx[ev]) >= 0],
                                 minlength=n_jet)
            assert np.array_equal(counts, np.asarray(ttbar[f"Jet_n{lep}s"][ev]))
            first = np.asarray(ttbar[f"Jet_{short}Idx1"][ev])
            for j in range(n_jet):
                members = np.flatnonzero(np.asarray(jet_idx[ev]) == j)
                assert first[j] == (members[0] if len(members) else -1)


def test_duplicates_share_a_gen_muon(ttbar):
    """Rare duplicates: two reco muons with the same genPartIdx (none are required in a small
    sample, but any pair must be a real duplicate: the second one is not a global muon)."""
    for ev in np.flatnonzero(np.asarray(ak.num(ttbar.Muon_pt)) >= 2):
        gi = np.asarray(ttbar.Muon_genPartIdx[ev])
        gi = gi[gi >= 0]
        _, counts = np.unique(gi, return_counts=True)
        assert counts.max(initial=1) <= 2
