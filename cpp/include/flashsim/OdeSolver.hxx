#ifndef FLASHSIM_ODESOLVER_HXX
#define FLASHSIM_ODESOLVER_HXX

#include "flashsim/Detail/OdeWorkspace.hxx"
#include "flashsim/OdeOptions.hxx"
#include "flashsim/VelocityField.hxx"

#include <cstddef>

namespace flashsim {

/// Integrates dx/dt = v(t, x) from t0 to t1, in place on x[size], with the method of `options`.
/// The Python twin is flashsim.ode.integrate(field, x, t0, t1, method, steps, rtol, atol).
OdeResult Integrate(const VelocityField &v, double *x, std::size_t size, double t0, double t1,
                    const OdeOptions &options, Detail::OdeWorkspace &workspace);

/// Same, with a workspace of its own (allocates; for tests and one-off use).
OdeResult Integrate(const VelocityField &v, double *x, std::size_t size, double t0, double t1,
                    const OdeOptions &options);

} // namespace flashsim

#endif
