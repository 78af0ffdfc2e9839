#ifndef FLASHSIM_DETAIL_DORMANDPRINCESTEP_HXX
#define FLASHSIM_DETAIL_DORMANDPRINCESTEP_HXX

// One Dormand-Prince 5(4) step (Dormand & Prince 1980; Hairer, Norsett & Wanner, Solving ODEs I,
// II.5). First-same-as-last: on entry ws.k[0] holds v(t, x); on exit ws.next holds the 5th-order
// solution at t + h, ws.k[6] holds v(t + h, next) and ws.error the embedded error estimate.
// The step-size control lives in the driver (OdeSolver.cxx).

#include "flashsim/Detail/OdeWorkspace.hxx"
#include "flashsim/VelocityField.hxx"

namespace flashsim {
namespace Detail {

/// Returns the number of velocity-field evaluations (6).
int DormandPrinceStep(const VelocityField &v, double t, double h, const double *x, std::size_t size,
                      OdeWorkspace &ws);

/// RMS over the batch of error / (atol + rtol * max(|x|, |next|)): the step is accepted when <= 1.
double DormandPrinceErrorNorm(const double *x, const OdeWorkspace &ws, std::size_t size, double rtol, double atol);

} // namespace Detail
} // namespace flashsim

#endif
