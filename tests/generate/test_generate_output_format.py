"""The gen file opens with uproot and ROOT's RDataFrame, with NanoAOD names, types and counts."""

import numpy as np
import pytest

# branch -> numpy dtype as uproot reads it (ROOT type in the comment)
EXPECTED_TYPES = {
    "run": "uint32",  # UInt_t
    "luminosityBlock": "uint32",  # UInt_t
    "event": "uint64",  # ULong64_t
    "genWeight": "float32",
    "nGenPart": "int32",  # Int_t, as NanoAOD v12-v15
    "GenPart_pt": "float32",
    "GenPart_eta": "float32",
    "GenPart_phi": "float32",
    "GenPart_mass": "float32",
    "GenPart_pdgId": "int32",
    "GenPart_status": "int32",
    "GenPart_statusFlags": "uint16",  # UShort_t
    "GenPart_genPartIdxMother": "int16",  # Short_t
    "nGenJet": "int32",
    "GenJet_pt": "float32",
    "GenJet_eta": "float32",
    "GenJet_phi": "float32",
    "GenJet_mass": "float32",
    "GenJet_partonFlavour": "int16",  # Short_t
    "GenJet_hadronFlavour": "uint8",  # UChar_t
    "nGenJetAK8": "int32",
    "GenJetAK8_pt": "float32",
    "GenJetAK8_eta": "float32",
    "GenJetAK8_phi": "float32",
    "GenJetAK8_mass": "float32",
    "GenJetAK8_partonFlavour": "int16",
    "GenJetAK8_hadronFlavour": "uint8",
    "nGenVisTau": "int32",
    "GenVisTau_pt": "float32",
    "GenVisTau_eta": "float32",
    "GenVisTau_phi": "float32",
    "GenVisTau_mass": "float32",
    "GenVisTau_charge": "int16",
    "GenVisTau_genPartIdxMother": "int16",
    "GenVisTau_status": "uint8",
    "GenMET_pt": "float32",
    "GenMET_phi": "float32",
    "Pileup_nTrueInt": "float32",
    "Pileup_nPU": "int32",
    "Generator_binvar": "float32",
    "Generator_scalePDF": "float32",
    "Generator_weight": "float32",
    "Generator_x1": "float32",
    "Generator_x2": "float32",
    "Generator_xpdf1": "float32",
    "Generator_xpdf2": "float32",
    "Generator_id1": "int32",
    "Generator_id2": "int32",
}

ROOT_TYPES = {
    "run": "UInt_t",
    "luminosityBlock": "UInt_t",
    "event": "ULong64_t",
    "nGenPart": "Int_t",
    "GenPart_pdgId": "ROOT::VecOps::RVec<Int_t>",
    "GenPart_statusFlags": "ROOT::VecOps::RVec<UShort_t>",
    "GenPart_genPartIdxMother": "ROOT::VecOps::RVec<Short_t>",
    "GenJet_pt": "ROOT::VecOps::RVec<Float_t>",
    "GenJet_partonFlavour": "ROOT::VecOps::RVec<Short_t>",
    "GenJet_hadronFlavour": "ROOT::VecOps::RVec<UChar_t>",
    "GenVisTau_status": "ROOT::VecOps::RVec<UChar_t>",
    "GenMET_pt": "Float_t",
    "Pileup_nPU": "Int_t",
    "Pileup_nTrueInt": "Float_t",
    "genWeight": "Float_t",
}


@pytest.fixture(scope="module")
def ttbar(gen_file):
    return gen_file("ttbar", 200)


