#include "flashsim/CrossEventBatch.hxx"

#include "flashsim/Errors.hxx"

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <exception>
#include <mutex>
#include <stdexcept>
#include <thread>

namespace flashsim {

namespace {

std::mutex gRunsMutex;

template <typename T>
void Put(std::vector<char> &buffer, const T &value)
{
   const char *bytes = reinterpret_cast<const char *>(&value);
   buffer.insert(buffer.end(), bytes, bytes + sizeof(T));
}

template <typename T>
void PutArray(std::vector<char> &buffer, const T *values, std::size_t n)
{
   const char *bytes = reinterpret_cast<const char *>(values);
   buffer.insert(buffer.end(), bytes, bytes + n * sizeof(T));
}

template <typename T>
T Take(const char *&at)
{
   T value;
   std::memcpy(&value, at, sizeof(T));
   at += sizeof(T);
   return value;
}

// A record: u64 payload bytes, then u64 entry, u32 run, u32 luminosityBlock, u64 event, and per
// collection u64 size, u64 branches, u64 skippedGen, double values[branches * size], i32 genIndex[size].
constexpr std::size_t kHeader = sizeof(std::uint64_t);

std::string Describe(const EventId &id)
{
   return "run=" + std::to_string(id.run) + " luminosityBlock=" + std::to_string(id.luminosityBlock) +
          " event=" + std::to_string(id.event);
}

} // namespace

CrossEventBatch::CrossEventBatch(std::vector<Collection> collections, unsigned nSlots, std::size_t batchEvents,
                                 std::string partitionPrefix)
   : fCollections(std::move(collections)), fBatchEvents(batchEvents), fPrefix(std::move(partitionPrefix))
{
   if (nSlots == 0 || batchEvents == 0)
      throw InputError("flashsim: cross-event batching needs at least one slot and one event per batch, got " +
                       std::to_string(nSlots) + " slots and " + std::to_string(batchEvents) + " events");
   fSlots.resize(nSlots);
   for (unsigned slot = 0; slot < nSlots; ++slot) {
      Slot &s = fSlots[slot];
      s.rows.resize(fCollections.size());
      s.results.resize(fCollections.size());
      s.merged.resize(fCollections.size());
      for (std::size_t c = 0; c < fCollections.size(); ++c) {
         s.rows[c].resize(fCollections[c].sources.size());
         s.results[c].resize(fCollections[c].sources.size());
      }
   }
}

CrossEventBatch::~CrossEventBatch()
{
   RemovePartitions();
}

void CrossEventBatch::RemovePartitions()
{
   if (fPrefix.empty())
      return;
   for (unsigned slot = 0; slot < fSlots.size(); ++slot) {
      fSlots[slot].out.close();
      fSlots[slot].in.clear();
      fSlots[slot].cachedEntry = ~std::uint64_t(0);
      std::remove(PartitionPath(slot).c_str());
   }
}

EventRows &CrossEventBatch::Rows(unsigned slot, std::size_t collection, std::size_t source)
{
   return fSlots[slot].rows[collection][source];
}

void CrossEventBatch::EndEvent(unsigned slot, std::uint64_t entry, const EventId &id)
{
   Slot &s = fSlots[slot];
   s.entries.push_back(entry);
   s.ids.push_back(id);
   if (s.entries.size() >= fBatchEvents)
      Flush(slot);
}

void CrossEventBatch::CloseRun(Slot &s, unsigned slot)
{
   if (s.runCount == 0)
      return;
   std::lock_guard<std::mutex> lock(gRunsMutex);
   fRuns.push_back(Run{s.runFirst, s.runCount, s.runOffset, slot});
   s.runCount = 0;
}

void CrossEventBatch::Flush(unsigned slot)
{
   Slot &s = fSlots[slot];
   const std::size_t nEvents = s.entries.size();
   if (nEvents == 0)
      return;
   for (std::size_t c = 0; c < fCollections.size(); ++c)
      for (std::size_t k = 0; k < fCollections[c].sources.size(); ++k) {
         EventRows &rows = s.rows[c][k];
         if (rows.Events() != nEvents)
            throw std::logic_error("flashsim: cross-event batch of " + fCollections[c].name + ": " +
                                   std::to_string(rows.Events()) + " events gathered, " + std::to_string(nEvents) +
                                   " ended");
         fCollections[c].sources[k]->SimulateBatch(slot, rows, s.results[c][k]);
         rows.Clear();
      }
   if (!fPrefix.empty() && !s.out.is_open()) { // opened in the event loop, where Ctrl-C and SIGTERM are handled
      s.out.open(PartitionPath(slot), std::ios::binary | std::ios::trunc);
      if (!s.out)
         throw InputError("flashsim: cannot write the cross-event partition file '" + PartitionPath(slot) + "'");
   }
   std::vector<char> &record = s.record;
   for (std::size_t e = 0; e < nEvents; ++e) {
      record.clear();
      Put<std::uint64_t>(record, 0); // payload size, set below
      Put<std::uint64_t>(record, s.entries[e]);
      Put<std::uint32_t>(record, s.ids[e].run);
      Put<std::uint32_t>(record, s.ids[e].luminosityBlock);
      Put<std::uint64_t>(record, s.ids[e].event);
      for (std::size_t c = 0; c < fCollections.size(); ++c) {
         const Collection &collection = fCollections[c];
         s.parts.clear();
         for (std::size_t k = 0; k < collection.sources.size(); ++k)
            s.parts.push_back(&s.results[c][k][e]);
         Internal::SimulatedObjects &merged = s.merged[c];
         Internal::MergeCollection(s.parts, collection.merge, merged); // as the per-event graph
         Put<std::uint64_t>(record, merged.size);
         Put<std::uint64_t>(record, merged.nBranches);
         Put<std::uint64_t>(record, merged.skippedGen);
         PutArray(record, merged.values.data(), merged.values.size());
         PutArray(record, merged.genIndex.data(), merged.genIndex.size());
      }
      const std::uint64_t payload = record.size() - kHeader;
      std::memcpy(record.data(), &payload, sizeof(payload));
      const std::uint64_t entry = s.entries[e];
      if (s.runCount > 0 && entry == s.runFirst + s.runCount) {
         ++s.runCount;
      } else {
         CloseRun(s, slot);
         s.runFirst = entry;
         s.runCount = 1;
         s.runOffset = s.written;
      }
      if (fPrefix.empty())
         continue;
      s.out.write(record.data(), static_cast<std::streamsize>(record.size()));
      if (!s.out)
         throw InputError("flashsim: cannot write the cross-event partition file '" + PartitionPath(slot) +
                          "' (disk full?)");
      s.written += record.size();
   }
   s.entries.clear();
   s.ids.clear();
}

void CrossEventBatch::Finish()
{
   if (fFinished)
      return;
   // the slots' remaining events, in parallel (each slot has its own scratch; the networks are shared)
   std::vector<std::exception_ptr> errors(fSlots.size());
   std::vector<std::thread> threads;
   for (unsigned slot = 0; slot < fSlots.size(); ++slot)
      threads.emplace_back([this, slot, &errors] {
         try {
            Flush(slot);
            CloseRun(fSlots[slot], slot);
            fSlots[slot].out.close();
         } catch (...) {
            errors[slot] = std::current_exception();
         }
      });
   for (auto &thread : threads)
      thread.join();
   for (const auto &error : errors)
      if (error)
         std::rethrow_exception(error);
   std::sort(fRuns.begin(), fRuns.end(), [](const Run &a, const Run &b) { return a.firstEntry < b.firstEntry; });
   fFinished = true;
}

const Internal::SimulatedObjects &CrossEventBatch::Read(unsigned slot, std::uint64_t entry, std::size_t collection,
                                                        const EventId &id)
{
   Slot &s = fSlots[slot];
   if (s.cachedEntry != entry) {
      if (fPrefix.empty())
         throw std::logic_error("flashsim: a cross-event batch without partition files keeps no results to read");
      if (!fFinished)
         throw std::logic_error("flashsim: cross-event results read before the simulation loop finished");
      if (s.in.empty())
         s.in.resize(fSlots.size());
      if (entry != s.nextEntry || entry >= s.readRunEnd) { // find the run holding the entry, skip to its record
         const auto after = std::upper_bound(fRuns.begin(), fRuns.end(), entry,
                                             [](std::uint64_t e, const Run &run) { return e < run.firstEntry; });
         if (after == fRuns.begin() || entry >= (after - 1)->firstEntry + (after - 1)->count)
            throw std::logic_error("flashsim: event " + Describe(id) + " (entry " + std::to_string(entry) +
                                   ") was not simulated by the cross-event loop");
         const Run &run = *(after - 1);
         s.readPartition = static_cast<int>(run.partition);
         s.readOffset = run.offset;
         s.readRunEnd = run.firstEntry + run.count;
         auto &file = s.in[run.partition];
         if (!file)
            file = std::make_unique<std::ifstream>(PartitionPath(run.partition), std::ios::binary);
         for (std::uint64_t skip = run.firstEntry; skip < entry; ++skip) {
            std::uint64_t payload = 0;
            file->seekg(static_cast<std::streamoff>(s.readOffset));
            file->read(reinterpret_cast<char *>(&payload), sizeof(payload));
            s.readOffset += kHeader + payload;
         }
      }
      auto &file = s.in[s.readPartition];
      if (!file)
         file = std::make_unique<std::ifstream>(PartitionPath(s.readPartition), std::ios::binary);
      std::uint64_t payload = 0;
      file->seekg(static_cast<std::streamoff>(s.readOffset));
      file->read(reinterpret_cast<char *>(&payload), sizeof(payload));
      s.record.resize(payload);
      file->read(s.record.data(), static_cast<std::streamsize>(payload));
      if (!*file)
         throw InputError("flashsim: cannot read the cross-event partition file '" + PartitionPath(s.readPartition) +
                          "' at event " + Describe(id));
      const char *at = s.record.data();
      const auto stored = Take<std::uint64_t>(at);
      EventId storedId;
      storedId.run = Take<std::uint32_t>(at);
      storedId.luminosityBlock = Take<std::uint32_t>(at);
      storedId.event = Take<std::uint64_t>(at);
      if (stored != entry || storedId.run != id.run || storedId.luminosityBlock != id.luminosityBlock ||
          storedId.event != id.event)
         throw std::logic_error("flashsim: the cross-event record for entry " + std::to_string(entry) + " is of " +
                                Describe(storedId) + " (entry " + std::to_string(stored) + "), expected " +
                                Describe(id));
      for (std::size_t c = 0; c < fCollections.size(); ++c) {
         Internal::SimulatedObjects &merged = s.merged[c];
         merged.size = Take<std::uint64_t>(at);
         merged.nBranches = Take<std::uint64_t>(at);
         merged.skippedGen = Take<std::uint64_t>(at);
         merged.values.resize(merged.size * merged.nBranches);
         std::memcpy(merged.values.data(), at, merged.values.size() * sizeof(double));
         at += merged.values.size() * sizeof(double);
         merged.genIndex.resize(merged.size);
         std::memcpy(merged.genIndex.data(), at, merged.genIndex.size() * sizeof(int));
         at += merged.genIndex.size() * sizeof(int);
      }
      s.readOffset += kHeader + payload;
      s.nextEntry = entry + 1;
      s.cachedEntry = entry;
   }
   return s.merged.at(collection);
}

} // namespace flashsim
