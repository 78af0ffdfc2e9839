// Simulates the reco collections of a FlashSim bundle on a gen-level tree, from plain ROOT:
//
//   export FLASHSIM_PREFIX=$(flashsim config --prefix)
//   root -b -q 'macros/simulate.C("gen.root", "nano.root", "bundle_dir", 42)'
//
// FLASHSIM_PREFIX is the folder of the installed package, holding lib/ and include/.
// The output has what `flashsim simulate` writes (without oversampling): Events (gen branches
// passed through + reco collections), Runs and LuminosityBlocks (copied from the input, or
// counted from its events when it has none) and a TNamed flashsim_simulate (JSON provenance).
R__ADD_INCLUDE_PATH($FLASHSIM_PREFIX/include)
R__LOAD_LIBRARY($FLASHSIM_PREFIX/lib/libflashsim.so)

#include "flashsim/rdf/Simulate.hxx"

#include <ROOT/RDataFrame.hxx>
#include <TChain.h>
#include <TFile.h>
#include <TNamed.h>
#include <TTree.h>

#include <algorithm>
#include <iostream>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <utility>
#include <vector>

namespace {

struct RunSums {
   Long64_t count = 0;
   double sumw = 0.;
   double sumw2 = 0.;
};

bool HasTree(const char *fileName, const char *treeName)
{
   std::unique_ptr<TFile> file(TFile::Open(fileName, "READ"));
   return file && !file->IsZombie() && file->Get<TTree>(treeName) != nullptr;
}

// Runs (genEventCount, genEventSumw, genEventSumw2 per run, from genWeight or weight 1) and the
// (run, luminosityBlock) pairs, counted from the gen events in one pass.
void CountRuns(ROOT::RDataFrame &gen, std::map<UInt_t, RunSums> &runs, std::set<std::pair<UInt_t, UInt_t>> &lumis)
{
   const auto names = gen.GetColumnNames();
   const bool weighted = std::find(names.begin(), names.end(), "genWeight") != names.end();
   auto df = gen.Define("_run", "static_cast<UInt_t>(run)")
                .Define("_lumi", "static_cast<UInt_t>(luminosityBlock)")
                .Define("_w", weighted ? "static_cast<double>(genWeight)" : "1.0");
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
      {"_run", "_lumi", "_w"});
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

void WriteBookkeeping(ROOT::RDataFrame &gen, const char *genFile, const char *outFile, const std::string &provenance)
{
   const bool hasRuns = HasTree(genFile, "Runs"), hasLumis = HasTree(genFile, "LuminosityBlocks");
   std::map<UInt_t, RunSums> runs;
   std::set<std::pair<UInt_t, UInt_t>> lumis;
   if (!hasRuns || !hasLumis)
      CountRuns(gen, runs, lumis);
   std::unique_ptr<TFile> out(TFile::Open(outFile, "UPDATE"));
   for (const char *name : {"Runs", "LuminosityBlocks"}) {
      out->cd();
      if (std::string(name) == "Runs" ? hasRuns : hasLumis) { // NanoAOD's trees as they are
         TChain chain(name);
         chain.Add(genFile);
         chain.CloneTree(-1, "fast")->Write();
         continue;
      }
      TTree tree(name, name);
      UInt_t run = 0, lumi = 0;
      Long64_t count = 0;
      double sumw = 0., sumw2 = 0.;
      tree.Branch("run", &run, "run/i");
      if (std::string(name) == "Runs") {
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
   TNamed("flashsim_simulate", provenance.c_str()).Write();
}

std::string Quoted(const std::string &text)
{
   std::string out = "\"";
   for (const char c : text)
      out += (c == '"' || c == '\\') ? std::string("\\") + c : std::string(1, c);
   return out + "\"";
}

} // namespace

void simulate(const char *genFile, const char *outFile, const char *bundleDir, ULong64_t seed, int threads = 0)
{
   if (threads > 0)
      ROOT::EnableImplicitMT(threads);
   ROOT::RDataFrame gen("Events", genFile);
   auto nano = flashsim::Simulate(gen, bundleDir, seed);
   const flashsim::Bundle bundle(bundleDir);
   std::vector<std::string> derived;
   for (const auto &column : bundle.Derived())
      derived.push_back(column.column);
   std::vector<std::string> columns = {"run", "luminosityBlock", "event"};
   for (const auto &name : gen.GetColumnNames())
      if (std::find(columns.begin(), columns.end(), name) == columns.end() && name.rfind("R_rdf_sizeof_", 0) != 0)
         columns.push_back(name);
   for (const auto &name : nano.GetDefinedColumnNames())
      if (name.rfind("_flashsim_", 0) != 0 && std::find(derived.begin(), derived.end(), name) == derived.end())
         columns.push_back(name);
   auto events = nano.Count();
   nano.Snapshot("Events", outFile, columns);
   const std::string provenance = "{\"bundle\": {\"path\": " + Quoted(bundle.Directory()) +
                                  ", \"name\": " + Quoted(bundle.Name()) + "}, \"seed\": " + std::to_string(seed) +
                                  ", \"oversample\": 1, \"input\": [" + Quoted(genFile) +
                                  "], \"made_by\": \"macros/simulate.C\"}";
   WriteBookkeeping(gen, genFile, outFile, provenance);
   std::cout << "flashsim: " << *events << " events from " << genFile << " -> " << outFile << " (bundle "
             << bundle.Name() << ")" << std::endl;
}
