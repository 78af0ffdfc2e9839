#ifndef FLASHSIM_COUNTERRNG_HXX
#define FLASHSIM_COUNTERRNG_HXX

// Counter-based random numbers (Philox4x32-10, Salmon et al., SC'11 "Parallel random numbers:
// as easy as 1, 2, 3"). A draw is a pure function of its key: (seed, run, luminosityBlock, event,
// oversampling copy, collection, source, object index, draw index). Nothing else enters, so an
// event's output does not depend on the slot, the thread count, the entry number or the partition.

#include <array>
#include <cstdint>
#include <string>

namespace flashsim {

/// The identity of an event, as NanoAOD stores it.
struct EventId {
   std::uint32_t run = 0;
   std::uint32_t luminosityBlock = 0;
   std::uint64_t event = 0;
};

namespace Detail {

using PhiloxCounter = std::array<std::uint32_t, 4>;
using PhiloxKey = std::array<std::uint32_t, 2>;

/// Philox4x32 with 10 rounds: a bijection of the 128-bit counter for each 64-bit key.
PhiloxCounter Philox4x32(PhiloxCounter counter, PhiloxKey key);

/// 32-bit FNV-1a hash; names collections and sources in the RNG key.
std::uint32_t Fnv1a32(const std::string &text);

} // namespace Detail

/// The random numbers of one (event, copy, collection, source). Cheap to make (one Philox call),
/// read-only afterwards, so it can live on the stack of the event loop.
class RandomStream {
public:
   RandomStream(std::uint64_t seed, const EventId &id, std::uint32_t copy, const std::string &collection,
                const std::string &source);

   /// Uniform in the open interval (0, 1), 53 random bits.
   double Uniform(std::uint32_t object, std::uint32_t draw) const;
   /// Standard normal (Box-Muller on two 53-bit uniforms of one Philox block).
   double Normal(std::uint32_t object, std::uint32_t draw) const;
   /// The raw 128 bits behind the draw (object, draw).
   Detail::PhiloxCounter Bits(std::uint32_t object, std::uint32_t draw) const;

private:
   Detail::PhiloxKey fKey{};
   std::uint32_t fEventWord0 = 0;
   std::uint32_t fEventWord1 = 0;
};

} // namespace flashsim

#endif
