"""Every kind of source in one bundle: matched with a gen selection and event scalars,
unmatched fakes, pileup slots, an event-level collection, copied branches, derived
conditioning and postprocess cross-references; merged, sorted, typed, reproducible."""

import numpy as np
import pytest
import torch
from toy_gen import write_event_tree

import flashsim.rdf
from flashsim.bundle import write_manifest
from flashsim.models.efficiency import EfficiencyNetwork
from flashsim.models.velocity_field import VelocityField

STD = {"op": "standardize", "mean": 0.0, "std": 1.0}
KINEMATICS = [
    {"branch": "pt", "type": "Float_t", "transform": [{"op": "log", "offset": 0.0},
                                                      {"op": "standardize", "mean": 3.5, "std": 0.3}]},
    {"branch": "eta", "type": "Float_t", "transform": [{"op": "standardize", "mean": 0.0, "std": 1.5}]},
    {"branch": "phi", "type": "Float_t", "transform": [{"op": "standardize", "mean": 0.0, "std": 1.5}]},
]


def networks(directory, name, n_cond, n_targets, seed, efficiency=True):
    torch.manual_seed(seed)
    VelocityField(n_targets, n_cond, hidden=16, blocks=1).export_onnx(directory / f"{name}_v.onnx")
    out = {"velocity_field": {"model": f"{name}_v.onnx"}}
    if efficiency:
        EfficiencyNetwork(n_cond, hidden=8, layers=1).export_onnx(directory / f"{name}_e.onnx")
        out["efficiency"] = {"model": f"{name}_e.onnx"}
    return out


def cond(name, column, steps=None):
    return {"name": name, "input": column, "transform": steps if steps is not None else [STD]}


def write_source_bundle(directory):
    jet_cond = [cond("log_pt", "GenJet_pt", [{"op": "log"}, {"op": "standardize", "mean": 3.8, "std": 0.7}]),
                cond("eta", "GenJet_eta"), cond("nPU", "Pileup_nPU", [{"op": "standardize", "mean": 45, "std": 20}]),
                cond("muon_dr", "GenJet_nearestMuonDR")]
    jet_targets = [{"branch": "pt", "type": "Float_t",
                    "transform": [{"op": "ratio", "gen": "GenJet_pt"}, {"op": "standardize", "mean": 1, "std": 0.1}]},
                   {"branch": "eta", "type": "Float_t",
                    "transform": [{"op": "difference", "gen": "GenJet_eta"},
                                  {"op": "standardize", "mean": 0, "std": 0.05}]},
                   {"branch": "phi", "type": "Float_t",
                    "transform": [{"op": "delta_phi", "gen": "GenJet_phi"},
                                  {"op": "standardize", "mean": 0, "std": 0.05}]}]
    pu_cond = [cond("nPU", "Pileup_nPU", [{"op": "standardize", "mean": 45, "std": 20}]),
               cond("slot", "@index", [{"op": "standardize", "mean": 1.5, "std": 1.0}])]
    muon_cond = [cond("log_pt", "GenPart_pt", [{"op": "log"}, STD]), cond("eta", "GenPart_eta")]
    muon_targets = [{"branch": "pt", "type": "Float_t",
                     "transform": [{"op": "ratio", "gen": "GenPart_pt"},
                                   {"op": "standardize", "mean": 1, "std": 0.02}]},
                    {"branch": "eta", "type": "Float_t", "transform": [{"op": "difference", "gen": "GenPart_eta"},
                                                                       {"op": "standardize", "mean": 0, "std": 0.01}]},
                    {"branch": "phi", "type": "Float_t", "transform": [{"op": "delta_phi", "gen": "GenPart_phi"},
                                                                       {"op": "standardize", "mean": 0, "std": 0.01}]},
                    {"branch": "charge", "type": "Int_t", "transform": [{"op": "clip", "lo": -1, "hi": 1}]}]
    fake_muon_cond = [cond("log_pt", "GenJet_pt", [{"op": "log"}, STD]), cond("eta", "GenJet_eta")]
    fake_muon_targets = [dict(t) for t in KINEMATICS] + [muon_targets[3]]
    manifest = {
        "name": "every kind of source (random weights)",
        "ode": {"method": "rk4", "steps": 3},
        "derived": [{"column": "GenJet_nearestMuonDR", "op": "nearest_delta_r", "of": "GenJet", "to": "GenPart",
                     "select": "abs(GenPart_pdgId) == 13"}],
        "collections": [
            {"name": "Jet", "sort_by": "pt", "sources": [
                {"name": "GenJet", "kind": "matched", "gen_collection": "GenJet", "index_branch": "genJetIdx",
                 "conditioning": jet_cond, "targets": jet_targets,
                 "copies": [{"branch": "hadronFlavour", "type": "UChar_t", "gen": "GenJet_hadronFlavour"}],
                 **networks(directory, "jet", 4, 3, 1)},
                {"name": "Pileup", "kind": "slots", "slots": 4, "conditioning": pu_cond, "targets": KINEMATICS,
                 "copies": [{"branch": "hadronFlavour", "type": "UChar_t", "fallback": 0}],
                 **networks(directory, "pu", 2, 3, 2)},
            ]},
            {"name": "Muon", "sort_by": "pt", "sources": [
                {"name": "GenMuon", "kind": "matched", "gen_collection": "GenPart", "index_branch": "genPartIdx",
                 "select": "abs(GenPart_pdgId) == 13", "conditioning": muon_cond, "targets": muon_targets,
                 **networks(directory, "muon", 2, 4, 3)},
                {"name": "FromJet", "kind": "unmatched", "gen_collection": "GenJet", "conditioning": fake_muon_cond,
                 "targets": fake_muon_targets, **networks(directory, "fake", 2, 4, 4)},
            ]},
            {"name": "MET", "sources": [
                {"name": "Event", "kind": "event",
                 "conditioning": [cond("genmet", "GenMET_pt", [{"op": "standardize", "mean": 30, "std": 30}]),
                                  cond("nPU", "Pileup_nPU", [{"op": "standardize", "mean": 45, "std": 20}])],
                 "targets": [{"branch": "pt", "type": "Float_t",
                              "transform": [{"op": "log", "offset": 1.0}, STD]},
                             {"branch": "phi", "type": "Float_t", "transform": [STD]}],
                 **networks(directory, "met", 2, 2, 5, efficiency=False)},
            ]},
        ],
        "postprocess": [{"column": "Muon_jetIdx", "requires": ["Muon", "Jet"], "op": "closest_index",
                         "from": "Muon", "to": "Jet", "radius": 0.4}],
    }
    write_manifest(directory, manifest)
    return directory


