#ifndef FLASHSIM_RDF_INTERRUPT_HXX
#define FLASHSIM_RDF_INTERRUPT_HXX

// Ctrl-C and SIGTERM during an RDataFrame event loop (python/flashsim/rdf/_interrupt.py): a C
// handler records the signal, a partial-result callback throws, RDataFrame stops the loop.

#include <atomic>
#include <csignal>
#include <stdexcept>
#include <string>
#include <RtypesCore.h>
namespace flashsim {
namespace Internal {
namespace Interrupt {
inline std::atomic<int> &Signal()
{
   static std::atomic<int> value{0};
   return value;
}
extern "C" inline void FlashSimRecordSignal(int number)
{
   Signal() = number;
}
inline void Install()
{
   Signal() = 0;
   std::signal(SIGINT, FlashSimRecordSignal);
   std::signal(SIGTERM, FlashSimRecordSignal);
}
inline int Received()
{
   return Signal().load();
}
inline void Check(ULong64_t &)
{
   if (Signal().load() != 0)
      throw std::runtime_error("flashsim: interrupted by signal " + std::to_string(Signal().load()));
}
} // namespace Interrupt
} // namespace Internal
} // namespace flashsim

#endif
