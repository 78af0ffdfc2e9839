"""Derived gen columns: one RDataFrame expression each, defined identically by the extraction
(training) and by the simulation (bundle "derived"), so the two cannot disagree.

Only NanoAOD gen branches are read (GenPart_*, GenJet_*, GenMET_*, Pileup_*), so the same
columns are defined on a real CMS NanoAOD file.
"""

__all__ = ["DERIVED", "HEM_REGION", "derived_columns", "eta_bin_columns", "hem_column"]

_GENPART = ["GenPart_pt", "GenPart_eta", "GenPart_phi", "GenPart_pdgId", "GenPart_status",
            "GenPart_statusFlags", "GenPart_genPartIdxMother"]
_GENJET = ["GenJet_pt", "GenJet_eta", "GenJet_phi"]

# genPartFlav-like origin of every GenPart: 1 prompt, 15 from a prompt tau, else the heaviest
# hadron flavour among the ancestors (5 b, 4 c), else 3 (light) - NanoAOD's lepton convention.
_ORIGIN = """
ROOT::RVecF out(GenPart_pdgId.size(), 3.f);
for (std::size_t i = 0; i < out.size(); ++i) {
   int hf = 0;
   int m = GenPart_genPartIdxMother[i];
   for (int step = 0; m >= 0 && step < 64; ++step) {
      const int a = std::abs(GenPart_pdgId[m]);
      if (a >= 100) {
         const int q1 = (a / 100) % 10, q2 = (a / 1000) % 10;
         if (q1 == 5 || q2 == 5) hf = 5;
         else if ((q1 == 4 || q2 == 4) && hf < 4) hf = 4;
      }
      m = GenPart_genPartIdxMother[m];
   }
   if (hf) out[i] = hf;
   if (GenPart_statusFlags[i] & 1) out[i] = 1;
   if (GenPart_statusFlags[i] & ((1 << 3) | (1 << 5))) out[i] = 15;
}
return out;
"""

# hadronic activity around a gen particle: pt of the closest GenJet within 0.4 minus its own pt
_ACTIVITY = """
const auto j = flashsim::Neighbours::ClosestIndex(GenPart_eta, GenPart_phi, GenJet_eta, GenJet_phi, 0.4f);
ROOT::RVecF out(j.size(), 0.f);
for (std::size_t i = 0; i < out.size(); ++i)
   if (j[i] >= 0) out[i] = std::max(0.f, float(GenJet_pt[j[i]] - GenPart_pt[i]));
return out;
"""


# CMS jet energy resolution |eta| bins (JERC): response and resolution change sharply at these edges
JER_ETA_EDGES = (0.0, 0.5, 0.8, 1.1, 1.3, 1.7, 1.9, 2.1, 2.3, 2.5, 2.8, 3.0, 3.2, 99.0)


def eta_bin_columns(of):
    """The indicator columns of the JER |eta| bins of ``of`` (GenJet): one is 1, the others 0."""
    return [f"{of}_etaBin{k}" for k in range(len(JER_ETA_EDGES) - 1)]


def _eta_bins(of):
    """One indicator column per JER |eta| bin: a smooth network of eta blurs the steps at the
    edges (the jet resolution 20% too narrow in 1.4 < |eta| < 1.6); indicators keep them sharp."""
    edges = zip(JER_ETA_EDGES[:-1], JER_ETA_EDGES[1:], strict=True)
    return [{"column": column, "inputs": [f"{of}_eta"],
             "expression": f"ROOT::RVecF(ROOT::VecOps::abs({of}_eta) >= {lo}f && "
                           f"ROOT::VecOps::abs({of}_eta) < {hi}f)"}
            for column, (lo, hi) in zip(eta_bin_columns(of), edges, strict=True)]


# CMS HEM15/16: the two HCAL endcap sectors lost in 2018 (the standard veto region of CMS analyses).
# Jets there lose a quarter of their energy, electrons and photons half their efficiency: a network
# smooth in (eta, phi) cannot draw this box, it spreads the loss over the whole endcap.
HEM_REGION = (-3.2, -1.3, -1.57, -0.87)  # eta_lo, eta_hi, phi_lo, phi_hi


def hem_column(of):
    return f"{of}_inHEM"


def _in_hem(of):
    e0, e1, p0, p1 = HEM_REGION
    return {"column": hem_column(of), "inputs": [f"{of}_eta", f"{of}_phi"],
            "expression": f"ROOT::RVecF({of}_eta >= {e0}f && {of}_eta < {e1}f && {of}_phi >= {p0}f && "
                          f"{of}_phi < {p1}f)"}


def _nearest(of, to_selection, name):
    sel = to_selection
    return {"column": name, "inputs": [f"{of}_eta", f"{of}_phi"] + _GENPART,
            "expression": f"ROOT::RVecF(flashsim::Neighbours::NearestDeltaR({of}_eta, {of}_phi, "
                          f"GenPart_eta[{sel}], GenPart_phi[{sel}]))"}


def _pt_fraction(of, sel, name):
    return {"column": name, "inputs": [f"{of}_pt", f"{of}_eta", f"{of}_phi"] + _GENPART,
            "expression": f"flashsim::Neighbours::PtFractionWithin({of}_pt, {of}_eta, {of}_phi, GenPart_pt[{sel}], "
                          f"GenPart_eta[{sel}], GenPart_phi[{sel}], 0.4f)"}


