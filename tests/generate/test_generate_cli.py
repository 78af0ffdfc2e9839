"""The ``flashsim generate`` command: light imports, help, a run, a user card."""

import os
import subprocess
import sys
from pathlib import Path

import uproot

from flashsim.cli import main

REPO = Path(__file__).resolve().parents[2]


def _python(code):
    env = dict(os.environ, PYTHONPATH=str(REPO / "python"))
    return subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)


def test_import_is_light():
    res = _python(
        "import sys, flashsim.generate, flashsim.generate.command\n"
        "heavy = [m for m in ('numpy', 'pythia8mc', 'fastjet', 'awkward', 'uproot', 'ROOT')"
        " if m in sys.modules]\n"
        "print(heavy)"
    )
    assert res.returncode == 0, res.stderr
    assert res.stdout.strip() == "[]"


def test_help_lists_options(capsys):
    try:
        main(["generate", "--help"])
    except SystemExit as stop:
        assert stop.code == 0
    out = capsys.readouterr().out
    for option in (
        "--process",
        "--events",
        "--seed",
        "--jobs",
        "--run",
        "--pythia-cmnd",
        "--pthat-min",
        "--pthat-max",
        "--events-per-lumi",
        "--pileup",
    ):
        assert option in out


def test_cli_run_with_user_card(tmp_path, capsys):
    card = tmp_path / "zmumu.cmnd"
    card.write_text(
        "! Z -> mu mu from a user card\n"
        "Beams:eCM = 13000.\n"
        "WeakSingleBoson:ffbar2gmZ = on\n"
        "PhaseSpace:mHatMin = 60.\n"
        "23:onMode = off\n"
        "23:onIfMatch = 13 -13\n"
    )
    out = tmp_path / "gen.root"
    code = main(
        [
            "generate",
            "--pythia-cmnd",
            str(card),
            "--events",
            "20",
            "--seed",
            "4",
            "--run",
            "3",
            "--pileup",
            "fixed:40",
            "-o",
            str(out),
            "--no-progress",
        ]
    )
    assert code == 0
    assert "wrote 20 events" in capsys.readouterr().err
    with uproot.open(out) as f:
        ev = f["Events"].arrays(["run", "GenPart_pdgId", "Pileup_nTrueInt"])
        meta_title = f["flashsim_generate"].member("fTitle")
    assert set(ev.run.to_list()) == {3}
    assert set(ev.Pileup_nTrueInt.to_list()) == {40.0}
    from flashsim.generate import read_metadata

    meta = read_metadata(out)
    assert meta["process"] == "custom" and meta["card_source"] == str(card)
    assert "23:onIfMatch = 13 -13" in meta["card"] and "Beams:eCM = 13000." in meta["card"]
    assert '"seed": 4' in meta_title
    # Every event has the two muons of the Z and no hard-process electron.
    import awkward as ak

    assert ak.all(ak.sum(abs(ev.GenPart_pdgId) == 13, axis=1) >= 2)


def test_progress_bar_on_stderr(tmp_path):
    env = dict(os.environ, PYTHONPATH=str(REPO / "python"))
    res = subprocess.run(
        [
            sys.executable,
            "-m",
            "flashsim",
            "generate",
            "--process",
            "vbf_hmumu",
            "--events",
            "5",
            "--seed",
            "1",
            "-o",
            str(tmp_path / "g.root"),
        ],
        env=env,
        capture_output=True,
        text=True,
    )
    assert res.returncode == 0, res.stderr
    assert "5/5" in res.stderr and "generate vbf_hmumu" in res.stderr
    assert res.stdout == ""  # nothing on stdout: no Pythia or FastJet banners
