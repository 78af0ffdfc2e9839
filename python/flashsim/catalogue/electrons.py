"""Electron: from gen electrons (matched), gen photons (conversions: Electron_genPartIdx points to
the photon) and GenJets (fakes). Targets: the files' Electron branches (catalogue.rules)."""

from flashsim.catalogue.leptons import GEN_ELECTRON, GEN_PHOTON, fake_conditioning, gen_conditioning
from flashsim.catalogue.spec import Copy, SourceSpec

__all__ = ["POSTPROCESS", "SOURCES"]


SOURCES = [
    SourceSpec("Electron", "GenElectron", "matched", gen_collection="GenPart", index_branch="genPartIdx",
               select=GEN_ELECTRON, conditioning=gen_conditioning(calorimeter=True),
               copies=[Copy("genPartFlav", "UChar_t", gen="GenPart_origin")]),
    SourceSpec("Electron", "GenPhoton", "matched", gen_collection="GenPart", index_branch="genPartIdx",
               select=GEN_PHOTON, conditioning=gen_conditioning(calorimeter=True),
               copies=[Copy("genPartFlav", "UChar_t", fallback=22)]),
    SourceSpec("Electron", "FromJet", "unmatched", gen_collection="GenJet", reco_select="Electron_genPartIdx < 0",
               conditioning=fake_conditioning(),
               copies=[Copy("genPartFlav", "UChar_t", fallback=0)]),
]

POSTPROCESS = [
    {"column": "Electron_pdgId", "requires": ["Electron"], "op": "pdg_id_from_charge", "of": "Electron_charge",
     "pdg_id": 11},
    {"column": "Electron_mass", "requires": ["Electron"], "op": "constant", "like": "Electron_pt",
     "value": 0.000511},
]
