"""SubJet (the soft-drop subjets of AK8 jets): the harder and the softer subjet of each simulated fat jet,
one source each (a subjet's fat jet is the closest within 0.8). FatJet_subJetIdx1/2 point back at them
(crossrefs), the harder first."""

from flashsim.catalogue.leptons import PU
from flashsim.catalogue.spec import Input, SourceSpec, log, standardized

__all__ = ["SOURCES"]

_SIMULATED_FATJET = [Input("log_pt", "FatJet_pt", log()), Input("eta", "FatJet_eta", standardized()),
                     Input("phi", "FatJet_phi", standardized()), Input("log_mass", "FatJet_mass", log(1.0)),
                     Input("log_msoftdrop", "FatJet_msoftdrop", log(1.0)),
                     Input("tau1", "FatJet_tau1", standardized()), Input("tau2", "FatJet_tau2", standardized()),
                     Input("xbb", "FatJet_particleNet_XbbVsQCD", standardized()),
                     Input("hadron_flavour", "FatJet_hadronFlavour", standardized()), PU]


def _subjet(name, occurrence):
    return SourceSpec("SubJet", name, "unmatched", gen_collection="FatJet", fake_radius=0.8, occurrence=occurrence,
                      conditioning=list(_SIMULATED_FATJET))


SOURCES = [_subjet("Harder", 0), _subjet("Softer", 1)]
