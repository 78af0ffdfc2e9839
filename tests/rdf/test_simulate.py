"""flashsim.rdf.simulate end to end: gen tree -> RDataFrame graph -> reco columns."""

import json
import os
import shutil
import subprocess
import sys

import numpy as np
import pytest
from toy_gen import write_gen_tree

import flashsim.rdf
from flashsim import BundleError, InputError, ModelError
from flashsim.bundle.toy import TOY_CONDITIONING as CONDITIONING
from flashsim.bundle.toy import TOY_TARGETS as TARGETS
from flashsim.bundle.toy import toy_networks as tiny_networks

JET_COLUMNS = ["nJet", "Jet_pt", "Jet_eta", "Jet_phi", "Jet_jetId", "Jet_genJetIdx"]
ID = ["run", "luminosityBlock", "event"]


def simulate_to_numpy(ROOT, gen, bundle, seed, threads=0, **kwargs):
    """Runs the graph; returns {column: array} ordered by (run, luminosityBlock, event)."""
    if threads:
        ROOT.EnableImplicitMT(threads)
    try:
        df = ROOT.RDataFrame("Events", str(gen))
        nano = flashsim.rdf.simulate(df, bundle, seed=seed, **kwargs).Define("slot", "rdfslot_")
        out = nano.AsNumpy(ID + JET_COLUMNS + ["nGenJet", "slot"])
    finally:
        if threads:
            ROOT.DisableImplicitMT()
    order = np.lexsort((out["event"], out["luminosityBlock"], out["run"]))
    return {name: values[order] for name, values in out.items()}


@pytest.fixture(scope="module")
def chunked_gen(ROOT, tmp_path_factory):
    """A gen tree of many clusters (ROOT's auto-flush every 100 entries), so that implicit MT
    really splits it into tasks."""
    folder = tmp_path_factory.mktemp("chunked")
    single = write_gen_tree(folder / "one_cluster.root", n_events=2000)
    options = ROOT.RDF.RSnapshotOptions()
    options.fAutoFlush = 100
    ROOT.RDataFrame("Events", str(single)).Snapshot("Events", str(folder / "gen.root"), "", options)
    return folder / "gen.root"


def test_reco_columns_types_and_shapes(ROOT, gen_tree, tiny_bundle):
    df = flashsim.rdf.simulate(ROOT.RDataFrame("Events", str(gen_tree)), tiny_bundle, seed=5)
    types = {c: df.GetColumnType(c) for c in JET_COLUMNS}
    assert types == {
        "nJet": "int",  # Int_t, as NanoAOD v12-v15
        "Jet_pt": "ROOT::VecOps::RVec<float>",
        "Jet_eta": "ROOT::VecOps::RVec<float>",
        "Jet_phi": "ROOT::VecOps::RVec<float>",
        "Jet_jetId": "ROOT::VecOps::RVec<unsigned char>",
        "Jet_genJetIdx": "ROOT::VecOps::RVec<short>",
    }
    out = simulate_to_numpy(ROOT, gen_tree, tiny_bundle, seed=5)
    n_gen = out["nGenJet"]
    assert len(n_gen) == 300  # one output event per input event
    kept = sum(int(n) for n in out["nJet"])
    assert 0.5 * n_gen.sum() < kept < n_gen.sum()  # the efficiency network drops some
    for n, n_reco, pt, phi, idx, jet_id in zip(n_gen, out["nJet"], out["Jet_pt"], out["Jet_phi"],
                                               out["Jet_genJetIdx"], out["Jet_jetId"], strict=True):
        assert len(pt) == len(idx) == n_reco <= n
        assert np.all(np.diff(pt) <= 0)  # sorted by pt, as NanoAOD
        assert len(set(idx)) == len(idx) and np.all((0 <= idx) & (idx < n))
        assert np.all((-np.pi <= phi) & (phi < np.pi))
        assert np.all(np.asarray(jet_id) <= 255)
    assert out["nJet"][out["nGenJet"] == 0].sum() == 0  # zero gen objects -> zero reco objects


