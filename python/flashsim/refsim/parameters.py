"""Every number of the reference detector, in one place.

Each entry is a :class:`Parameter`: its value, the published CMS figure it approximates and
where that figure comes from. Where no figure was looked up the entry says ``approximation``
and the value is an order-of-magnitude choice meant to give the right *shape* of effect.
docs/refsim.md is generated from this table (``python -m flashsim.refsim.parameters``).

The hash of the values (:func:`parameter_hash`) is written into every output file, so that a
model trained on an older detector version can be recognised.
"""

import hashlib
import json
from dataclasses import dataclass

__all__ = ["PARAMETERS", "Parameter", "canonical_parameters", "parameter_hash", "value"]

APPROX = "approximation"

# References, cited by short key in the table.
REFERENCES = {
    "JER8": "CMS, Jet energy scale and resolution in pp collisions at 8 TeV, JINST 12 (2017) P02014",
    "JER13": "CMS, Jet energy scale and resolution performance with 13 TeV data, CMS-DP-2020-019 "
    "and JINST 16 (2021) P05014-era figures",
    "JETID": "CMS JetMET POG, Run-3 jet identification (JetID) recommendations for PUPPI jets, "
    "CMS-PAS-JME-22-002 era; twiki JetID13p6TeV for the recipe on NanoAOD's fractions",
    "PUJID": "CMS, Pileup mitigation at CMS in 13 TeV data, JINST 15 (2020) P09018",
    "BTV": "CMS, Identification of heavy-flavour jets with the CMS detector in pp collisions at "
    "13 TeV, JINST 13 (2018) P05011; DeepJet: CMS-DP-2018-058",
    "QGL": "CMS, Performance of quark/gluon discrimination in 13 TeV data, CMS-PAS-JME-16-003",
    "MUON": "CMS, Performance of CMS muon reconstruction in pp collisions at 7 TeV, "
    "JINST 7 (2012) P10002; Run-2: JINST 13 (2018) P06015",
    "EGM": "CMS, Electron and photon reconstruction and identification with the CMS experiment "
    "at the CERN LHC, JINST 16 (2021) P05014",
    "TRK": "CMS, Description and performance of track and primary-vertex reconstruction with "
    "the CMS tracker, JINST 9 (2014) P10009",
    "MET": "CMS, Performance of missing transverse momentum reconstruction in 13 TeV data, "
    "JINST 14 (2019) P07004",
    "HEM": "CMS 2018 HEM15/16 failure: HCAL endcap minus, -3.2 < eta < -1.3, "
    "-1.57 < phi < -0.87, from run 319077 (JetMET recommendation)",
    "AK8": "CMS, Identification of heavy, energetic, hadronically decaying particles using "
    "machine-learning techniques, JINST 15 (2020) P06005",
    "NANO": "CMS NanoAOD v12 (CMSSW 13_0) and v15 (CMSSW 15_0) content, PhysicsTools/NanoAOD",
    "CMSDET": "CMS, The CMS experiment at the CERN LHC, JINST 3 (2008) S08004",
    "TAU": "CMS, Identification of hadronic tau lepton decays using a deep neural network, "
    "JINST 17 (2022) P07023",
    "PDG": "Particle Data Group, Review of Particle Physics (lifetimes)",
    "LUMI": "CMS luminosity/pileup: Run-2 mean pileup 30-35, inelastic cross section 69.2 mb",
}


@dataclass(frozen=True)
class Parameter:
    """One number (or short tuple) of the reference detector.

    Attributes:
        value: the number used.
        cms: the published CMS figure it approximates, in words (or ``approximation``).
        ref: a key of :data:`REFERENCES`, or ``approximation``.
    """

    value: object
    cms: str
    ref: str = APPROX


P = Parameter

