"""``flashsim simulate``: gen file -> NanoAOD file (Events, Runs, LuminosityBlocks, provenance),
written atomically, with clear errors before the event loop."""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
import uproot
from toy_gen import write_event_tree, write_gen_tree

import flashsim.rdf
from flashsim import BundleError, InputError
from flashsim.cli import main
from flashsim.rdf.nanoaod_file import read_provenance, simulate_file

ID = ["run", "luminosityBlock", "event"]
REPO = Path(__file__).resolve().parents[2]


def cli(*args) -> int:
    """flashsim simulate; the toy gen files have no generator provenance, so a seed is given
    unless the test gives its own (tests/rdf/test_sample_seed.py covers the derived one)."""
    args = [*map(str, args)] + ([] if "--seed" in map(str, args) else ["--seed", "3"])
    return main(["simulate", *args, "--no-progress"])


@pytest.fixture(scope="module")
def cli_output(gen_tree, tiny_bundle, tmp_path_factory):
    out = tmp_path_factory.mktemp("cli") / "nano.root"
    assert cli(gen_tree, "-o", out, "--bundle", tiny_bundle, "--seed", 5) == 0
    return out


def test_one_event_per_input_event_in_input_order(cli_output, gen_tree):
    with uproot.open(gen_tree) as g, uproot.open(cli_output) as o:
        for name in ID:
            assert np.array_equal(g["Events"][name].array(library="np"), o["Events"][name].array(library="np"))
        for name in g["Events"].keys():  # every gen branch passed through, values unchanged
            a, b = g["Events"][name].array(), o["Events"][name].array()
            assert a.tolist() == b.tolist(), name


def test_same_content_as_the_python_api(ROOT, cli_output, gen_tree, tiny_bundle):
    api = flashsim.rdf.simulate(ROOT.RDataFrame("Events", str(gen_tree)), tiny_bundle, seed=5)
    expected = api.AsNumpy(["Jet_pt", "Jet_genJetIdx", "nJet"])
    with uproot.open(cli_output) as f:
        written = f["Events"].arrays(["Jet_pt", "Jet_genJetIdx", "nJet"], library="np")
    assert np.array_equal(written["nJet"], expected["nJet"])
    for name in ("Jet_pt", "Jet_genJetIdx"):
        for a, b in zip(written[name], expected[name], strict=True):
            assert np.array_equal(a, np.asarray(b)), name


def test_nanoaod_types_and_no_hidden_columns(ROOT, cli_output, gen_tree):
    df = ROOT.RDataFrame("Events", str(cli_output))
    names = {str(c) for c in df.GetColumnNames()}
    assert not [n for n in names if n.startswith("_flashsim") or n.startswith("R_rdf_sizeof")]
    types = {c: str(df.GetColumnType(c)) for c in
             ("run", "luminosityBlock", "event", "nJet", "Jet_pt", "Jet_jetId", "Jet_genJetIdx",
              "FlashSim_copy", "FlashSim_weight")}
    assert types == {"run": "UInt_t", "luminosityBlock": "UInt_t", "event": "ULong64_t", "nJet": "Int_t",
                     "Jet_pt": "ROOT::VecOps::RVec<Float_t>", "Jet_jetId": "ROOT::VecOps::RVec<UChar_t>",
                     "Jet_genJetIdx": "ROOT::VecOps::RVec<Short_t>", "FlashSim_copy": "UShort_t",
                     "FlashSim_weight": "Float_t"}
    f = ROOT.TFile.Open(str(cli_output))
    tree = f.Get("Events")
    for name in ("Jet_pt", "Jet_jetId", "Jet_genJetIdx"):  # NanoAOD leaf lists, Jet_pt[nJet]/F
        assert tree.GetLeaf(name).GetLeafCount().GetName() == "nJet", name
    assert tree.GetLeaf("GenJet_pt").GetLeafCount().GetName() == "nGenJet"
    g = ROOT.TFile.Open(str(gen_tree))
    assert tree.GetLeaf("nGenJet").GetTypeName() == g.Get("Events").GetLeaf("nGenJet").GetTypeName()  # kept
    g.Close()
    f.Close()
    with uproot.open(cli_output) as f:
        events = f["Events"]
        assert events["nJet"].typename == "int32_t" and events["Jet_pt"].typename == "float[]"
        assert set(events["FlashSim_copy"].array(library="np")) == {0}
        assert set(events["FlashSim_weight"].array(library="np")) == {1.0}


