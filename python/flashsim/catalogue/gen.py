"""Derived gen columns: one named operation each, defined identically by the extraction
(training) and by the simulation (bundle "derived"), so the two cannot disagree.

Only NanoAOD branches are read (GenPart_*, GenJet_*, GenVisTau_*, GenMET_*, Pileup_*, and the reco
collections that other objects are built from), so the same columns are defined on a real CMS NanoAOD
file. A column that reads a reco collection (Jet, Muon) is computed from the training file's reco objects
in training and from FlashSim's own simulated objects in the simulation, once those are simulated.
"""

__all__ = ["DERIVED", "FSR_CANDIDATE", "HEM_REGION", "MET_FROM_JETS", "derived_columns", "entry_inputs",
           "eta_bin_columns", "hem_column"]

# Each entry names an operation of the C++ registry (cpp/include/flashsim/BundleOperations.hxx)
# with its parameters: the bundle carries data, the library writes the expressions.

_FINAL_MUON = "GenPart_status == 1 && abs(GenPart_pdgId) == 13 && GenPart_pt > 2"
_FINAL_ELECTRON = "GenPart_status == 1 && abs(GenPart_pdgId) == 11 && GenPart_pt > 2"
_FINAL_PHOTON = "GenPart_status == 1 && GenPart_pdgId == 22 && GenPart_pt > 5"

# CMS jet energy resolution |eta| bins (JERC): response and resolution change sharply at these edges
JER_ETA_EDGES = (0.0, 0.5, 0.8, 1.1, 1.3, 1.7, 1.9, 2.1, 2.3, 2.5, 2.8, 3.0, 3.2, 99.0)


def eta_bin_columns(of):
    """The indicator columns of the JER |eta| bins of ``of`` (GenJet): one is 1, the others 0."""
    return [f"{of}_etaBin{k}" for k in range(len(JER_ETA_EDGES) - 1)]


def _eta_bins(of):
    """One indicator column per JER |eta| bin: a smooth network of eta blurs the steps at the
    edges (the jet resolution 20% too narrow in 1.4 < |eta| < 1.6); indicators keep them sharp."""
    edges = zip(JER_ETA_EDGES[:-1], JER_ETA_EDGES[1:], strict=True)
    return [{"column": column, "op": "indicator", "cut": f"abs({of}_eta) >= {lo}f && abs({of}_eta) < {hi}f"}
            for column, (lo, hi) in zip(eta_bin_columns(of), edges, strict=True)]


# CMS HEM15/16: the two HCAL endcap sectors lost in 2018 (the standard veto region of CMS analyses).
# Jets there lose a quarter of their energy, electrons and photons half their efficiency: a network
# smooth in (eta, phi) cannot draw this box, it spreads the loss over the whole endcap.
HEM_REGION = (-3.2, -1.3, -1.57, -0.87)  # eta_lo, eta_hi, phi_lo, phi_hi


def hem_column(of):
    return f"{of}_inHEM"


def _in_hem(of):
    e0, e1, p0, p1 = HEM_REGION
    return {"column": hem_column(of), "op": "indicator",
            "cut": f"{of}_eta >= {e0}f && {of}_eta < {e1}f && {of}_phi >= {p0}f && {of}_phi < {p1}f"}


# FSR photon candidates: final-state photons in the search cone (0.5) around a reconstructed muon
FSR_CANDIDATE = "GenPart_status == 1 && GenPart_pdgId == 22 && GenPart_pt > 2 && GenPart_recoMuonDR < 0.5"


def _along_genmet(name, of, select=None):
    """The vector sum of the pt of ``of`` (passing ``select``) along and across the GenMET direction."""
    out = []
    for component, suffix in (("parallel", "alongGenMET"), ("perpendicular", "acrossGenMET")):
        entry = {"column": f"{name}_{suffix}", "op": "vector_sum", "of": of, "along": "GenMET_phi",
                 "component": component}
        if select:
            entry["select"] = select
        out.append(entry)
    return out


