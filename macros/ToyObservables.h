// What the toy-analysis macros (vbf_hmumu.C, zh_llbb.C) share: one histogram per observable of
// the selected events, written to a file, and a one-line summary.
#ifndef FLASHSIM_MACROS_TOYOBSERVABLES_H
#define FLASHSIM_MACROS_TOYOBSERVABLES_H

#include <ROOT/RDataFrame.hxx>
#include <TFile.h>

#include <iostream>
#include <map>
#include <string>
#include <utility>
#include <vector>

/// `selected`: the events passing the analysis, with `column` the vector of its observables
/// (in the order of `names`); histograms of 40 bins in `ranges` (else `fallback`).
inline void WriteToyObservables(ROOT::RDF::RNode selected, const std::string &analysis, const std::string &column,
                                const std::vector<std::string> &names,
                                const std::map<std::string, std::pair<double, double>> &ranges,
                                std::pair<double, double> fallback, const std::string &meanOf,
                                ROOT::RDF::RResultPtr<ULong64_t> total, const char *output)
{
   std::vector<ROOT::RDF::RResultPtr<TH1D>> hists;
   auto node = selected;
   for (std::size_t i = 0; i < names.size(); ++i) {
      node = node.Define(names[i], column + "[" + std::to_string(i) + "]");
      const auto r = ranges.count(names[i]) ? ranges.at(names[i]) : fallback;
      hists.push_back(node.Histo1D({names[i].c_str(), names[i].c_str(), 40, r.first, r.second}, names[i]));
   }
   auto mean = node.Mean(meanOf);
   auto count = node.Count();
   TFile out(output, "RECREATE");
   for (auto &h : hists)
      h->Write();
   std::cout << analysis << ": selected " << *count << " of " << *total << " events; mean " << meanOf << " "
             << *mean << " GeV -> " << output << std::endl;
}

#endif
