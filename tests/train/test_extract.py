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
    assert len(tables["PuppiMET_Event"].properties) == 400  # the reference detector's MET (NanoAOD v15)
    muons = tables["Muon_GenMuon"].properties
    assert set(np.unique(muons.columns["GenPart_origin"])) <= {1, 3, 4, 5, 15}


def test_missing_branches_are_named(train_sample, ROOT, tmp_path):
    with pytest.raises(InputError, match=r"ttbar_400_\d+\.root: has no reco branch of any catalogue "
                                         r"collection \(Jet\)"):
        extract([train_sample[0]], catalogue.sources(["Jet"]))  # a gen-only file
    no_match = tmp_path / "no_genJetIdx.root"  # a reco file without its matching branch
    columns = [str(c) for c in ROOT.RDataFrame("Events", str(train_sample[1])).GetColumnNames()
               if str(c) != "Jet_genJetIdx"]
    ROOT.RDataFrame("Events", str(train_sample[1])).Snapshot("Events", str(no_match), columns)
    with pytest.raises(InputError, match=r"no_genJetIdx.root: lacks the branches \['Jet_genJetIdx'\]"):
        extract([no_match], catalogue.sources(["Jet"])[:1])
    skipped = {}
    tables = extract([no_match], catalogue.sources(["Jet"]), skipped=skipped)
    assert tables == {}  # the pileup jets are the unmatched ones: they need Jet_genJetIdx too
    assert all("Jet_genJetIdx" in skipped[key] for key in ("Jet_GenJet", "Jet_Pileup"))


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


def test_a_real_file_gives_tables_for_what_it_has():
    """The real CMS NanoAOD v12 file (tests/data): every source whose collection it has is extracted,
    with the file's branches as targets; the others (this skim has no Photon, 200 events no duplicate
    muon) are left out with the reason, not an error."""
    from pathlib import Path

    nano = Path(__file__).resolve().parents[1] / "data" / "nano_tt_v12.root"
    skipped: dict = {}
    tables = extract([nano], catalogue.sources(), skipped=skipped)
    assert {"Jet_GenJet", "Jet_Pileup", "Muon_GenMuon", "Electron_GenElectron", "FatJet_GenJetAK8", "MET_Event",
            "PuppiMET_Event", "PV_Event"} <= set(tables)
    assert skipped["Photon_GenPhoton"] == "the input has no branches of its collection"
    assert "the selection is empty" in skipped["Muon_Duplicate"]
    assert not set(tables) & set(skipped)
    assert all(len(t.properties) > 0 for t in tables.values())
    jets = tables["Jet_GenJet"].properties.targets  # v12's jet branches, not the reference detector's
    assert "btagPNetB" in jets and "qgl" not in jets and "puId" not in jets
    with pytest.raises(InputError, match="Muon_Duplicate: the selection is empty"):  # without ``skipped``: strict
        extract([nano], catalogue.sources(["Muon"]))


def test_training_stops_only_when_nothing_is_left(train_sample, tmp_path):
    from flashsim.train.config import load_config
    from flashsim.train.pipeline import train_bundle

    with pytest.raises(InputError, match="has no reco branch of any catalogue collection"):
        train_bundle([train_sample[0]], tmp_path / "b", load_config({"collections": ["Jet"], "progress": False}),
                     log=lambda *a: None)  # a gen-only file
    assert not (tmp_path / "b").exists()


def test_a_source_built_from_reference_reco_objects(train_sample):
    """Objects built from other reco objects (Tau <- Jet) train on the reference detector's: one candidate
    per reference jet, labelled when a tau's Tau_jetIdx points at it, the conditioning read from that jet
    (the simulation reads FlashSim's own jets under the same names)."""
    import awkward as ak

    from flashsim.catalogue.spec import Input, SourceSpec, log, standardized

    tau = SourceSpec("Tau", "FromJet", "matched", [Input("log_pt", "Jet_pt", log()),
                                                   Input("eta", "Jet_eta", standardized())],
                     gen_collection="Jet", index_branch="jetIdx")
    t = extract([train_sample[1]], [tau])["Tau_FromJet"]
    with uproot.open(train_sample[1]) as f:
        a = f["Events"].arrays(["nJet", "Jet_pt", "Tau_pt", "Tau_jetIdx"])
    assert len(t.efficiency) == ak.sum(a.nJet)
    pointed = {(e, j) for e, jets in enumerate(ak.to_list(a.Tau_jetIdx)) for j in jets if j >= 0}
    assert len(pointed) > 10 and int(t.efficiency.label.sum()) == len(pointed) == len(t.properties)
    jet_pt = ak.to_list(a.Jet_pt)  # each labelled jet's row carries that reference jet's pt
    assert sorted(t.properties.columns["Jet_pt"]) == pytest.approx(sorted(jet_pt[e][j] for e, j in pointed), rel=1e-6)
    assert {"pt", "decayMode", "genPartFlav"} <= set(t.properties.targets)