_FINAL_MUON = "GenPart_status == 1 && abs(GenPart_pdgId) == 13 && GenPart_pt > 2"
_FINAL_ELECTRON = "GenPart_status == 1 && abs(GenPart_pdgId) == 11 && GenPart_pt > 2"
_FINAL_PHOTON = "GenPart_status == 1 && GenPart_pdgId == 22 && GenPart_pt > 5"

DERIVED = [
    {"column": "GenPart_origin", "inputs": _GENPART, "expression": _ORIGIN.strip()},
    {"column": "GenPart_isPromptFlag", "inputs": _GENPART,
     "expression": "ROOT::RVecF((GenPart_statusFlags & 1) != 0)"},
    {"column": "GenPart_isTauProductFlag", "inputs": _GENPART,
     "expression": "ROOT::RVecF((GenPart_statusFlags & ((1 << 3) | (1 << 5))) != 0)"},
    {"column": "GenPart_charge", "inputs": _GENPART,
     "expression": "ROOT::RVecF(-1.f * (GenPart_pdgId > 0) + 1.f * (GenPart_pdgId < 0))"},
    {"column": "GenPart_activity", "inputs": _GENPART + _GENJET, "expression": _ACTIVITY.strip()},
    {"column": "GenPart_nearestJetDR", "inputs": _GENPART + _GENJET,
     "expression": "flashsim::Neighbours::NearestDeltaR(GenPart_eta, GenPart_phi, GenJet_eta, GenJet_phi)"},
    # photon-like flavour of a gen electron (11 when prompt) and of a gen photon (1 when prompt)
    {"column": "GenPart_photonFlavElectron", "inputs": ["GenPart_origin"],
     "expression": "ROOT::RVecF(11.f * (GenPart_origin == 1))"},
    {"column": "GenPart_photonFlavPhoton", "inputs": ["GenPart_origin"],
     "expression": "ROOT::RVecF(1.f * (GenPart_origin == 1))"},
    _nearest("GenJet", _FINAL_MUON, "GenJet_nearestMuonDR"),
    _nearest("GenJet", _FINAL_ELECTRON, "GenJet_nearestElectronDR"),
    _nearest("GenJet", _FINAL_PHOTON, "GenJet_nearestPhotonDR"),
    # the jet's lepton and photon content (pt inside R = 0.4 / jet pt): semileptonic decays lower the
    # response and set the muon and EM energy fractions
    _pt_fraction("GenJet", "GenPart_status == 1 && abs(GenPart_pdgId) == 13", "GenJet_muonPtFraction"),
    _pt_fraction("GenJet", "GenPart_status == 1 && abs(GenPart_pdgId) == 11", "GenJet_electronPtFraction"),
    _pt_fraction("GenJet", "GenPart_status == 1 && GenPart_pdgId == 22", "GenJet_photonPtFraction"),
    # |eta|: the detector's regions (barrel, endcap, forward) are symmetric in eta, with sharp edges in |eta|
    *({"column": f"{c}_absEta", "inputs": [f"{c}_eta"], "expression": f"ROOT::VecOps::abs({c}_eta)"}
      for c in ("GenPart", "GenJet", "GenJetAK8")),
    *_eta_bins("GenJet"),
    *(_in_hem(c) for c in ("GenPart", "GenJet", "GenJetAK8")),
    # over the gen jets with a usable pt only: a NaN/inf/negative one (left out by --bad-gen skip) must
    # not make the event-level inputs non-finite; identical to the plain sum and size otherwise
    {"column": "GenJet_HT", "inputs": ["GenJet_pt"],
     "expression": "float(ROOT::VecOps::Sum(GenJet_pt[GenJet_pt >= 0.f && GenJet_pt < 1e30f]))"},
    {"column": "GenJet_count", "inputs": ["GenJet_pt"],
     "expression": "float(ROOT::VecOps::Sum(GenJet_pt >= 0.f && GenJet_pt < 1e30f))"},
    # inside the tracker (|eta| < 2.5): the hard interaction's tracks, which the primary vertex fit counts
    # (PV_ndof alone gave AUC 0.60 given the event's gen conditioning without it, v9 on ttbar)
    {"column": "GenJet_centralCount", "inputs": ["GenJet_pt", "GenJet_eta"],
     "expression": "float(ROOT::VecOps::Sum(GenJet_pt >= 0.f && GenJet_pt < 1e30f && "
                   "ROOT::VecOps::abs(GenJet_eta) < 2.5f))"},
    {"column": "GenJet_centralHT", "inputs": ["GenJet_pt", "GenJet_eta"],
     "expression": "float(ROOT::VecOps::Sum(GenJet_pt[GenJet_pt >= 0.f && GenJet_pt < 1e30f && "
                   "ROOT::VecOps::abs(GenJet_eta) < 2.5f]))"},
]


def derived_columns(columns):
    """The derived entries needed (transitively) by ``columns``, in definition order."""
    by_name = {d["column"]: d for d in DERIVED}
    needed = set()

    def visit(name):
        if name in by_name and name not in needed:
            needed.add(name)
            for dep in by_name[name]["inputs"]:
                visit(dep)

    for c in columns:
        visit(c)
    return [d for d in DERIVED if d["column"] in needed]
