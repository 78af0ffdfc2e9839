"""Photon: from gen photons (matched), gen electrons (superclusters, genPartFlav 11 when prompt)
and GenJets (pi0 fakes)."""

from flashsim.catalogue.leptons import GEN_ELECTRON, GEN_PHOTON, fake_conditioning, gen_conditioning
from flashsim.catalogue.spec import Copy, SourceSpec, log

__all__ = ["SOURCES"]


# r9 (<= 1, a long low tail from conversions) is better learnt on a log scale than the rule's linear one
_OVERRIDES = {"r9": log()}


SOURCES = [
    SourceSpec("Photon", "GenPhoton", "matched", gen_collection="GenPart", index_branch="genPartIdx",
               select=GEN_PHOTON, conditioning=gen_conditioning(calorimeter=True), overrides=_OVERRIDES,
               copies=[Copy("genPartFlav", "UChar_t", gen="GenPart_photonFlavPhoton")]),
    SourceSpec("Photon", "GenElectron", "matched", gen_collection="GenPart", index_branch="genPartIdx",
               select=GEN_ELECTRON, conditioning=gen_conditioning(calorimeter=True), overrides=_OVERRIDES,
               copies=[Copy("genPartFlav", "UChar_t", gen="GenPart_photonFlavElectron")]),
    SourceSpec("Photon", "FromJet", "unmatched", gen_collection="GenJet", reco_select="Photon_genPartIdx < 0",
               conditioning=fake_conditioning(), overrides=_OVERRIDES,
               copies=[Copy("genPartFlav", "UChar_t", fallback=0)]),
]
