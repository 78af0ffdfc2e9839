"""Extraction: every reco object lands in exactly one source; bad inputs give clear messages."""

import numpy as np
import pytest
import uproot

from flashsim import catalogue
from flashsim.errors import InputError
from flashsim.extract import extract


@pytest.fixture(scope="module")
def tables(train_sample):
    return extract([train_sample[1]], catalogue.sources())


def test_every_reco_object_is_paired_once(tables, train_sample):
    with uproot.open(train_sample[1]) as f:
        counts = {c: int(f["Events"][f"n{c}"].array(library="np").sum()) for c in ("Muon", "Electron", "Photon")}
    for collection, total in counts.items():
        paired = sum(len(t.properties) for k, t in tables.items() if k.startswith(collection + "_"))
        assert paired == total, collection  # matched + conversions/duplicates + fakes


def test_labels_and_rows(tables):
    jets = tables["Jet_GenJet"]
    assert 0.3 < jets.efficiency.label.mean() < 1.0
    assert int(jets.efficiency.label.sum()) == len(jets.properties)
    ratio = jets.properties.targets["pt"] / jets.properties.columns["GenJet_pt"]
    assert 0.8 < np.median(ratio) < 1.2
    pileup = tables["Jet_Pileup"].efficiency
    slots = pileup.columns["@index"]
    for k in range(1, int(slots.max()) + 1):  # N > k implies N > k - 1
        assert pileup.label[slots == k].mean() <= pileup.label[slots == k - 1].mean()
    assert len(tables["MET_Event"].properties) == 400
    muons = tables["Muon_GenMuon"].properties
    assert set(np.unique(muons.columns["GenPart_origin"])) <= {1, 3, 4, 5, 15}


def test_missing_branches_are_named(train_sample):
    with pytest.raises(InputError, match=r"lacks the branches \[.*'Jet_pt'"):
        extract([train_sample[0]], catalogue.sources(["Jet"]))  # a gen-only file


def test_empty_selection(train_sample):
    spec = catalogue.sources(["Muon"])[0]
    spec.select = "GenPart_pdgId == 99999"
    with pytest.raises(InputError, match="Muon_GenMuon: the selection is empty"):
        extract([train_sample[1]], [spec])


def test_non_finite_values_are_named(ROOT, train_sample, tmp_path):
    bad = tmp_path / "nan.root"
    df = ROOT.RDataFrame("Events", str(train_sample[1])).Redefine(
        "GenMET_pt", "rdfentry_ == 3 ? std::numeric_limits<float>::quiet_NaN() : GenMET_pt")
    df.Snapshot("Events", str(bad))
    with pytest.raises(InputError, match="Rho_Event: conditioning column 'GenMET_pt' has 1 non-finite"):
        extract([bad], catalogue.sources(["Rho"]))
