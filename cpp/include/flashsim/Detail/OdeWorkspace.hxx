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
   std::array<std::vector<double>, 7> k; ///< stage derivatives [rows, dim]
   std::vector<double> stage;            ///< x at an intermediate stage
   std::vector<double> next;             ///< candidate x at the end of a step
   std::vector<double> error;            ///< dopri5 local error estimate
   std::vector<double> t, h, tStage;     ///< per row of a call: time, step size, time of the stage
   // per-row dopri5: the state of every row (fsal [rows, dim], the FSAL derivative; the rest [rows]) ...
   std::vector<double> fsal, rowT, rowH;
   std::vector<int> accepted, rejected, evaluations;
   std::vector<char> lastRejected;
   // ... and of the active rows gathered for one step (their t, h in t, h above)
   std::vector<double> x;           ///< x of the active rows [active, dim]
   std::vector<char> lastStep;      ///< this step ends at t1
   std::vector<std::size_t> active; ///< the rows still integrating, in increasing order

   void Resize(std::size_t rows, std::size_t dim)
   {
      const std::size_t size = rows * dim;
      for (auto &stageDerivative : k)
         stageDerivative.resize(size);
      stage.resize(size);
      next.resize(size);
      error.resize(size);
      t.resize(rows);
      h.resize(rows);
      tStage.resize(rows);
   }
};

} // namespace Detail
} // namespace flashsim

#endif