# the MET is built from the reconstructed jets (refsim.met, CMS type-1): GenMET minus each reconstructed
# jet's mismeasurement (its pt minus its gen jet's), plus the gen jets that were not reconstructed
MET_FROM_JETS = ["RecoJets_alongGenMET", "RecoJets_acrossGenMET", "RecoGenJets_alongGenMET",
                 "RecoGenJets_acrossGenMET", "UnrecoGenJets_alongGenMET", "UnrecoGenJets_acrossGenMET",
                 "RecoJets_HT"]


def _nearest(of, select, name):
    return {"column": name, "op": "nearest_delta_r", "of": of, "to": "GenPart", "select": select}


def _pt_fraction(of, select, name):
    return {"column": name, "op": "pt_fraction_within", "of": of, "to": "GenPart", "select": select, "radius": 0.4}


# the radius of an AK8 jet: a hard-process quark within it is one of the jet's prongs
AK8_RADIUS = 0.8
# a hard-process quark (d to b, last copy): the partons of the hard scattering and of its resonances' decays
_HARD_QUARK = "GenPart_fromHardProcessFlag == 1 && GenPart_isLastCopyFlag == 1 && abs(GenPart_pdgId) >= 1"


def _count_within(of, select, name):
    return {"column": name, "op": "count_within", "of": of, "to": "GenPart", "select": select, "radius": AK8_RADIUS}


# over the gen jets with a usable pt only: a NaN/inf/negative one (left out by --bad-gen skip) must
# not make the event-level inputs non-finite; identical to the plain sum and size otherwise
_USABLE_JET = "GenJet_pt >= 0.f && GenJet_pt < 1e30f"
# inside the tracker (|eta| < 2.5): the hard interaction's tracks, which the primary vertex fit counts
# (PV_ndof alone gave AUC 0.60 given the event's gen conditioning without it, v9 on ttbar)
_CENTRAL_JET = f"{_USABLE_JET} && abs(GenJet_eta) < 2.5f"

