#ifndef FLASHSIM_DETAIL_DORMANDPRINCESTEP_HXX
#define FLASHSIM_DETAIL_DORMANDPRINCESTEP_HXX

// One Dormand-Prince 5(4) step (Dormand & Prince 1980; Hairer, Norsett & Wanner, Solving ODEs I,
// II.5) of `rows` rows, each with its own time t[r] and step h[r]. First-same-as-last: on entry
// ws.k[0] holds v(t, x) of the rows; on exit ws.next holds the 5th-order solution at t + h,
// ws.k[6] holds v(t + h, next) and ws.error the embedded error estimate. The step-size control
// (per row) lives in the driver (OdeSolver.cxx).

#include "flashsim/Detail/OdeWorkspace.hxx"
#include "flashsim/VelocityField.hxx"

namespace flashsim {
namespace Detail {

/// Returns the number of velocity-field calls (6). `which` is passed on to the field.
int DormandPrinceStep(const VelocityField &v, const double *t, const double *h, const double *x, std::size_t rows,
                      std::size_t dim, const std::size_t *which, OdeWorkspace &ws);

/// RMS over one row's dim features of error / (atol + rtol * max(|x|, |next|)): accepted when <= 1.
double DormandPrinceErrorNorm(const double *x, const double *next, const double *error, std::size_t dim, double rtol,
                              double atol);

} // namespace Detail
} // namespace flashsim

#endif
