#ifndef FLASHSIM_RDF_SIMULATE_HXX
#define FLASHSIM_RDF_SIMULATE_HXX

// The RDataFrame side of the plugin, header-only so that cling compiles it against the user's
// ROOT: Simulate() adds the reco collections of a bundle to any RDataFrame node.
//
//   auto df = ROOT::RDataFrame("Events", "gen.root");
//   auto nano = flashsim::Simulate(df, "bundle_dir", /*seed=*/42);
//   nano.Snapshot("Events", "nano.root", {"run", "luminosityBlock", "event", "nJet", "Jet_pt"});

#include "flashsim/Bundle.hxx"
#include "flashsim/Errors.hxx"
#include "flashsim/ObjectSimulator.hxx"
#include "flashsim/rdf/SimulateEvent.hxx"

#include <ROOT/RDataFrame.hxx>

#include <algorithm>
#include <cstdint>
#include <memory>
#include <mutex>
#include <sstream>
#include <string>
#include <vector>

namespace flashsim {

struct SimulateOptions {
   std::vector<std::string> collections; ///< collections to simulate; empty: all of the bundle
   bool bundleOde = true;                ///< integrate with the bundle's solver settings...
   OdeOptions ode;                       ///< ...or with these
   std::uint32_t copy = 0;               ///< oversampling copy (part of the RNG key)
   std::string device = "cpu";           ///< "cpu" or "cuda"
};

namespace Internal {

// Numeric RVec element types a gen column may have.
inline bool IsNumericArrayType(const std::string &type)
{
   static const std::vector<std::string> elements = {
      "float",          "double",   "int",      "unsigned int", "short",     "unsigned short",
      "char",           "unsigned char", "bool", "long",        "long long", "unsigned long",
      "unsigned long long", "Float_t", "Double_t", "Int_t",     "UInt_t",    "Short_t",
      "UShort_t",       "Char_t",   "UChar_t",  "Bool_t",       "Long64_t",  "ULong64_t",
      "Long_t",         "ULong_t",  "Float16_t", "Double32_t"};
   for (const std::string prefix : {"ROOT::VecOps::RVec<", "ROOT::RVec<"})
      if (type.rfind(prefix, 0) == 0 && type.back() == '>') {
         const std::string element = type.substr(prefix.size(), type.size() - prefix.size() - 1);
         return std::find(elements.begin(), elements.end(), element) != elements.end();
      }
   return false;
}

inline void CheckColumn(ROOT::RDF::RNode &df, const std::vector<std::string> &names, const std::string &column,
                        const std::string &neededFor, bool array)
{
   if (std::find(names.begin(), names.end(), column) == names.end()) {
      std::string similar;
      const std::string stem = column.substr(0, column.find('_') + 1);
      for (const auto &name : names)
         if (!stem.empty() && name.rfind(stem, 0) == 0)
            similar += (similar.empty() ? "" : ", ") + name;
      throw InputError("flashsim: the input has no column '" + column + "' (needed for " + neededFor + ")" +
                       (similar.empty() ? std::string() : "; columns with the same prefix: " + similar));
   }
   const std::string type = df.GetColumnType(column);
   if (array && !IsNumericArrayType(type))
      throw InputError("flashsim: column '" + column + "' (needed for " + neededFor + ") has type '" + type +
                       "', expected an array of numbers (ROOT::VecOps::RVec<T>, e.g. Float_t[nGenJet])");
   if (!array && (type.find('<') != std::string::npos || type.find('[') != std::string::npos))
      throw InputError("flashsim: column '" + column + "' (needed for " + neededFor + ") has type '" + type +
                       "', expected one integer per event");
}

inline std::string Address(const void *pointer)
{
   std::ostringstream out;
   out << "reinterpret_cast<flashsim::ObjectSimulator*>(" << reinterpret_cast<std::uintptr_t>(pointer) << "ULL)";
   return out.str();
}

// Simulators referenced by jitted Defines must outlive every event loop of the graph: they are
// kept here for the life of the process (a few KB each; the ONNX sessions are the bulk).
inline ObjectSimulator *Keep(std::unique_ptr<ObjectSimulator> simulator)
{
   static std::mutex mutex;
   static std::vector<std::unique_ptr<ObjectSimulator>> kept;
   std::lock_guard<std::mutex> lock(mutex);
   kept.push_back(std::move(simulator));
   return kept.back().get();
}

} // namespace Internal

/// Adds every collection of the bundle (or those of options.collections) to `df`:
/// a hidden per-source column `_flashsim_<Collection>_<Source>` computed once per event, and
/// the NanoAOD branches n<Collection>, <Collection>_<target>, <Collection>_<indexBranch>.
/// All checks (bundle, models, columns and their types) happen here, before any event loop.
inline ROOT::RDF::RNode Simulate(ROOT::RDF::RNode df, const std::string &bundleDirectory, std::uint64_t seed,
                                 const SimulateOptions &options = {})
{
   const Bundle bundle(bundleDirectory);
   std::vector<std::string> names = df.GetColumnNames();
   for (const auto &column : {"run", "luminosityBlock", "event"})
      Internal::CheckColumn(df, names, column, "the random-number key (run, luminosityBlock, event)", false);

   std::vector<const CollectionSpec *> collections;
   if (options.collections.empty())
      for (const auto &collection : bundle.Collections())
         collections.push_back(&collection);
   else
      for (const auto &name : options.collections)
         collections.push_back(&bundle.Collection(name));

   ObjectSimulator::Options simOptions;
   simOptions.seed = seed;
   simOptions.copy = options.copy;
   simOptions.ode = options.bundleOde ? bundle.Ode() : options.ode;
   simOptions.onnx.device = options.device;

   for (const CollectionSpec *collection : collections) {
      if (collection->sources.size() != 1)
         throw BundleError("flashsim: bundle '" + bundle.Directory() + "': collection '" + collection->name + "' has " +
                           std::to_string(collection->sources.size()) +
                           " sources; this version merges one source per collection");
      const SourceSpec &source = collection->sources.front();
      const std::string what = collection->name + " <- " + source.name;
      for (const auto &column : source.genColumns)
         Internal::CheckColumn(df, names, column, "the " + what + " simulation of bundle '" + bundle.Directory() + "'",
                               true);
      std::vector<std::string> outputs = {"n" + collection->name, collection->name + "_" + source.indexBranch};
      for (const auto &target : source.targets)
         outputs.push_back(collection->name + "_" + target.branch);
      for (const auto &output : outputs)
         if (std::find(names.begin(), names.end(), output) != names.end())
            throw InputError("flashsim: the input already has a column '" + output + "', which the " + what +
                             " simulation writes; start from a gen-level tree (or drop the reco branches)");

      auto *simulator = Internal::Keep(std::make_unique<ObjectSimulator>(bundle, collection->name, source.name,
                                                                         df.GetNSlots(), simOptions));
      const std::string hidden = "_flashsim_" + collection->name + "_" + source.name;
      std::string call = "flashsim::Internal::SimulateEvent(*" + Internal::Address(simulator) +
                         ", rdfslot_, run, luminosityBlock, event";
      for (const auto &column : source.genColumns)
         call += ", " + column;
      call += ")";
      df = df.Define(hidden, call);
      df = df.Define("n" + collection->name, "static_cast<UInt_t>(" + hidden + ".size)");
      for (std::size_t j = 0; j < source.targets.size(); ++j)
         df = df.Define(collection->name + "_" + source.targets[j].branch,
                        "flashsim::Internal::Branch<" + BranchTypeName(source.targets[j].type) + ">(" + hidden +
                           ", " + std::to_string(j) + ")");
      df = df.Define(collection->name + "_" + source.indexBranch, "flashsim::Internal::GenIndex(" + hidden + ")");
      names = df.GetColumnNames();
   }
   return df;
}

} // namespace flashsim

#endif
