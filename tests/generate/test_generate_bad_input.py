"""Bad input: a clear InputError (exit code 2 from the CLI) and no output file, not even a
temporary one."""

import pytest

from flashsim.cli import main
from flashsim.errors import InputError
from flashsim.generate import generate


def _leftovers(folder):
    return sorted(p.name for p in folder.iterdir())


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"process": "higgs_to_unicorns"}, "unknown process 'higgs_to_unicorns'"),
        ({"events": 0}, "events = 0"),
        ({"events": -5}, "events = -5"),
        ({"seed": -1}, "seed = -1"),
        ({"jobs": 0}, "jobs = 0"),
        ({"run": 0}, "run = 0"),
        ({"pileup": "gaussian:40"}, "--pileup 'gaussian:40'"),
        ({"process": "ttbar", "pthat_min": 50.0}, "apply to qcd and qcd_flat only"),
        ({"process": "qcd", "pthat_min": 500.0, "pthat_max": 100.0}, "pthat-min < pthat-max"),
    ],
)
def test_bad_arguments(tmp_path, kwargs, message):
    args = {"process": "dy", "events": 10, "seed": 1, "output": tmp_path / "out.root"}
    args.update(kwargs)
    with pytest.raises(InputError, match=message.replace("(", r"\(").replace("+", r"\+")):
        generate(**args, progress=False)
    assert _leftovers(tmp_path) == []


@pytest.mark.parametrize("where", ["missing_folder", "is_directory", "under_a_file"])
def test_unwritable_output(tmp_path, where):
    target = {
        "missing_folder": tmp_path / "no" / "such" / "out.root",
        "is_directory": tmp_path,
        "under_a_file": tmp_path / "plain.txt" / "out.root",
    }[where]
    (tmp_path / "plain.txt").write_text("x")
    with pytest.raises(InputError, match="output"):
        generate("dy", 10, 1, target, progress=False)
    assert _leftovers(tmp_path) == ["plain.txt"]


def test_card_with_unknown_setting(tmp_path):
    card = tmp_path / "bad.cmnd"
    card.write_text("! a comment\nHardQCD:all = on\nHardQCD:notASetting = on\n")
    out = tmp_path / "out.root"
    with pytest.raises(InputError, match="HardQCD:notASetting"):
        generate("custom", 10, 1, out, pythia_cmnd=card, progress=False)
    assert _leftovers(tmp_path) == ["bad.cmnd"]


def test_card_that_cannot_initialise(tmp_path):
    # Every line is a valid setting, but no process is switched on: Pythia.init() fails, after
    # the output file was opened -- the temporary file must go.
    card = tmp_path / "noprocess.cmnd"
    card.write_text("Beams:eCM = 13600.\n")
    with pytest.raises(InputError, match="init"):
        generate("custom", 10, 1, tmp_path / "out.root", pythia_cmnd=card, progress=False)
    assert _leftovers(tmp_path) == ["noprocess.cmnd"]


def test_card_whose_events_all_fail(tmp_path):
    # Accepted and initialised, but every event fails Pythia's momentum-conservation check.
    card = tmp_path / "failing.cmnd"
    card.write_text(
        "HardQCD:all = on\nPhaseSpace:pTHatMin = 20.\nPartonLevel:MPI = off\n"
        "HadronLevel:all = off\nCheck:epTolErr = 1e-30\n"
    )
    with pytest.raises(InputError, match="attempts per event failed"):
        generate("custom", 1, 1, tmp_path / "out.root", pythia_cmnd=card, progress=False)
    assert _leftovers(tmp_path) == ["failing.cmnd"]


def test_missing_card(tmp_path):
    with pytest.raises(InputError, match="cannot read"):
        generate("custom", 10, 1, tmp_path / "o.root", pythia_cmnd=tmp_path / "x.cmnd")


@pytest.mark.parametrize(
    "argv",
    [
        ["--process", "nope", "--events", "10", "--seed", "1"],
        ["--process", "dy", "--events", "0", "--seed", "1"],
        ["--process", "dy", "--events", "10", "--seed", "1", "--jobs", "2", "--pileup", "x"],
    ],
)
def test_cli_exit_code_and_message(tmp_path, capsys, argv):
    out = tmp_path / "gen.root"
    code = main(["generate", *argv, "-o", str(out), "--no-progress"])
    assert code == 2
    err = capsys.readouterr().err
    assert err.startswith("flashsim generate: error: ")
    assert _leftovers(tmp_path) == []


def test_cli_bad_card_in_a_worker(tmp_path, capsys):
    """The init failure happens inside a worker process (jobs=2): still InputError, exit 2."""
    card = tmp_path / "noprocess.cmnd"
    card.write_text("Beams:eCM = 13600.\n")
    code = main(
        [
            "generate",
            "--pythia-cmnd",
            str(card),
            "--events",
            "20",
            "--seed",
            "1",
            "--jobs",
            "2",
            "--events-per-lumi",
            "10",
            "-o",
            str(tmp_path / "gen.root"),
            "--no-progress",
        ]
    )
    assert code == 2
    assert "init" in capsys.readouterr().err
    assert _leftovers(tmp_path) == ["noprocess.cmnd"]