DERIVED = [
    # genPartFlav-like origin of every GenPart: 1 prompt, 15 from a prompt tau, else the heaviest
    # hadron flavour among the ancestors (5 b, 4 c), else 3 (light) - NanoAOD's lepton convention
    {"column": "GenPart_origin", "op": "gen_origin", "of": "GenPart"},
    {"column": "GenPart_isPromptFlag", "op": "status_flags", "of": "GenPart_statusFlags", "bits": [0]},
    {"column": "GenPart_isTauProductFlag", "op": "status_flags", "of": "GenPart_statusFlags", "bits": [3, 5]},
    {"column": "GenPart_charge", "op": "lepton_charge", "of": "GenPart_pdgId"},
    # hadronic activity around a gen particle: pt of the closest GenJet within 0.4 minus its own pt
    {"column": "GenPart_activity", "op": "activity_around", "of": "GenPart", "jets": "GenJet", "radius": 0.4},
    {"column": "GenPart_nearestJetDR", "op": "nearest_delta_r", "of": "GenPart", "to": "GenJet"},
    # photon-like flavour of a gen electron (11 when prompt) and of a gen photon (1 when prompt)
    {"column": "GenPart_photonFlavElectron", "op": "indicator", "cut": "GenPart_origin == 1", "value": 11},
    {"column": "GenPart_photonFlavPhoton", "op": "indicator", "cut": "GenPart_origin == 1"},
    _nearest("GenJet", _FINAL_MUON, "GenJet_nearestMuonDR"),
    _nearest("GenJet", _FINAL_ELECTRON, "GenJet_nearestElectronDR"),
    _nearest("GenJet", _FINAL_PHOTON, "GenJet_nearestPhotonDR"),
    # the jet's lepton and photon content (pt inside R = 0.4 / jet pt): semileptonic decays lower the
    # response and set the muon and EM energy fractions
    _pt_fraction("GenJet", "GenPart_status == 1 && abs(GenPart_pdgId) == 13", "GenJet_muonPtFraction"),
    _pt_fraction("GenJet", "GenPart_status == 1 && abs(GenPart_pdgId) == 11", "GenJet_electronPtFraction"),
    _pt_fraction("GenJet", "GenPart_status == 1 && GenPart_pdgId == 22", "GenJet_photonPtFraction"),
    # the gen AK8 jet's hard partons (the seed's fat jets: trained on QCD and HH -> 4b): the hard-process
    # quarks inside it (its prongs: one for a QCD jet, two for H -> b bbar or W -> q qbar, three for a top),
    # those of them that are b quarks, and the b hadrons inside it (NanoAOD v15's GenJetAK8_nBHadrons). They
    # set the soft-drop mass, N-subjettiness and the taggers; mass and flavour alone leave the prongs to the
    # training mixture (v5 on zh_llbb, not trained on: FatJet AUC 0.643, msoftdrop alone 0.567)
    {"column": "GenPart_fromHardProcessFlag", "op": "status_flags", "of": "GenPart_statusFlags", "bits": [8]},
    {"column": "GenPart_isLastCopyFlag", "op": "status_flags", "of": "GenPart_statusFlags", "bits": [13]},
    {"column": "GenPart_hadronFlavour", "op": "hadron_flavour", "of": "GenPart_pdgId"},
    _count_within("GenJetAK8", f"{_HARD_QUARK} && abs(GenPart_pdgId) <= 5", "GenJetAK8_nHardQuarks"),
    _count_within("GenJetAK8", f"{_HARD_QUARK} && abs(GenPart_pdgId) == 5", "GenJetAK8_nHardBQuarks"),
    _count_within("GenJetAK8", "GenPart_hadronFlavour == 5 && GenPart_isLastCopyFlag == 1",
                  "GenJetAK8_nBHadronsWithin"),
    # |eta|: the detector's regions (barrel, endcap, forward) are symmetric in eta, with sharp edges in |eta|
    *({"column": f"{c}_absEta", "op": "abs", "of": f"{c}_eta"} for c in ("GenPart", "GenJet", "GenJetAK8")),
    *_eta_bins("GenJet"),
    *(_in_hem(c) for c in ("GenPart", "GenJet", "GenJetAK8")),
    {"column": "GenJet_HT", "op": "sum", "of": "GenJet_pt", "select": _USABLE_JET},
    {"column": "GenJet_count", "op": "count", "select": _USABLE_JET},
    {"column": "GenJet_centralCount", "op": "count", "select": _CENTRAL_JET},
    {"column": "GenJet_centralHT", "op": "sum", "of": "GenJet_pt", "select": _CENTRAL_JET},
    {"column": "GenVisTau_absEta", "op": "abs", "of": "GenVisTau_eta"},
    # ---- columns of reconstructed objects (the reference's in training, FlashSim's in the simulation)
    # distance of each gen particle to the nearest reconstructed muon (the FSR photon search)
    {"column": "GenPart_recoMuonDR", "op": "nearest_delta_r", "of": "GenPart", "to": "Muon"},
    # how many reconstructed jets point at each gen jet (0: lost or below threshold)
    {"column": "GenJet_nRecoJets", "op": "count_pointing", "index": "Jet_genJetIdx", "size_of": "GenJet_pt"},
    *_along_genmet("RecoJets", "Jet"),
    *_along_genmet("RecoGenJets", "GenJet", "GenJet_nRecoJets > 0"),
    *_along_genmet("UnrecoGenJets", "GenJet", f"GenJet_nRecoJets == 0 && GenJet_pt > 15 && {_USABLE_JET}"),
    {"column": "RecoJets_HT", "op": "sum", "of": "Jet_pt"},
]


def entry_inputs(entry) -> list:
    """The columns a derived or postprocess entry reads (the C++ registry says)."""
    from flashsim.rdf.operations import define

    return define(entry)[1]


def derived_columns(columns):
    """The derived entries needed (transitively) by ``columns``, in definition order."""
    by_name = {d["column"]: d for d in DERIVED}
    needed = set()

    def visit(name):
        if name in by_name and name not in needed:
            needed.add(name)
            for dep in entry_inputs(by_name[name]):
                visit(dep)

    for c in columns:
        visit(c)
    return [d for d in DERIVED if d["column"] in needed]