def test_runs_and_lumis_counted_without_a_runs_tree(cli_output, gen_tree):
    with uproot.open(cli_output) as f:
        runs = f["Runs"].arrays(library="np")
        lumis = f["LuminosityBlocks"].arrays(library="np")
        assert f["Runs"]["genEventCount"].typename == "int64_t" and f["Runs"]["run"].typename == "uint32_t"
    assert runs["run"].tolist() == [1] and runs["genEventCount"].tolist() == [300]
    assert runs["genEventSumw"].tolist() == [300.0] and runs["genEventSumw2"].tolist() == [300.0]  # no genWeight
    assert lumis["run"].tolist() == [1, 1, 1] and lumis["luminosityBlock"].tolist() == [1, 2, 3]


def test_runs_from_gen_weights(ROOT, tiny_bundle, tmp_path):
    single = write_gen_tree(tmp_path / "one.root", n_events=50)
    two_runs = write_gen_tree(tmp_path / "two.root", n_events=30, run=2)
    weighted = tmp_path / "weighted.root"
    ROOT.RDataFrame("Events", [str(single), str(two_runs)]).Define(
        "genWeight", "static_cast<float>(event % 3) - 0.5f").Snapshot("Events", str(weighted))
    summary = simulate_file(weighted, tmp_path / "nano.root", tiny_bundle, seed=0, progress=False)
    assert summary.events == 80
    with uproot.open(tmp_path / "nano.root") as f:
        runs = f["Runs"].arrays(library="np")
    w = uproot.open(weighted)["Events"].arrays(["run", "genWeight"], library="np")
    for k, run in enumerate((1, 2)):
        sel = w["run"] == run
        assert runs["run"][k] == run and runs["genEventCount"][k] == sel.sum()
        assert runs["genEventSumw"][k] == pytest.approx(w["genWeight"][sel].astype(float).sum())
        assert runs["genEventSumw2"][k] == pytest.approx((w["genWeight"][sel].astype(float) ** 2).sum())


def test_provenance(cli_output, gen_tree, tiny_bundle):
    info = read_provenance(cli_output)
    assert info["bundle"]["name"] == "toy (random weights, not trained)"
    assert info["bundle"]["provenance"]["made_by"] == "flashsim.bundle.toy.write_toy_bundle"
    assert info["seed"] == 5 and info["oversample"] == 1 and info["collections"] == ["Jet"]
    assert info["ode"] == json.loads((Path(tiny_bundle) / "bundle.json").read_text())["ode"]
    assert info["input"] == [str(Path(gen_tree).resolve())]
    assert info["flashsim_version"] == flashsim.__version__


def test_final_line_and_ode_options(gen_tree, tiny_bundle, tmp_path, capsys):
    out = tmp_path / "nano.root"
    assert cli(gen_tree, "-o", out, "--bundle", tiny_bundle, "--ode-method", "rk4", "--ode-steps", 3) == 0
    line = capsys.readouterr().out.strip().splitlines()[-1]
    assert line.startswith(f"flashsim simulate: 300 events -> {out} in ") and line.endswith("1 thread(s), seed 3)")
    assert "events/s" in line
    assert read_provenance(out)["ode"] == {"method": "rk4", "steps": 3}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["nano.root"]  # no temporary file left


def test_one_and_two_threads_bit_identical(ROOT, tiny_bundle, tmp_path):
    gen = write_event_tree(tmp_path / "gen.root", n_events=1000)  # clusters of 100: tasks for 2 threads
    for threads in (1, 2):
        assert cli(gen, "-o", tmp_path / f"t{threads}.root", "--bundle", tiny_bundle, "--threads", threads) == 0
    one, two = (uproot.open(tmp_path / f"t{t}.root")["Events"].arrays(library="np") for t in (1, 2))
    order_one, order_two = np.argsort(one["event"]), np.argsort(two["event"])
    for name in one:
        for a, b in zip(one[name][order_one], two[name][order_two], strict=True):
            assert np.array_equal(np.asarray(a), np.asarray(b)), name


