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


# hand-made jets with the flags CMS's Run-3 recipe gives them (2 tight, 4 tightLepVeto):
# eta, chHEF, neHEF, chEmEF, neEmEF, muEF, chMultiplicity, neMultiplicity, flags, flags from v12's Jet_jetId = 6
JETS = [
    (0.5, 0.60, 0.10, 0.00, 0.30, 0.00, 5, 4, 6, 6),   # a central hadronic jet
    (1.0, 0.05, 0.02, 0.00, 0.03, 0.90, 3, 1, 2, 2),   # mostly a muon: tight, fails the lepton veto
    (-2.0, 0.00, 0.40, 0.00, 0.60, 0.00, 0, 6, 0, 6),  # no charged particle inside the tracker
    (2.65, 0.30, 0.95, 0.00, 0.05, 0.00, 1, 3, 0, 6),  # 2.6-2.7: neHEF >= 0.9
    (2.65, 0.30, 0.50, 0.00, 0.20, 0.00, 1, 3, 6, 6),
    (2.8, 0.00, 0.995, 0.00, 0.005, 0.00, 0, 3, 0, 0),  # 2.7-3.0: neHEF >= 0.99
    (2.8, 0.00, 0.10, 0.00, 0.00, 0.90, 0, 3, 6, 6),    # no lepton veto beyond 2.7
    (-3.5, 0.00, 0.50, 0.00, 0.50, 0.00, 0, 4, 0, 0),   # HF: neEmEF >= 0.4
    (3.5, 0.00, 0.90, 0.00, 0.10, 0.00, 0, 1, 0, 6),    # HF: one neutral constituent (v12 cannot tell)
    (3.5, 0.00, 0.90, 0.00, 0.10, 0.00, 0, 2, 6, 6),
]
_FRACTIONS = ("eta", "chHEF", "neHEF", "chEmEF", "neEmEF", "muEF")


def _jet_df(ROOT, with_multiplicities: bool):
    """One event holding JETS, with the fractions and multiplicities or, as NanoAOD v12, with Jet_jetId."""
    df = ROOT.RDataFrame(1)
    for i, name in enumerate(_FRACTIONS):
        df = df.Define(f"Jet_{name}", "ROOT::RVecF{" + ", ".join(f"{j[i]}f" for j in JETS) + "}")
    if with_multiplicities:
        for i, name in ((6, "chMultiplicity"), (7, "neMultiplicity")):
            df = df.Define(f"Jet_{name}", "ROOT::RVec<UChar_t>{" + ", ".join(str(j[i]) for j in JETS) + "}")
    else:
        df = df.Define("Jet_jetId", "ROOT::RVec<UChar_t>(" + str(len(JETS)) + ", 6)")
    return df


@pytest.mark.parametrize("with_multiplicities, column", [(True, 8), (False, 9)])
def test_jet_id_recipe_known_answers(with_multiplicities, column):
    from flashsim.validate.analyses.toy import declare_analyses

    ROOT = declare_analyses()
    df = _jet_df(ROOT, with_multiplicities)
    flags = ROOT.flashsim.nanoaod.DefineJetId(ROOT.RDF.AsRNode(df), "id").AsNumpy(["id"])["id"][0]
    assert list(flags) == [j[column] for j in JETS]
    if with_multiplicities:  # the scalar functions behind it
        for j in JETS:
            assert ROOT.flashsim.nanoaod.PassJetIdTight(j[0], j[1], j[2], j[4], j[6], j[7]) == bool(j[8] & 2)
            assert ROOT.flashsim.nanoaod.PassJetIdTightLepVeto(*j[:8]) == bool(j[8] & 4)


def test_missing_columns_are_named(tmp_path):
    import ROOT

    df = ROOT.RDataFrame(3).Define("Muon_pt", "ROOT::RVecF{1.f}")
    with pytest.raises(InputError, match="Jet_btagDeepFlavB"):
        define_analysis(df, "zh_llbb")
    # the jet ID's inputs are named, the multiplicities of the recipe when neither recipe can run
    with pytest.raises(InputError, match="Jet_chMultiplicity"):
        define_analysis(df, "vbf_hmumu")


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
