"""Photon: from gen photons (matched), gen electrons (superclusters, genPartFlav 11 when prompt)
and GenJets (pi0 fakes)."""

from flashsim.catalogue.leptons import GEN_ELECTRON, GEN_PHOTON, fake_conditioning, gen_conditioning, kinematics
from flashsim.catalogue.spec import Copy, SourceSpec, Target, label, log, score

__all__ = ["SOURCES"]


def _targets(gen):
    return kinematics(gen) + [
        Target("pfRelIso03_all_quadratic", "Float_t", log()),
        Target("pfRelIso03_chg_quadratic", "Float_t", log()),
        Target("sieie", "Float_t", log()),
        Target("hoe", "Float_t", log()),
        Target("r9", "Float_t", log()),
        Target("energyErr", "Float_t", log()),
        Target("mvaID", "Float_t", score(-1.0, 1.0, spike=-1.0)),
        Target("mvaID_WP80", "Bool_t", label()),
        Target("mvaID_WP90", "Bool_t", label()),
        Target("cutBased", "UChar_t", label()),
        Target("electronVeto", "Bool_t", label()),
        Target("pixelSeed", "Bool_t", label()),
        Target("isScEtaEB", "Bool_t", label()),
        Target("isScEtaEE", "Bool_t", label()),
        Target("seedGain", "UChar_t", label()),
    ]


SOURCES = [
    SourceSpec("Photon", "GenPhoton", "matched", gen_collection="GenPart", index_branch="genPartIdx",
               select=GEN_PHOTON, conditioning=gen_conditioning(calorimeter=True), targets=_targets("GenPart"),
               copies=[Copy("genPartFlav", "UChar_t", gen="GenPart_photonFlavPhoton")]),
    SourceSpec("Photon", "GenElectron", "matched", gen_collection="GenPart", index_branch="genPartIdx",
               select=GEN_ELECTRON, conditioning=gen_conditioning(calorimeter=True), targets=_targets("GenPart"),
               copies=[Copy("genPartFlav", "UChar_t", gen="GenPart_photonFlavElectron")]),
    SourceSpec("Photon", "FromJet", "unmatched", gen_collection="GenJet", reco_select="Photon_genPartIdx < 0",
               conditioning=fake_conditioning(), targets=_targets("GenJet"),
               copies=[Copy("genPartFlav", "UChar_t", fallback=0)]),
]
