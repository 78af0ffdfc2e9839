"""Muon: from gen muons (matched, prompt and non-prompt), duplicates of a reconstructed muon (a
second matched source on the same gen muons) and fakes from GenJets (punch-through, genPartFlav 0, and decays
in flight, genPartFlav 3)."""

from flashsim.catalogue.leptons import GEN_MUON, fake_conditioning, gen_conditioning
from flashsim.catalogue.spec import Copy, SourceSpec

__all__ = ["POSTPROCESS", "SOURCES"]


def _matched(name, occurrence):
    return SourceSpec("Muon", name, "matched", gen_collection="GenPart", index_branch="genPartIdx",
                      select=GEN_MUON, occurrence=occurrence, conditioning=gen_conditioning(),
                      copies=[Copy("genPartFlav", "UChar_t", gen="GenPart_origin")])


SOURCES = [
    _matched("GenMuon", 0),
    _matched("Duplicate", 1),
    # genPartFlav of a fake is drawn by the label head with the other flags: 0 for punch-through, 3 for a
    # light-hadron decay in flight, as the reference detector writes it (since v11)
    SourceSpec("Muon", "FromJet", "unmatched", gen_collection="GenJet", reco_select="Muon_genPartIdx < 0",
               conditioning=fake_conditioning()),
]

POSTPROCESS = [
    {"column": "Muon_pdgId", "requires": ["Muon"], "op": "pdg_id_from_charge", "of": "Muon_charge", "pdg_id": 13},
    {"column": "Muon_mass", "requires": ["Muon"], "op": "constant", "like": "Muon_pt", "value": 0.1056584},
]