@pytest.fixture(scope="module")
def source_bundle(tmp_path_factory):
    return write_source_bundle(tmp_path_factory.mktemp("sources"))


@pytest.fixture(scope="module")
def event_tree(tmp_path_factory):
    return write_event_tree(tmp_path_factory.mktemp("events") / "gen.root")


COLUMNS = ["run", "luminosityBlock", "event", "nJet", "Jet_pt", "Jet_eta", "Jet_genJetIdx", "Jet_hadronFlavour",
           "nMuon", "Muon_pt", "Muon_charge", "Muon_genPartIdx", "Muon_jetIdx", "MET_pt", "MET_phi",
           "nGenJet", "GenJet_hadronFlavour", "GenPart_pdgId", "Pileup_nPU"]


def run(ROOT, gen, bundle, seed, threads=0, **kwargs):
    if threads:
        ROOT.EnableImplicitMT(threads)
    try:
        df = flashsim.rdf.simulate(ROOT.RDataFrame("Events", str(gen)), bundle, seed=seed, **kwargs)
        out = df.AsNumpy(COLUMNS)
        types = {c: df.GetColumnType(c) for c in COLUMNS}
    finally:
        if threads:
            ROOT.DisableImplicitMT()
    order = np.argsort(out["event"], kind="stable")
    return {k: v[order] for k, v in out.items()}, types


def test_types(ROOT, event_tree, source_bundle):
    _, types = run(ROOT, event_tree, source_bundle, seed=1)
    assert types["MET_pt"] == "float" and types["nJet"] == "int" and types["nMuon"] == "int"
    assert types["Jet_hadronFlavour"] == "ROOT::VecOps::RVec<unsigned char>"
    assert types["Muon_charge"] == "ROOT::VecOps::RVec<int>"
    assert types["Muon_jetIdx"] == "ROOT::VecOps::RVec<short>"
    assert types["Muon_genPartIdx"] == "ROOT::VecOps::RVec<short>"


