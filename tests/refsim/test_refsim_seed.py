"""flashsim reference without --seed: the detector seed comes from the gen file's generator
provenance (two samples never share their smearing); a file without one is refused."""

import sys
from pathlib import Path

import numpy as np
import uproot

from flashsim.cli import main
from flashsim.generate.sample_seed import sample_seed
from flashsim.nanoaod import read_json_tnamed
from flashsim.refsim import reference_detector
from flashsim.refsim.process_file import SEED_SALT

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "generate"))
from test_sample_seed import with_generator_seed  # noqa: E402


def _jet_pt(path):
    with uproot.open(path) as f:
        return f["Events"]["Jet_pt"].array(library="np")


def test_same_events_other_sample_other_smearing(ttbar_gen, tmp_path):
    other = with_generator_seed(ttbar_gen, tmp_path / "other.root", 99)
    a = reference_detector(str(ttbar_gen), str(tmp_path / "a.root"))
    b = reference_detector(str(other), str(tmp_path / "b.root"))
    assert a["seed"] == sample_seed([ttbar_gen], SEED_SALT) and a["seed_from"] == "generator provenance"
    assert b["seed"] != a["seed"]
    assert read_json_tnamed(tmp_path / "b.root", "flashsim_refsim")["seed"] == b["seed"]
    pa, pb = _jet_pt(tmp_path / "a.root"), _jet_pt(tmp_path / "b.root")
    assert not all(len(x) == len(y) and np.array_equal(x, y) for x, y in zip(pa, pb, strict=True))
    # one explicit seed for both: identical smearing of identical events
    reference_detector(str(ttbar_gen), str(tmp_path / "a7.root"), seed=7)
    reference_detector(str(other), str(tmp_path / "b7.root"), seed=7)
    pa, pb = _jet_pt(tmp_path / "a7.root"), _jet_pt(tmp_path / "b7.root")
    assert all(np.array_equal(x, y) for x, y in zip(pa, pb, strict=True))


def test_no_provenance_no_seed_is_one_line(tmp_path, capsys):
    bare = tmp_path / "bare.root"
    with uproot.recreate(bare) as f:
        data = {"run": np.ones(2, np.uint32), "luminosityBlock": np.ones(2, np.uint32),
                "event": np.arange(2, dtype=np.uint64)}
        f.mktree("Events", {k: v.dtype for k, v in data.items()}).extend(data)
    code = main(["reference", str(bare), "-o", str(tmp_path / "full.root"), "--quiet"])
    err = capsys.readouterr().err.strip()
    assert code == 2 and len(err.splitlines()) == 1
    assert list(tmp_path.iterdir()) == [bare]


def test_fullsim_is_a_deprecated_alias(ttbar_gen, tmp_path, capsys):
    """`flashsim fullsim` (the old name) still runs the reference detector, with a notice; the
    Python name too, with a DeprecationWarning. Same events, same smearing as `flashsim reference`."""
    import warnings

    from flashsim import refsim

    assert main(["reference", str(ttbar_gen), "-o", str(tmp_path / "new.root"), "--seed", "4", "--quiet"]) == 0
    assert "deprecated" not in capsys.readouterr().err
    assert main(["fullsim", str(ttbar_gen), "-o", str(tmp_path / "old.root"), "--seed", "4", "--quiet"]) == 0
    assert "flashsim fullsim: deprecated, use `flashsim reference`" in capsys.readouterr().err
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        refsim.fullsim(str(ttbar_gen), str(tmp_path / "api.root"), seed=4)
    assert any(issubclass(w.category, DeprecationWarning) for w in caught)
    new, old, api = (_jet_pt(tmp_path / f"{n}.root") for n in ("new", "old", "api"))
    assert all(np.array_equal(a, b) and np.array_equal(a, c) for a, b, c in zip(new, old, api, strict=True))
    assert read_json_tnamed(tmp_path / "new.root", "flashsim_refsim")["tool"] == "flashsim reference"
