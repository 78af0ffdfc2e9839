#ifndef FLASHSIM_ODEOPTIONS_HXX
#define FLASHSIM_ODEOPTIONS_HXX

#include <string>

namespace flashsim {

/// kDistilled: each source's few-step student network (bundle.json velocity_field.distilled) integrated
/// with Euler at the steps it was distilled for; OdeOptions::steps does not apply to it. Integrate() on its
/// own treats it as Euler at OdeOptions::steps (the simulator passes the student's steps).
enum class OdeMethod { kEuler, kMidpoint, kRK4, kDormandPrince, kDistilled };

/// "euler", "midpoint", "rk4", "dopri5" or "distilled" (the names of the CLI and of the Python solvers).
OdeMethod ParseOdeMethod(const std::string &name);
std::string OdeMethodName(OdeMethod method);

/// Fixed steps per object at most (as flashsim.ode.MAX_STEPS): beyond it a run would not end.
constexpr int kMaxSteps = 100000;

/// How to integrate the flow from noise (t = 0) to data (t = 1).
struct OdeOptions {
   OdeMethod method = OdeMethod::kMidpoint;
   int steps = 20;           ///< fixed-step methods: number of steps
   double rtol = 1e-5;       ///< dopri5: relative tolerance
   double atol = 1e-5;       ///< dopri5: absolute tolerance
   int maxSteps = kMaxSteps; ///< dopri5: accepted + rejected steps before giving up

   /// Throws std::invalid_argument naming the bad value.
   void Validate() const;
};

/// What an integration cost.
struct OdeResult {
   int nfe = 0;                  ///< velocity-field calls (network calls; one call evaluates many rows)
   long long rowEvaluations = 0; ///< evaluations summed over the rows (objects)
   int maxRowEvaluations = 0;    ///< the most evaluations any row needed
   long long rows = 0;           ///< rows integrated
   int acceptedSteps = 0;        ///< fixed steps: the steps; dopri5: the most accepted steps of a row
   int rejectedSteps = 0;        ///< dopri5: the most rejected steps of a row
};

} // namespace flashsim

#endif
