"""Tau (hadronic taus): from visible gen taus (GenVisTau, genPartFlav 5: Tau_genPartIdx is the gen tau,
the GenVisTau's mother) and from the simulated jets (fakes, genPartFlav 0). Tau_jetIdx is the closest
simulated jet (crossrefs), as the reference detector and CMS cluster it."""

from flashsim.catalogue.leptons import PU
from flashsim.catalogue.spec import Copy, Input, SourceSpec, log, standardized

__all__ = ["SOURCES"]

_VISIBLE_TAU = [Input("log_pt", "GenVisTau_pt", log()), Input("eta", "GenVisTau_eta", standardized()),
                Input("abs_eta", "GenVisTau_absEta", standardized()),
                Input("phi", "GenVisTau_phi", standardized()), Input("log_mass", "GenVisTau_mass", log(0.1)),
                Input("decay_mode", "GenVisTau_status", standardized()),
                Input("charge", "GenVisTau_charge", standardized()), PU]

# a fake tau takes a share of its jet's pt, its charge and decay mode from the jet's leading tracks
_SIMULATED_JET = [Input("log_pt", "Jet_pt", log()), Input("eta", "Jet_eta", standardized()),
                  Input("phi", "Jet_phi", standardized()), Input("log_mass", "Jet_mass", log(1.0)),
                  Input("hadron_flavour", "Jet_hadronFlavour", standardized()),
                  Input("parton_flavour", "Jet_partonFlavour", standardized()), PU]

SOURCES = [
    SourceSpec("Tau", "GenVisTau", "unmatched", gen_collection="GenVisTau", reco_select="Tau_genPartFlav == 5",
               fake_radius=0.1, conditioning=_VISIBLE_TAU,
               # the reference detector keeps the visible mass (catalogue.follow.settle checks it; else the
               # flow learns it relative to the GenVisTau's)
               overrides={"mass": standardized({"op": "ratio", "gen": "GenVisTau_mass"})},
               copies=[Copy("mass", "Float_t", gen="GenVisTau_mass"),
                       Copy("genPartIdx", "Short_t", gen="GenVisTau_genPartIdxMother"),
                       Copy("genPartFlav", "UChar_t", fallback=5)]),
    SourceSpec("Tau", "FromJet", "unmatched", gen_collection="Jet", reco_select="Tau_genPartFlav == 0",
               conditioning=_SIMULATED_JET,
               copies=[Copy("genPartIdx", "Short_t", fallback=-1), Copy("genPartFlav", "UChar_t", fallback=0)]),
]