def test_same_seed_bit_identical_with_one_and_two_threads(ROOT, chunked_gen, tiny_bundle):
    one = simulate_to_numpy(ROOT, chunked_gen, tiny_bundle, seed=11)
    slots_seen = set()
    for _ in range(4):  # on a loaded machine one thread may happen to take every task: try again
        two = simulate_to_numpy(ROOT, chunked_gen, tiny_bundle, seed=11, threads=2)
        for name in ID + JET_COLUMNS:
            for a, b in zip(one[name], two[name], strict=True):
                assert np.array_equal(np.asarray(a), np.asarray(b)), name
        slots_seen = set(two["slot"])
        if len(slots_seen) == 2:
            break
    assert len(slots_seen) == 2, "the multi-threaded runs never used two slots"


def test_different_seed_differs(ROOT, gen_tree, tiny_bundle):
    a = simulate_to_numpy(ROOT, gen_tree, tiny_bundle, seed=1)
    b = simulate_to_numpy(ROOT, gen_tree, tiny_bundle, seed=2)
    assert not np.array_equal(np.concatenate(a["Jet_pt"]), np.concatenate(b["Jet_pt"]))


def test_after_a_filter(ROOT, gen_tree, tiny_bundle):
    full = simulate_to_numpy(ROOT, gen_tree, tiny_bundle, seed=9)
    df = ROOT.RDataFrame("Events", str(gen_tree)).Filter("nGenJet >= 3")
    out = flashsim.rdf.simulate(df, tiny_bundle, seed=9).AsNumpy(["event", "Jet_pt"])
    expected = {e: pt for e, pt in zip(full["event"], full["Jet_pt"], strict=True)}
    assert len(out["event"]) == int((full["nGenJet"] >= 3).sum())
    for event, pt in zip(out["event"], out["Jet_pt"], strict=True):
        assert np.array_equal(np.asarray(pt), np.asarray(expected[event]))  # the RNG key is the event


def test_ode_override_changes_the_integration(ROOT, gen_tree, tiny_bundle):
    a = simulate_to_numpy(ROOT, gen_tree, tiny_bundle, seed=3)
    b = simulate_to_numpy(ROOT, gen_tree, tiny_bundle, seed=3, ode={"method": "rk4", "steps": 30})
    pa, pb = np.concatenate(a["Jet_pt"]), np.concatenate(b["Jet_pt"])
    assert len(pa) == len(pb)  # efficiency draws do not depend on the solver
    assert 0 < np.abs(pa - pb).max() < 0.05 * pa.max()  # same flow, another discretisation


def python_reference_event(ROOT, gen_row_columns, bundle, seed, event_id):
    """One event simulated without the C++ simulator: torch networks, Python ODE solver,
    Python transforms; only the random numbers come from the C++ RandomStream."""
    import torch

    from flashsim.ode import integrate

    efficiency, velocity = tiny_networks()
    gen = {name: np.asarray(values, dtype=np.float64) for name, values in gen_row_columns.items()}
    n = len(gen["GenJet_pt"])
    cond = np.stack([
        (np.log(gen["GenJet_pt"]) - 3.8) / 0.7,
        gen["GenJet_eta"] / 2.0,
        gen["GenJet_hadronFlavour"],
    ], axis=1).astype(np.float32)
    assert cond.shape[1] == len(CONDITIONING)
    eid = ROOT.flashsim.EventId()
    eid.run, eid.luminosityBlock, eid.event = event_id
    stream = ROOT.flashsim.RandomStream(seed, eid, 0, "Jet", "GenJet")
    with torch.no_grad():
        p = efficiency(torch.from_numpy(cond)).numpy()[:, 0]
    kept = [i for i in range(n) if stream.Uniform(i, 0) < p[i]]
    x0 = np.array([[stream.Normal(i, 1 + j) for j in range(len(TARGETS))] for i in kept]).reshape(-1, 4)
    c = torch.from_numpy(cond[kept])

    def field(t, x, rows):
        xt = torch.from_numpy(x.astype(np.float32))
        tt = torch.from_numpy(t.astype(np.float32))[:, None]
        with torch.no_grad():
            return velocity(torch.cat([xt, tt, c if rows is None else c[rows]], dim=1)).numpy().astype(np.float64)

    x1 = integrate(field, x0, method="midpoint", steps=8).x
    k = np.array(kept, dtype=int)
    pt = (x1[:, 0] * 0.1 + 1.0) * gen["GenJet_pt"][k]
    eta = x1[:, 1] * 0.05 + gen["GenJet_eta"][k]
    phi = np.mod(x1[:, 2] * 0.05 + gen["GenJet_phi"][k] + np.pi, 2 * np.pi) - np.pi
    jet_id = np.clip(np.rint(x1[:, 3] * 2.0 + 4.0), 0, 255)
    order = np.argsort(-pt, kind="stable")
    return {"Jet_pt": pt[order], "Jet_eta": eta[order], "Jet_phi": phi[order], "Jet_jetId": jet_id[order],
            "Jet_genJetIdx": k[order]}


