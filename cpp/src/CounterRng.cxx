#include "flashsim/CounterRng.hxx"

#include <cmath>

namespace flashsim {
namespace Detail {

namespace {
constexpr std::uint32_t kMultiplier0 = 0xD2511F53u;
constexpr std::uint32_t kMultiplier1 = 0xCD9E8D57u;
constexpr std::uint32_t kWeyl0 = 0x9E3779B9u;
constexpr std::uint32_t kWeyl1 = 0xBB67AE85u;

inline void MulHiLo(std::uint32_t a, std::uint32_t b, std::uint32_t &hi, std::uint32_t &lo)
{
   const std::uint64_t product = static_cast<std::uint64_t>(a) * b;
   hi = static_cast<std::uint32_t>(product >> 32);
   lo = static_cast<std::uint32_t>(product);
}
} // namespace

PhiloxCounter Philox4x32(PhiloxCounter c, PhiloxKey k)
{
   for (int round = 0; round < 10; ++round) {
      std::uint32_t hi0, lo0, hi1, lo1;
      MulHiLo(kMultiplier0, c[0], hi0, lo0);
      MulHiLo(kMultiplier1, c[2], hi1, lo1);
      c = {hi1 ^ c[1] ^ k[0], lo1, hi0 ^ c[3] ^ k[1], lo0};
      k[0] += kWeyl0;
      k[1] += kWeyl1;
   }
   return c;
}

std::uint32_t Fnv1a32(const std::string &text)
{
   std::uint32_t hash = 2166136261u;
   for (unsigned char ch : text) {
      hash ^= ch;
      hash *= 16777619u;
   }
   return hash;
}

} // namespace Detail

namespace {
inline double OpenUniform(std::uint32_t high, std::uint32_t low)
{
   const std::uint64_t bits = ((static_cast<std::uint64_t>(high) << 32) | low) >> 11; // 53 bits
   return (static_cast<double>(bits) + 0.5) * 0x1.0p-53;
}
} // namespace

RandomStream::RandomStream(std::uint64_t seed, const EventId &id, std::uint32_t copy, const std::string &collection,
                           const std::string &source)
{
   // Stage 1: the event identity, encrypted with the seed. A bijection for a given seed, so two
   // events never share a digest.
   const Detail::PhiloxCounter digest = Detail::Philox4x32(
      {id.run, id.luminosityBlock, static_cast<std::uint32_t>(id.event), static_cast<std::uint32_t>(id.event >> 32)},
      {static_cast<std::uint32_t>(seed), static_cast<std::uint32_t>(seed >> 32)});
   // Stage 2: the stream key mixes in what is simulated; the counter carries the rest of the digest.
   fKey = {digest[0] ^ Detail::Fnv1a32(collection + "/" + source), digest[1] ^ (copy * 0x9E3779B9u)};
   fEventWord0 = digest[2];
   fEventWord1 = digest[3];
}

Detail::PhiloxCounter RandomStream::Bits(std::uint32_t object, std::uint32_t draw) const
{
   return Detail::Philox4x32({fEventWord0, fEventWord1, object, draw}, fKey);
}

double RandomStream::Uniform(std::uint32_t object, std::uint32_t draw) const
{
   const auto bits = Bits(object, draw);
   return OpenUniform(bits[0], bits[1]);
}

double RandomStream::Normal(std::uint32_t object, std::uint32_t draw) const
{
   const auto bits = Bits(object, draw);
   const double u1 = OpenUniform(bits[0], bits[1]);
   const double u2 = OpenUniform(bits[2], bits[3]);
   return std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * M_PI * u2);
}

} // namespace flashsim
