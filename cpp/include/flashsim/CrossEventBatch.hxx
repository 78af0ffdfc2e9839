#ifndef FLASHSIM_CROSSEVENTBATCH_HXX
#define FLASHSIM_CROSSEVENTBATCH_HXX

#include "flashsim/ObjectSimulator.hxx"
#include "flashsim/SimulatedObjects.hxx"

#include <cstdint>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

namespace flashsim {

/// Cross-event batching: the simulation of B events at once per slot, in two event loops.
///
/// Loop 1 (gather): per event, every source's candidate rows are appended to the slot's
/// EventRows (Rows()), then EndEvent() records the event; when the slot holds B events, each
/// source simulates them in one ObjectSimulator::SimulateBatch (one network call per ODE stage
/// for all their objects), the collections are merged per event (sorted, acceptance, sum to one,
/// exactly as the per-event graph does) and written to the slot's partition file. Finish()
/// simulates what the slots still hold and closes the files. Memory is bounded by B.
/// Loop 2 (write): Read() hands each event's merged collections back, by entry number, to the
/// same RDataFrame graph that the per-event mode uses from the merge on (branches, cross-
/// references, Snapshot); it checks each record's (run, luminosityBlock, event).
///
/// An object's result depends only on its own inputs and RNG key, so the output is bit-identical
/// to the per-event mode (ObjectSimulator::SimulateBatch) for any B and any number of threads.
class CrossEventBatch {
public:
   struct Collection {
      std::string name;
      std::vector<Internal::ObjectSimulator *> sources; // kept alive by the caller (Internal::Keep)
      CollectionMerge merge;                            // as the bundle's CollectionSpec::merge
   };

   /// `partitionPrefix`: the partition files are <prefix>.<slot>, removed by the destructor; empty:
   /// none (the batches are simulated and merged, nothing is kept: for benchmarks).
   CrossEventBatch(std::vector<Collection> collections, unsigned nSlots, std::size_t batchEvents,
                   std::string partitionPrefix);
   ~CrossEventBatch();
   CrossEventBatch(const CrossEventBatch &) = delete;
   CrossEventBatch &operator=(const CrossEventBatch &) = delete;

   std::size_t BatchEvents() const { return fBatchEvents; }
   const std::vector<Collection> &Collections() const { return fCollections; }
   /// The gather buffer of one source in one slot (Internal::Gather appends an event to it).
   EventRows &Rows(unsigned slot, std::size_t collection, std::size_t source);
   /// After every source gathered the event: records it; simulates the slot's batch when full.
   void EndEvent(unsigned slot, std::uint64_t entry, const EventId &id);
   /// After loop 1: simulates every slot's remaining events (the slots in parallel), closes the files.
   void Finish();
   /// Loop 2: the merged objects of `collection` for `entry` (which must carry `id`).
   const Internal::SimulatedObjects &Read(unsigned slot, std::uint64_t entry, std::size_t collection,
                                          const EventId &id);
   /// Closes and removes the partition files (also done by the destructor); Read() fails after it.
   void RemovePartitions();

private:
   struct Slot {
      std::vector<std::vector<EventRows>> rows;                                  // [collection][source]
      std::vector<std::vector<std::vector<Internal::SimulatedObjects>>> results; // [collection][source][event]
      std::vector<std::uint64_t> entries;
      std::vector<EventId> ids;
      std::vector<Internal::SimulatedObjects> merged; // [collection], one event
      std::vector<const Internal::SimulatedObjects *> parts;
      std::ofstream out;
      std::uint64_t written = 0; // bytes
      std::uint64_t runFirst = 0, runCount = 0, runOffset = 0;
      // loop 2
      std::vector<std::unique_ptr<std::ifstream>> in; // [partition]
      std::uint64_t cachedEntry = ~std::uint64_t(0);
      int readPartition = -1;
      std::uint64_t readOffset = 0, nextEntry = ~std::uint64_t(0), readRunEnd = 0;
      std::vector<char> record;
   };
   struct Run {
      std::uint64_t firstEntry, count, offset;
      unsigned partition;
   };

   void Flush(unsigned slot);
   void CloseRun(Slot &s, unsigned slot);
   std::string PartitionPath(unsigned slot) const { return fPrefix + "." + std::to_string(slot); }

   std::vector<Collection> fCollections;
   std::size_t fBatchEvents;
   std::string fPrefix;
   std::vector<Slot> fSlots;
   std::vector<Run> fRuns; // sorted by firstEntry after Finish
   bool fFinished = false;
};

} // namespace flashsim

#endif
