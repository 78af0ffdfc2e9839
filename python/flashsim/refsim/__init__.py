"""The reference detector ("refsim"): a parametric, CMS-like stand-in for the full simulation.

It reads a gen-level NanoAOD-like file (tree ``Events`` with GenPart, GenJet, GenJetAK8,
GenVisTau, GenMET, Pileup) and writes the same file plus the reco collections (Jet, Muon,
Electron, Photon, FatJet, SubJet, Tau, FsrPhoton, LowPtElectron, PuppiMET, PV, Rho) with CMS
NanoAOD v15 names and types and the real matching branches. All of its numbers live in
:mod:`flashsim.refsim.parameters`; their hash goes into every output file. See docs/refsim.md.

Example::

    from flashsim.refsim import fullsim
    info = fullsim("gen.root", "full.root", seed=1)
"""

from flashsim.refsim.process_file import fullsim

__all__ = ["PARAMETERS", "fullsim", "parameter_hash"]


def __getattr__(name):
    # lazy, so that ``python -m flashsim.refsim.parameters`` runs the module only once
    if name in ("PARAMETERS", "parameter_hash"):
        from flashsim.refsim import parameters

        return getattr(parameters, name)
    raise AttributeError(f"module 'flashsim.refsim' has no attribute {name!r}")
