"""Checks of a NanoAOD file with every collection (issue "Every collection"), shared by the tiny-bundle tests
(tests/train) and the default bundle's (tests/bundle): the cross-references between simulated collections point
at objects, and coffea's NanoAODSchema reads the file without a warning and resolves them."""

import warnings

import awkward as ak
import numpy as np
import uproot

__all__ = ["check_coffea_reads_it_without_a_warning", "check_cross_references_point_at_objects"]


def _in_range(index, size):
    """Every entry of a jagged index is -1 or points at an object of its event."""
    flat, n = ak.flatten(index), ak.flatten(ak.broadcast_arrays(size, index)[0])
    return bool(ak.all((flat == -1) | ((flat >= 0) & (flat < n))))


def check_cross_references_point_at_objects(nano):
    """Every new cross-reference is -1 or an object of its event; FatJet_subJetIdx1/2, the FSR and the SV links
    agree."""
    tree = uproot.open(nano)["Events"]
    a = tree.arrays(["nJet", "nMuon", "nFatJet", "nSubJet", "nFsrPhoton", "nElectron", "nPhoton", "Tau_jetIdx",
                     "FsrPhoton_muonIdx", "Muon_fsrPhotonIdx", "FatJet_subJetIdx1", "FatJet_subJetIdx2",
                     "LowPtElectron_electronIdx", "LowPtElectron_photonIdx", "Tau_genPartIdx", "nGenPart",
                     "Muon_eta", "Muon_phi", "FsrPhoton_eta", "FsrPhoton_phi", "nSV", "nTau", "Jet_svIdx1",
                     "Jet_svIdx2", "Jet_nSVs", "Muon_svIdx", "Electron_svIdx"]
                    + [b for b in ("Tau_svIdx1", "Tau_svIdx2") if b in tree])
    for index, target in (("Tau_jetIdx", "nJet"), ("FsrPhoton_muonIdx", "nMuon"), ("Muon_fsrPhotonIdx", "nFsrPhoton"),
                          ("FatJet_subJetIdx1", "nSubJet"), ("FatJet_subJetIdx2", "nSubJet"),
                          ("LowPtElectron_electronIdx", "nElectron"), ("LowPtElectron_photonIdx", "nPhoton"),
                          ("Tau_genPartIdx", "nGenPart"), *((b, "nSV") for b in a.fields if "svIdx" in b)):
        assert _in_range(a[index], a[target]), index
    # every SV belongs to at most one jet, which counts it; the first of a jet comes before its second
    assert ak.sum(a.nSV) > 0 and ak.sum(a.Jet_nSVs) <= ak.sum(a.nSV)
    assert ak.all((a.Jet_svIdx1 >= 0) == (a.Jet_nSVs >= 1)) and ak.all((a.Jet_svIdx2 >= 0) == (a.Jet_nSVs >= 2))
    two = a.Jet_svIdx2 >= 0
    assert ak.all(a.Jet_svIdx1[two] < a.Jet_svIdx2[two])
    # a subjet belongs to one fat jet: the two links of a fat jet differ, the harder first
    both = (a.FatJet_subJetIdx1 >= 0) & (a.FatJet_subJetIdx2 >= 0)
    assert ak.sum(both) > 0 and ak.all(a.FatJet_subJetIdx1[both] < a.FatJet_subJetIdx2[both])
    # an FSR photon lies in the search cone of the muon it points at, which points back at its first photon
    linked = a.FsrPhoton_muonIdx >= 0
    mu = a.FsrPhoton_muonIdx[linked]
    deta = a.FsrPhoton_eta[linked] - a.Muon_eta[mu]
    dphi = np.angle(np.exp(1j * ak.to_numpy(ak.flatten(a.FsrPhoton_phi[linked] - a.Muon_phi[mu]))))
    assert ak.sum(linked) > 0 and np.all(np.hypot(ak.to_numpy(ak.flatten(deta)), dphi) < 0.5)
    assert ak.all(a.Muon_fsrPhotonIdx[a.Muon_fsrPhotonIdx >= 0] >= 0)


def check_coffea_reads_it_without_a_warning(nano):
    """NanoAODSchema: no warning; events.FatJet.subjets, Tau.matched_jet, Muon.matched_fsrPhoton, ... resolve."""
    from coffea.nanoevents import NanoAODSchema, NanoEventsFactory

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        events = NanoEventsFactory.from_root({str(nano): "Events"}, schemaclass=NanoAODSchema, mode="eager").events()
        subjets = events.FatJet.subjets  # through FatJet_subJetIdx1/2
        assert ak.sum(ak.count(subjets.pt, axis=2)) == ak.sum(events.FatJet.subJetIdx1 >= 0) + ak.sum(
            events.FatJet.subJetIdx2 >= 0) > 0
        assert ak.all(events.Tau.matched_jet.pt[events.Tau.jetIdx >= 0] == events.Jet.pt[
            events.Tau.jetIdx[events.Tau.jetIdx >= 0]])
        fsr = events.Muon.matched_fsrPhoton
        assert ak.sum(~ak.is_none(fsr, axis=1)) == ak.sum(events.Muon.fsrPhotonIdx >= 0) > 0
        assert ak.sum(~ak.is_none(events.FsrPhoton.matched_muon, axis=1)) > 0
        real = events.Tau.genPartFlav == 5
        assert ak.all(abs(events.Tau.matched_gen.pdgId[real & (events.Tau.genPartIdx >= 0)]) == 15)
        assert ak.all(abs(events.LowPtElectron.matched_gen.pdgId[events.LowPtElectron.genPartIdx >= 0]) == 11)
        assert ak.sum(ak.num(events.SV.pt)) > 0 and ak.all(events.SV.dlen >= 0)  # coffea's SecondaryVertex
    assert not [str(w.message) for w in caught]
