"""Toy analyses of the CMS FlashSim paper on any NanoAOD, with RDataFrame (C++ selection in
ToyAnalyses.hxx, shared with macros/vbf_hmumu.C and macros/zh_llbb.C).

Example::

    import ROOT
    from flashsim.validate.analyses import define_analysis

    df = ROOT.RDataFrame("Events", "nano.root")
    vbf = define_analysis(df, "vbf_hmumu")          # selected events, one column per observable
    h = vbf.Histo1D(("m_mumu", "", 40, 110, 150), "m_mumu")
"""

from flashsim.validate.analyses.toy import (
    ANALYSES,
    ToyAnalysis,
    analysis_observables,
    declare_analyses,
    define_analysis,
    missing_columns,
)

__all__ = ["ANALYSES", "ToyAnalysis", "analysis_observables", "declare_analyses", "define_analysis",
           "missing_columns"]