def test_matches_an_independent_python_implementation(ROOT, gen_tree, tiny_bundle):
    columns = ["GenJet_pt", "GenJet_eta", "GenJet_phi", "GenJet_hadronFlavour"]
    df = ROOT.RDataFrame("Events", str(gen_tree))
    gen = df.AsNumpy(ID + columns)
    out = simulate_to_numpy(ROOT, gen_tree, tiny_bundle, seed=21)
    checked = 0
    for e in range(40):
        event_id = (int(gen["run"][e]), int(gen["luminosityBlock"][e]), int(gen["event"][e]))
        ref = python_reference_event(ROOT, {c: gen[c][e] for c in columns}, tiny_bundle, 21, event_id)
        row = int(np.nonzero(out["event"] == gen["event"][e])[0][0])
        np.testing.assert_array_equal(np.asarray(out["Jet_genJetIdx"][row]), ref["Jet_genJetIdx"])
        np.testing.assert_allclose(np.asarray(out["Jet_pt"][row]), ref["Jet_pt"], rtol=1e-4)
        np.testing.assert_allclose(np.asarray(out["Jet_eta"][row]), ref["Jet_eta"], atol=1e-4)
        np.testing.assert_allclose(np.asarray(out["Jet_phi"][row]), ref["Jet_phi"], atol=1e-4)
        np.testing.assert_array_equal(np.asarray(out["Jet_jetId"][row]), ref["Jet_jetId"])
        checked += len(ref["Jet_pt"])
    assert checked > 50


def test_snapshot_readable_by_uproot(ROOT, gen_tree, tiny_bundle, tmp_path):
    import uproot

    df = flashsim.rdf.simulate(ROOT.RDataFrame("Events", str(gen_tree)), tiny_bundle, seed=5)
    df.Snapshot("Events", str(tmp_path / "nano.root"), ID + JET_COLUMNS)
    events = uproot.open(tmp_path / "nano.root")["Events"]
    assert events.num_entries == 300
    assert events["Jet_genJetIdx"].interpretation.content.from_dtype.str == ">i2"


def test_root_macro_gives_the_same_output(ROOT, gen_tree, tiny_bundle, tmp_path):
    import uproot

    from flashsim.rdf import plugin_paths

    out = tmp_path / "macro.root"
    env = dict(os.environ, FLASHSIM_PREFIX=str(plugin_paths().library.parent.parent))
    root_exe = shutil.which("root", path=os.path.dirname(sys.executable)) or "root"
    macro = os.path.join(os.path.dirname(__file__), "..", "..", "macros", "simulate.C")
    cmd = [root_exe, "-b", "-q", "-l", f'{macro}("{gen_tree}", "{out}", "{tiny_bundle}", 5)']
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr + proc.stdout
    assert "300 events" in proc.stdout
    macro_pt = uproot.open(out)["Events"]["Jet_pt"].array(library="np")
    python = simulate_to_numpy(ROOT, gen_tree, tiny_bundle, seed=5)
    for a, b in zip(macro_pt, python["Jet_pt"], strict=True):
        assert np.array_equal(a, np.asarray(b))


