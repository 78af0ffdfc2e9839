"""RDataFrame side of the toy analyses: declare the C++ once, add the jet ID, the selection and the
observables.

The jet ID is computed from the energy fractions and multiplicities with CMS's Run-3 recipe
(JetId.hxx), not read from Jet_jetId: NanoAOD v15 has none, and the fractions are in every
NanoAOD (a full simulation, the reference detector, FlashSim of any bundle). Only a NanoAOD v12
file, which has no multiplicities, gets the recipe's fix of its Jet_jetId.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from flashsim.errors import InputError

__all__ = ["ANALYSES", "HEADER", "JET_ID_COLUMNS", "JET_ID_V12_COLUMNS", "ToyAnalysis", "analysis_observables",
           "declare_analyses", "define_analysis", "missing_columns"]

HEADER = Path(__file__).with_name("ToyAnalyses.hxx")
_lock = threading.Lock()
_declared = False


# what flashsim::nanoaod::JetId reads, and JetIdFromV12 on a v12 file (JetIdColumns(), JetIdV12Columns() of
# JetId.hxx, checked when declared); the column define_analysis gives the flags
JET_ID_COLUMNS = ("Jet_eta", "Jet_chHEF", "Jet_neHEF", "Jet_chEmEF", "Jet_neEmEF", "Jet_muEF", "Jet_chMultiplicity",
                  "Jet_neMultiplicity")
JET_ID_V12_COLUMNS = ("Jet_eta", "Jet_jetId", "Jet_neHEF", "Jet_chEmEF", "Jet_neEmEF", "Jet_muEF")
_JET_ID = "_toy_jetId"


@dataclass(frozen=True)
class ToyAnalysis:
    """A selection function of ToyAnalyses.hxx, the columns it takes (in argument order; the jet
    ID is defined from the fractions first), its observables and a histogram range per
    observable (for the report)."""

    name: str
    title: str
    function: str
    columns: tuple
    observables: tuple
    ranges: dict

    def inputs(self, column_names=()) -> tuple:
        """The NanoAOD columns a file with ``column_names`` must have for this analysis (the jet ID's:
        those of a v12 file when it has them and not the multiplicities)."""
        needed = [c for c in self.columns if c != _JET_ID]
        if _JET_ID in self.columns:
            have = {str(c) for c in column_names}
            v12 = not set(JET_ID_COLUMNS) <= have and set(JET_ID_V12_COLUMNS) <= have
            needed += JET_ID_V12_COLUMNS if v12 else JET_ID_COLUMNS
        return tuple(dict.fromkeys(needed))


_MUONS = ("Muon_pt", "Muon_eta", "Muon_phi", "Muon_charge", "Muon_mediumId", "Muon_pfRelIso04_all")
_JETS = ("Jet_pt", "Jet_eta", "Jet_phi", "Jet_mass", _JET_ID)

ANALYSES = {
    "vbf_hmumu": ToyAnalysis(
        "vbf_hmumu", "VBF H -> mu mu", "flashsim::toy::VbfHmumu", _MUONS + _JETS,
        ("m_mumu", "pt_mumu", "eta_mumu", "m_jj", "deta_jj", "dphi_jj", "jet1_pt", "jet1_eta", "jet2_pt",
         "jet2_eta", "zeppenfeld", "n_jets", "mu1_pt", "mu2_pt"),
        {"m_mumu": (110, 150), "pt_mumu": (0, 300), "eta_mumu": (-5, 5), "m_jj": (400, 3000), "deta_jj": (2.5, 9),
         "dphi_jj": (0, 3.1416), "jet1_pt": (35, 400), "jet1_eta": (-4.7, 4.7), "jet2_pt": (25, 250),
         "jet2_eta": (-4.7, 4.7), "zeppenfeld": (-3, 3), "mu1_pt": (26, 250), "mu2_pt": (20, 150)}),
    "zh_llbb": ToyAnalysis(
        "zh_llbb", "ZH -> ll bb", "flashsim::toy::ZhLlbb",
        _MUONS + ("Electron_pt", "Electron_eta", "Electron_phi", "Electron_charge", "Electron_mvaIso_WP90")
        + _JETS + ("Jet_btagDeepFlavB",),
        ("m_bb", "pt_bb", "dr_bb", "m_ll", "pt_ll", "dphi_ll_bb", "btag_1", "btag_2", "b1_pt", "b2_pt", "n_jets",
         "flavour_ll"),
        {"m_bb": (0, 300), "pt_bb": (0, 400), "dr_bb": (0, 5), "m_ll": (76, 106), "pt_ll": (0, 400),
         "dphi_ll_bb": (0, 3.1416), "btag_1": (0.277, 1), "btag_2": (0.049, 1), "b1_pt": (25, 300),
         "b2_pt": (25, 200)}),
}


def declare_analyses():
    """Declares ToyAnalyses.hxx to cling once per process; returns ROOT."""
    global _declared
    import ROOT

    with _lock:
        if not _declared:
            if not ROOT.gInterpreter.Declare(f'#include "{HEADER}"'):
                raise RuntimeError(f"cling could not compile {HEADER}")
            # the C++ observable and column lists are the truth; the Python copies must match them
            for function, python in (("JetIdColumns", JET_ID_COLUMNS), ("JetIdV12Columns", JET_ID_V12_COLUMNS)):
                cpp = [str(s) for s in getattr(ROOT.flashsim.nanoaod, function)()]
                if cpp != list(python):
                    raise RuntimeError(f"{function}() of the jet ID is {cpp}, Python lists {list(python)}")
            for a in ANALYSES.values():
                cpp = [str(s) for s in getattr(ROOT.flashsim.toy, a.function.split("::")[-1] + "Observables")()]
                if cpp != list(a.observables):
                    raise RuntimeError(f"{a.name}: observables in {HEADER.name} are {cpp}, Python lists "
                                       f"{list(a.observables)}")
            _declared = True
    return ROOT


def missing_columns(column_names, analysis: str) -> list:
    """The NanoAOD columns ``analysis`` needs that are not among ``column_names``."""
    have = {str(c) for c in column_names}
    return [c for c in ANALYSES[analysis].inputs(have) if c not in have]


def define_analysis(df, analysis: str):
    """The events of RDataFrame node ``df`` that pass ``analysis``, with one column per observable.

    Raises InputError naming the missing columns when ``df`` lacks some NanoAOD branch.
    """
    if analysis not in ANALYSES:
        raise InputError(f"unknown toy analysis {analysis!r}; known: {', '.join(ANALYSES)}")
    a = ANALYSES[analysis]
    ROOT = declare_analyses()
    names = {str(c) for c in df.GetColumnNames()}
    missing = missing_columns(names, analysis)
    if missing:
        raise InputError(f"toy analysis {analysis} needs columns {', '.join(missing)}")
    node = ROOT.RDF.AsRNode(df)
    if _JET_ID in a.columns and _JET_ID not in names:  # one definition per graph branch
        node = ROOT.flashsim.nanoaod.DefineJetId(node, _JET_ID)
    out_col = f"_toy_{analysis}"
    node = node.Define(out_col, f"{a.function}({', '.join(a.columns)})").Filter(f"!{out_col}.empty()", a.title)
    for i, obs in enumerate(a.observables):
        node = node.Define(obs, f"{out_col}[{i}]")
    return node


def analysis_observables(path, analysis: str, max_events: int | None = None) -> dict:
    """Runs ``analysis`` on tree Events of ``path``: observable -> [n_selected] float64, plus
    ``weight`` (FlashSim_weight when present, else 1), ``event_id`` (as
    flashsim.validate.samples.event_ids) and ``n_events`` (events read)."""
    from flashsim.validate.samples import event_ids

    ROOT = declare_analyses()
    df = ROOT.RDataFrame("Events", str(path))
    if max_events is not None:
        if ROOT.IsImplicitMTEnabled():
            raise InputError("max_events needs a single-threaded RDataFrame (Range); disable implicit MT")
        df = df.Range(max_events)
    has_weight = "FlashSim_weight" in [str(c) for c in df.GetColumnNames()]
    total = df.Count()
    node = define_analysis(df, analysis)
    node = node.Define("_toy_weight", "double(FlashSim_weight)" if has_weight else "1.0")
    ids = [c for c in ("run", "luminosityBlock", "event") if c in {str(n) for n in df.GetColumnNames()}]
    columns = list(ANALYSES[analysis].observables) + ["_toy_weight"] + ids
    arrays = node.AsNumpy(columns)
    out = {c: np.asarray(arrays[c], dtype=np.float64) for c in ANALYSES[analysis].observables}
    out["weight"] = np.asarray(arrays["_toy_weight"], dtype=np.float64)
    if "run" in ids and "event" in ids:
        out["event_id"] = event_ids({c: np.asarray(arrays[c]) for c in ids})
    else:
        out["event_id"] = None
    out["n_events"] = int(total.GetValue())
    return out
