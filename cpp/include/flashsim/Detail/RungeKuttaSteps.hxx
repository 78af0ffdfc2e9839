#ifndef FLASHSIM_DETAIL_RUNGEKUTTASTEPS_HXX
#define FLASHSIM_DETAIL_RUNGEKUTTASTEPS_HXX

// Fixed-step explicit Runge-Kutta steps. Each advances x (in place) from t to t + h and
// returns its number of velocity-field evaluations. The driver is in OdeSolver.cxx.

#include "flashsim/Detail/OdeWorkspace.hxx"
#include "flashsim/VelocityField.hxx"

namespace flashsim {
namespace Detail {

int EulerStep(const VelocityField &v, double t, double h, double *x, std::size_t size, OdeWorkspace &ws);
int MidpointStep(const VelocityField &v, double t, double h, double *x, std::size_t size, OdeWorkspace &ws);
int RK4Step(const VelocityField &v, double t, double h, double *x, std::size_t size, OdeWorkspace &ws);

} // namespace Detail
} // namespace flashsim

#endif
