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
    "fullsim": lambda path, out: ["fullsim", path, "-o", out, "--seed", "1", "--quiet"],
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


@pytest.mark.parametrize("command", ["fullsim", "extract", "train", "validate"])
def test_rntuple_refused_with_one_line_where_not_read(bad_files, command, tmp_path, capsys):
    _, files = bad_files
    code = main([str(a) for a in COMMANDS[command](files["rntuple"], tmp_path / "out")])
    err = capsys.readouterr().err
    assert code == 2 and "RNTuple" in err and "Traceback" not in err
