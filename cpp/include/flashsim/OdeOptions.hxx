#ifndef FLASHSIM_ODEOPTIONS_HXX
#define FLASHSIM_ODEOPTIONS_HXX

#include <string>

namespace flashsim {

enum class OdeMethod { kEuler, kMidpoint, kRK4, kDormandPrince };

/// "euler", "midpoint", "rk4" or "dopri5" (the names of the CLI and of the Python solvers).
OdeMethod ParseOdeMethod(const std::string &name);
std::string OdeMethodName(OdeMethod method);

/// How to integrate the flow from noise (t = 0) to data (t = 1).
struct OdeOptions {
   OdeMethod method = OdeMethod::kMidpoint;
   int steps = 20;            ///< fixed-step methods: number of steps
   double rtol = 1e-5;        ///< dopri5: relative tolerance
   double atol = 1e-5;        ///< dopri5: absolute tolerance
   int maxSteps = 100000;     ///< dopri5: accepted + rejected steps before giving up

   /// Throws std::invalid_argument naming the bad value.
   void Validate() const;
};

/// What an integration cost.
struct OdeResult {
   int nfe = 0;           ///< number of velocity-field evaluations
   int acceptedSteps = 0;
   int rejectedSteps = 0; ///< dopri5 only
};

} // namespace flashsim

#endif
