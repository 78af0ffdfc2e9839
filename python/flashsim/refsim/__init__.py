"""The reference detector ("refsim"): a parametric, CMS-like stand-in for the full simulation.

It reads a gen-level NanoAOD-like file (tree ``Events`` with GenPart, GenJet, GenJetAK8,
GenVisTau, GenMET, Pileup) and writes the same file plus the reco collections (Jet, Muon,
Electron, Photon, FatJet, SubJet, Tau, FsrPhoton, LowPtElectron, PuppiMET, PV, Rho) with CMS
NanoAOD v15 names and types and the real matching branches. All of its numbers live in
:mod:`flashsim.refsim.parameters`; their hash goes into every output file. See docs/refsim.md.

Example::

    from flashsim.refsim import reference_detector
    info = reference_detector("gen.root", "full.root", seed=1)

``fullsim`` is the deprecated name of ``reference_detector`` (it is not a full simulation).
"""

from flashsim.refsim.process_file import reference_detector

__all__ = ["PARAMETERS", "fullsim", "parameter_hash", "reference_detector"]


def fullsim(*args, **kwargs) -> dict:
    """Deprecated name of :func:`reference_detector`."""
    import warnings

    warnings.warn("flashsim.refsim.fullsim is deprecated: it runs the reference detector, not a full "
                  "simulation; call flashsim.refsim.reference_detector", DeprecationWarning, stacklevel=2)
    return reference_detector(*args, **kwargs)


def __getattr__(name):
    # lazy, so that ``python -m flashsim.refsim.parameters`` runs the module only once
    if name in ("PARAMETERS", "parameter_hash"):
        from flashsim.refsim import parameters

        return getattr(parameters, name)
    raise AttributeError(f"module 'flashsim.refsim' has no attribute {name!r}")
