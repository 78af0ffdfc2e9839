#ifndef FLASHSIM_SIMULATEDOBJECTS_HXX
#define FLASHSIM_SIMULATEDOBJECTS_HXX

#include "flashsim/OdeOptions.hxx"

#include <cstddef>
#include <vector>

namespace flashsim {

/// The reco objects of one event and source: returned once per event, then split into branches.
struct SimulatedObjects {
   std::size_t size = 0;          ///< number of reco objects
   std::size_t nTargets = 0;      ///< number of target variables
   std::vector<double> values;    ///< [nTargets][size]: target j of object k at values[j * size + k]
   std::vector<int> genIndex;     ///< [size]: index of the gen object each came from
   OdeResult ode;                 ///< cost of the integration (nfe)

   const double *Column(std::size_t target) const { return values.data() + target * size; }
};

} // namespace flashsim

#endif
