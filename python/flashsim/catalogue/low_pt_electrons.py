"""LowPtElectron: gen electrons of 1-20 GeV (the dedicated low-pt GSF tracking), matched by genPartIdx;
LowPtElectron_electronIdx / _photonIdx are the Electron and Photon made from the same gen particle
(crossrefs)."""

from flashsim.catalogue.leptons import GEN_LOW_PT_ELECTRON, gen_conditioning
from flashsim.catalogue.spec import Copy, SourceSpec

__all__ = ["POSTPROCESS", "SOURCES"]

SOURCES = [
    SourceSpec("LowPtElectron", "GenElectron", "matched", gen_collection="GenPart", index_branch="genPartIdx",
               select=GEN_LOW_PT_ELECTRON, conditioning=gen_conditioning(),
               copies=[Copy("genPartFlav", "UChar_t", gen="GenPart_origin")]),
]

POSTPROCESS = [
    {"column": "LowPtElectron_mass", "requires": ["LowPtElectron"], "op": "constant", "like": "LowPtElectron_pt",
     "value": 0.000511},
]