# --- bad input: errors before the event loop, no file left -----------------------------------


def test_missing_input(tiny_bundle, tmp_path):
    with pytest.raises(InputError, match="input '.*nothere.root' does not exist"):
        simulate_file(tmp_path / "nothere.root", tmp_path / "out.root", tiny_bundle, seed=0, progress=False)


def test_input_without_events(tiny_bundle, tmp_path):
    path = tmp_path / "empty.root"
    with uproot.recreate(path) as f:
        f.mktree("Other", {"x": np.int32}).extend({"x": np.arange(3, dtype=np.int32)})
    with pytest.raises(InputError, match="has no TTree 'Events' \\(it has: Other\\)"):
        simulate_file(path, tmp_path / "out.root", tiny_bundle, seed=0, progress=False)


@pytest.mark.parametrize(("name", "message"), [
    ("no/such/folder/nano.root", "folder .* does not exist"),
    (".", "is a directory"),
])
def test_unwritable_output(gen_tree, tiny_bundle, tmp_path, name, message):
    start = time.perf_counter()
    with pytest.raises(InputError, match=message):
        simulate_file(gen_tree, tmp_path / name, tiny_bundle, seed=0, progress=False)
    assert time.perf_counter() - start < 5  # before any event loop
    assert list(tmp_path.iterdir()) == []


def test_output_is_the_input(gen_tree, tiny_bundle):
    with pytest.raises(InputError, match="is also an input"):
        simulate_file(gen_tree, gen_tree, tiny_bundle, seed=0, progress=False)


def test_invalid_bundle(gen_tree, tiny_bundle, tmp_path, capsys):
    bad = tmp_path / "bundle"
    bad.mkdir()
    manifest = json.loads((Path(tiny_bundle) / "bundle.json").read_text())
    manifest["format_version"] = 7
    (bad / "bundle.json").write_text(json.dumps(manifest))
    assert cli(gen_tree, "-o", tmp_path / "nano.root", "--bundle", bad) == 2
    assert "format_version is 7, expected one of (1, 2)" in capsys.readouterr().err
    assert not (tmp_path / "nano.root").exists()


def test_missing_columns_listed(tiny_bundle, tmp_path, capsys):
    import awkward as ak

    path = tmp_path / "gen.root"
    with uproot.recreate(path) as f:
        data = {"run": np.ones(3, np.uint32), "luminosityBlock": np.ones(3, np.uint32),
                "event": np.arange(3, dtype=np.uint64), "GenJet": ak.zip({"pt": ak.Array([[20.0], [], [30.0]])})}
        f.mktree("Events", {k: v.type.content if k == "GenJet" else v.dtype for k, v in data.items()}).extend(data)
    assert cli(path, "-o", tmp_path / "nano.root", "--bundle", tiny_bundle) == 2
    err = capsys.readouterr().err
    assert "'GenJet_eta' (Jet <- GenJet)" in err and "'GenJet_hadronFlavour' (Jet <- GenJet)" in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["gen.root"]


@pytest.mark.parametrize(("options", "message"), [
    (["--ode-method", "dopri5", "--ode-steps", "4"], "--ode-steps applies to euler"),
    (["--ode-method", "distilled", "--ode-steps", "4"], "distilled runs each source's few-step network at the steps "
                                                         "it was distilled for; it takes no --ode-steps"),
    (["--ode-method", "distilled"], "Jet <- GenJet has no distilled few-step network (velocity_field.distilled)"),
    (["--rtol", "1e-4"], "--rtol/--atol apply to dopri5, not to midpoint"),
    (["--ode-steps", "0"], "ODE steps must be an integer in [1, 100000] for midpoint, got 0"),
    (["--ode-steps", "100000000000"], "ODE steps must be an integer in [1, 100000] for midpoint"),
    (["--ode-method", "dopri5", "--rtol", "0"], "dopri5 needs rtol > 0 and atol > 0, got rtol=0 atol="),
    (["--oversample", "0"], "oversample must be an integer in"),
    (["--threads", "-1"], "threads must be an integer >= 0"),
    (["--collections", "Muon"], "has no collection 'Muon'"),
])
def test_bad_options(gen_tree, tiny_bundle, tmp_path, capsys, options, message):
    assert cli(gen_tree, "-o", tmp_path / "nano.root", "--bundle", tiny_bundle, *options) == 2
    assert message in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []


