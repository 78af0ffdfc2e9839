"""Jet (AK4): from GenJet (matched by Jet_genJetIdx) and from pileup (slots: no gen object)."""

from flashsim.catalogue.gen import eta_bin_columns, hem_column
from flashsim.catalogue.spec import Copy, Input, SourceSpec, log, score, standardized

__all__ = ["SOURCES"]

PILEUP_SLOTS = 6
_ETA_EDGES = [round(0.1 * k, 1) for k in range(48)]  # |eta| 0-4.7 in steps of 0.1
_PT_EDGES = [10, 15, 20, 25, 30, 35, 40, 50, 60, 70, 85, 100, 120, 150, 200, 250, 300, 400, 550, 750, 1000]
_REGION_EDGES = [round(0.5 * k, 1) for k in range(11)]  # |eta| 0-5 in steps of 0.5


# the response's median and width step at the cracks and narrow 3x from 20 to 500 GeV, and forward
# differently from central: the binned standardisation (fitted per |eta| bin, then per (pt, |eta|
# region) cell) takes these steps out, so the network only learns the smooth rest and its blur
# cannot widen a narrow bin
_MATCHED_PT = standardized(
    {"op": "ratio", "gen": "GenJet_pt"},
    {"op": "binned_standardize", "gen": "GenJet_eta", "abs": True, "edges": _ETA_EDGES},
    {"op": "binned_standardize", "gen": "GenJet_pt", "edges": _PT_EDGES, "gen2": "GenJet_eta", "abs2": True,
     "edges2": _REGION_EDGES})
# energy regressions: bRegCorr (v12-), a factor near 1 on the corrected pt within [0.5, 2]; the
# PNet/UParT factors on the raw pt (v15) reach beyond 2 (5% of v9's training jets), so a log
_OVERRIDES = {"bRegCorr": score(0.5, 2.0), "PNetRegPtRawCorr": log(), "UParTAK4RegPtRawCorr": log()}

# the PF energy fractions of a jet add up to 1 (where the files show it: catalogue.follow.settle)
ENERGY_FRACTIONS = [["chHEF", "neHEF", "chEmEF", "neEmEF", "muEF"]]

_PU = Input("nPU", "Pileup_nPU", standardized())

SOURCES = [
    SourceSpec(
        "Jet", "GenJet", "matched", gen_collection="GenJet", index_branch="genJetIdx",
        conditioning=[Input("log_pt", "GenJet_pt", log()), Input("eta", "GenJet_eta", standardized()),
                      Input("abs_eta", "GenJet_absEta", standardized()),
                      *(Input(f"eta_bin{k}", c, standardized()) for k, c in enumerate(eta_bin_columns("GenJet"))),
                      Input("phi", "GenJet_phi", standardized()), Input("in_hem", hem_column("GenJet"), standardized()),
                      Input("log_mass", "GenJet_mass", log(1.0)),
                      Input("hadron_flavour", "GenJet_hadronFlavour", standardized()),
                      Input("parton_flavour", "GenJet_partonFlavour", standardized()),
                      Input("muon_dr", "GenJet_nearestMuonDR", log(0.01)),
                      Input("electron_dr", "GenJet_nearestElectronDR", log(0.01)),
                      Input("photon_dr", "GenJet_nearestPhotonDR", log(0.01)), _PU],
        overrides={**_OVERRIDES, "pt": _MATCHED_PT}, sum_to_one=ENERGY_FRACTIONS,
        copies=[Copy("hadronFlavour", "UChar_t", gen="GenJet_hadronFlavour"),
                Copy("partonFlavour", "Short_t", gen="GenJet_partonFlavour")]),
    SourceSpec(
        "Jet", "Pileup", "slots", slots=PILEUP_SLOTS, reco_select="Jet_genJetIdx < 0",
        conditioning=[_PU, Input("n_true", "Pileup_nTrueInt", standardized()),
                      Input("slot", "@index", standardized())],
        overrides=_OVERRIDES, sum_to_one=ENERGY_FRACTIONS,
        copies=[Copy("hadronFlavour", "UChar_t", fallback=0), Copy("partonFlavour", "Short_t", fallback=0)]),
]

# nConstituents = chMultiplicity + neMultiplicity in NanoAOD: computed, not learnt apart.
POSTPROCESS = [
    {"column": "Jet_nConstituents", "requires": ["Jet"], "op": "multiplicity_sum",
     "of": ["Jet_chMultiplicity", "Jet_neMultiplicity"], "max": 255, "type": "UChar_t"},
]