def test_uproot_names_types_counts(ttbar):
    import awkward as ak
    import uproot

    with uproot.open(ttbar) as f:
        tree = f["Events"]
        assert tree.classname == "TTree"
        arrays = tree.arrays(library="ak")
    assert set(arrays.fields) == set(EXPECTED_TYPES)
    for name, dtype in EXPECTED_TYPES.items():
        got = ak.flatten(arrays[name], axis=None).to_numpy().dtype
        assert got == np.dtype(dtype), f"{name}: {got}, expected {dtype}"
    assert len(arrays) == 200
    for coll in ("GenPart", "GenJet", "GenJetAK8", "GenVisTau"):
        assert ak.all(arrays[f"n{coll}"] == ak.num(arrays[f"{coll}_pt"])), coll
    assert ak.all(arrays.run == 1)
    assert arrays.event.to_list() == list(range(1, 201))
    assert ak.all(arrays.luminosityBlock == 1)  # 500 events per luminosity block by default


def test_bookkeeping_trees_and_metadata(ttbar):
    import uproot

    from flashsim.generate import read_metadata

    with uproot.open(ttbar) as f:
        runs = f["Runs"].arrays(library="np")
        lumis = f["LuminosityBlocks"].arrays(library="np")
    assert runs["run"].tolist() == [1]
    assert runs["genEventCount"].tolist() == [200]
    assert runs["genEventSumw"][0] == pytest.approx(200.0)
    assert runs["genEventSumw2"][0] == pytest.approx(200.0)
    assert lumis["run"].tolist() == [1]
    assert lumis["luminosityBlock"].tolist() == [1]
    meta = read_metadata(ttbar)
    assert meta["process"] == "ttbar"
    assert meta["seed"] == 1 and meta["events"] == 200 and meta["run"] == 1
    assert "Top:gg2ttbar = on" in meta["card"]
    assert meta["pythia_version"].startswith("8.3")
    assert meta["pileup"] == "uniform:20:70"


def test_rdataframe_reads_it(ttbar):
    import ROOT

    df = ROOT.RDataFrame("Events", str(ttbar))
    assert df.Count().GetValue() == 200
    for name, type_name in ROOT_TYPES.items():
        assert df.GetColumnType(name) == type_name, name
    n_b = df.Define("nb", "Sum(GenJet_hadronFlavour == 5)").Sum("nb").GetValue()
    assert n_b > 0
    meta = ROOT.TFile.Open(str(ttbar))
    try:
        assert '"process": "ttbar"' in meta.Get("flashsim_generate").GetTitle()
    finally:
        meta.Close()


def test_pileup_profile(ttbar):
    import uproot

    with uproot.open(ttbar) as f:
        pu = f["Events"].arrays(["Pileup_nTrueInt", "Pileup_nPU"], library="np")
    assert np.all((pu["Pileup_nTrueInt"] >= 20) & (pu["Pileup_nTrueInt"] <= 70))
    assert abs(np.mean(pu["Pileup_nPU"] - pu["Pileup_nTrueInt"])) < 3


@pytest.mark.filterwarnings("ignore:Missing cross-reference index:RuntimeWarning")
def test_coffea_nanoaod_schema_reads_it(ttbar):
    """coffea's NanoAODSchema builds GenPart parents and GenVisTau -> GenPart links from it
    (it warns about the reco collections a gen file does not have)."""
    import awkward as ak
    from coffea.nanoevents import NanoAODSchema, NanoEventsFactory

    ev = NanoEventsFactory.from_root({str(ttbar): "Events"}, schemaclass=NanoAODSchema, mode="eager").events()
    assert {"GenPart", "GenJet", "GenJetAK8", "GenVisTau", "GenMET", "Pileup"} <= set(ev.fields)
    prompt_mu = ev.GenPart[
        (abs(ev.GenPart.pdgId) == 13) & (ev.GenPart.status == 1) & ev.GenPart.hasFlags(["isPrompt", "isLastCopy"])
    ]
    parents = set(np.abs(ak.to_numpy(ak.flatten(prompt_mu.parent.pdgId))).tolist())
    assert parents <= {13, 15, 24}  # a previous copy, a tau, or the W
    assert ak.all(abs(ev.GenVisTau.parent.pdgId) == 15)
