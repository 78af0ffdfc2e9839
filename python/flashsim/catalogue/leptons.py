"""Shared pieces of the lepton and photon catalogues: gen selections and conditioning."""

from flashsim.catalogue.gen import hem_column
from flashsim.catalogue.spec import Input, log, standardized

__all__ = ["GEN_ELECTRON", "GEN_LOW_PT_ELECTRON", "GEN_MUON", "GEN_PHOTON", "PU", "fake_conditioning",
           "gen_conditioning"]

# final-state gen particles a detector can reconstruct (NanoAOD GenPart)
GEN_MUON = "GenPart_status == 1 && abs(GenPart_pdgId) == 13 && GenPart_pt > 2"
GEN_ELECTRON = "GenPart_status == 1 && abs(GenPart_pdgId) == 11 && GenPart_pt > 2"
GEN_PHOTON = "GenPart_status == 1 && GenPart_pdgId == 22 && GenPart_pt > 5"
# the low-pt GSF electrons' range (LowPtElectron)
GEN_LOW_PT_ELECTRON = "GenPart_status == 1 && abs(GenPart_pdgId) == 11 && GenPart_pt > 1 && GenPart_pt < 20"

PU = Input("nPU", "Pileup_nPU", standardized())


def gen_conditioning(calorimeter=False):
    """A gen particle: kinematics, charge, origin (prompt/tau/b/c/light), status flags, activity;
    with ``calorimeter`` (electrons, photons) also whether it points at the HEM15/16 hole."""
    hem = [Input("in_hem", hem_column("GenPart"), standardized())] if calorimeter else []
    return [Input("log_pt", "GenPart_pt", log()), Input("eta", "GenPart_eta", standardized()),
            Input("abs_eta", "GenPart_absEta", standardized()),
            Input("phi", "GenPart_phi", standardized()), *hem, Input("charge", "GenPart_charge", standardized()),
            Input("origin", "GenPart_origin", standardized()),
            Input("is_prompt", "GenPart_isPromptFlag", standardized()),
            Input("is_tau_product", "GenPart_isTauProductFlag", standardized()),
            Input("log_activity", "GenPart_activity", log(1.0)),
            Input("jet_dr", "GenPart_nearestJetDR", log(0.01)), PU]


def fake_conditioning():
    """A GenJet that fakes a lepton or photon."""
    return [Input("log_pt", "GenJet_pt", log()), Input("eta", "GenJet_eta", standardized()),
            Input("abs_eta", "GenJet_absEta", standardized()),
            Input("phi", "GenJet_phi", standardized()),
            Input("hadron_flavour", "GenJet_hadronFlavour", standardized()),
            Input("parton_flavour", "GenJet_partonFlavour", standardized()), PU]
