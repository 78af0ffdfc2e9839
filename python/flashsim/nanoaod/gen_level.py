"""Which NanoAOD branches are generator level: what ``flashsim simulate --replace-reco`` keeps of a
full-simulation file (everything else is reco, trigger or filter output, and is dropped and
simulated again).

Generator level: the event identity (run, luminosityBlock, event, bunchCrossing, orbitNumber), the
gen collections and their counters (GenPart, GenJet, GenJetAK8, SubGenJetAK8, GenVisTau,
GenDressedLepton, GenIsolatedPhoton, GenProton, GenVtx, GenMET, TrackGenJetAK4, ...), the LHE and
generator records (LHE*, Generator_*, genWeight, PSWeight, TauSpinner weights, genTtbarId), the
Higgs template-cross-section truth (HTXS_*), the fiducial gen MET and the pileup truth (Pileup_*).
Names from the branch lists of NanoAOD v12 and v15 (../shared/data, tests/data).

    from flashsim.nanoaod.gen_level import is_gen_level
    reco = [name for name in columns if not is_gen_level(name)]
"""

from __future__ import annotations

__all__ = ["IDENTITY", "is_gen_level", "reco_columns"]

IDENTITY = ("run", "luminosityBlock", "event", "bunchCrossing", "orbitNumber")
_PREFIXES = ("Gen", "SubGen", "TrackGen", "LHE", "Generator_", "HTXS_", "Pileup_", "PSWeight", "TauSpinner_",
             "FiducialMET_")
_NAMES = ("genWeight", "genTtbarId")


def is_gen_level(name: str) -> bool:
    """True for a generator-level branch (or its counter ``n<Collection>``)."""
    if name in IDENTITY or name in _NAMES:
        return True
    if name.startswith("n") and name[1:2].isupper():  # a counter: nGenJet, nLHEPdfWeight, nPSWeight
        name = name[1:] + "_"
    return name.startswith(_PREFIXES) or "_fiducialGen" in name  # v12's MET_fiducialGenPt/Phi


def reco_columns(columns) -> list[str]:
    """The columns of ``columns`` that are not generator level, in their order."""
    return [str(c) for c in columns if not is_gen_level(str(c))]