# --- bad input: a clear error before the event loop ------------------------------------------


def broken_bundle(tiny_bundle, tmp_path, edit):
    target = tmp_path / "bundle"
    shutil.copytree(tiny_bundle, target)
    manifest = json.loads((target / "bundle.json").read_text())
    edit(manifest, target)
    (target / "bundle.json").write_text(json.dumps(manifest))
    return target


def source(manifest):
    return manifest["collections"][0]["sources"][0]


@pytest.mark.parametrize(
    ("edit", "error", "message"),
    [
        (lambda m, d: (d / "jet_velocity.onnx").unlink(), ModelError,
         r"ONNX model file '.*jet_velocity.onnx' does not exist"),
        (lambda m, d: (d / "jet_efficiency.onnx").write_bytes(b"\x08\x07garbage"), ModelError,
         r"cannot load ONNX model '.*jet_efficiency.onnx'"),
        (lambda m, d: source(m)["conditioning"].append(
            {"name": "phi", "input": "GenJet_phi", "transform": []}), ModelError,
         r"jet_efficiency.onnx': input 'cond' has 3 features, expected 4"),
        (lambda m, d: source(m)["targets"].pop(), ModelError,
         r"jet_velocity.onnx': input 'x' has 4 features, expected 3"),
        (lambda m, d: source(m).update(velocity_field={"model": "jet_efficiency.onnx"}), ModelError,
         r"has 1 inputs, expected 3 \(x, t, cond\)"),
        (lambda m, d: m.update(format_version=99), BundleError, r"format_version.*expected 1 to 2"),
        (lambda m, d: source(m)["targets"][0].update(type="Float"), BundleError,
         r"targets\[0\].type: unknown branch type 'Float'"),
        (lambda m, d: source(m)["conditioning"][0]["transform"].append({"op": "sqrt"}), BundleError,
         r"unknown transform op 'sqrt'"),
        (lambda m, d: source(m)["targets"][0]["transform"].append(
            {"op": "binned_standardize", "gen": "GenJet_pt", "edges": [0, 50, 40], "loc": [0, 0], "scale": [1, 1]}),
         BundleError, r"targets\[0\].transform\[\d+\].edges: expected at least 2 strictly increasing numbers"),
        (lambda m, d: source(m)["targets"][0]["transform"].append({"op": "quantile", "x": [0, 1, 2], "y": [0, 1]}),
         BundleError, r"quantile needs as many 'y' knots as 'x' knots \(x: 3, y: 2\)"),
        (lambda m, d: source(m)["targets"][0]["transform"].append({"op": "quantile", "x": [0, 2, 1], "y": [0, 1, 2]}),
         BundleError, r"targets\[0\].transform\[\d+\].x: expected at least 2 strictly increasing numbers"),
        (lambda m, d: source(m)["targets"][0]["transform"].append(
            {"op": "binned_standardize", "gen": "GenJet_pt", "edges": [0, 50], "loc": [0, 0], "scale": [1]}),
         BundleError, r"binned_standardize needs one loc and one scale per bin \(bins: 1, loc: 2, scale: 1\)"),
        (lambda m, d: source(m)["targets"][0]["transform"].append(
            {"op": "binned_standardize", "gen": "GenJet_pt", "edges": [0, 50, 100], "gen2": "GenJet_eta",
             "edges2": [0, 2, 5], "loc": [0, 0], "scale": [1, 1]}),
         BundleError, r"binned_standardize needs one loc and one scale per bin \(bins: 4, loc: 2, scale: 2\)"),
        (lambda m, d: source(m)["targets"][0]["transform"].append(
            {"op": "binned_standardize", "gen": "GenJet_pt", "edges": [0, 50], "gen2": "GenJet_eta", "loc": [0],
             "scale": [1]}),
         BundleError, r"needs 'gen2' and 'edges2' together"),
        (lambda m, d: source(m)["targets"][0]["transform"].append(
            {"op": "binned_standardize", "gen": "GenJet_pt", "edges": [0, 50], "gen2": "GenJet_eta",
             "edges2": [0, 2], "abs2": "yes", "loc": [0], "scale": [1]}),
         BundleError, r"transform\[\d+\]\.abs2: expected true or false, got string"),
        (lambda m, d: source(m)["targets"][0]["transform"].append(
            {"op": "binned_standardize", "gen": "GenJet_pt", "abs": 1, "edges": [0, 50], "loc": [0], "scale": [1]}),
         BundleError, r"transform\[\d+\]\.abs: expected true or false, got number"),
    ],
)
def test_bad_bundle(ROOT, gen_tree, tiny_bundle, tmp_path, edit, error, message):
    bundle = broken_bundle(tiny_bundle, tmp_path, edit)
    df = ROOT.RDataFrame("Events", str(gen_tree))
    with pytest.raises(error, match=message):
        flashsim.rdf.simulate(df, bundle, seed=1)


