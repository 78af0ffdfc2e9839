"""Bad input files: one clear line and exit 2 for every command, nothing left on disk."""

import numpy as np
import pytest
import uproot

from flashsim import InputError
from flashsim.cli import main
from flashsim.nanoaod.input_files import check_event_files, event_schema


def _tree(path, n=3, **extra):
    data = {"run": np.ones(n, np.uint32), "luminosityBlock": np.ones(n, np.uint32),
            "event": np.arange(n, dtype=np.uint64), **extra}
    with uproot.recreate(path) as f:
        f.mktree("Events", {k: v.dtype for k, v in data.items()}).extend(data)
    return path


@pytest.fixture(scope="module")
def bad_files(gen_file, tmp_path_factory):
    """{kind: path} of hostile inputs made from a real gen file."""
    good = gen_file("ttbar", 400, seed=5, jobs=2)
    folder = tmp_path_factory.mktemp("bad_inputs")
    data = good.read_bytes()
    files = {"truncated": folder / "truncated.root", "garbage": folder / "garbage.root",
             "empty_file": folder / "empty_file.root", "histogram": folder / "histogram.root",
             "no_events": folder / "no_events.root", "rntuple": folder / "rntuple.root"}
    files["truncated"].write_bytes(data[: len(data) // 3])
    files["garbage"].write_bytes(b"root" + bytes(range(256)) * 40)
    files["empty_file"].write_bytes(b"")
    with uproot.recreate(files["histogram"]) as f:
        f["Events"] = np.histogram([1.0, 2.0, 3.0])
    with uproot.recreate(files["no_events"]) as f:
        f.mktree("Other", {"x": np.float32}).extend({"x": np.zeros(2, np.float32)})
    with uproot.open(good) as f:
        arrays = f["Events"].arrays(["run", "luminosityBlock", "event", "nGenJet", "GenJet_pt"])
    with uproot.recreate(files["rntuple"]) as f:
        f["Events"] = arrays  # uproot writes an awkward array as an RNTuple
    return good, files


MESSAGES = {"truncated": "not a readable ROOT file", "garbage": "not a readable ROOT file",
            "empty_file": "not a readable ROOT file", "histogram": "Events is a TH1D, expected a TTree",
            "no_events": r"has no TTree 'Events' \(it has: Other\)", "rntuple": "Events is an RNTuple"}


@pytest.mark.parametrize("kind", sorted(MESSAGES))
def test_each_bad_file_is_named(bad_files, kind):
    _, files = bad_files
    with pytest.raises(InputError, match=MESSAGES[kind]) as err:
        event_schema(files[kind])
    assert str(files[kind]) in str(err.value) and "\n" not in str(err.value)


def test_rntuple_accepted_where_asked(bad_files):
    _, files = bad_files
    kind, schema = event_schema(files["rntuple"], rntuple=True)
    assert kind == "rntuple" and "GenJet_pt" in schema


def test_a_chain_changing_schema_is_named(tmp_path):
    a = _tree(tmp_path / "a.root", x=np.zeros(3, np.float32))
    b = _tree(tmp_path / "b.root", x=np.zeros(3, np.float64))
    c = _tree(tmp_path / "c.root")
    with pytest.raises(InputError, match=r"b.root: its Events columns differ .*a.root.*: x \(float -> double\)"):
        check_event_files([a, b], "test")
    with pytest.raises(InputError, match=r"x \(float -> absent\)"):
        check_event_files([a, c], "test")
    with pytest.raises(InputError, match="no input file given"):
        check_event_files([], "test")
    assert check_event_files([a, a], "test") == ["ttree", "ttree"]


COMMANDS = {
    "simulate": lambda path, out: ["simulate", path, "-o", out, "--seed", "1", "--no-progress"],
    "reference": lambda path, out: ["reference", path, "-o", out, "--seed", "1", "--quiet"],
    "extract": lambda path, out: ["extract", path, "-o", out],
    "train": lambda path, out: ["train", path, "-o", out],
    "validate": lambda path, out: ["validate", path, path, "-o", out, "--no-analyses"],
}


@pytest.mark.parametrize("command", sorted(COMMANDS))
@pytest.mark.parametrize("kind", ["truncated", "garbage", "histogram", "no_events"])
def test_every_command_one_line_exit_2_nothing_left(bad_files, command, kind, tmp_path, capsys):
    _, files = bad_files
    out = tmp_path / "out"
    code = main([str(a) for a in COMMANDS[command](files[kind], out)])
    err = [line for line in capsys.readouterr().err.splitlines() if line.startswith("flashsim")]
    assert code == 2
    assert len(err) == 1 and str(files[kind]) in err[0], err
    assert not out.exists() or (command == "validate" and not any(out.iterdir()))


def test_an_incomplete_rntuple_names_the_missing_column_in_the_reference_detector(bad_files, tmp_path, capsys):
    _, files = bad_files
    code = main([str(a) for a in COMMANDS["reference"](files["rntuple"], tmp_path / "out")])
    err = capsys.readouterr().err
    assert code == 2 and "has no branch 'GenPart_pt', which the reference detector needs" in err
    assert "Traceback" not in err and not (tmp_path / "out").exists()


@pytest.mark.parametrize("command", ["extract", "train", "validate"])
def test_a_gen_only_rntuple_is_a_clean_error_where_reco_is_needed(bad_files, command, tmp_path, capsys):
    _, files = bad_files
    code = main([str(a) for a in COMMANDS[command](files["rntuple"], tmp_path / "out")])
    err = [line for line in capsys.readouterr().err.splitlines() if line.startswith("flashsim")]
    assert code == 2 and len(err) == 1 and "Traceback" not in err[0], err


@pytest.fixture(scope="module")
def rntuple_reco(gen_file, tmp_path_factory):
    """A reference-detector file and its copy as an RNTuple (same events, same columns)."""
    from flashsim.refsim import reference_detector

    folder = tmp_path_factory.mktemp("rntuple_reco")
    ttree = folder / "full.root"
    reference_detector(str(gen_file("ttbar", 400, seed=5, jobs=2)), str(ttree), seed=2)
    with uproot.open(ttree) as f:
        arrays = f["Events"].arrays()
    rntuple = folder / "full_rntuple.root"
    with uproot.recreate(rntuple) as f:
        f["Events"] = arrays
    return ttree, rntuple


def test_rntuple_reco_extracts_the_same_tables(rntuple_reco):
    from flashsim import catalogue
    from flashsim.extract import extract

    sources = [s for s in catalogue.sources() if s.key in ("Jet_GenJet", "PuppiMET_Event")]
    a, b = (extract([p], sources) for p in rntuple_reco)
    for key in ("Jet_GenJet", "PuppiMET_Event"):
        ta, tb = a[key].properties, b[key].properties
        assert len(ta) > 100 and len(ta) == len(tb)
        for name, values in {**ta.columns, **ta.targets}.items():
            assert np.array_equal(values, {**tb.columns, **tb.targets}[name]), (key, name)


def test_rntuple_reco_validates_as_identical(rntuple_reco, tmp_path):
    from flashsim.validate import validate

    ttree, rntuple = rntuple_reco
    report = validate(rntuple, ttree, tmp_path / "report", collections=["Jet", "PuppiMET"], with_auc=False,
                      with_analyses=False, log=lambda *_: None)
    (process,) = report["processes"].values()
    assert process["events"] == {"a": 400, "b": 400}
    assert all(m["w1"] == 0.0 for c in process["collections"].values() for m in c["variables"].values())
