"""flashsim fullsim without --seed: the detector seed comes from the gen file's generator
provenance (two samples never share their smearing); a file without one is refused."""

import sys
from pathlib import Path

import numpy as np
import uproot

from flashsim.cli import main
from flashsim.generate.sample_seed import sample_seed
from flashsim.nanoaod import read_json_tnamed
from flashsim.refsim import fullsim

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "generate"))
from test_sample_seed import with_generator_seed  # noqa: E402


def _jet_pt(path):
    with uproot.open(path) as f:
        return f["Events"]["Jet_pt"].array(library="np")


def test_same_events_other_sample_other_smearing(ttbar_gen, tmp_path):
    other = with_generator_seed(ttbar_gen, tmp_path / "other.root", 99)
    a = fullsim(str(ttbar_gen), str(tmp_path / "a.root"))
    b = fullsim(str(other), str(tmp_path / "b.root"))
    assert a["seed"] == sample_seed([ttbar_gen], "flashsim fullsim") and a["seed_from"] == "generator provenance"
    assert b["seed"] != a["seed"]
    assert read_json_tnamed(tmp_path / "b.root", "flashsim_refsim")["seed"] == b["seed"]
    pa, pb = _jet_pt(tmp_path / "a.root"), _jet_pt(tmp_path / "b.root")
    assert not all(len(x) == len(y) and np.array_equal(x, y) for x, y in zip(pa, pb, strict=True))
    # one explicit seed for both: identical smearing of identical events
    fullsim(str(ttbar_gen), str(tmp_path / "a7.root"), seed=7)
    fullsim(str(other), str(tmp_path / "b7.root"), seed=7)
    pa, pb = _jet_pt(tmp_path / "a7.root"), _jet_pt(tmp_path / "b7.root")
    assert all(np.array_equal(x, y) for x, y in zip(pa, pb, strict=True))


def test_no_provenance_no_seed_is_one_line(tmp_path, capsys):
    bare = tmp_path / "bare.root"
    with uproot.recreate(bare) as f:
        data = {"run": np.ones(2, np.uint32), "luminosityBlock": np.ones(2, np.uint32),
                "event": np.arange(2, dtype=np.uint64)}
        f.mktree("Events", {k: v.dtype for k, v in data.items()}).extend(data)
    code = main(["fullsim", str(bare), "-o", str(tmp_path / "full.root"), "--quiet"])
    err = capsys.readouterr().err.strip()
    assert code == 2 and len(err.splitlines()) == 1
    assert list(tmp_path.iterdir()) == [bare]
