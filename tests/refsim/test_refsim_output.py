"""The output file: NanoAOD types, gen branches carried through, metadata, readers, seeds."""

import json

import awkward as ak
import numpy as np
import pytest
import uproot
from refsim_testing import UPROOT_TYPENAMES

from flashsim.refsim.parameters import parameter_hash
from flashsim.refsim.schema import COLLECTIONS, COUNTER_TYPE, SCALARS


def _typename(root_type):
    return UPROOT_TYPENAMES[root_type]


def test_reco_branch_types_match_the_schema(ttbar_gen, full_file):
    with uproot.open(full_file(ttbar_gen)) as f:
        tree = f["Events"]
        for coll, fields in COLLECTIONS.items():
            assert tree[f"n{coll}"].typename == _typename(COUNTER_TYPE), coll
            for name, root_type, _ in fields:
                assert tree[f"{coll}_{name}"].typename == _typename(root_type) + "[]", (
                    coll, name)
        for name, root_type, _ in SCALARS:
            assert tree[name].typename == _typename(root_type), name


def test_gen_content_is_carried_through_unchanged(ttbar_gen, full_file):
    with uproot.open(ttbar_gen) as fin, uproot.open(full_file(ttbar_gen)) as fout:
        tin, tout = fin["Events"], fout["Events"]
        for name in tin.keys():
            # values unchanged; a counter becomes NanoAOD's Int_t whatever the gen file wrote
            counter = name.startswith("n") and any(k.startswith(name[1:] + "_") for k in tin.keys())
            assert tout[name].typename == ("int32_t" if counter else tin[name].typename), name
            a, b = tin[name].array(), tout[name].array()
            assert len(a) == len(b)
            assert np.array_equal(ak.to_numpy(ak.flatten(a, axis=None)),
                                  ak.to_numpy(ak.flatten(b, axis=None))), name
        for tree in ("Runs", "LuminosityBlocks"):
            assert set(fin[tree].keys()) == set(fout[tree].keys())
            for name in fin[tree].keys():
                assert np.array_equal(fin[tree][name].array(library="np"),
                                      fout[tree][name].array(library="np"))
        assert fin["flashsim_generate"].member("fTitle") == fout["flashsim_generate"].member(
            "fTitle")


def test_metadata_has_parameter_hash_and_seed(ttbar_gen, full_file):
    with uproot.open(full_file(ttbar_gen, seed=1)) as f:
        meta = json.loads(f["flashsim_refsim"].member("fTitle"))
    assert meta["parameter_hash"] == parameter_hash()
    assert len(meta["parameter_hash"]) == 64
    assert meta["seed"] == 1


def test_parameter_hash_changes_with_a_parameter(monkeypatch):
    from flashsim.refsim import parameters

    before = parameters.parameter_hash()
    old = parameters.PARAMETERS["jet.min_pt"]
    monkeypatch.setitem(parameters.PARAMETERS, "jet.min_pt",
                        parameters.Parameter(16.0, old.cms, old.ref))
    assert parameters.parameter_hash() != before


def test_same_seed_same_output_whatever_the_chunk_size(ttbar_gen, full_file):
    a = full_file(ttbar_gen, seed=1)
    b = full_file(ttbar_gen, seed=1, chunk_size=137)
    c = full_file(ttbar_gen, seed=2)
    with uproot.open(a) as fa, uproot.open(b) as fb, uproot.open(c) as fc:
        ta, tb, tc = fa["Events"], fb["Events"], fc["Events"]
        assert ta.keys() == tb.keys()
        for name in ta.keys():
            x = ak.to_numpy(ak.flatten(ta[name].array(), axis=None))
            y = ak.to_numpy(ak.flatten(tb[name].array(), axis=None))
            assert np.array_equal(x, y), name
        assert not np.array_equal(ta["PuppiMET_pt"].array(library="np"),
                                  tc["PuppiMET_pt"].array(library="np"))


def test_coffea_reads_it_without_warnings(ttbar_gen, full_file):
    import warnings

    from coffea.nanoevents import NanoAODSchema, NanoEventsFactory

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        events = NanoEventsFactory.from_root(
            {str(full_file(ttbar_gen)): "Events"}, schemaclass=NanoAODSchema,
            mode="eager").events()
        gen_pt = events.Jet.matched_gen.pt
        jets = events.Jet
        matched = jets.genJetIdx >= 0
        assert ak.all(ak.is_none(gen_pt[~matched], axis=1))
        assert ak.all(gen_pt[matched] > 0)
        assert ak.all(abs(events.Muon.matched_gen.pdgId[events.Muon.genPartIdx >= 0]) == 13)
        assert ak.sum(ak.num(events.Electron.matched_photon, axis=1)) > 0
        assert ak.all(events.PuppiMET.pt >= 0)
        assert ak.all(events.PV.npvs >= 1)
        assert len(events.FatJet.subjets) == len(events)


def test_ttbar_multiplicities_are_plausible(ttbar):
    assert 5 < ak.mean(ttbar.nJet) < 12
    assert 0.2 < ak.mean(ttbar.nMuon) < 2
    assert 0.2 < ak.mean(ttbar.nElectron) < 2
    assert ak.mean(ttbar.nFatJet) < 2


@pytest.mark.parametrize("chunk", [1, 1000])
def test_chunk_sizes_run(ttbar_gen, tmp_path, chunk):
    from flashsim.refsim import reference_detector

    out = tmp_path / "f.root"
    info = reference_detector(str(ttbar_gen), str(out), seed=3, chunk_size=chunk, max_events=7)
    assert info["events"] == 7
    with uproot.open(out) as f:
        assert f["Events"].num_entries == 7


def test_root_rdataframe_reads_it(ttbar_gen, full_file):
    import ROOT

    df = ROOT.RDataFrame("Events", str(full_file(ttbar_gen)))
    assert df.GetColumnType("nJet") == df.GetColumnType("nGenJet") == "Int_t"
    assert df.GetColumnType("Jet_genJetIdx") == "ROOT::VecOps::RVec<Short_t>"
    n_jets = df.Sum("nJet").GetValue()
    n_from_pt = df.Define("n", "(unsigned) Jet_pt.size()").Sum("n").GetValue()
    assert n_jets == n_from_pt > 0
