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
#include "flashsim/rdf/Bookkeeping.hxx"
#include "flashsim/rdf/GenParticles.hxx"
#include "flashsim/rdf/Neighbours.hxx"
#include "flashsim/rdf/OutputRoom.hxx"
#include "flashsim/rdf/SimulateEvent.hxx"
#include "flashsim/rdf/WriteErrors.hxx"

#include <ROOT/RDataFrame.hxx>

#include <algorithm>
#include <cstdint>
#include <functional>
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
   bool skipBadGen = false;              ///< leave out gen objects with NaN/inf/negative pt (else an error)
   bool checkValues = true;              ///< check gen inputs and simulated values (off: only to time the checks)
   /// input columns treated as absent and overwritten (Redefine) where the simulation writes them:
   /// with --replace-reco, the reco branches of a full-simulation NanoAOD file
   std::vector<std::string> replacedColumns;
   /// cross-event mode, loop 2: the merged collections come from this batch, which loop 1
   /// (GatherCrossEvent) filled and finished; null: each event simulated in its own Define
   CrossEventBatch *crossEvent = nullptr;
   /// cross-event mode with collections built from other simulated ones (Tau <- Jet): the finished batches
   /// of the earlier stages (a stage simulates the collections whose inputs the stages before it made); loop 1
   /// of a stage and loop 2 read those collections from them
   std::vector<CrossEventBatch *> crossEventStages;
   /// read a format-1 bundle whose derived, postprocess or select entries are C++ text (compiled
   /// and run here): a decision to trust whoever made the bundle (--allow-bundle-code)
   bool allowBundleCode = false;
};

/// Loop 1 of the cross-event mode (GatherCrossEvent): the node whose column `_flashsim_batch`
/// gathers every event into `batch` (run an action on it, e.g. Count or Sum, then batch->Finish()).
struct CrossEventLoop {
   ROOT::RDF::RNode node;
   std::shared_ptr<CrossEventBatch> batch;
   /// stages of the chosen collections: 1, or more when some are built from other simulated collections (run
   /// loop 1 of stage 0, Finish, then GatherCrossEvent of stage 1 with options.crossEventStages = {stage 0's
   /// batch}, ...; loop 2 reads every stage's batch)
   int stages = 1;
   int stage = 0; ///< the stage this loop gathers
};

