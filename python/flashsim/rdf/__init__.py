"""The C++ plugin inside ROOT: load it once, then add simulated collections to an RDataFrame.

>>> import ROOT, flashsim.rdf
>>> df = ROOT.RDataFrame("Events", "gen.root")                         # doctest: +SKIP
>>> nano = flashsim.rdf.simulate(df, "bundle_dir", seed=42)             # doctest: +SKIP
>>> nano.Histo1D("Jet_pt")                                              # doctest: +SKIP

``simulate_file`` is the whole job of ``flashsim simulate`` (a NanoAOD file with Runs,
LuminosityBlocks, provenance, oversampling); ``oversampled_histo1d``/``2d`` histogram an
oversampled sample with the right uncertainties.
"""

from flashsim.rdf.nanoaod_file import SimulationSummary, read_provenance, simulate_file
from flashsim.rdf.oversampled import oversampled_histo1d, oversampled_histo2d
from flashsim.rdf.plugin import load, plugin_paths
from flashsim.rdf.simulate import gather_cross_event, simulate

__all__ = ["SimulationSummary", "gather_cross_event", "load", "oversampled_histo1d", "oversampled_histo2d",
           "plugin_paths", "read_provenance", "simulate", "simulate_file"]
