#ifndef FLASHSIM_DETAIL_ODEWORKSPACE_HXX
#define FLASHSIM_DETAIL_ODEWORKSPACE_HXX

#include <array>
#include <cstddef>
#include <vector>

namespace flashsim {
namespace Detail {

/// Scratch buffers of the steppers, kept between calls so the event loop does not allocate.
/// One per RDataFrame slot: it is written by every step.
struct OdeWorkspace {
   std::array<std::vector<double>, 7> k; ///< stage derivatives
   std::vector<double> stage;            ///< x at an intermediate stage
   std::vector<double> next;             ///< candidate x at the end of a step
   std::vector<double> error;            ///< dopri5 local error estimate

   void Resize(std::size_t size)
   {
      for (auto &stageDerivative : k)
         stageDerivative.resize(size);
      stage.resize(size);
      next.resize(size);
      error.resize(size);
   }
};

} // namespace Detail
} // namespace flashsim

#endif