namespace Internal {

// Numeric types an input column (or the elements of an array column) may have.
inline bool IsNumericType(const std::string &type)
{
   static const std::vector<std::string> numeric = {
      "float", "double", "int", "unsigned int", "short", "unsigned short", "char", "unsigned char", "bool", "long",
      "long long", "unsigned long", "unsigned long long", "Float_t", "Double_t", "Int_t", "UInt_t", "Short_t",
      "UShort_t", "Char_t", "UChar_t", "Bool_t", "Long64_t", "ULong64_t", "Long_t", "ULong_t", "Float16_t",
      "Double32_t",
      // RNTuple columns carry the fixed-width names
      "std::int8_t", "std::uint8_t", "std::int16_t", "std::uint16_t", "std::int32_t", "std::uint32_t", "std::int64_t",
      "std::uint64_t"};
   return std::find(numeric.begin(), numeric.end(), type) != numeric.end();
}

inline bool IsNumericArrayType(const std::string &type)
{
   for (const std::string prefix : {"ROOT::VecOps::RVec<", "ROOT::RVec<"})
      if (type.rfind(prefix, 0) == 0 && type.back() == '>')
         return IsNumericType(type.substr(prefix.size(), type.size() - prefix.size() - 1));
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
   if (!array && !IsNumericType(type))
      throw InputError("flashsim: column '" + column + "' (needed for " + neededFor + ") has type '" + type +
                       "', expected one number per event");
}

inline std::string Address(const void *pointer, const char *type = "flashsim::Internal::ObjectSimulator")
{
   std::ostringstream out;
   out << "reinterpret_cast<" << type << "*>(" << reinterpret_cast<std::uintptr_t>(pointer) << "ULL)";
   return out.str();
}

// What jitted Defines point to (simulators, merge rules, entry keys) must outlive every event loop
// of the graph: kept here for the life of the process (a few KB each; the ONNX sessions are the bulk).
template <typename T>
T *Keep(std::unique_ptr<T> object)
{
   static std::mutex mutex;
   static std::vector<std::unique_ptr<T>> kept;
   std::lock_guard<std::mutex> lock(mutex);
   kept.push_back(std::move(object));
   return kept.back().get();
}

/// The identity of an entry that both event loops of the cross-event mode see alike: with implicit
/// MT, rdfentry_ of a TChain differs from one event loop to the next. An entry is keyed by its
/// file (24 bits of the FNV-1a hash of the sample name) and its entry in that file: each task
/// (DefinePerSample, in the slot's thread before the task's entries) starts a slot's counter at
/// the task's first entry, and every entry of the task, read in order, takes the next number. A
/// file given twice keys the same entries alike, which hold the same events (same RNG key, same
/// output); any mismatch is caught by CrossEventBatch::Read's check of (run, luminosityBlock, event).
class EntryKeys {
public:
   explicit EntryKeys(unsigned nSlots) : fNext(nSlots, 0) {}
   ULong64_t TaskStart(unsigned slot, const ROOT::RDF::RSampleInfo &info)
   {
      std::uint64_t hash = 14695981039346656037ULL;
      for (const char c : info.AsString())
         hash = (hash ^ static_cast<unsigned char>(c)) * 1099511628211ULL;
      return fNext[slot] = ((hash & 0xFFFFFFULL) << 40) | (info.EntryRange().first & ((1ULL << 40) - 1));
   }
   ULong64_t Next(unsigned slot, ULong64_t /*task: makes RDataFrame run TaskStart first*/) { return fNext[slot]++; }

private:
   std::vector<ULong64_t> fNext;
};

/// Defines `_flashsim_entry` (EntryKeys) on `df`; the keys live as long as the process.
inline ROOT::RDF::RNode DefineEntryKeys(ROOT::RDF::RNode df)
{
   const EntryKeys *keys = Keep(std::make_unique<EntryKeys>(df.GetNSlots()));
   const std::string at = "(*" + Address(keys, "flashsim::Internal::EntryKeys") + ")";
   return df.DefinePerSample("_flashsim_task", at + ".TaskStart(rdfslot_, rdfsampleinfo_)")
      .Define("_flashsim_entry", at + ".Next(rdfslot_, _flashsim_task)");
}

/// `, <mask>, <gen columns>`: the arguments of a source's per-event call after the event identity; the
/// mask (`_flashsim_<Collection>_<Source>_mask`) is defined on `df` for a source with a selection.
inline std::string SourceArguments(ROOT::RDF::RNode &df, const std::string &hidden, const SourceSpec &source)
{
   std::string mask = "flashsim::Internal::AllObjects{}";
   if (!source.select.empty()) {
      mask = hidden + "_mask";
      df = df.Define(mask, source.select);
   }
   std::string arguments = ", " + mask;
   for (const auto &column : source.genColumns)
      if (column != "@index")
         arguments += ", " + column;
   return arguments;
}

/// What loop 1 of the cross-event mode needs and gives back (Internal::Graph builds either loop).
struct LoopOne {
   std::size_t batchEvents = 0;
   std::string partitionPrefix;
   int stage = 0;                          ///< gathers the collections of this stage (CollectionSpec::stage)
   std::shared_ptr<CrossEventBatch> batch; // out
   int stages = 1;                         // out: how many stages the chosen collections take
};

// A column of the bundle's derived/postprocess lists; an expression that does not compile is
// the bundle's fault: say which column and expression.
/// Define, or Redefine where the input already has the column (only the replaced columns get here).
inline ROOT::RDF::RNode Put(ROOT::RDF::RNode df, const std::vector<std::string> &present, const std::string &column,
                            const std::string &expression)
{
   const bool there = std::find(present.begin(), present.end(), column) != present.end();
   return there ? df.Redefine(column, expression) : df.Define(column, expression);
}

inline ROOT::RDF::RNode DefineFromBundle(ROOT::RDF::RNode df, const DefinedColumn &column, const std::string &bundle,
                                         const std::string &list, const std::vector<std::string> &present = {})
{
   try {
      return Put(df, present, column.column, column.expression);
   } catch (const std::exception &err) {
      throw BundleError("flashsim: bundle '" + bundle + "': " + list + " column '" + column.column +
                        "': the expression '" + column.expression + "' cannot be compiled: " + err.what());
   }
}

} // namespace Internal

