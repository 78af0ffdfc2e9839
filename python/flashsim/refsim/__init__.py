"""The reference detector ("refsim"): a parametric, CMS-like stand-in for the full simulation.

It reads a gen-level NanoAOD-like file (tree ``Events`` with GenPart, GenJet, GenJetAK8, GenMET,
Pileup) and writes the same file plus the reco collections Jet, Muon, Electron, Photon, FatJet,
MET, PV and Rho, with NanoAOD v12 names and types and the real matching branches. All of its
numbers live in :mod:`flashsim.refsim.parameters`; their hash goes into every output file.

Example::

    from flashsim.refsim import fullsim
    info = fullsim("gen.root", "full.root", seed=1)
"""

from flashsim.refsim.process_file import fullsim
from flashsim.refsim.parameters import PARAMETERS, parameter_hash

__all__ = ["PARAMETERS", "fullsim", "parameter_hash"]
