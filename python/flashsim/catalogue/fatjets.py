"""FatJet (AK8): from GenJetAK8 (matched by FatJet_genJetAK8Idx)."""

from flashsim.catalogue.gen import hem_column
from flashsim.catalogue.spec import Copy, Input, SourceSpec, Target, integer, log, score, standardized

__all__ = ["SOURCES"]

SOURCES = [
    SourceSpec(
        "FatJet", "GenJetAK8", "matched", gen_collection="GenJetAK8", index_branch="genJetAK8Idx",
        conditioning=[Input("log_pt", "GenJetAK8_pt", log()), Input("eta", "GenJetAK8_eta", standardized()),
                      Input("abs_eta", "GenJetAK8_absEta", standardized()),
                      Input("phi", "GenJetAK8_phi", standardized()),
                      Input("in_hem", hem_column("GenJetAK8"), standardized()),
                      Input("log_mass", "GenJetAK8_mass", log(1.0)),
                      Input("hadron_flavour", "GenJetAK8_hadronFlavour", standardized()),
                      Input("parton_flavour", "GenJetAK8_partonFlavour", standardized()),
                      Input("nPU", "Pileup_nPU", standardized())],
        targets=[Target("pt", "Float_t", standardized({"op": "ratio", "gen": "GenJetAK8_pt"})),
                 Target("eta", "Float_t", standardized({"op": "difference", "gen": "GenJetAK8_eta"})),
                 Target("phi", "Float_t", standardized({"op": "delta_phi", "gen": "GenJetAK8_phi"})),
                 Target("mass", "Float_t", log(1.0)),
                 Target("msoftdrop", "Float_t", log(1.0)),
                 Target("tau1", "Float_t", log()),
                 Target("tau2", "Float_t", log()),
                 Target("tau3", "Float_t", log()),
                 Target("tau4", "Float_t", log()),
                 Target("n2b1", "Float_t", log()),
                 Target("particleNet_XbbVsQCD", "Float_t", score()),
                 Target("particleNetWithMass_TvsQCD", "Float_t", score()),
                 Target("particleNetWithMass_WvsQCD", "Float_t", score()),
                 Target("area", "Float_t", standardized()),
                 Target("rawFactor", "Float_t", standardized()),
                 Target("nConstituents", "UChar_t", integer()),
                 Target("nBHadrons", "UChar_t", integer()),
                 Target("nCHadrons", "UChar_t", integer()),
                 Target("jetId", "UChar_t", integer())],
        copies=[Copy("hadronFlavour", "UChar_t", gen="GenJetAK8_hadronFlavour")]),
]