def test_every_source_kind(ROOT, event_tree, source_bundle):
    out, _ = run(ROOT, event_tree, source_bundle, seed=1)
    n_pileup = []
    for e in range(len(out["event"])):
        pt, idx, flav = (np.asarray(out[c][e]) for c in ("Jet_pt", "Jet_genJetIdx", "Jet_hadronFlavour"))
        assert len(pt) == out["nJet"][e] and np.all(np.diff(pt) <= 0)  # merged, then sorted
        matched = idx >= 0
        assert np.all(idx[matched] < out["nGenJet"][e]) and len(set(idx[matched])) == matched.sum()
        gen_flav = np.asarray(out["GenJet_hadronFlavour"][e])
        assert np.array_equal(flav[matched], gen_flav[idx[matched]])  # copied from the gen jet
        assert np.all(flav[~matched] == 0)  # the fallback of the pileup source
        n_pileup.append(int((~matched).sum()))
        assert n_pileup[-1] <= 4  # slots
        muon_idx, pdg = np.asarray(out["Muon_genPartIdx"][e]), np.asarray(out["GenPart_pdgId"][e])
        assert np.all(np.abs(pdg[muon_idx[muon_idx >= 0]]) == 13)  # the selection: gen muons only
        assert set(np.asarray(out["Muon_charge"][e])) <= {-1, 0, 1}
        jet_idx = np.asarray(out["Muon_jetIdx"][e])
        assert np.all((jet_idx >= -1) & (jet_idx < out["nJet"][e]))
    assert 0 < np.mean(n_pileup) < 4  # the slots' survival function keeps some, not all
    assert np.isfinite(out["MET_pt"]).all() and np.all(out["MET_pt"] > -1)
    assert any(np.any(np.asarray(m) < 0) for m in out["Muon_genPartIdx"])  # fakes from jets
    assert any(np.any(np.asarray(m) >= 0) for m in out["Muon_genPartIdx"])
    assert any(np.any(np.asarray(j) >= 0) for j in out["Muon_jetIdx"])


def test_reproducible_with_two_threads(ROOT, event_tree, source_bundle):
    one, _ = run(ROOT, event_tree, source_bundle, seed=3)
    two, _ = run(ROOT, event_tree, source_bundle, seed=3, threads=2)
    for column in COLUMNS:
        for a, b in zip(one[column], two[column], strict=True):
            assert np.array_equal(np.asarray(a), np.asarray(b)), column
    other, _ = run(ROOT, event_tree, source_bundle, seed=4)
    assert not np.array_equal(one["MET_pt"], other["MET_pt"])


def test_subset_of_collections_skips_postprocess(ROOT, event_tree, source_bundle):
    df = flashsim.rdf.simulate(ROOT.RDataFrame("Events", str(event_tree)), source_bundle, seed=1,
                               collections=["Muon"])
    names = [str(c) for c in df.GetColumnNames()]
    assert "Muon_pt" in names and "Jet_pt" not in names and "Muon_jetIdx" not in names
    assert df.Count().GetValue() == 400


def test_missing_inputs_of_derived_columns_are_listed(ROOT, tmp_path, source_bundle):
    from toy_gen import write_gen_tree

    gen = write_gen_tree(tmp_path / "jets_only.root")  # no GenPart, no Pileup, no GenMET
    with pytest.raises(flashsim.InputError, match=r"(?s)lacks columns.*'GenPart_eta' \(derived column "
                                                  r"GenJet_nearestMuonDR\).*'Pileup_nPU' \(Jet <- GenJet\)"
                                                  r".*'GenMET_pt' \(MET <- Event\)"):
        flashsim.rdf.simulate(ROOT.RDataFrame("Events", str(gen)), source_bundle, seed=1)


