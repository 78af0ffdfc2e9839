// Simulates the reco collections of a FlashSim bundle on a gen-level tree, from plain ROOT:
//
//   export FLASHSIM_PREFIX=$(flashsim config --prefix)
//   root -b -q 'macros/simulate.C("gen.root", "nano.root", "bundle_dir", 42)'
//
// FLASHSIM_PREFIX is the folder of the installed package, holding lib/ and include/.
R__ADD_INCLUDE_PATH($FLASHSIM_PREFIX/include)
R__LOAD_LIBRARY($FLASHSIM_PREFIX/lib/libflashsim.so)

#include "flashsim/rdf/Simulate.hxx"

#include <ROOT/RDataFrame.hxx>

#include <iostream>

void simulate(const char *genFile, const char *outFile, const char *bundleDir, ULong64_t seed = 0, int threads = 0)
{
   if (threads > 0)
      ROOT::EnableImplicitMT(threads);
   ROOT::RDataFrame gen("Events", genFile);
   auto nano = flashsim::Simulate(gen, bundleDir, seed);
   const flashsim::Bundle bundle(bundleDir);
   std::vector<std::string> columns = {"run", "luminosityBlock", "event"};
   for (const auto &name : nano.GetDefinedColumnNames())
      if (name.rfind("_flashsim_", 0) != 0)
         columns.push_back(name);
   for (const auto &name : gen.GetColumnNames())
      if (std::find(columns.begin(), columns.end(), name) == columns.end())
         columns.push_back(name);
   auto events = nano.Count();
   nano.Snapshot("Events", outFile, columns);
   std::cout << "flashsim: " << *events << " events from " << genFile << " -> " << outFile << " (bundle "
             << bundle.Name() << ")" << std::endl;
}
