#ifndef FLASHSIM_RDF_BOOKKEEPING_HXX
#define FLASHSIM_RDF_BOOKKEEPING_HXX

// NanoAOD's bookkeeping trees of a simulated file, written once for `flashsim simulate` (Python)
// and macros/simulate.C: Runs and LuminosityBlocks copied from the inputs when every input has
// them as TTrees (all branches, one entry per input file and run, as CMS merges them), else
// counted from the inputs' Events (per run genEventCount, genEventSumw, genEventSumw2 from
// genWeight or weight 1; the sorted (run, luminosityBlock) pairs); then the provenance TNamed.

#include "flashsim/Errors.hxx"

#include <ROOT/RDataFrame.hxx>
#include <TChain.h>
#include <TFile.h>
#include <TKey.h>
#include <TNamed.h>
#include <TTree.h>

#include <algorithm>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <utility>
#include <vector>

namespace flashsim {
namespace Bookkeeping {

struct RunSums {
   Long64_t count = 0;
   double sumw = 0.;
   double sumw2 = 0.;
};

/// Whether every file holds a TTree called `name` (an RNTuple of that name does not count).
inline bool AllHaveTree(const std::vector<std::string> &files, const std::string &name)
{
   for (const auto &path : files) {
      std::unique_ptr<TFile> file(TFile::Open(path.c_str(), "READ"));
      if (!file || file->IsZombie())
         throw InputError("input '" + path + "' is not a readable ROOT file");
      auto *key = file->GetKey(name.c_str());
      if (!key || std::string(key->GetClassName()) != "TTree")
         return false;
   }
   return !files.empty();
}

/// Per run the event count and sums of weights, and the (run, lumi) pairs, from the inputs' Events.
inline void CountRuns(const std::vector<std::string> &inputs, std::map<UInt_t, RunSums> &runs,
                      std::set<std::pair<UInt_t, UInt_t>> &lumis)
{
   ROOT::RDataFrame gen("Events", inputs);
   const auto names = gen.GetColumnNames();
   const bool weighted = std::find(names.begin(), names.end(), "genWeight") != names.end();
   auto df = gen.Define("_flashsim_run", "static_cast<UInt_t>(run)")
                .Define("_flashsim_lumi", "static_cast<UInt_t>(luminosityBlock)")
                .Define("_flashsim_w", weighted ? "static_cast<double>(genWeight)" : "1.0");
   std::vector<std::map<UInt_t, RunSums>> slotRuns(df.GetNSlots());
   std::vector<std::set<std::pair<UInt_t, UInt_t>>> slotLumis(df.GetNSlots());
   df.ForeachSlot(
      [&](unsigned int slot, UInt_t run, UInt_t lumi, double w) {
         auto &sums = slotRuns[slot][run];
         sums.count += 1;
         sums.sumw += w;
         sums.sumw2 += w * w;
         slotLumis[slot].emplace(run, lumi);
      },
      {"_flashsim_run", "_flashsim_lumi", "_flashsim_w"});
   for (std::size_t s = 0; s < slotRuns.size(); ++s) {
      for (const auto &item : slotRuns[s]) {
         auto &sums = runs[item.first];
         sums.count += item.second.count;
         sums.sumw += item.second.sumw;
         sums.sumw2 += item.second.sumw2;
      }
      lumis.insert(slotLumis[s].begin(), slotLumis[s].end());
   }
}

/// Adds Runs, LuminosityBlocks and the TNamed `metadataName` (text `provenance`) to `output`.
inline void Write(const std::vector<std::string> &inputs, const std::string &output, const std::string &metadataName,
                  const std::string &provenance)
{
   const bool hasRuns = AllHaveTree(inputs, "Runs"), hasLumis = AllHaveTree(inputs, "LuminosityBlocks");
   std::map<UInt_t, RunSums> runs;
   std::set<std::pair<UInt_t, UInt_t>> lumis;
   if (!hasRuns || !hasLumis)
      CountRuns(inputs, runs, lumis);
   std::unique_ptr<TFile> out(TFile::Open(output.c_str(), "UPDATE"));
   if (!out || out->IsZombie())
      throw InputError("cannot reopen " + output + " to add Runs and LuminosityBlocks");
   for (const std::string name : {"Runs", "LuminosityBlocks"}) {
      out->cd();
      if (name == "Runs" ? hasRuns : hasLumis) { // NanoAOD's trees as they are
         TChain chain(name.c_str());
         for (const auto &path : inputs)
            chain.Add(path.c_str());
         chain.CloneTree(-1, "fast")->Write();
         continue;
      }
      TTree tree(name.c_str(), name.c_str());
      UInt_t run = 0, lumi = 0;
      Long64_t count = 0;
      double sumw = 0., sumw2 = 0.;
      tree.Branch("run", &run, "run/i");
      if (name == "Runs") {
         tree.Branch("genEventCount", &count, "genEventCount/L");
         tree.Branch("genEventSumw", &sumw, "genEventSumw/D");
         tree.Branch("genEventSumw2", &sumw2, "genEventSumw2/D");
         for (const auto &item : runs) {
            run = item.first;
            count = item.second.count;
            sumw = item.second.sumw;
            sumw2 = item.second.sumw2;
            tree.Fill();
         }
      } else {
         tree.Branch("luminosityBlock", &lumi, "luminosityBlock/i");
         for (const auto &item : lumis) {
            run = item.first;
            lumi = item.second;
            tree.Fill();
         }
      }
      tree.Write();
   }
   out->cd();
   TNamed(metadataName.c_str(), provenance.c_str()).Write();
   out->Close();
}

} // namespace Bookkeeping
} // namespace flashsim

#endif
