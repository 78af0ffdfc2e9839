#ifndef FLASHSIM_RDF_OUTPUTROOM_HXX
#define FLASHSIM_RDF_OUTPUTROOM_HXX

// Room for the output during the event loop. flashsim.rdf.simulate_file refuses a job that clearly
// does not fit before the loop; the disk can still fill while it runs (another writer, an estimate
// that was short). Once a ROOT write has failed, Snapshot cannot be stopped cleanly (it aborts the
// process when it finalises a file that could not be written), so the loop is stopped *before* the
// disk or the file-size limit is reached: a partial-result callback (every `every` entries of a
// slot) compares the free space, and the room under RLIMIT_FSIZE, with what the events processed
// so far will still write (bytes per event x events - bytes already on disk) plus a reserve, and
// throws when it would not fit. RDataFrame then stops the loop, as for Ctrl-C (_interrupt.py).
//
//   flashsim::Internal::OutputRoom::Watch(folder, {part files}, bytesPerEvent, reserve, every);
//   count.OnPartialResult(every, flashsim::Internal::OutputRoom::Check);

#include <RtypesCore.h>

#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/statvfs.h>

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <mutex>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

namespace flashsim {
namespace Internal {
namespace OutputRoom {

struct State {
   std::mutex mutex;
   std::string folder;
   std::vector<std::string> files;
   double bytesPerEvent = 0;
   double reserve = 0;
   ULong64_t every = 1;
   std::atomic<ULong64_t> events{0};
   std::string message;
};

inline State &Watched()
{
   static State state;
   return state;
}

/// Starts watching: `folder` holds `files` (the outputs being written), each event processed will
/// write about `bytesPerEvent` bytes in all, and `reserve` bytes must stay free.
inline void Watch(const std::string &folder, const std::vector<std::string> &files, double bytesPerEvent,
                  double reserve, ULong64_t every)
{
   auto &state = Watched();
   std::lock_guard<std::mutex> lock(state.mutex);
   state.folder = folder;
   state.files = files;
   state.bytesPerEvent = bytesPerEvent;
   state.reserve = reserve;
   state.every = std::max<ULong64_t>(every, 1);
   state.events = 0;
   state.message.clear();
}

/// Why the loop was stopped, or "" when it was not.
inline std::string Message()
{
   auto &state = Watched();
   std::lock_guard<std::mutex> lock(state.mutex);
   return state.message;
}

inline double FileBytes(const std::string &path)
{
   struct stat info;
   return ::stat(path.c_str(), &info) == 0 ? static_cast<double>(info.st_size) : 0.0;
}

/// The partial-result callback: throws when the output will not fit.
inline void Check(ULong64_t &)
{
   auto &state = Watched();
   const ULong64_t events = state.events += state.every;
   std::lock_guard<std::mutex> lock(state.mutex);
   if (!state.message.empty())
      throw std::runtime_error(state.message);
   double written = 0, largest = 0;
   for (const auto &file : state.files) {
      const double bytes = FileBytes(file);
      written += bytes;
      largest = std::max(largest, bytes);
   }
   const double pending = std::max(0.0, state.bytesPerEvent * static_cast<double>(events) - written);
   std::ostringstream why;
   struct statvfs disk;
   if (::statvfs(state.folder.c_str(), &disk) == 0) {
      const double free = static_cast<double>(disk.f_bavail) * static_cast<double>(disk.f_frsize);
      if (free < pending + state.reserve)
         why << state.folder << ": the disk is nearly full (" << static_cast<long long>(free / 1e6)
             << " MB free after about " << events << " events, " << static_cast<long long>(written / 1e6)
             << " MB written); free some space or write elsewhere";
   }
   struct rlimit limit;
   if (why.str().empty() && ::getrlimit(RLIMIT_FSIZE, &limit) == 0 && limit.rlim_cur != RLIM_INFINITY) {
      const double perFile = pending / static_cast<double>(std::max<std::size_t>(state.files.size(), 1));
      if (largest + perFile + state.reserve > static_cast<double>(limit.rlim_cur))
         why << "the file-size limit (ulimit -f) of " << static_cast<long long>(limit.rlim_cur / 1e6)
             << " MB is nearly reached after about " << events << " events; raise the limit";
   }
   if (!why.str().empty()) {
      state.message = "flashsim: the event loop was stopped before the output ran out of room: " + why.str();
      throw std::runtime_error(state.message);
   }
}

} // namespace OutputRoom
} // namespace Internal
} // namespace flashsim

#endif
