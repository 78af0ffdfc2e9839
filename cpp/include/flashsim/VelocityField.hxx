#ifndef FLASHSIM_VELOCITYFIELD_HXX
#define FLASHSIM_VELOCITYFIELD_HXX

#include <cstddef>
#include <functional>

namespace flashsim {

/// dx/dt = v(t, x) for `rows` objects at once: t[rows] (each row its own time), x and dxdt
/// [rows, dim] row-major (dim is fixed by the caller of Integrate). which[r] is the index, among
/// the rows given to Integrate, of row r of this call (per-row dopri5 drops the rows that have
/// finished), or which == nullptr when the call covers all rows in order. A field must be
/// row-wise: row r's result may depend only on t[r], x[r] and the row's own inputs.
using VelocityField =
   std::function<void(const double *t, const double *x, double *dxdt, std::size_t rows, const std::size_t *which)>;

} // namespace flashsim

#endif
