"""RDataFrame side of the toy analyses: declare the C++ once, add the selection and observables."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from flashsim.errors import InputError

__all__ = ["ANALYSES", "HEADER", "ToyAnalysis", "analysis_observables", "declare_analyses", "define_analysis",
           "missing_columns"]

HEADER = Path(__file__).with_name("ToyAnalyses.hxx")
_lock = threading.Lock()
_declared = False


@dataclass(frozen=True)
class ToyAnalysis:
    """A selection function of ToyAnalyses.hxx, the NanoAOD columns it reads (in argument
    order), its observables and a histogram range per observable (for the report)."""

    name: str
    title: str
    function: str
    columns: tuple
    observables: tuple
    ranges: dict


_MUONS = ("Muon_pt", "Muon_eta", "Muon_phi", "Muon_charge", "Muon_mediumId", "Muon_pfRelIso04_all")
_JETS = ("Jet_pt", "Jet_eta", "Jet_phi", "Jet_mass", "Jet_jetId")

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
            # the C++ observable lists are the truth; the Python copies must match them
            for a in ANALYSES.values():
                cpp = [str(s) for s in getattr(ROOT.flashsim.toy, a.function.split("::")[-1] + "Observables")()]
                if cpp != list(a.observables):
                    raise RuntimeError(f"{a.name}: observables in {HEADER.name} are {cpp}, Python lists "
                                       f"{list(a.observables)}")
            _declared = True
    return ROOT


def missing_columns(column_names, analysis: str) -> list:
    """The columns ``analysis`` needs that are not among ``column_names``."""
    have = {str(c) for c in column_names}
    return [c for c in ANALYSES[analysis].columns if c not in have]


def define_analysis(df, analysis: str):
    """The events of RDataFrame node ``df`` that pass ``analysis``, with one column per observable.

    Raises InputError naming the missing columns when ``df`` lacks some NanoAOD branch.
    """
    if analysis not in ANALYSES:
        raise InputError(f"unknown toy analysis {analysis!r}; known: {', '.join(ANALYSES)}")
    a = ANALYSES[analysis]
    declare_analyses()
    missing = missing_columns(df.GetColumnNames(), analysis)
    if missing:
        raise InputError(f"toy analysis {analysis} needs columns {', '.join(missing)}")
    out_col = f"_toy_{analysis}"
    node = df.Define(out_col, f"{a.function}({', '.join(a.columns)})").Filter(f"!{out_col}.empty()", a.title)
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
