"""Toy analyses: the RDataFrame code selects signal events with sensible observables, and the
plain-ROOT macros select exactly the same events."""

import re
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from flashsim.errors import InputError
from flashsim.validate.analyses import ANALYSES, analysis_observables, define_analysis

REPO = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("analysis, process, peak, window", [
    ("vbf_hmumu", "vbf_hmumu", "m_mumu", (120, 130)),
    ("zh_llbb", "zh_llbb", "m_ll", (86, 96)),
])
def test_analysis_selects_its_signal(nano_pair, analysis, process, peak, window):
    obs = analysis_observables(nano_pair(process, 200)["ref"], analysis)
    n = len(obs["weight"])
    assert n >= 15, f"only {n} of {obs['n_events']} {process} events selected"
    assert window[0] < np.median(obs[peak]) < window[1]
    assert set(ANALYSES[analysis].observables) <= set(obs)
    if analysis == "vbf_hmumu":
        assert (obs["m_jj"] > 400).all() and (obs["deta_jj"] > 2.5).all()
    else:
        assert (obs["btag_1"] > 0.277).all() and np.isin(obs["flavour_ll"], [11, 13]).all()


def test_missing_columns_are_named(tmp_path):
    import ROOT

    df = ROOT.RDataFrame(3).Define("Muon_pt", "ROOT::RVecF{1.f}")
    with pytest.raises(InputError, match="Jet_btagDeepFlavB"):
        define_analysis(df, "zh_llbb")


@pytest.mark.parametrize("analysis, process", [("vbf_hmumu", "vbf_hmumu"), ("zh_llbb", "zh_llbb")])
def test_macro_selects_the_same_events(nano_pair, tmp_path, analysis, process):
    root = shutil.which("root", path=str(Path(sys.executable).parent)) or shutil.which("root")
    assert root, "ROOT's root executable not found (make setup installs it in .venv/bin)"
    nano = nano_pair(process, 200)["ref"]
    out = tmp_path / "hists.root"
    proc = subprocess.run([root, "-b", "-q", f'{REPO}/macros/{analysis}.C("{nano}", "{out}")'], cwd=tmp_path,
                          capture_output=True, text=True, timeout=180)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    found = re.search(rf"{analysis}: selected (\d+) of (\d+) events", proc.stdout)
    assert found, proc.stdout
    obs = analysis_observables(nano, analysis)
    assert int(found.group(1)) == len(obs["weight"]) and int(found.group(2)) == obs["n_events"]
    assert out.is_file()
