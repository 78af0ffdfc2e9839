"""flashsim simulate without --seed: the seed comes from the inputs' generator provenance, so two
samples never share their noise; files without provenance are refused with a one-line error."""

import sys
from pathlib import Path

import numpy as np
import uproot

from flashsim.cli import main
from flashsim.generate.sample_seed import sample_seed
from flashsim.rdf.nanoaod_file import read_provenance, simulate_file

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "generate"))
from test_sample_seed import with_generator_seed  # noqa: E402

ID = ["run", "luminosityBlock", "event"]


def _by_event(path, branch="Jet_pt"):
    with uproot.open(path) as f:
        a = f["Events"].arrays([*ID, branch], library="np")
    order = np.lexsort([a[k] for k in reversed(ID)])
    return [a[k][order] for k in ID], [a[branch][i] for i in order]


def test_same_events_other_sample_other_noise(gen_file, tiny_bundle, tmp_path):
    """The same gen events under two generator provenances: different noise without --seed,
    identical output with one --seed for both (the correlation the rule removes)."""
    a = gen_file("ttbar", 400, seed=5, jobs=2)
    b = with_generator_seed(a, tmp_path / "gen_b.root", 6)
    outs = {}
    for name, gen in (("a", a), ("b", b)):
        outs[name] = simulate_file(gen, tmp_path / f"{name}.root", tiny_bundle, progress=False)
        assert outs[name].provenance["seed_from"] == "generator provenance"
        assert read_provenance(tmp_path / f"{name}.root")["seed"] == sample_seed([gen], "flashsim simulate")
    assert outs["a"].seed != outs["b"].seed
    (_, pt_a), (_, pt_b) = _by_event(tmp_path / "a.root"), _by_event(tmp_path / "b.root")
    assert not all(len(x) == len(y) and np.array_equal(x, y) for x, y in zip(pt_a, pt_b, strict=True))
    for name, gen in (("a7", a), ("b7", b)):
        simulate_file(gen, tmp_path / f"{name}.root", tiny_bundle, seed=7, progress=False)
        assert read_provenance(tmp_path / f"{name}.root")["seed_from"] == "--seed"
    (_, pt_a), (_, pt_b) = _by_event(tmp_path / "a7.root"), _by_event(tmp_path / "b7.root")
    assert all(np.array_equal(x, y) for x, y in zip(pt_a, pt_b, strict=True))


def test_derived_seed_output_unchanged_by_threads(gen_file, tiny_bundle, tmp_path):
    gen = gen_file("ttbar", 1000, jobs=2)
    for threads in (1, 2):
        simulate_file(gen, tmp_path / f"t{threads}.root", tiny_bundle, threads=threads, progress=False)
    (ids1, pt1), (ids2, pt2) = _by_event(tmp_path / "t1.root"), _by_event(tmp_path / "t2.root")
    assert all(np.array_equal(x, y) for x, y in zip(ids1, ids2, strict=True))
    assert all(np.array_equal(x, y) for x, y in zip(pt1, pt2, strict=True))


def test_no_provenance_no_seed_is_one_line(gen_tree, tiny_bundle, tmp_path, capsys):
    assert main(["simulate", str(gen_tree), "-o", str(tmp_path / "nano.root"), "--bundle", str(tiny_bundle),
                 "--no-progress"]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "no generator provenance" in err and "pass --seed" in err
    assert list(tmp_path.iterdir()) == []


def test_final_line_names_the_seed(gen_file, tiny_bundle, tmp_path, capsys):
    gen = gen_file("ttbar", 400, seed=5, jobs=2)
    assert main(["simulate", str(gen), "-o", str(tmp_path / "nano.root"), "--bundle", str(tiny_bundle),
                 "--no-progress"]) == 0
    assert capsys.readouterr().out.strip().endswith(f"seed {sample_seed([gen], 'flashsim simulate')})")
