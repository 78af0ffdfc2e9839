// VBF H -> mu mu toy analysis (CMS FlashSim paper) on any NanoAOD, from plain ROOT:
//
//   root -b -q 'macros/vbf_hmumu.C("nano.root", "vbf_hmumu_hists.root")'
//
// The selection is flashsim::toy::VbfHmumu (python/flashsim/validate/analyses/ToyAnalyses.hxx,
// the same code the Python report runs), with the jet ID computed from the energy fractions
// (flashsim::nanoaod::JetId, JetId.hxx). Writes one histogram per observable and prints the
// number of selected events.
#include "../python/flashsim/validate/analyses/ToyAnalyses.hxx"
#include "ToyObservables.h"

#include <ROOT/RDataFrame.hxx>

#include <map>
#include <utility>

void vbf_hmumu(const char *input, const char *output = "vbf_hmumu_hists.root", int threads = 0)
{
   if (threads > 0)
      ROOT::EnableImplicitMT(threads);
   ROOT::RDataFrame df("Events", input);
   auto total = df.Count();
   auto sel = flashsim::nanoaod::DefineJetId(df, "jetId")
                 .Define("vbf", "flashsim::toy::VbfHmumu(Muon_pt, Muon_eta, Muon_phi, Muon_charge, Muon_mediumId, "
                                "Muon_pfRelIso04_all, Jet_pt, Jet_eta, Jet_phi, Jet_mass, jetId)")
                 .Filter("!vbf.empty()", "VBF H -> mu mu");
   const std::map<std::string, std::pair<double, double>> ranges = {
      {"m_mumu", {110, 150}},  {"m_jj", {400, 3000}},  {"deta_jj", {2.5, 9}}, {"pt_mumu", {0, 300}},
      {"zeppenfeld", {-3, 3}}, {"jet1_pt", {35, 400}}, {"jet2_pt", {25, 250}}};
   const auto names = flashsim::toy::VbfHmumuObservables();
   WriteToyObservables(sel, "vbf_hmumu", "vbf", names, ranges, {-5., 5.}, "m_mumu", total, output);
}
