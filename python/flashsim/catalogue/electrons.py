"""Electron: from gen electrons (matched), gen photons (conversions: Electron_genPartIdx points to
the photon) and GenJets (fakes)."""

from flashsim.catalogue.leptons import (
    GEN_ELECTRON,
    GEN_PHOTON,
    fake_conditioning,
    gen_conditioning,
    kinematics,
    track_targets,
)
from flashsim.catalogue.spec import (
    Copy,
    SourceSpec,
    Target,
    asinh,
    integer,
    label,
    log,
    score,
    standardized,
)

__all__ = ["POSTPROCESS", "SOURCES"]


def _targets(gen):
    return kinematics(gen) + track_targets() + [
        Target("pfRelIso03_all", "Float_t", log()),
        Target("miniPFRelIso_all", "Float_t", log()),
        Target("sieie", "Float_t", log()),
        Target("hoe", "Float_t", log()),
        Target("r9", "Float_t", standardized()),
        Target("eInvMinusPInv", "Float_t", asinh(0.002)),
        Target("deltaEtaSC", "Float_t", asinh(0.01)),
        Target("energyErr", "Float_t", log()),
        Target("lostHits", "UChar_t", integer()),
        Target("convVeto", "Bool_t", label()),
        Target("cutBased", "UChar_t", label()),
        Target("mvaIso", "Float_t", score(-1.0, 1.0, spike=-1.0)),
        Target("mvaIso_WP80", "Bool_t", label()),
        Target("mvaIso_WP90", "Bool_t", label()),
        Target("mvaNoIso", "Float_t", score(-1.0, 1.0, spike=-1.0)),
        Target("mvaNoIso_WP80", "Bool_t", label()),
        Target("mvaNoIso_WP90", "Bool_t", label()),
        Target("tightCharge", "UChar_t", label()),
        Target("seedGain", "UChar_t", label()),
    ]


SOURCES = [
    SourceSpec("Electron", "GenElectron", "matched", gen_collection="GenPart", index_branch="genPartIdx",
               select=GEN_ELECTRON, conditioning=gen_conditioning(calorimeter=True), targets=_targets("GenPart"),
               copies=[Copy("genPartFlav", "UChar_t", gen="GenPart_origin")]),
    SourceSpec("Electron", "GenPhoton", "matched", gen_collection="GenPart", index_branch="genPartIdx",
               select=GEN_PHOTON, conditioning=gen_conditioning(calorimeter=True), targets=_targets("GenPart"),
               copies=[Copy("genPartFlav", "UChar_t", fallback=22)]),
    SourceSpec("Electron", "FromJet", "unmatched", gen_collection="GenJet", reco_select="Electron_genPartIdx < 0",
               conditioning=fake_conditioning(), targets=_targets("GenJet"),
               copies=[Copy("genPartFlav", "UChar_t", fallback=0)]),
]

POSTPROCESS = [
    {"column": "Electron_pdgId", "requires": ["Electron"], "expression": "ROOT::RVecI(-11 * Electron_charge)"},
    {"column": "Electron_mass", "requires": ["Electron"], "expression": "ROOT::RVecF(Electron_pt.size(), 0.000511f)"},
]