def test_missing_bundle(ROOT, gen_tree, tmp_path):
    with pytest.raises(BundleError, match="has no bundle.json"):
        flashsim.rdf.simulate(ROOT.RDataFrame("Events", str(gen_tree)), tmp_path, seed=1)


def test_missing_gen_columns_are_listed_in_one_message(ROOT, gen_tree, tiny_bundle):
    df = ROOT.RDataFrame("Events", str(gen_tree))

    def edit(m, d):
        source(m)["conditioning"][2].update(input="GenJet_partonFlavour")
        source(m)["conditioning"][1].update(input="GenJet_etaAtVertex")

    bad = broken_bundle(tiny_bundle, gen_tree.parent / "missing_col", edit)
    with pytest.raises(InputError, match=r"lacks columns .*needs:\n  'GenJet_etaAtVertex' \(Jet <- GenJet\)"
                                         r"\n  'GenJet_partonFlavour' \(Jet <- GenJet\)"):
        flashsim.rdf.simulate(df, bad, seed=1)


def test_gen_column_of_wrong_type(ROOT, gen_tree, tiny_bundle):
    df = ROOT.RDataFrame("Events", str(gen_tree)).Redefine("GenJet_pt", "float(nGenJet)")
    with pytest.raises(InputError, match=r"column 'GenJet_pt' .*has type 'float', expected an array of numbers"):
        flashsim.rdf.simulate(df, tiny_bundle, seed=1)


def test_missing_event_id(ROOT, tiny_bundle):
    df = ROOT.RDataFrame(10).Define("GenJet_pt", "ROOT::RVecF{}")
    with pytest.raises(InputError, match=r"no column 'run' \(needed for the random-number key"):
        flashsim.rdf.simulate(df, tiny_bundle, seed=1)


def test_existing_reco_column(ROOT, gen_tree, tiny_bundle):
    df = ROOT.RDataFrame("Events", str(gen_tree)).Define("Jet_pt", "GenJet_pt")
    with pytest.raises(InputError, match=r"already has a column 'Jet_pt'"):
        flashsim.rdf.simulate(df, tiny_bundle, seed=1)


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"seed": -1}, "seed must be an integer"),
    ({"ode": {"method": "heun"}}, "unknown ODE method 'heun'"),
    ({"ode": {"tolerance": 1}}, "unknown ODE option"),
    ({"collections": ["Muon"]}, "has no collection 'Muon'; it has: Jet"),
    ({"seed": None}, r"simulate\(\) needs a seed, one per sample"),
])
def test_bad_options(ROOT, gen_tree, tiny_bundle, kwargs, message):
    with pytest.raises((InputError, BundleError), match=message):
        flashsim.rdf.simulate(ROOT.RDataFrame("Events", str(gen_tree)), tiny_bundle, **{"seed": 1, **kwargs})
