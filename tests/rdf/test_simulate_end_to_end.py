"""End to end on a real generated file: Pythia8 ttbar -> ``flashsim simulate`` (every source kind,
oversampled) -> a NanoAOD file that ROOT, uproot and coffea's NanoAODSchema read."""

import warnings

import awkward as ak
import numpy as np
import pytest
import uproot
from test_sources import write_source_bundle

from flashsim.bundle import read_manifest, write_manifest
from flashsim.cli import main

K = 2


def nanoaod_bundle(directory):
    """The every-source bundle plus the mass branches coffea's candidates need."""
    write_source_bundle(directory)
    manifest = read_manifest(directory)
    jet, muon = manifest["collections"][0], manifest["collections"][1]
    jet["sources"][0]["copies"].append({"branch": "mass", "type": "Float_t", "gen": "GenJet_mass"})
    jet["sources"][1]["copies"].append({"branch": "mass", "type": "Float_t", "fallback": 5.0})
    for source in muon["sources"]:
        source.setdefault("copies", []).append({"branch": "mass", "type": "Float_t", "fallback": 0.1057})
    for rank in (0, 1):  # NanoAOD's Jet_muonIdx1/2: the first and second muon pointing at the jet
        manifest["postprocess"].append({"column": f"Jet_muonIdx{rank + 1}", "requires": ["Muon", "Jet"],
                                        "op": "inverse_index", "index": "Muon_jetIdx", "size_of": "Jet_pt",
                                        "rank": rank})
    write_manifest(directory, manifest)
    return directory


@pytest.fixture(scope="module")
def ttbar(gen_file):
    return gen_file("ttbar", 100)


@pytest.fixture(scope="module")
def nano(ttbar, tmp_path_factory):
    folder = tmp_path_factory.mktemp("e2e")
    bundle = nanoaod_bundle(folder / "bundle")
    out = folder / "nano.root"
    args = ["simulate", str(ttbar), "-o", str(out), "--bundle", str(bundle), "--seed", "3", "--oversample", str(K),
            "--threads", "2", "--no-progress"]
    assert main(args) == 0
    return out


def test_events_runs_and_lumis(ttbar, nano):
    with uproot.open(ttbar) as g, uproot.open(nano) as o:
        gen_ids = g["Events"].arrays(["run", "luminosityBlock", "event"], library="np")
        ids = o["Events"].arrays(["run", "luminosityBlock", "event", "FlashSim_copy"], library="np")
        assert len(ids["event"]) == K * 100
        for k in range(K):
            sel = ids["FlashSim_copy"] == k
            assert sorted(zip(ids["run"][sel], ids["luminosityBlock"][sel], ids["event"][sel], strict=True)) == \
                sorted(zip(gen_ids["run"], gen_ids["luminosityBlock"], gen_ids["event"], strict=True))
        for name in ("Runs", "LuminosityBlocks"):  # copied from the gen file, branch for branch
            a, b = g[name].arrays(library="np"), o[name].arrays(library="np")
            assert a.keys() == b.keys() and all(np.array_equal(a[k], b[k]) for k in a), name
        assert o["Runs"]["genEventCount"].array(library="np").sum() == 100
        assert set(g["Events"].keys()) <= set(o["Events"].keys())


def test_root_reads_it(ROOT, nano):
    df = ROOT.RDataFrame("Events", str(nano))
    assert df.GetColumnType("nJet") == "Int_t" and df.GetColumnType("nMuon") == "Int_t"  # as NanoAOD v12-v15
    assert df.GetColumnType("MET_pt") == "Float_t"
    assert df.Sum("nJet").GetValue() == df.Define("n", "Jet_pt.size()").Sum("n").GetValue() > 0


def test_coffea_nanoaod_schema(nano):
    from coffea.nanoevents import NanoAODSchema, NanoEventsFactory

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        events = NanoEventsFactory.from_root({str(nano): "Events"}, schemaclass=NanoAODSchema, mode="eager").events()
        jets, muons = events.Jet, events.Muon
        matched = jets.genJetIdx >= 0
        gen_pt = jets.matched_gen.pt
        assert ak.all(ak.is_none(gen_pt[~matched], axis=1))
        assert ak.all(gen_pt[matched] == events.GenJet.pt[jets.genJetIdx[matched]])
        assert ak.all(abs(muons.matched_gen.pdgId[muons.genPartIdx >= 0]) == 13)
        assert ak.all(ak.is_none(muons.matched_jet.pt[muons.jetIdx < 0], axis=1))
        assert ak.all(events.MET.pt > -1) and ak.all(events.FlashSim.weight == np.float32(1 / K))
        jet_of_muon = events.Jet.matched_muons.jetIdx  # [event][jet][muon], through Jet_muonIdx1/2
        assert ak.all(ak.flatten(jet_of_muon == ak.local_index(events.Jet, axis=1), axis=None))
        assert ak.sum(ak.num(jet_of_muon, axis=2)) > 0
    present = {"Jet", "Muon", "MET", "GenJet", "GenPart", "FlashSim"}
    for warning in caught:  # NanoAODSchema warns for every cross-reference of an absent collection
        text = str(warning.message)
        assert text.startswith("Missing cross-reference index for "), text
        indexer, target = text.removeprefix("Missing cross-reference index for ").split(" => ")
        assert indexer.split("_")[0] not in present or target not in present, text