def test_no_default_bundle_yet(gen_tree, tmp_path, monkeypatch, capsys):
    import flashsim.bundle

    monkeypatch.setattr(flashsim.bundle, "DEFAULT_BUNDLE_DIR", tmp_path / "default")
    assert cli(gen_tree, "-o", tmp_path / "nano.root") == 2
    assert "no default bundle installed" in capsys.readouterr().err
    with pytest.raises(BundleError, match="train one with flashsim train or pass --bundle"):
        flashsim.rdf.simulate(None, None)


def test_default_bundle_is_used(ROOT, gen_tree, tiny_bundle, tmp_path, monkeypatch):
    import flashsim.bundle

    monkeypatch.setattr(flashsim.bundle, "DEFAULT_BUNDLE_DIR", Path(tiny_bundle))
    default = flashsim.rdf.simulate(ROOT.RDataFrame("Events", str(gen_tree)), seed=2).AsNumpy(["nJet"])["nJet"]
    explicit = flashsim.rdf.simulate(ROOT.RDataFrame("Events", str(gen_tree)), tiny_bundle, seed=2)
    assert np.array_equal(default, explicit.AsNumpy(["nJet"])["nJet"])
    summary = simulate_file(gen_tree, tmp_path / "nano.root", seed=0, progress=False)
    assert summary.provenance["bundle"]["path"] == str(Path(tiny_bundle).resolve())


@pytest.fixture(scope="module")
def big_gen(tmp_path_factory):
    """Long enough to be interrupted mid-loop (the toy bundle runs ~2000 events/s)."""
    return write_gen_tree(tmp_path_factory.mktemp("big") / "gen.root", n_events=300_000)


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
@pytest.mark.parametrize("oversample", [1, 2])
def test_signal_leaves_no_file(big_gen, tiny_bundle, tmp_path, sig, oversample):
    out = tmp_path / "nano.root"
    cmd = [sys.executable, "-m", "flashsim", "simulate", str(big_gen), "-o", str(out), "--bundle", str(tiny_bundle),
           "--oversample", str(oversample), "--seed", "1", "--no-progress"]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=dict(os.environ))
    try:
        deadline = time.monotonic() + 120
        while not any(tmp_path.iterdir()):  # the temporary file appears when the event loop starts
            assert proc.poll() is None, proc.communicate()
            assert time.monotonic() < deadline
            time.sleep(0.05)
        time.sleep(0.5)
        assert proc.poll() is None, "finished before the signal: make the input longer"
        sent = time.monotonic()
        proc.send_signal(sig)
        _, err = proc.communicate(timeout=60)
        reaction = time.monotonic() - sent
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 130, err.decode()
    assert b"interrupted" in err
    assert reaction < 10  # the event loop stopped, it did not run to its end
    assert list(tmp_path.iterdir()) == []


def test_progress_bar(gen_tree, tiny_bundle, tmp_path, capfd):
    simulate_file(gen_tree, tmp_path / "nano.root", tiny_bundle, seed=0, progress=True)
    assert "processed events: 300" in capfd.readouterr().out  # ROOT's RDataFrame progress bar


def test_empty_input(ROOT, gen_tree, tiny_bundle, tmp_path):
    empty = tmp_path / "empty.root"
    ROOT.RDataFrame("Events", str(gen_tree)).Filter("event < 0").Snapshot("Events", str(empty))
    summary = simulate_file(empty, tmp_path / "nano.root", tiny_bundle, seed=0, progress=False, oversample=2)
    assert summary.events == 0 and summary.entries == 0
    with uproot.open(tmp_path / "nano.root") as f:
        assert f["Events"].num_entries == 0 and f["Events"]["Jet_pt"].typename == "float[]"
        assert f["Runs"]["genEventCount"].array(library="np").tolist() == []
