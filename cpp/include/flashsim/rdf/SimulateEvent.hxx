#ifndef FLASHSIM_RDF_SIMULATEEVENT_HXX
#define FLASHSIM_RDF_SIMULATEEVENT_HXX

// Per-event plumbing called by the Defines that flashsim::Simulate jits: gathers the columns of
// one source (gen arrays, event scalars broadcast to every candidate) into the simulator's
// [n, n_columns] buffer, simulates, merges the sources of a collection and splits the result
// into NanoAOD branches.

#include "flashsim/CrossEventBatch.hxx"
#include "flashsim/Errors.hxx"
#include "flashsim/ObjectSimulator.hxx"
#include "flashsim/SimulatedObjects.hxx"

#include <ROOT/RVec.hxx>

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

namespace flashsim {
namespace Internal {

/// Stands for "every gen object" where a source has no selection.
struct AllObjects {};

template <typename T>
constexpr bool IsRVec = false;
template <typename T>
constexpr bool IsRVec<ROOT::RVec<T>> = true;

template <typename F, typename... Columns>
void ForEachColumn(F &&f, const Columns &...columns)
{
   std::size_t k = 0;
   (f(k++, columns), ...);
}

template <typename Mask>
void SelectedIndices(const Mask &mask, std::size_t nGen, std::vector<int> &index)
{
   // appends: the rows of earlier events of a batch stay in front
   if constexpr (std::is_same_v<Mask, AllObjects>) {
      for (std::size_t i = 0; i < nGen; ++i)
         index.push_back(static_cast<int>(i));
   } else {
      for (std::size_t i = 0; i < mask.size(); ++i)
         if (mask[i])
            index.push_back(static_cast<int>(i));
   }
}

/// Rows with a non-finite value (NaN, inf) or a negative pt, mass or energy: an InputError that
/// names the column, the value and the event, or (SkipBadGen) the row left out. Returns the rows
/// kept, compacted to the front of `rows` ([n, stride]) and `index` ([n]).
template <typename Where>
std::size_t CheckGenValues(const ObjectSimulator &simulator, float *rows, int *index, std::size_t n, const Where &where)
{
   if (!simulator.CheckValues())
      return n;
   const auto &names = simulator.GenColumns();
   const auto &lowest = simulator.GenLowest();
   const std::size_t stride = names.size();
   std::size_t kept = 0;
   for (std::size_t r = 0; r < n; ++r) {
      bool bad = false;
      for (std::size_t p = 0; p < stride && !bad; ++p) {
         const float value = rows[r * stride + p];
         if (std::isfinite(value) && value >= lowest[p])
            continue;
         if (!simulator.SkipBadGen() || simulator.Spec().kind == SourceKind::kEvent)
            throw InputError(where() + ": gen column '" + names[p] + "' of object " + std::to_string(index[r]) +
                             " is " + std::to_string(value) + ", expected a finite number" +
                             (std::isfinite(value) ? " >= 0" : "") +
                             (simulator.SkipBadGen() ? " (an event-level input cannot be skipped)"
                                                     : " (--bad-gen skip leaves such gen objects out)"));
         bad = true;
      }
      if (bad)
         continue;
      if (kept != r) {
         std::copy_n(rows + r * stride, stride, rows + kept * stride);
         index[kept] = index[r];
      }
      ++kept;
   }
   return kept;
}

/// Appends the candidate rows of one event of one source to `rows` ([n, GenColumns().size()]) and
/// `index` (their gen indices). `mask`: AllObjects, or a per-gen-object selection (RVec).
/// `columns`: in the order of simulator.GenColumns() without "@index"; RVecs of the gen
/// collection, or event scalars broadcast to every candidate. Returns (candidates, rows kept):
/// rows with bad gen values are an InputError, or left out with --bad-gen skip.
template <typename Run, typename Lumi, typename Event, typename Mask, typename... Columns>
std::pair<std::size_t, std::size_t> GatherEvent(ObjectSimulator &simulator, Run run, Lumi lumi, Event event,
                                                std::vector<float> &rows, std::vector<int> &index, const Mask &mask,
                                                const Columns &...columns)
{
   const int indexColumn = simulator.IndexColumn();
   const auto position = [indexColumn](std::size_t k) {
      return indexColumn >= 0 && k >= static_cast<std::size_t>(indexColumn) ? k + 1 : k;
   };
   const auto where = [&] {
      return "flashsim: " + simulator.CollectionName() + " <- " + simulator.Spec().name +
             ", event run=" + std::to_string(run) + " luminosityBlock=" + std::to_string(lumi) +
             " event=" + std::to_string(event);
   };

   // the number of gen objects: the common size of the array columns
   bool haveArray = false;
   std::size_t nGen = 0;
   ForEachColumn(
      [&](std::size_t k, const auto &column) {
         if constexpr (IsRVec<std::decay_t<decltype(column)>>) {
            if (haveArray && column.size() != nGen)
               throw std::runtime_error(where() + ": column '" + simulator.GenColumns()[position(k)] + "' has " +
                                        std::to_string(column.size()) + " entries, expected " + std::to_string(nGen));
            haveArray = true;
            nGen = column.size();
         }
      },
      columns...);
   if constexpr (!std::is_same_v<Mask, AllObjects>)
      if (haveArray && mask.size() != nGen)
         throw std::runtime_error(where() + ": the selection has " + std::to_string(mask.size()) +
                                  " entries, the gen arrays " + std::to_string(nGen));

   const std::size_t base = index.size(); // rows already there (earlier events of a batch)
   const SourceKind kind = simulator.Spec().kind;
   if (kind == SourceKind::kMatched || kind == SourceKind::kUnmatched) {
      SelectedIndices(mask, nGen, index);
   } else {
      for (std::size_t r = 0; r < simulator.Candidates(0); ++r)
         index.push_back(static_cast<int>(r));
   }
   const std::size_t n = index.size() - base;
   const std::size_t stride = simulator.GenColumns().size();
   rows.resize((base + n) * stride);
   float *out = rows.data() + base * stride;
   const int *gen = index.data() + base;
   ForEachColumn(
      [&](std::size_t k, const auto &column) {
         const std::size_t p = position(k);
         if constexpr (IsRVec<std::decay_t<decltype(column)>>) {
            for (std::size_t r = 0; r < n; ++r)
               out[r * stride + p] = static_cast<float>(column[gen[r]]);
         } else {
            for (std::size_t r = 0; r < n; ++r)
               out[r * stride + p] = static_cast<float>(column);
         }
      },
      columns...);
   if (indexColumn >= 0)
      for (std::size_t r = 0; r < n; ++r)
         out[r * stride + indexColumn] = static_cast<float>(gen[r]);
   const std::size_t kept = CheckGenValues(simulator, out, index.data() + base, n, where);
   rows.resize((base + kept) * stride);
   index.resize(base + kept);
   return {n, kept};
}

template <typename Run, typename Lumi, typename Event>
EventId MakeEventId(Run run, Lumi lumi, Event event)
{
   return EventId{static_cast<std::uint32_t>(run), static_cast<std::uint32_t>(lumi), static_cast<std::uint64_t>(event)};
}

/// One event of one source, simulated at once (the per-event mode).
template <typename Run, typename Lumi, typename Event, typename Mask, typename... Columns>
SimulatedObjects SimulateEvent(ObjectSimulator &simulator, unsigned slot, Run run, Lumi lumi, Event event,
                               const Mask &mask, const Columns &...columns)
{
   std::vector<float> &rows = simulator.GenBuffer(slot);
   std::vector<int> &index = simulator.IndexBuffer(slot);
   rows.clear();
   index.clear();
   const auto [n, kept] = GatherEvent(simulator, run, lumi, event, rows, index, mask, columns...);
   SimulatedObjects out = simulator.Simulate(slot, MakeEventId(run, lumi, event), rows.data(), index.data(), kept);
   out.skippedGen = n - kept;
   return out;
}

/// One event of one source, gathered into the slot's cross-event batch (loop 1 of CrossEventBatch).
template <typename Run, typename Lumi, typename Event, typename Mask, typename... Columns>
bool GatherForBatch(CrossEventBatch &batch, std::size_t collection, std::size_t source, unsigned slot, Run run,
                    Lumi lumi, Event event, const Mask &mask, const Columns &...columns)
{
   ObjectSimulator &simulator = *batch.Collections()[collection].sources[source];
   EventRows &rows = batch.Rows(slot, collection, source);
   const auto [n, kept] = GatherEvent(simulator, run, lumi, event, rows.rows, rows.genIndex, mask, columns...);
   rows.ids.push_back(MakeEventId(run, lumi, event));
   rows.offsets.push_back(rows.genIndex.size());
   rows.skippedGen.push_back(n - kept);
   return true;
}

/// After every source of the event was gathered (the arguments make RDataFrame evaluate them first).
template <typename Run, typename Lumi, typename Event, typename... Gathered>
bool EndEvent(CrossEventBatch &batch, unsigned slot, ULong64_t entry, Run run, Lumi lumi, Event event,
              const Gathered &...)
{
   batch.EndEvent(slot, entry, MakeEventId(run, lumi, event));
   return true;
}

/// Loop 2: the merged objects of a collection, as loop 1 simulated them.
template <typename Run, typename Lumi, typename Event>
SimulatedObjects Stored(CrossEventBatch &batch, std::size_t collection, unsigned slot, ULong64_t entry, Run run,
                        Lumi lumi, Event event)
{
   return batch.Read(slot, entry, collection, MakeEventId(run, lumi, event));
}

/// The sources of a collection merged as the bundle says (sorted, acceptance, sums: MergeCollection).
template <typename... Parts>
SimulatedObjects Merge(const CollectionMerge &merge, const Parts &...parts)
{
   SimulatedObjects merged;
   MergeCollection({&parts...}, merge, merged);
   return merged;
}

template <typename T>
ROOT::RVec<T> Branch(const SimulatedObjects &objects, std::size_t branch)
{
   ROOT::RVec<T> values(objects.size);
   const double *column = objects.Column(branch);
   for (std::size_t k = 0; k < objects.size; ++k)
      values[k] = static_cast<T>(column[k]);
   return values;
}

/// Event-level collections (MET, ...) have exactly one object: their branches are scalars.
template <typename T>
T Scalar(const SimulatedObjects &objects, std::size_t branch)
{
   return objects.size ? static_cast<T>(objects.Column(branch)[0]) : T{};
}

/// NanoAOD's *_genJetIdx / *_genPartIdx are Short_t in Run-3 NanoAOD.
inline ROOT::RVec<Short_t> GenIndex(const SimulatedObjects &objects)
{
   return ROOT::RVec<Short_t>(objects.genIndex.begin(), objects.genIndex.end());
}

} // namespace Internal
} // namespace flashsim

#endif
