"""The C++ plugin inside ROOT: load it once, then add simulated collections to an RDataFrame.

>>> import ROOT, flashsim.rdf
>>> df = ROOT.RDataFrame("Events", "gen.root")                         # doctest: +SKIP
>>> nano = flashsim.rdf.simulate(df, "bundle_dir", seed=42)             # doctest: +SKIP
>>> nano.Histo1D("Jet_pt")                                              # doctest: +SKIP
"""

from flashsim.rdf.plugin import load, plugin_paths
from flashsim.rdf.simulate import simulate

__all__ = ["load", "plugin_paths", "simulate"]