namespace Internal {
/// The graph of Simulate (loopOne null: per event, or cross-event loop 2 with options.crossEvent)
/// or of GatherCrossEvent (loop 1). Every check happens here, before any event loop.
inline ROOT::RDF::RNode Graph(ROOT::RDF::RNode df, const std::string &bundleDirectory, std::uint64_t seed,
                              const SimulateOptions &options, LoopOne *loopOne)
{
   const Bundle bundle(bundleDirectory, options.allowBundleCode);
   const std::string ofBundle = " of bundle '" + bundle.Directory() + "'";
   const std::vector<std::string> present = df.GetColumnNames();
   std::vector<std::string> names; // what the simulation may read: the input less the replaced columns
   for (const auto &column : present)
      if (std::find(options.replacedColumns.begin(), options.replacedColumns.end(), column) ==
          options.replacedColumns.end())
         names.push_back(column);
   const auto has = [&names](const std::string &column) {
      return std::find(names.begin(), names.end(), column) != names.end();
   };
   for (const auto &column : {"run", "luminosityBlock", "event"})
      Internal::CheckColumn(df, names, column, "the random-number key (run, luminosityBlock, event)", false);

   // the chosen collections in the bundle's order: a collection built from others comes after them
   std::vector<const CollectionSpec *> collections;
   for (const auto &name : options.collections)
      bundle.Collection(name); // an unknown name is an error naming the bundle's collections
   for (const auto &collection : bundle.Collections())
      if (options.collections.empty() || std::find(options.collections.begin(), options.collections.end(),
                                                   collection.name) != options.collections.end())
         collections.push_back(&collection);
   std::vector<std::string> simulated;
   for (const auto *collection : collections)
      simulated.push_back(collection->name);
   const auto isSimulated = [&simulated](const std::string &name) {
      return std::find(simulated.begin(), simulated.end(), name) != simulated.end();
   };
   for (const auto *collection : collections)
      for (const auto &from : collection->builtFrom) {
         if (!isSimulated(from))
            throw InputError("flashsim: collection " + collection->name + ofBundle + " is built from the simulated " +
                             from + " (its sources read " + from + "'s branches): simulate " + from + " too");
      }
   // the columns the chosen collections write: what a collection built from them reads
   std::vector<std::string> produced;
   for (const auto *collection : collections)
      for (const auto &column : collection->Outputs())
         produced.push_back(column);
   const auto isProduced = [&produced](const std::string &c) {
      return std::find(produced.begin(), produced.end(), c) != produced.end();
   };
   // a derived column can be defined once every collection it is built from is in `collections`
   const auto builtFromAll = [](const DefinedColumn &column, const std::vector<std::string> &collections) {
      return std::all_of(column.builtFrom.begin(), column.builtFrom.end(), [&collections](const std::string &c) {
         return std::find(collections.begin(), collections.end(), c) != collections.end();
      });
   };

   // every input column the bundle needs, checked at once: one message lists all that are missing
   std::vector<std::string> derived;
   for (const auto &column : bundle.Derived())
      derived.push_back(column.column);
   const auto isDerived = [&derived](const std::string &c) {
      return std::find(derived.begin(), derived.end(), c) != derived.end();
   };
   // the derived columns the chosen collections and cross-references read, directly or through other derived
   // columns: only those are checked and defined (a skim without GenVisTau can feed every collection but Tau)
   std::vector<bool> used(bundle.Derived().size(), false);
   std::function<void(const std::string &)> use = [&](const std::string &c) {
      const auto at = std::find(derived.begin(), derived.end(), c);
      if (at == derived.end() || used[at - derived.begin()])
         return;
      used[at - derived.begin()] = true;
      for (const auto &input : bundle.Derived()[at - derived.begin()].inputs)
         use(input);
   };
   for (const auto *collection : collections)
      for (const auto &source : collection->sources) {
         for (const auto &column : source.genColumns)
            use(column);
         for (const auto &column : source.selectInputs)
            use(column);
      }
   for (const auto &column : bundle.Postprocess())
      for (const auto &input : column.inputs)
         use(input);
   std::string missing;
   const auto need = [&](const std::string &column, const std::string &forWhat) {
      if (column != "@index" && !isDerived(column) && !has(column) && !isProduced(column) &&
          missing.find("'" + column + "'") == std::string::npos)
         missing += "\n  '" + column + "' (" + forWhat + ")";
   };
   for (std::size_t d = 0; d < bundle.Derived().size(); ++d)
      if (const auto &column = bundle.Derived()[d]; used[d] && builtFromAll(column, simulated))
         for (const auto &input : column.inputs)
            need(input, "derived column " + column.column);
   for (const auto *collection : collections)
      for (const auto &source : collection->sources)
         for (const auto &column : source.genColumns)
            need(column, collection->name + " <- " + source.name);
   for (const auto *collection : collections)
      for (const auto &source : collection->sources)
         for (const auto &column : source.selectInputs)
            need(column, "the gen selection of " + collection->name + " <- " + source.name);
   if (!missing.empty())
      throw InputError("flashsim: the input lacks columns that bundle '" + bundle.Directory() + "' needs:" + missing +
                       "\n(a file without some of them, e.g. a skim: simulate only the collections it can feed, "
                       "--collections / collections=[...])");
   for (const auto &column : derived)
      if (has(column))
         throw InputError("flashsim: the input already has a column '" + column + "', which bundle '" +
                          bundle.Directory() + "' derives; rename or drop it");

   // types of the input columns, and no clash with what the simulation writes
   for (const auto *collection : collections) {
      for (const auto &source : collection->sources) {
         const bool perObject = source.kind == SourceKind::kMatched || source.kind == SourceKind::kUnmatched;
         bool anyArray = false;
         for (const auto &column : source.genColumns) {
            if (column == "@index" || isDerived(column))
               continue;
            if (isProduced(column)) { // a branch of a collection simulated before (an array unless n<X>)
               anyArray = anyArray || column.rfind("n", 0) != 0;
               continue;
            }
            const std::string type = df.GetColumnType(column);
            const bool array = Internal::IsNumericArrayType(type);
            anyArray = anyArray || array;
            const bool ofGenCollection =
               !source.genCollection.empty() && column.rfind(source.genCollection + "_", 0) == 0;
            // arrays of the gen collection per object; anything else is an event-level number
            Internal::CheckColumn(df, names, column,
                                  "the " + collection->name + " <- " + source.name + " simulation" + ofBundle,
                                  perObject && (array || ofGenCollection));
         }
         if (perObject && !anyArray && !source.genColumns.empty() && derived.empty())
            throw BundleError("flashsim: bundle '" + bundle.Directory() + "': source " + collection->name + " <- " +
                              source.name + " reads no array of " + source.genCollection +
                              ", so it cannot tell how many gen objects an event has");
      }
      for (const auto &output : collection->Outputs())
         if (has(output))
            throw InputError("flashsim: the input already has a column '" + output + "', which the " +
                             collection->name + " simulation" + ofBundle +
                             " writes; start from a gen-level tree, or re-simulate a full-simulation file with "
                             "--replace-reco (Python: replace_reco=True), which drops its reco branches");
   }

   ObjectSimulator::Options simOptions;
   simOptions.seed = seed;
   simOptions.copy = options.copy;
   simOptions.ode = options.bundleOde ? bundle.Ode() : options.ode;
   simOptions.onnx.device = options.device;
   simOptions.skipBadGen = options.skipBadGen;
   simOptions.checkValues = options.checkValues;

   // derived columns from the input first; those built from simulated collections once these are simulated
   std::vector<std::string> done;
   std::vector<bool> defined(bundle.Derived().size(), false);
   const auto defineReady = [&](ROOT::RDF::RNode node) {
      for (std::size_t d = 0; d < bundle.Derived().size(); ++d) {
         const auto &column = bundle.Derived()[d];
         if (used[d] && !defined[d] && builtFromAll(column, done)) {
            node = Internal::DefineFromBundle(node, column, bundle.Directory(), "derived");
            defined[d] = true;
         }
      }
      return node;
   };
   df = defineReady(df);

   // the batches of the cross-event mode that hold a collection simulated before (loop 2: every collection)
   std::vector<CrossEventBatch *> batches = options.crossEventStages;
   if (options.crossEvent)
      batches.insert(batches.begin(), options.crossEvent);
   const auto stored = [&](const CollectionSpec &collection) {
      for (auto *batch : batches) {
         const auto &held = batch->Collections();
         const auto at = std::find_if(held.begin(), held.end(),
                                      [&](const CrossEventBatch::Collection &c) { return c.name == collection.name; });
         if (at != held.end())
            return "flashsim::Internal::Stored(*" + Internal::Address(batch, "flashsim::CrossEventBatch") + ", " +
                   std::to_string(at - held.begin()) + ", rdfslot_, _flashsim_entry, run, luminosityBlock, event)";
      }
      throw InputError("flashsim: the cross-event batches have no collection " + collection.name);
   };
   // the NanoAOD branches of a merged collection, then the derived columns that waited for it
   const auto defineBranches = [&](const CollectionSpec &collection, const std::string &merged) {
      const auto branches = collection.Branches();
      df = df.Define(merged + "_skippedGen", "static_cast<ULong64_t>(" + merged + ".skippedGen)");
      if (!collection.event)
         df = Internal::Put(df, present, "n" + collection.name, "static_cast<Int_t>(" + merged + ".size)");
      for (std::size_t j = 0; j < branches.size(); ++j) {
         const std::string type = BranchTypeName(branches[j].second);
         const std::string getter = collection.event ? "Scalar" : "Branch";
         df = Internal::Put(df, present, collection.name + "_" + branches[j].first,
                            "flashsim::Internal::" + getter + "<" + type + ">(" + merged + ", " + std::to_string(j) +
                               ")");
      }
      if (!collection.indexBranch.empty())
         df = Internal::Put(df, present, collection.name + "_" + collection.indexBranch,
                            "flashsim::Internal::GenIndex(" + merged + ")");
      done.push_back(collection.name);
      df = defineReady(df);
   };

   if (options.crossEvent || loopOne)
      df = Internal::DefineEntryKeys(df);
   if (loopOne) { // cross-event loop 1 of one stage: gather its collections' sources into the slot's batch
      std::vector<const CollectionSpec *> gather;
      for (const CollectionSpec *collection : collections) {
         if (collection->stage < loopOne->stage) { // simulated by an earlier stage: read back, for what reads it
            df = df.Define("_flashsim_" + collection->name, stored(*collection));
            defineBranches(*collection, "_flashsim_" + collection->name);
         } else if (collection->stage == loopOne->stage)
            gather.push_back(collection);
         loopOne->stages = std::max(loopOne->stages, collection->stage + 1);
      }
      std::vector<CrossEventBatch::Collection> specs;
      for (const CollectionSpec *collection : gather) {
         CrossEventBatch::Collection spec{collection->name, {}, collection->merge};
         for (const auto &source : collection->sources)
            spec.sources.push_back(Internal::Keep(
               std::make_unique<ObjectSimulator>(bundle, collection->name, source.name, df.GetNSlots(), simOptions)));
         specs.push_back(std::move(spec));
      }
      loopOne->batch = std::make_shared<CrossEventBatch>(std::move(specs), df.GetNSlots(), loopOne->batchEvents,
                                                         loopOne->partitionPrefix);
      const std::string batch = "*" + Internal::Address(loopOne->batch.get(), "flashsim::CrossEventBatch");
      std::string gathered;
      for (std::size_t c = 0; c < gather.size(); ++c)
         for (std::size_t k = 0; k < gather[c]->sources.size(); ++k) {
            const std::string hidden = "_flashsim_" + gather[c]->name + "_" + gather[c]->sources[k].name;
            const std::string arguments = Internal::SourceArguments(df, hidden, gather[c]->sources[k]);
            df = df.Define(hidden + "_gathered", "flashsim::Internal::GatherForBatch(" + batch + ", " +
                                                    std::to_string(c) + ", " + std::to_string(k) +
                                                    ", rdfslot_, run, luminosityBlock, event" + arguments + ")");
            gathered += ", " + hidden + "_gathered";
         }
      return df.Define("_flashsim_batch", "flashsim::Internal::EndEvent(" + batch +
                                             ", rdfslot_, _flashsim_entry, run, luminosityBlock, event" + gathered +
                                             ")");
   }

   for (const CollectionSpec *collection : collections) {
      const std::string merged = "_flashsim_" + collection->name;
      if (options.crossEvent) { // cross-event loop 2: the merged objects that loop 1 simulated
         df = df.Define(merged, stored(*collection));
      } else { // per event: each source in its own Define, then the merge
         std::string parts;
         for (const auto &source : collection->sources) {
            auto *simulator = Internal::Keep(
               std::make_unique<ObjectSimulator>(bundle, collection->name, source.name, df.GetNSlots(), simOptions));
            const std::string hidden = "_flashsim_" + collection->name + "_" + source.name;
            const std::string arguments = Internal::SourceArguments(df, hidden, source); // defines the mask first
            df = df.Define(hidden, "flashsim::Internal::SimulateEvent(*" + Internal::Address(simulator) +
                                      ", rdfslot_, run, luminosityBlock, event" + arguments + ")");
            parts += ", " + hidden;
         }
         const auto *merge = Internal::Keep(std::make_unique<CollectionMerge>(collection->merge));
         df = df.Define(merged, "flashsim::Internal::Merge(*" + Internal::Address(merge, "flashsim::CollectionMerge") +
                                   parts + ")");
      }
      defineBranches(*collection, merged);
   }

   for (const auto &column : bundle.Postprocess()) {
      const bool ready = std::all_of(column.collections.begin(), column.collections.end(), [&](const std::string &c) {
         return std::find(simulated.begin(), simulated.end(), c) != simulated.end();
      });
      if (ready)
         df = Internal::DefineFromBundle(df, column, bundle.Directory(), "postprocess", present);
   }
   return df;
}
} // namespace Internal

