"""The source catalogue: every (collection, source) the bundle simulates, with its conditioning,
targets, transforms (unfitted), copies, derived gen columns and postprocess cross-references.

Only NanoAOD names are used, so the catalogue applies to real CMS NanoAOD as to the reference
detector. One file per collection; ``gen.py`` holds the derived gen columns shared by extraction
and simulation, ``crossrefs.py`` the cross-references computed after simulation. The targets are
not listed: they follow the training files (``follow.py``: every reco branch of the collection
that the files have), each with the transform of a rule from its type and name (``rules.py``)
unless a source overrides it.

>>> [s.key for s in sources(["Muon"])]
['Muon_GenMuon', 'Muon_Duplicate', 'Muon_FromJet']
"""

import copy

from flashsim.catalogue import (
    crossrefs,
    electrons,
    event,
    fatjets,
    fsr_photons,
    jets,
    low_pt_electrons,
    muons,
    photons,
    secondary_vertices,
    subjets,
    taus,
)
from flashsim.catalogue.gen import DERIVED, derived_columns, entry_inputs
from flashsim.catalogue.spec import Copy, Input, SourceSpec, Target

__all__ = ["COLLECTIONS", "Copy", "DERIVED", "Input", "SourceSpec", "Target", "derived_columns", "entry_inputs",
           "postprocess", "sources"]

# in dependency order: a collection built from simulated ones (Tau <- Jet, FsrPhoton <- Muon, SubJet <- FatJet,
# the MET <- Jet, SV <- Jet and PV) after them, as the bundle lists them
_ALL = (jets.SOURCES + muons.SOURCES + electrons.SOURCES + photons.SOURCES + fatjets.SOURCES + taus.SOURCES
        + fsr_photons.SOURCES + low_pt_electrons.SOURCES + subjets.SOURCES + event.SOURCES
        + secondary_vertices.SOURCES)
COLLECTIONS = list(dict.fromkeys(s.collection for s in _ALL))
_POSTPROCESS = (jets.POSTPROCESS + muons.POSTPROCESS + electrons.POSTPROCESS + low_pt_electrons.POSTPROCESS
                + crossrefs.POSTPROCESS)


def sources(collections=None):
    """The catalogue's sources, optionally only those of ``collections`` (names)."""
    if collections is None:
        return copy.deepcopy(_ALL)  # copies: a caller may edit its specs
    unknown = set(collections) - set(COLLECTIONS)
    if unknown:
        from flashsim.errors import InputError

        raise InputError(f"unknown collection(s) {sorted(unknown)}; the catalogue has {COLLECTIONS}")
    return copy.deepcopy([s for s in _ALL if s.collection in collections])


def postprocess(collections):
    """The postprocess entries whose required collections are all among ``collections``."""
    have = set(collections)
    return [dict(p) for p in _POSTPROCESS if set(p["requires"]) <= have]
