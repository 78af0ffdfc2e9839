#ifndef FLASHSIM_ODESOLVER_HXX
#define FLASHSIM_ODESOLVER_HXX

#include "flashsim/Detail/OdeWorkspace.hxx"
#include "flashsim/OdeOptions.hxx"
#include "flashsim/VelocityField.hxx"

#include <cstddef>
#include <stdexcept>
#include <string>

namespace flashsim {

/// A row of dopri5 that needed more than OdeOptions::maxSteps steps; `row` indexes the rows of Integrate.
struct OdeStepLimitError : std::runtime_error {
   OdeStepLimitError(const std::string &what, std::size_t row) : std::runtime_error(what), row(row) {}
   std::size_t row;
};

/// Integrates dx/dt = v(t, x) from t0 to t1, in place on x[rows, dim], with the method of `options`.
/// Every row is integrated on its own: dopri5 controls each row's step with its own error norm
/// (its own t, step size, accept/reject), and drops the rows that reached t1 from later calls,
/// so a row's result never depends on the other rows. The Python twin is flashsim.ode.integrate.
OdeResult Integrate(const VelocityField &v, double *x, std::size_t rows, std::size_t dim, double t0, double t1,
                    const OdeOptions &options, Detail::OdeWorkspace &workspace);

/// Same, with a workspace of its own (allocates; for tests and one-off use).
OdeResult Integrate(const VelocityField &v, double *x, std::size_t rows, std::size_t dim, double t0, double t1,
                    const OdeOptions &options);

} // namespace flashsim

#endif