PARAMETERS: dict[str, Parameter] = {
    # bump with every change of the modelling code, so that the hash changes with it
    "refsim.model_version": P(3, "version of the response functions in flashsim/refsim"),
    # ---------------------------------------------------------------- acceptance, dead regions
    "detector.tracker_eta": P(2.5, "silicon tracker acceptance |eta| < 2.5", "TRK"),
    "detector.calo_eta": P(4.7, "calorimeter (HF) acceptance |eta| < 5.0, jets kept to 4.7", "NANO"),
    "detector.hf_eta": P(3.0, "forward hadron calorimeter (HF) from |eta| 2.964 to 5.191", "CMSDET"),
    "detector.muon_eta": P(2.4, "muon system acceptance |eta| < 2.4", "MUON"),
    "detector.ecal_crack": P((1.4442, 1.566), "ECAL barrel/endcap transition", "EGM"),
    "detector.hem_region": P(
        (-3.2, -1.3, -1.57, -0.87), "HEM15/16 dead HCAL sectors (eta_lo, eta_hi, phi_lo, phi_hi)",
        "HEM"),
    "detector.dead_cells": P(
        ((0.20, 0.55, 2.00, 2.30), (-1.05, -0.80, 0.50, 0.80), (1.70, 2.00, -2.70, -2.40)),
        "a few dead/masked calorimeter trigger towers (eta_lo, eta_hi, phi_lo, phi_hi)", APPROX),
    # ---------------------------------------------------------------- pileup, event scalars
    "pileup.vertex_efficiency": P(0.70, "PV reconstruction efficiency per PU interaction ~70%",
                                  "TRK"),
    "pileup.good_vertex_fraction": P(0.96, "fraction of PVs passing the 'good' quality cuts",
                                     APPROX),
    "pileup.rho_per_pu": P(0.55, "rho grows by ~0.5-0.6 GeV per pileup interaction", "PUJID"),
    "pileup.rho_offset": P(1.5, "rho at zero pileup (UE) ~1-2 GeV", "PUJID"),
    "pileup.rho_width": P(0.12, "relative event-by-event rho spread", APPROX),
    "pileup.beamspot_z": P(3.5, "luminous region length sigma_z ~3.5 cm (Run 2)", "TRK"),
    # ---------------------------------------------------------------- AK4 jets
    "jet.min_pt": P(15.0, "NanoAOD AK4 (PUPPI) jets stored with pt > 15 GeV", "NANO"),
    "jet.match_efficiency": P((0.99, 0.25, 9.0),
                              "reco efficiency: plateau, low-pt deficit, scale [GeV] of "
                              "1 - a exp(-(pt-10)/s)", APPROX),
    "jet.resolution_eta_edges": P((0.0, 1.3, 2.5, 3.0, 4.7), "JER eta bins", "JER8"),
    "jet.resolution_N": P((3.0, 3.6, 4.5, 3.8), "JER noise term N [GeV] at zero PU per eta bin",
                          "JER8"),
    "jet.resolution_N_pu": P(0.06, "JER noise term growth: N^2 += k*nPU [GeV^2]", "JER13"),
    "jet.resolution_S": P((1.00, 1.05, 1.15, 0.90), "JER stochastic term S [sqrt(GeV)]", "JER8"),
    "jet.resolution_C": P((0.040, 0.045, 0.080, 0.090), "JER constant term C", "JER8"),
    "jet.crack_response": P(((1.3, 1.6, 0.96, 1.35), (2.5, 3.0, 0.93, 1.30)),
                            "barrel/endcap and tracker-edge transitions: (eta_lo, eta_hi, "
                            "response factor, resolution factor)", "JER13"),
    "jet.gluon_response": P((0.97, 30.0), "gluon jets respond ~2-3% lower than quarks at low "
                            "pt (after JEC): 1-(1-a)exp(-pt/s)", "JER8"),
    "jet.tail_probability": P({"b": 0.22, "c": 0.12, "light": 0.04, "gluon": 0.06},
                              "fraction of jets in the low response tail (semileptonic "
                              "decays for b/c)", "JER8"),
    "jet.tail_mean": P({"b": 0.14, "c": 0.11, "light": 0.08, "gluon": 0.09},
                       "mean relative energy loss in the tail (exponential)", APPROX),
    "jet.tail_with_muon": P(0.70, "tail probability when a gen muon is inside the jet", APPROX),
    "jet.high_tail": P((0.02, 0.10), "probability and width of the high tail (PU overlap)", APPROX),
    "jet.angular_resolution": P((0.9, 0.008), "sigma(eta), sigma(phi) = sqrt((a/pt)^2 + b^2)",
                                "JER8"),
    "jet.mass_resolution": P(0.15, "relative jet mass resolution (AK4)", APPROX),
    "jet.dead_cell_efficiency": P(0.45, "probability a jet in a dead cell is still reconstructed",
                                  APPROX),
    "jet.dead_cell_response": P(0.72, "response of jets in dead cells / HEM", "HEM"),
    "jet.area": P((0.503, 0.020), "AK4 jet area mean (pi R^2) and spread", "NANO"),
    "jet.fraction_means": P({"chHEF": 0.62, "neHEF": 0.10, "chEmEF": 0.02, "neEmEF": 0.26},
                            "mean PF energy fractions of central jets (charged hadrons ~65%, "
                            "photons ~25%, neutral hadrons ~10%)", "JER8"),
    "jet.fraction_spread": P(0.45, "logit spread of PF energy fractions", APPROX),
    "jet.tracker_fade": P(0.4, "charged particles of a jet fade out over one AK4 radius beyond the tracker "
                          "edge (PUPPI jets at 2.6 < |eta| < 2.9 keep chHEF ~ 0.4)", "NANO"),
    "jet.hf_em_share": P(0.02, "share of an HF jet's EM energy in neEmEF: HF candidates enter PUPPI jets as "
                         "neutral hadrons (|eta| > 3: neEmEF ~ 0, neHEF ~ 1)", "NANO"),
    "jet.constituents": P({"quark": (4.0, 4.0), "gluon": (6.0, 6.5), "pileup": (3.0, 1.5)},
                          "mean constituents a + b ln(pt/10 GeV)", "QGL"),
    "jet.jec_offset": P((0.40, 0.04, 0.10, 25.0), "JEC: rawFactor from rho*area*k, plus "
                        "const + a exp(-pt/s) relative response correction", "JER13"),
    "jet.bregression": P((0.55, 0.06), "pt regression (PNetRegPtRawCorr x raw pt): shrinkage to gen/reco "
                         "and noise", APPROX),
    "jet.puid_wp": P((-0.32, 0.20, 0.71), "pileup jet ID loose/medium/tight working points of "
                     "Jet_puIdDisc (UL, 30-50 GeV, |eta|<2.5; NanoAOD v15 has no flags)", "PUJID"),
    # DeepJet-like logits: [b, bb, lepb, c, uds, g] per true class.
    "jet.tagger_logits": P({
        "b": (2.6, 0.0, 0.8, -0.2, -0.6, -0.8),
        "c": (-1.6, -3.0, -2.3, 1.0, 0.2, 0.0),
        "light": (-4.6, -5.6, -5.2, -1.3, 1.9, 0.5),
        "gluon": (-4.0, -4.6, -5.0, -1.1, 0.5, 1.8),
        "pileup": (-2.6, -4.0, -4.0, -0.9, 0.6, 1.1)},
        "DeepJet (UL) working points 0.049/0.277/0.71: b efficiency ~93/80/65%, c ~40/15/3%, "
        "light ~10/1/0.1%", "BTV"),
    "jet.tagger_no_sv": P({"b": 0.25, "c": 0.30}, "share of b/c jets without a reconstructed "
                          "secondary vertex (their b-ness logits drop by 2.5)", "BTV"),
    "jet.tagger_noise": P((0.85, 0.55), "per-class and shared logit noise", APPROX),
    "jet.tagger_forward_scale": P(0.25, "discriminating power left outside the tracker", "BTV"),
    "jet.tagger_lepton_weight": P(3.0, "lepb logit increase per unit muon+electron energy "
                                  "fraction", APPROX),
    # ---------------------------------------------------------------- pileup jets
    "pujet.rate_per_pu": P(0.030, "PU jets with pt > 15 GeV per pileup interaction (CHS-like)",
                           "PUJID"),
    "pujet.pt_slope": P(4.2, "power-law index of the PU-jet pt spectrum", APPROX),
    "pujet.eta_max": P(4.7, "PU jets spread flat in |eta| < 4.7", "PUJID"),
    # ---------------------------------------------------------------- muons
    "muon.min_pt": P(3.0, "NanoAOD muons with pt > 3 GeV", "NANO"),
    "muon.efficiency": P((0.985, 0.93, 0.95), "reco+loose ID plateau; in the wheel gaps "
                         "(|eta|~0.25) and the DT/CSC overlap (0.9-1.2)", "MUON"),
    "muon.turn_on": P((3.5, 1.0), "efficiency turn-on pt50 and width [GeV]", "MUON"),
    "muon.curvature_resolution": P(((0.0, 0.9, 1.2, 2.4), (0.010, 0.016, 0.020),
                                    (5e-5, 8e-5, 1.2e-4)),
                                   "sigma(1/pt)*pt = a (+) b*pt: 1-2% below 100 GeV, "
                                   "~6% at 1 TeV (barrel)", "MUON"),
    "muon.tail": P((0.03, 3.0), "probability and width factor of the resolution tail", "MUON"),
    "muon.dxy_resolution": P((0.0010, 0.020), "sigma(dxy) [cm] = a (+) b/pt: ~10 um at high "
                             "pt, ~70 um at 3 GeV",
                             "TRK"),
    "muon.dz_factor": P(1.6, "sigma(dz)/sigma(dxy)", "TRK"),
    "muon.decay_length": P({"5": 0.045, "4": 0.025, "3": 0.060}, "mean transverse impact "
                           "parameter scale [cm]: c*tau(B)=455 um, c*tau(D)~120-310 um, "
                           "light decays in flight larger", APPROX),
    "muon.iso_pu": P(0.02, "PU left in the isolation cone after the delta-beta correction [GeV per unit rho]", APPROX),
    "muon.duplicate_probability": P(0.004, "rate of a second reco muon from one gen muon",
                                    APPROX),
    "muon.fake_rate": P((0.0025, 0.3), "fake (punch-through / decay in flight) muons per gen jet "
                        "with pt > 20, and fraction that is decay in flight (flav 3)", APPROX),
    # ---------------------------------------------------------------- electrons
    "electron.min_pt": P(5.0, "NanoAOD electrons with pt > 5 GeV", "NANO"),
    "electron.efficiency": P((0.96, 0.80, 7.0, 3.0), "reco efficiency plateau, in the ECAL "
                             "crack, turn-on pt50 and width", "EGM"),
    "electron.energy_resolution": P(((0.028, 0.12, 0.008), (0.05, 0.20, 0.012)),
                                    "ECAL sigma/E = S/sqrt(E) (+) N/E (+) C, barrel and endcap "
                                    "(electron resolution 2-5%)", "EGM"),
    "electron.brem_tail": P((0.25, 0.06), "fraction and mean loss of the bremsstrahlung tail",
                            "EGM"),
    "electron.charge_misid": P((0.002, 0.02), "charge misidentification barrel/endcap", "EGM"),
    "electron.conversion": P((0.10, 0.15), "conversion probability per photon at eta=0 growing "
                             "with material (X/X0 ~0.4 -> 1.8), and probability the conversion "
                             "is reconstructed as an electron", "EGM"),
    "electron.fake_rate": P(0.004, "fake electrons per gen jet with pt > 15", APPROX),
    "electron.mva_wp": P((0.65, 0.49), "mvaIso thresholds of the WP80, WP90 flags "
                         "(signal efficiencies ~80/90%)", "EGM"),
    "electron.sieie": P(((0.0095, 0.0009), (0.027, 0.003)), "sigma_ietaieta of prompt "
                        "electrons, barrel/endcap", "EGM"),
    # ---------------------------------------------------------------- photons
    "photon.min_pt": P(10.0, "photons stored with pt > 10 GeV (approximation of NanoAOD's cut)",
                       APPROX),
    "photon.efficiency": P((0.97, 0.75), "photon reco efficiency plateau and in the crack",
                           "EGM"),
    "photon.from_electron": P(0.80, "probability that an electron's supercluster also makes a "
                              "photon", APPROX),
    "photon.fake_rate": P(0.02, "photons from jets (pi0) per gen jet with pt > 20", APPROX),
    "photon.r9_unconverted": P(0.95, "r9 of unconverted photons peaks above 0.94", "EGM"),
    # ---------------------------------------------------------------- taus, FSR, low-pt e
    "tau.efficiency": P((0.65, 22.0, 3.0), "tau_h reconstruction+decay-mode efficiency "
                        "plateau ~60-70%, turn-on pt50 and width [GeV]", "TAU"),
    "tau.response": P((0.97, 0.08), "visible-tau energy scale and resolution", "TAU"),
    "tau.decay_mode_migration": P(0.15, "probability of a 1<->2 or 10<->11 migration", "TAU"),
    "tau.fake_rate": P(0.01, "jet -> tau_h candidates per gen jet at 30 GeV", APPROX),
    "fsr.cone_efficiency": P((0.5, 0.7), "FSR photon search cone around muons and efficiency",
                             APPROX),
    "lowpt.efficiency": P((0.7, 1.5), "low-pt electron efficiency plateau and pt50 [GeV]",
                          APPROX),
    # ---------------------------------------------------------------- secondary vertices
    "sv.efficiency": P((0.70, 0.40, 8.0, 3.0), "IVF vertex finding efficiency plateau for b and c hadron "
                       "decays, turn-on pt50 and width of the hadron pt [GeV]", "BTV"),
    "sv.lifetime": P({"5": 0.046, "411": 0.0312, "421": 0.0123, "431": 0.0151, "4": 0.0060, "15": 0.0087},
                     "c*tau [cm]: b hadrons 455-491 um, D+ 312 um, D0 123 um, Ds 151 um, other charm "
                     "(Lambda_c) 60 um, tau 87 um", "PDG"),
    "sv.resolution": P((0.008, 0.02, 1.8), "vertex position resolution: transverse a + b/sqrt(pt_SV) "
                       "[cm], longitudinal factor", "BTV"),
    "sv.light_fake_rate": P(0.03, "fake vertices (material, V0s, mis-associated tracks) per light jet "
                            "with pt > 20 GeV", APPROX),
    "sv.tau_efficiency": P(0.30, "vertices found from 3-prong hadronic taus", APPROX),
    "sv.min_significance": P(3.0, "NanoAOD keeps secondary vertices with dlenSig > 3", "NANO"),
    # ---------------------------------------------------------------- AK8 jets
    "fatjet.min_pt": P(170.0, "NanoAOD AK8 jets stored with pt > 170 GeV", "NANO"),
    "fatjet.resolution": P((1.2, 0.05), "AK8 JER stochastic and constant term", "AK8"),
    "fatjet.msd_resolution": P(0.09, "relative soft-drop mass resolution ~8-10%", "AK8"),
    "fatjet.prong_dr": P(0.8, "hard-process quarks within this distance count as prongs", "AK8"),
    # ---------------------------------------------------------------- MET
    "met.unclustered": P((4.0, 0.55, 0.08), "unclustered resolution [GeV]: a (+) b*sqrt(sumEt_u)"
                         " with sumEt_u = 60 GeV + k * ... ; per-axis", "MET"),
    "met.unclustered_sumet": P((60.0, 9.0), "unclustered sumEt: UE offset and per PU "
                               "interaction [GeV]", "MET"),
}


def value(name: str):
    """The value of parameter ``name`` (a key of :data:`PARAMETERS`)."""
    return PARAMETERS[name].value


def canonical_parameters() -> dict:
    """The parameter values only, JSON-ready (tuples as lists, keys sorted when dumped)."""
    return {name: json.loads(json.dumps(p.value)) for name, p in PARAMETERS.items()}


def parameter_hash() -> str:
    """sha256 of the canonical JSON of all parameter values (hex)."""
    text = json.dumps(canonical_parameters(), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def markdown_table() -> str:
    """docs/refsim.md's parameter table."""
    lines = ["| parameter | value | CMS figure approximated | reference |",
             "|---|---|---|---|"]
    for name, p in PARAMETERS.items():
        v = json.dumps(p.value).replace("|", "\\|")
        lines.append(f"| `{name}` | `{v}` | {p.cms} | {p.ref} |")
    lines.append("")
    lines.append("References:")
    lines.append("")
    for key, text in REFERENCES.items():
        lines.append(f"- **{key}**: {text}")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    print(markdown_table())
