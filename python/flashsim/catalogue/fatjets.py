"""FatJet (AK8): from GenJetAK8 (matched by FatJet_genJetAK8Idx)."""

from flashsim.catalogue.gen import hem_column
from flashsim.catalogue.spec import Copy, Input, SourceSpec, log, standardized

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
                      # its hard partons (catalogue.gen): the prongs that set its substructure and taggers
                      Input("hard_quarks", "GenJetAK8_nHardQuarks", standardized()),
                      Input("hard_b_quarks", "GenJetAK8_nHardBQuarks", standardized()),
                      Input("b_hadrons", "GenJetAK8_nBHadronsWithin", standardized()),
                      Input("nPU", "Pileup_nPU", standardized())],
        copies=[Copy("hadronFlavour", "UChar_t", gen="GenJetAK8_hadronFlavour")]),
]