/// Adds every collection of the bundle (or those of options.collections) to `df`:
///   1. the bundle's derived columns (conditioning computed from gen columns);
///   2. per source, a hidden column `_flashsim_<Collection>_<Source>` computed once per event
///      (and `_flashsim_<Collection>_<Source>_mask` for a source with a gen selection);
///   3. per collection, the merged and sorted `_flashsim_<Collection>` and its NanoAOD branches:
///      n<Collection>, <Collection>_<branch>, <Collection>_<indexBranch> (scalars <Collection>_<branch>
///      for event-level collections such as MET);
///   4. the bundle's postprocess columns (cross-references) whose collections were simulated.
/// All checks (bundle, models, columns and their types) happen here, before any event loop.
/// With options.crossEvent: loop 2 of the cross-event mode (see GatherCrossEvent).
inline ROOT::RDF::RNode Simulate(ROOT::RDF::RNode df, const std::string &bundleDirectory, std::uint64_t seed,
                                 const SimulateOptions &options = {})
{
   return Internal::Graph(df, bundleDirectory, seed, options, nullptr);
}

/// Cross-event mode, loop 1: `df` with a column `_flashsim_batch` that gathers each event into a
/// CrossEventBatch of `batchEvents` events per slot (partition files <partitionPrefix>.<slot>).
/// Run an action on it (its event loop simulates the batches as they fill), call batch->Finish(),
/// then Simulate() with options.crossEvent = batch.get() gives the usual graph (loop 2) whose
/// merged collections are read back from the batch: bit-identical to the per-event mode.
/// `stage`: a bundle whose collections are built from other simulated ones takes several stages
/// (CrossEventLoop::stages): stage k gathers the collections of stage k and reads those of the stages
/// before it from options.crossEventStages, their finished batches.
inline CrossEventLoop GatherCrossEvent(ROOT::RDF::RNode df, const std::string &bundleDirectory, std::uint64_t seed,
                                       const SimulateOptions &options, std::size_t batchEvents,
                                       const std::string &partitionPrefix, int stage = 0)
{
   if (options.crossEvent)
      throw InputError(
         "flashsim: GatherCrossEvent is loop 1 of the cross-event mode; options.crossEvent is for loop 2");
   if (stage < 0 || static_cast<std::size_t>(stage) != options.crossEventStages.size())
      throw InputError("flashsim: GatherCrossEvent of stage " + std::to_string(stage) +
                       " needs the finished batches "
                       "of the stages before it in options.crossEventStages (it has " +
                       std::to_string(options.crossEventStages.size()) + ")");
   Internal::LoopOne loop;
   loop.batchEvents = batchEvents;
   loop.partitionPrefix = partitionPrefix;
   loop.stage = stage;
   auto node = Internal::Graph(df, bundleDirectory, seed, options, &loop);
   return CrossEventLoop{node, loop.batch, loop.stages, stage};
}

} // namespace flashsim

#endif
