#ifndef FLASHSIM_RDF_WRITEERRORS_HXX
#define FLASHSIM_RDF_WRITEERRORS_HXX

// A full disk or a file-size limit makes TFile::WriteBuffer report an error and go on; ROOT then
// writes a broken file, or crashes at a later write. While a WriteErrorGuard lives, the first such
// error is recorded (an error handler may not throw: ROOT calls it where exceptions cannot pass),
// and flashsim.rdf.simulate_file reports it as one line after the step that wrote. Stopping the
// event loop at the error (a throwing partial-result callback) was tried: ROOT's Snapshot then
// aborts the process, so simulate_file refuses what it can foresee before the loop, and stops the
// loop while there is still room (OutputRoom.hxx).

#include <TError.h>

#include <atomic>
#include <cstring>
#include <mutex>
#include <string>

namespace flashsim {
namespace Internal {

struct WriteErrorState {
   std::atomic<bool> failed{false};
   std::mutex mutex;
   std::string message;
   ErrorHandlerFunc_t previous = nullptr;
};

inline WriteErrorState &WriteErrors()
{
   static WriteErrorState state;
   return state;
}

inline void RecordWriteError(int level, Bool_t abort, const char *location, const char *message)
{
   auto &state = WriteErrors();
   const bool writing = location && (std::strstr(location, "WriteBuffer") || std::strstr(location, "TFile::Write") ||
                                     std::strstr(location, "WriteBasket") || std::strstr(location, "TFile::Flush"));
   if (level >= kError && writing && !state.failed.exchange(true)) {
      std::lock_guard<std::mutex> lock(state.mutex);
      state.message = std::string(location) + ": " + (message ? message : "");
   }
   if (state.previous)
      state.previous(level, abort, location, message);
   else
      DefaultErrorHandler(level, abort, location, message);
}

/// The recorded write error, or "" when none.
inline std::string WriteErrorMessage()
{
   auto &state = WriteErrors();
   if (!state.failed.load())
      return "";
   std::lock_guard<std::mutex> lock(state.mutex);
   return state.message;
}

/// Records ROOT's write errors for its lifetime (one guard at a time).
struct WriteErrorGuard {
   WriteErrorGuard()
   {
      WriteErrors().failed = false;
      WriteErrors().previous = SetErrorHandler(RecordWriteError);
   }
   ~WriteErrorGuard() { SetErrorHandler(WriteErrors().previous); }
   WriteErrorGuard(const WriteErrorGuard &) = delete;
   WriteErrorGuard &operator=(const WriteErrorGuard &) = delete;
};

} // namespace Internal
} // namespace flashsim

#endif
