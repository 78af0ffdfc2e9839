// ZH -> ll bb toy analysis (CMS FlashSim paper) on any NanoAOD, from plain ROOT:
//
//   root -b -q 'macros/zh_llbb.C("nano.root", "zh_llbb_hists.root")'
//
// The selection is flashsim::toy::ZhLlbb (python/flashsim/validate/analyses/ToyAnalyses.hxx,
// the same code the Python report runs), with the jet ID computed from the energy fractions
// (flashsim::nanoaod::JetId, JetId.hxx). Writes one histogram per observable and prints the
// number of selected events.
#include "../python/flashsim/validate/analyses/ToyAnalyses.hxx"
#include "ToyObservables.h"

#include <ROOT/RDataFrame.hxx>

#include <map>
#include <utility>

void zh_llbb(const char *input, const char *output = "zh_llbb_hists.root", int threads = 0)
{
   if (threads > 0)
      ROOT::EnableImplicitMT(threads);
   ROOT::RDataFrame df("Events", input);
   auto total = df.Count();
   auto sel = flashsim::nanoaod::DefineJetId(df, "jetId")
                 .Define("zh", "flashsim::toy::ZhLlbb(Muon_pt, Muon_eta, Muon_phi, Muon_charge, Muon_mediumId, "
                               "Muon_pfRelIso04_all, Electron_pt, Electron_eta, Electron_phi, Electron_charge, "
                               "Electron_mvaIso_WP90, Jet_pt, Jet_eta, Jet_phi, Jet_mass, jetId, Jet_btagDeepFlavB)")
                 .Filter("!zh.empty()", "ZH -> ll bb");
   const std::map<std::string, std::pair<double, double>> ranges = {
      {"m_bb", {0, 300}},  {"pt_bb", {0, 400}},    {"dr_bb", {0, 5}},     {"m_ll", {76, 106}},
      {"pt_ll", {0, 400}}, {"btag_1", {0.277, 1}}, {"btag_2", {0.049, 1}}};
   const auto names = flashsim::toy::ZhLlbbObservables();
   WriteToyObservables(sel, "zh_llbb", "zh", names, ranges, {0., 20.}, "m_bb", total, output);
}
