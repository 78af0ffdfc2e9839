#ifndef FLASHSIM_VELOCITYFIELD_HXX
#define FLASHSIM_VELOCITYFIELD_HXX

#include <cstddef>
#include <functional>

namespace flashsim {

/// dx/dt = v(t, x) for a whole batch at once: x and dxdt hold `size` numbers
/// ([n_objects, n_features] flattened row-major); the batch size is the caller's business.
using VelocityField = std::function<void(double t, const double *x, double *dxdt, std::size_t size)>;

} // namespace flashsim

#endif
