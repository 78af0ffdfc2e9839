// Simulates the reco collections of a FlashSim bundle on a gen-level tree, from plain ROOT:
//
//   export FLASHSIM_PREFIX=$(flashsim config --prefix)
//   root -b -q 'macros/simulate.C("gen.root", "nano.root", "bundle_dir", 42)'
//
// FLASHSIM_PREFIX is the folder of the installed package, holding lib/ and include/.
// The output has what `flashsim simulate` writes (without oversampling): Events (gen branches
// passed through + reco collections), Runs and LuminosityBlocks (copied from the input, or
// counted from its events when it has none) and a TNamed flashsim_simulate (JSON provenance).
// clang-format off: the paths are read as text by cling
R__ADD_INCLUDE_PATH($FLASHSIM_PREFIX/include)
R__LOAD_LIBRARY($FLASHSIM_PREFIX/lib/libflashsim.so)
// clang-format on

#include "flashsim/rdf/Simulate.hxx"

#include <ROOT/RDataFrame.hxx>

#include <algorithm>
#include <iostream>
#include <string>
#include <vector>

namespace {

std::string Quoted(const std::string &text)
{
   std::string out = "\"";
   for (const char c : text)
      out += (c == '"' || c == '\\') ? std::string("\\") + c : std::string(1, c);
   return out + "\"";
}

} // namespace

// allowBundleCode: also read a format-1 bundle whose derived, postprocess or select entries are C++
// text (compiled and run here): only for a bundle whose author you trust (--allow-bundle-code).
void simulate(const char *genFile, const char *outFile, const char *bundleDir, ULong64_t seed, int threads = 0,
              bool allowBundleCode = false)
{
   if (threads > 0)
      ROOT::EnableImplicitMT(threads);
   ROOT::RDataFrame gen("Events", genFile);
   flashsim::SimulateOptions options;
   options.allowBundleCode = allowBundleCode;
   auto nano = flashsim::Simulate(gen, bundleDir, seed, options);
   const flashsim::Bundle bundle(bundleDir, allowBundleCode);
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
   flashsim::Bookkeeping::Write({genFile}, outFile, "flashsim_simulate", provenance);
   std::cout << "flashsim: " << *events << " events from " << genFile << " -> " << outFile << " (bundle "
             << bundle.Name() << ")" << std::endl;
}
