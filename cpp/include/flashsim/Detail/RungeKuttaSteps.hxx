#ifndef FLASHSIM_DETAIL_RUNGEKUTTASTEPS_HXX
#define FLASHSIM_DETAIL_RUNGEKUTTASTEPS_HXX

// Fixed-step explicit Runge-Kutta steps. Each advances x[rows, dim] (in place) from t to t + h,
// every row at the same t, and returns its number of velocity-field calls. The driver is in OdeSolver.cxx.

#include "flashsim/Detail/OdeWorkspace.hxx"
#include "flashsim/VelocityField.hxx"

namespace flashsim {
namespace Detail {

int EulerStep(const VelocityField &v, double t, double h, double *x, std::size_t rows, std::size_t dim,
              OdeWorkspace &ws);
int MidpointStep(const VelocityField &v, double t, double h, double *x, std::size_t rows, std::size_t dim,
                 OdeWorkspace &ws);
int RK4Step(const VelocityField &v, double t, double h, double *x, std::size_t rows, std::size_t dim, OdeWorkspace &ws);

} // namespace Detail
} // namespace flashsim

#endif
