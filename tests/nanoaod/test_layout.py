"""One layout of an Events tree for every writer (the reference detector and flashsim simulate's
rewrite): collections by their counters, Snapshot trees by NanoAOD naming, bare arrays as such."""

import awkward as ak
import numpy as np
import pytest
import uproot

from flashsim import InputError
from flashsim.nanoaod.layout import events_layout


def test_uproot_tree_collections_scalars_and_bare_arrays(tmp_path):
    from flashsim.nanoaod import extend_in_clusters, make_events_tree, types_of

    path = tmp_path / "t.root"
    data = {"run": np.array([1, 1], np.uint32),
            "GenJet": ak.zip({"pt": [[1.0], [2.0, 3.0]], "eta": [[0.1], [0.2, 0.3]]}),
            "LHEPdfWeight": ak.Array([[0.9, 1.1], [1.0]])}
    with uproot.recreate(path) as f:
        extend_in_clusters(make_events_tree(f, types_of(data)), data)
    with uproot.open(path) as f:
        layout = events_layout(f["Events"])
        data = layout.data(f["Events"].arrays(how=dict))
    assert layout.order == ["run", "GenJet", "LHEPdfWeight"]
    assert layout.collections == {"GenJet": ["pt", "eta"]}
    assert set(layout.counter_types) == {"nGenJet", "nLHEPdfWeight"}
    assert ak.to_list(data["GenJet"].eta) == [[0.1], [0.2, 0.3]]


def test_snapshot_tree_by_nanoaod_naming(ROOT, tmp_path):
    path = tmp_path / "snap.root"
    df = ROOT.RDataFrame(3).Define("nJet", "int(rdfentry_ % 2 + 1)").Define("Jet_pt", "ROOT::RVecF(nJet, 1.f)")
    df.Define("x", "1.f").Snapshot("Events", str(path), ["nJet", "Jet_pt", "x"])
    with uproot.open(path) as f:
        layout = events_layout(f["Events"])
    assert layout.order == ["Jet", "x"] and layout.collections == {"Jet": ["pt"]}
    assert layout.counter_types == {"nJet": np.dtype("int32")}


def test_a_list_without_a_counter_is_refused(ROOT, tmp_path):
    path = tmp_path / "snap.root"
    ROOT.RDataFrame(2).Define("Muon_pt", "ROOT::RVecF(2, 1.f)").Snapshot("Events", str(path), ["Muon_pt"])
    with uproot.open(path) as f, pytest.raises(InputError, match="'Muon_pt' holds lists but has no counter column"):
        events_layout(f["Events"])
