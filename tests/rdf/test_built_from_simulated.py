"""Objects built from other simulated objects: a collection whose source reads the branches of a
collection simulated before it (Tau <- Jet: one candidate per simulated jet, Tau_jetIdx pointing at it),
and derived columns of simulated branches (the event's simulated HT), defined once those are simulated."""

import json
import shutil

import awkward as ak
import numpy as np
import pytest
import uproot

import flashsim.rdf
from flashsim import BundleError, InputError
from flashsim.bundle.toy import TOY_CONDITIONING, TOY_TARGETS


def _on_simulated_jets(entry):
    """A toy Jet <- GenJet entry (conditioning or target) rewritten to read the simulated Jet."""
    return json.loads(json.dumps(entry).replace('"GenJet_', '"Jet_'))


@pytest.fixture(scope="module")
def tau_bundle(tiny_bundle, tmp_path_factory):
    """The toy bundle plus a collection Tau <- Jet that reads the simulated jets (the same toy networks:
    3 conditioning variables, 4 targets), its third variable the event's simulated HT (a derived column)."""
    folder = tmp_path_factory.mktemp("tau_bundle")
    shutil.copytree(tiny_bundle, folder, dirs_exist_ok=True)
    manifest = json.loads((folder / "bundle.json").read_text())
    jet = manifest["collections"][0]
    tau = {"name": "Tau", "sort_by": "pt", "sources": [dict(
        jet["sources"][0], name="FromJet", gen_collection="Jet", index_branch="jetIdx",
        conditioning=[_on_simulated_jets(c) for c in TOY_CONDITIONING[:2]] + [
            {"name": "ht", "input": "SimJet_ht", "transform": [{"op": "standardize", "mean": 150.0, "std": 100.0}]}],
        targets=[_on_simulated_jets(t) for t in TOY_TARGETS])]}
    manifest["collections"].append(tau)
    manifest["derived"] = [{"column": "SimJet_ht", "op": "sum", "of": "Jet_pt"}]
    (folder / "bundle.json").write_text(json.dumps(manifest))
    return folder


def _simulate(ROOT, gen, bundle, **kwargs):
    df = flashsim.rdf.simulate(ROOT.RDataFrame("Events", str(gen)), bundle, seed=3, **kwargs)
    return df


def test_a_collection_reads_the_simulated_one(ROOT, gen_tree, tau_bundle, tmp_path):
    out = tmp_path / "nano.root"
    columns = ["event", "nGenJet", "GenJet_pt", "nJet", "Jet_pt", "Jet_eta", "Jet_genJetIdx",
               "nTau", "Tau_pt", "Tau_eta", "Tau_jetIdx", "SimJet_ht"]
    _simulate(ROOT, gen_tree, tau_bundle).Snapshot("Events", str(out), columns)
    a = uproot.open(out)["Events"].arrays()
    assert ak.sum(a.nTau) > 100
    # one candidate per simulated jet, pointing at it
    assert ak.all(a.nTau <= a.nJet) and ak.all((a.Tau_jetIdx >= 0) & (a.Tau_jetIdx < a.nJet))
    assert ak.all(ak.num(a.Tau_jetIdx) == a.nTau)
    # the derived column is the simulated jets' sum, not the gen jets'
    assert np.allclose(ak.to_numpy(a.SimJet_ht), ak.to_numpy(ak.sum(a.Jet_pt, axis=1)), rtol=1e-5)
    assert not np.allclose(ak.to_numpy(a.SimJet_ht), ak.to_numpy(ak.sum(a.GenJet_pt, axis=1)), rtol=1e-3)
    # the taus follow their simulated jet: closer to it than to the gen jet behind it
    jet_pt = ak.flatten(a.Jet_pt[a.Tau_jetIdx])
    gen_pt = ak.flatten(a.GenJet_pt[a.Jet_genJetIdx[a.Tau_jetIdx]])
    tau_pt = ak.flatten(a.Tau_pt)
    matched = ak.to_numpy(ak.flatten(a.Jet_genJetIdx[a.Tau_jetIdx]) >= 0)
    to_jet = np.log(ak.to_numpy(tau_pt) / ak.to_numpy(jet_pt))[matched]
    to_gen = np.log(ak.to_numpy(tau_pt) / ak.to_numpy(gen_pt))[matched]
    assert np.std(to_jet) < np.std(to_gen)


def test_the_same_with_threads(ROOT, gen_tree, tau_bundle):
    def run(threads):
        if threads:
            ROOT.EnableImplicitMT(threads)
        try:
            out = _simulate(ROOT, gen_tree, tau_bundle).AsNumpy(["event", "Tau_pt", "Tau_jetIdx"])
        finally:
            if threads:
                ROOT.DisableImplicitMT()
        order = np.argsort(out["event"])
        return [np.asarray(out["Tau_pt"][i]).tobytes() + np.asarray(out["Tau_jetIdx"][i]).tobytes() for i in order]

    assert run(0) == run(2)