def test_trusted_format_1_expression_that_does_not_compile_names_the_column(ROOT, event_tree, source_bundle,
                                                                            tmp_path):
    import json
    import shutil

    bundle = tmp_path / "bundle"
    shutil.copytree(source_bundle, bundle)
    manifest = json.loads((bundle / "bundle.json").read_text())
    manifest["format_version"] = 1
    manifest["derived"] = [{"column": "GenJet_nearestMuonDR", "inputs": ["GenJet_eta", "GenJet_phi", "GenPart_eta",
                                                                     "GenPart_phi", "GenPart_pdgId"],
                            "expression": "flashsim::Neighbours::NearestDeltaR(GenJet_eta, GenJet_phi, "
                                          "GenPart_eta[abs(GenPart_pdgId) == 13], "
                                          "GenPart_phi[abs(GenPart_pdgId) == 13])"}]
    manifest["collections"][1]["sources"][0]["select"] = "abs(GenPart_pdgId) == 13"
    manifest["postprocess"] = [{"column": "Muon_jetIdx", "requires": ["Muon", "Jet"],
                                "expression": "flashsim::Neighbours::NoSuchHelper(Muon_eta)"}]
    (bundle / "bundle.json").write_text(json.dumps(manifest))
    with pytest.raises(flashsim.BundleError, match=r"postprocess column 'Muon_jetIdx': the expression "
                                                   r"'flashsim::Neighbours::NoSuchHelper\(Muon_eta\)' "
                                                   r"cannot be compiled"):
        flashsim.rdf.simulate(ROOT.RDataFrame("Events", str(event_tree)), bundle, seed=1, allow_bundle_code=True)


def test_inverse_index_and_count_pointing(ROOT):
    ROOT.gInterpreter.Declare(r"""
    namespace flashsim_test {
    inline std::vector<int> Inverse(int rank) {
       ROOT::RVec<Short_t> muonJet{2, -1, 0, 2, 7};
       auto out = flashsim::Neighbours::InverseIndex(muonJet, 4u, rank);
       return std::vector<int>(out.begin(), out.end());
    }
    inline std::vector<int> Count() {
       ROOT::RVec<Short_t> muonJet{2, -1, 0, 2, 7};
       auto out = flashsim::Neighbours::CountPointing(muonJet, 4u);
       return std::vector<int>(out.begin(), out.end());
    }
    inline int CountMany(int n) {  // n objects in one jet: the UChar_t counter stops at 255
       ROOT::RVec<Short_t> muonJet(n, 1);
       return flashsim::Neighbours::CountPointing(muonJet, 2u)[1];
    }
    }""")
    assert list(ROOT.flashsim_test.Inverse(0)) == [2, -1, 0, -1]
    assert list(ROOT.flashsim_test.Inverse(1)) == [-1, -1, 3, -1]
    assert list(ROOT.flashsim_test.Count()) == [1, 0, 2, 0]
    assert [ROOT.flashsim_test.CountMany(n) for n in (254, 255, 256, 300)] == [254, 255, 255, 255]


def test_same_gen_index(ROOT):
    """Electron_photonIdx / Photon_electronIdx: the first object of the other collection with the same gen
    index; unmatched objects (gen index -1) link to nothing, even to each other."""
    ROOT.gInterpreter.Declare(r"""
    namespace flashsim_test {
    inline std::vector<int> SameGen(bool reverse) {
       ROOT::RVec<Short_t> electron{4, -1, 7, 9};
       ROOT::RVec<Short_t> photon{-1, 7, 4, 4};
       auto out = reverse ? flashsim::Neighbours::SameGenIndex(photon, electron)
                          : flashsim::Neighbours::SameGenIndex(electron, photon);
       return std::vector<int>(out.begin(), out.end());
    }
    }""")
    assert list(ROOT.flashsim_test.SameGen(False)) == [2, -1, 1, -1]
    assert list(ROOT.flashsim_test.SameGen(True)) == [-1, 2, 0, 0]


