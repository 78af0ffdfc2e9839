"""Gen input stored as an RNTuple (what uproot writes for an awkward array by default, and where
NanoAOD is going) simulates to exactly what the same events as a TTree give."""

import awkward as ak
import numpy as np
import uproot

from flashsim.rdf.nanoaod_file import simulate_file


def test_rntuple_input_gives_the_same_events(gen_file, tiny_bundle, tmp_path):
    gen = gen_file("ttbar", 400, seed=5, jobs=2)
    with uproot.open(gen) as f:
        arrays = f["Events"].arrays()
    rntuple = tmp_path / "gen_rntuple.root"
    with uproot.recreate(rntuple) as f:
        f["Events"] = arrays
    with uproot.open(rntuple) as f:
        assert "RNTuple" in type(f["Events"]).__name__
    outs = {}
    for name, path in (("ttree", gen), ("rntuple", rntuple)):
        simulate_file(path, tmp_path / f"{name}.root", tiny_bundle, seed=4, progress=False)
        with uproot.open(tmp_path / f"{name}.root") as f:
            outs[name] = f["Events"].arrays()
    a, b = outs["ttree"], outs["rntuple"]
    assert len(a) == len(b) == 400 and set(a.fields) == set(b.fields)
    for field in a.fields:
        assert ak.all(ak.ravel(a[field]) == ak.ravel(b[field])), field
    assert np.asarray(ak.sum(a["nJet"])) > 0


def test_rntuple_output_equals_the_ttree_output(ROOT, gen_file, tiny_bundle, tmp_path):
    from flashsim.cli import main
    from flashsim.rdf.nanoaod_file import read_provenance

    gen = gen_file("ttbar", 400, seed=5, jobs=2)
    paths = {fmt: tmp_path / f"{fmt}.root" for fmt in ("ttree", "rntuple")}
    for fmt, path in paths.items():
        assert main(["simulate", str(gen), "-o", str(path), "--bundle", str(tiny_bundle), "--seed", "4",
                     "--format", fmt, "--no-progress"]) == 0
    with uproot.open(paths["rntuple"]) as f:
        kinds = f.classnames()
        assert {kinds[f"{t};1"] for t in ("Events", "Runs", "LuminosityBlocks")} == {"ROOT::RNTuple"}
    assert read_provenance(paths["rntuple"])["format"] == "rntuple"
    for tree in ("Events", "Runs", "LuminosityBlocks"):
        with uproot.open(paths["ttree"]) as f, uproot.open(paths["rntuple"]) as g:
            a, b = f[tree].arrays(), g[tree].arrays()
        assert len(a) == len(b) and set(a.fields) == set(b.fields), tree
        for field in a.fields:
            assert ak.all(ak.ravel(a[field]) == ak.ravel(b[field])), (tree, field)
    # ROOT reads it back with the same columns and values
    cols = ["nJet", "Jet_pt", "Jet_genJetIdx", "event"]
    from_root = ROOT.RDataFrame("Events", str(paths["rntuple"])).AsNumpy(cols)
    with uproot.open(paths["ttree"]) as f:
        want = f["Events"].arrays(cols)
    assert np.array_equal(from_root["nJet"], ak.to_numpy(want["nJet"]))
    assert np.array_equal(np.concatenate([np.asarray(v) for v in from_root["Jet_pt"]]),
                          ak.to_numpy(ak.flatten(want["Jet_pt"])))