def test_a_collection_before_what_it_is_built_from_is_refused(ROOT, gen_tree, tau_bundle, tmp_path):
    shutil.copytree(tau_bundle, tmp_path / "b")
    manifest = json.loads((tmp_path / "b" / "bundle.json").read_text())
    manifest["collections"].reverse()
    (tmp_path / "b" / "bundle.json").write_text(json.dumps(manifest))
    with pytest.raises(BundleError, match=r"bundle\.json': collections\[0\]: Tau <- FromJet reads 'Jet_pt', which is "
                                          r"built from the simulated Jet, listed after it: list Jet before Tau"):
        _simulate(ROOT, gen_tree, tmp_path / "b")


def test_a_collection_without_what_it_is_built_from_is_refused(ROOT, gen_tree, tau_bundle):
    with pytest.raises(InputError, match=r"collection Tau of bundle .* is built from the simulated Jet .*simulate Jet "
                                         r"too"):
        _simulate(ROOT, gen_tree, tau_bundle, collections=["Tau"])
    # Jet alone needs nothing of Tau: the derived column only Tau reads is not defined either (so a file that lacks
    # what only some collection reads, e.g. a skim without GenVisTau, can feed the others)
    df = _simulate(ROOT, gen_tree, tau_bundle, collections=["Jet"])
    assert "SimJet_ht" not in [str(c) for c in df.GetColumnNames()] and "nTau" not in [str(c) for c in
                                                                                       df.GetColumnNames()]
    assert "SimJet_ht" in [str(c) for c in _simulate(ROOT, gen_tree, tau_bundle).GetColumnNames()]


def test_the_cross_event_mode_runs_in_stages(gen_tree, tau_bundle, tmp_path):
    """Stage 0 simulates Jet for many events at once, stage 1 Tau on the jets read back: the file is
    bit-identical to the per-event mode, whatever the batch size and number of threads."""
    from flashsim.rdf import simulate_file

    def branches(path):
        with uproot.open(path) as f:
            a = f["Events"].arrays(["event", "nJet", "Jet_pt", "nTau", "Tau_pt", "Tau_eta", "Tau_jetIdx"])
        order = np.argsort(ak.to_numpy(a.event))
        return {name: ak.to_list(a[name][order]) for name in a.fields}

    per_event = simulate_file(gen_tree, tmp_path / "per_event.root", tau_bundle, seed=3, progress=False,
                              batch_events=1)
    batched = simulate_file(gen_tree, tmp_path / "batched.root", tau_bundle, seed=3, progress=False,
                            batch_events=64, threads=2)
    assert per_event.events == batched.events
    reference = branches(tmp_path / "per_event.root")
    assert sum(reference["nTau"]) > 100
    assert branches(tmp_path / "batched.root") == reference
    assert not list(tmp_path.glob(".*flashsim-batch*"))  # every stage's partition files removed


def test_the_benchmark_row_runs_every_stage(gen_tree, tau_bundle):
    """flashsim bench's cross-event row times the whole bundle: both stages, one event loop each."""
    from flashsim.bench import bench_cross_event

    row = bench_cross_event(gen_tree, tau_bundle, threads=1, batch_events=64)
    assert row["stages"] == 2 and row["events"] > 0
    assert {n["collection"] for n in row["networks"]} == {"Jet", "Tau"}
    assert next(n for n in row["networks"] if n["collection"] == "Tau")["objects"] > 0


def test_sources_may_list_the_branches_in_another_order(ROOT, gen_tree, tiny_bundle, tmp_path):
    """Muon <- GenMuon copies genPartFlav, Muon <- FromJet draws it with its label head: the same branches in
    another order. Each source's values land in the collection's columns by name."""
    shutil.copytree(tiny_bundle, tmp_path / "b")
    manifest = json.loads((tmp_path / "b" / "bundle.json").read_text())
    first = manifest["collections"][0]["sources"][0]
    first["copies"] = [{"branch": "a", "type": "UChar_t", "fallback": 1}, {"branch": "b", "type": "UChar_t",
                                                                          "fallback": 2}]
    second = dict(first, name="Again", kind="unmatched", copies=first["copies"][::-1])
    manifest["collections"][0]["sources"].append(second)
    (tmp_path / "b" / "bundle.json").write_text(json.dumps(manifest))
    out = _simulate(ROOT, gen_tree, tmp_path / "b").AsNumpy(["Jet_a", "Jet_b", "Jet_genJetIdx"])
    a, b, idx = (np.concatenate([np.asarray(v) for v in out[k]]) for k in ("Jet_a", "Jet_b", "Jet_genJetIdx"))
    assert (idx < 0).sum() > 0 and (idx >= 0).sum() > 0  # both sources wrote jets
    assert np.all(a == 1) and np.all(b == 2)
    second["copies"] = [first["copies"][0]]
    (tmp_path / "b" / "bundle.json").write_text(json.dumps(manifest))
    with pytest.raises(BundleError, match=r"source 'Again' writes other branches \(or other types\) than 'GenJet'"):
        _simulate(ROOT, gen_tree, tmp_path / "b")