def test_vector_sum_and_inverse_closest_index(ROOT):
    """The registry's vector_sum (the jets' pt along and across the GenMET direction) and inverse_closest_index
    (FatJet_subJetIdx1/2: the subjets whose closest fat jet is this one), on one hand-made event."""
    from flashsim.rdf.operations import define

    df = ROOT.RDataFrame(1).Define("GenMET_phi", "0.5f").Define("Jet_pt", "ROOT::RVecF{40.f, 20.f, 10.f}") \
        .Define("Jet_phi", "ROOT::RVecF{0.5f, 2.0f, -1.0f}") \
        .Define("FatJet_eta", "ROOT::RVecF{0.f, 2.f}").Define("FatJet_phi", "ROOT::RVecF{0.f, 0.f}") \
        .Define("SubJet_eta", "ROOT::RVecF{0.1f, 2.2f, -0.2f, 1.0f}") \
        .Define("SubJet_phi", "ROOT::RVecF{0.f, 0.f, 0.1f, 0.f}")
    entries = {"along": {"op": "vector_sum", "of": "Jet", "along": "GenMET_phi", "component": "parallel",
                         "select": "Jet_pt > 15"},
               "across": {"op": "vector_sum", "of": "Jet", "along": "GenMET_phi", "component": "perpendicular"},
               "first": {"op": "inverse_closest_index", "from": "SubJet", "to": "FatJet", "radius": 0.8, "rank": 0},
               "second": {"op": "inverse_closest_index", "from": "SubJet", "to": "FatJet", "radius": 0.8, "rank": 1}}
    for name, entry in entries.items():
        df = df.Define(name, define({"column": f"X_{name}", **entry})[0])
    out = df.AsNumpy(list(entries))
    assert out["along"][0] == pytest.approx(40 + 20 * np.cos(1.5), rel=1e-6)  # the 10 GeV jet is cut
    assert out["across"][0] == pytest.approx(20 * np.sin(1.5) + 10 * np.sin(-1.5), rel=1e-6)
    assert list(out["first"][0]) == [0, 1] and list(out["second"][0]) == [2, -1]  # subjet 3 is in no fat jet


def test_count_closest_and_closest_index_of_chosen_objects(ROOT):
    """count_closest (Jet_nSVs: the vertices whose closest jet is this one) and closest_index with a `select`
    on the objects it starts from (Muon_svIdx: only the muons from b and c hadrons point at a vertex)."""
    from flashsim.rdf.operations import define

    df = ROOT.RDataFrame(1).Define("Jet_eta", "ROOT::RVecF{0.f, 2.f, -2.f}") \
        .Define("Jet_phi", "ROOT::RVecF{0.f, 0.f, 0.f}") \
        .Define("SV_eta", "ROOT::RVecF{0.1f, 2.1f, -0.1f, 1.0f}").Define("SV_phi", "ROOT::RVecF{0.f, 0.f, 0.f, 0.f}") \
        .Define("Muon_eta", "ROOT::RVecF{0.05f, 2.05f, 1.f}").Define("Muon_phi", "ROOT::RVecF{0.f, 0.f, 0.f}") \
        .Define("Muon_genPartFlav", "ROOT::RVec<UChar_t>{5, 1, 4}")
    entries = {"count": {"op": "count_closest", "from": "SV", "to": "Jet", "radius": 0.4},
               "vertex": {"op": "closest_index", "from": "Muon", "to": "SV", "radius": 0.4,
                          "select": "Muon_genPartFlav == 4 || Muon_genPartFlav == 5"},
               "any": {"op": "closest_index", "from": "Muon", "to": "SV", "radius": 0.4}}
    for name, entry in entries.items():
        df = df.Define(name, define({"column": f"X_{name}", **entry})[0])
    out = df.AsNumpy(list(entries))
    assert list(out["count"][0]) == [2, 1, 0]  # vertex 3 (eta 1) is in no jet
    assert list(out["any"][0]) == [0, 1, 3] and list(out["vertex"][0]) == [0, -1, 3]  # the prompt muon points nowhere


def test_catalogue_cross_references_call_the_neighbours_helpers():
    """One implementation: the catalogue's inverse indices and counts are the C++ helpers above."""
    from flashsim.catalogue.crossrefs import POSTPROCESS
    from flashsim.rdf.operations import define

    by_column = {entry["column"]: define(entry)[0] for entry in POSTPROCESS}
    assert by_column["Jet_muonIdx2"] == "flashsim::Neighbours::InverseIndex(Muon_jetIdx, Jet_pt.size(), 1)"
    assert by_column["Jet_nElectrons"] == "flashsim::Neighbours::CountPointing(Electron_jetIdx, Jet_pt.size())"
    # the shared-supercluster link is the reference detector's: one gen particle, not a dR guess
    assert by_column["Electron_photonIdx"] == \
        "flashsim::Neighbours::SameGenIndex(Electron_genPartIdx, Photon_genPartIdx)"
    assert by_column["Photon_electronIdx"] == \
        "flashsim::Neighbours::SameGenIndex(Photon_genPartIdx, Electron_genPartIdx)"
