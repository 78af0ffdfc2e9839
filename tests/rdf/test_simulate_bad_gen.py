"""Non-finite and unphysical gen values met in the event loop: by default an error naming the
column, the value and the event (no output file); with --bad-gen skip such gen objects are left
out and counted. A non-finite simulated value is never written."""

import json
from pathlib import Path

import awkward as ak
import numpy as np
import pytest
import uproot

from flashsim import ModelError
from flashsim.cli import main
from flashsim.rdf.nanoaod_file import read_provenance, simulate_file


def _mutated(ROOT, source, target, expression):
    """``source`` with GenJet_pt redefined by ``expression`` (C++ on ``v``, a copy of GenJet_pt)."""
    df = ROOT.RDataFrame("Events", str(source))
    df.Redefine("GenJet_pt", f"auto v = GenJet_pt; {expression}; return v;").Snapshot("Events", str(target))
    return target


def _with_pt_step(bundle, target, key, value):
    """A copy of ``bundle`` whose Jet pt target has ``key`` of its last transform step set to ``value``."""
    target.mkdir()
    for p in Path(bundle).iterdir():
        (target / p.name).write_bytes(p.read_bytes())
    manifest = json.loads((target / "bundle.json").read_text())
    pt = manifest["collections"][0]["sources"][0]["targets"][0]
    assert pt["branch"] == "pt"
    pt["transform"][-1][key] = value
    (target / "bundle.json").write_text(json.dumps(manifest))
    return target


@pytest.fixture(scope="module")
def gen(gen_file):
    return gen_file("ttbar", 400, seed=5, jobs=2)


@pytest.mark.parametrize(("expression", "shown"), [
    ("if (event == 7 && v.size() > 1) v[1] = NAN", "is nan, expected a finite number"),
    ("if (event == 7 && v.size() > 1) v[1] = INFINITY", "is inf, expected a finite number"),
    ("if (event == 7 && v.size() > 1) v[1] = -30.f", "is -30.000000, expected a finite number >= 0"),
])
def test_stop_names_column_value_and_event(ROOT, gen, tiny_bundle, tmp_path, capsys, expression, shown):
    bad = _mutated(ROOT, gen, tmp_path / "bad.root", expression)
    out = tmp_path / "nano.root"
    assert main(["simulate", str(bad), "-o", str(out), "--bundle", str(tiny_bundle), "--seed", "1",
                 "--no-progress"]) == 2
    err = [line for line in capsys.readouterr().err.splitlines() if line.startswith("flashsim simulate")]
    assert len(err) == 1
    assert "gen column 'GenJet_pt' of object 1 " + shown in err[0]
    assert "run=1 luminosityBlock=1 event=7" in err[0]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.root"]


def test_skip_leaves_them_out_and_counts_them(ROOT, gen, tiny_bundle, tmp_path, capsys):
    expression = "if (event % 10 == 3 && v.size() > 1) v[1] = (event % 20 == 3) ? NAN : INFINITY"
    bad = _mutated(ROOT, gen, tmp_path / "bad.root", expression)
    with uproot.open(bad) as f:
        n_bad = int(ak.sum(~np.isfinite(f["Events"]["GenJet_pt"].array())))
    assert n_bad > 20
    out = tmp_path / "nano.root"
    assert main(["simulate", str(bad), "-o", str(out), "--bundle", str(tiny_bundle), "--seed", "1",
                 "--bad-gen", "skip", "--no-progress"]) == 0
    line = capsys.readouterr().out.strip().splitlines()[-1]
    assert f"left out {n_bad} gen candidates with bad values (Jet {n_bad})" in line
    assert read_provenance(out)["bad_gen"] == {"policy": "skip", "skipped_gen_objects": {"Jet": n_bad}}
    clean = simulate_file(gen, tmp_path / "clean.root", tiny_bundle, seed=1, progress=False)
    with uproot.open(out) as f, uproot.open(tmp_path / "clean.root") as g, uproot.open(bad) as b:
        got, want = f["Events"].arrays(), g["Events"].arrays()
        gen_in = b["Events"]["GenJet_pt"].array()
    assert len(got) == len(want) == clean.events == 400  # one output event per input event
    assert ak.all(np.isfinite(got["Jet_pt"])) and ak.all(np.isfinite(got["Jet_eta"]))
    assert ak.all((ak.is_none(ak.nan_to_none(gen_in), axis=1)) | (got["GenJet_pt"] == gen_in))  # unchanged
    assert ak.all(ak.num(got["GenJet_pt"]) == ak.num(gen_in))
    # the skipped jets are gone and nothing points at them; events without a bad value are untouched
    touched = np.asarray(ak.any(~np.isfinite(gen_in), axis=1))
    assert not ak.any(got["Jet_genJetIdx"][touched] == 1)
    for field in ("Jet_pt", "Jet_eta", "Jet_genJetIdx"):
        assert ak.all(ak.ravel(got[field][~touched]) == ak.ravel(want[field][~touched])), field


def test_a_non_finite_simulated_value_is_never_written(ROOT, gen, tiny_bundle, tmp_path):
    broken = _with_pt_step(tiny_bundle, tmp_path / "bundle", "std", 1e308)  # times the gen pt: inf
    with pytest.raises(ModelError, match=r"the simulated Jet_pt of object \d+ is -?inf .*nothing written"):
        simulate_file(gen, tmp_path / "nano.root", broken, seed=1, progress=False)
    assert not (tmp_path / "nano.root").exists()


def test_a_value_beyond_float_range_is_never_written(ROOT, gen, tiny_bundle, tmp_path):
    """Finite as a double, inf once written as Float_t: caught as what it would be on disk."""
    broken = _with_pt_step(tiny_bundle, tmp_path / "bundle", "mean", 1e300)
    with pytest.raises(ModelError, match=r"the simulated Jet_pt of object \d+ is inf"):
        simulate_file(gen, tmp_path / "nano.root", broken, seed=1, progress=False)
    assert not (tmp_path / "nano.root").exists()
