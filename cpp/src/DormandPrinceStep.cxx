#include "flashsim/Detail/DormandPrinceStep.hxx"

#include <algorithm>
#include <cmath>

namespace flashsim {
namespace Detail {

namespace {
// Butcher tableau of Dormand-Prince 5(4).
constexpr double c2 = 1.0 / 5, c3 = 3.0 / 10, c4 = 4.0 / 5, c5 = 8.0 / 9;
constexpr double a21 = 1.0 / 5;
constexpr double a31 = 3.0 / 40, a32 = 9.0 / 40;
constexpr double a41 = 44.0 / 45, a42 = -56.0 / 15, a43 = 32.0 / 9;
constexpr double a51 = 19372.0 / 6561, a52 = -25360.0 / 2187, a53 = 64448.0 / 6561, a54 = -212.0 / 729;
constexpr double a61 = 9017.0 / 3168, a62 = -355.0 / 33, a63 = 46732.0 / 5247, a64 = 49.0 / 176, a65 = -5103.0 / 18656;
// 5th-order weights (also the last row of the tableau: first same as last).
constexpr double b1 = 35.0 / 384, b3 = 500.0 / 1113, b4 = 125.0 / 192, b5 = -2187.0 / 6784, b6 = 11.0 / 84;
// 5th minus embedded 4th-order weights.
constexpr double e1 = 71.0 / 57600, e3 = -71.0 / 16695, e4 = 71.0 / 1920, e5 = -17253.0 / 339200, e6 = 22.0 / 525,
                 e7 = -1.0 / 40;
} // namespace

int DormandPrinceStep(const VelocityField &v, const double *t, const double *h, const double *x, std::size_t rows,
                      std::size_t dim, const std::size_t *which, OdeWorkspace &ws)
{
   const double *k1 = ws.k[0].data();
   double *k2 = ws.k[1].data(), *k3 = ws.k[2].data(), *k4 = ws.k[3].data(), *k5 = ws.k[4].data(), *k6 = ws.k[5].data(),
          *k7 = ws.k[6].data();
   double *s = ws.stage.data();
   double *next = ws.next.data();
   double *err = ws.error.data();
   double *ts = ws.tStage.data();
   const auto times = [&](double c) {
      for (std::size_t r = 0; r < rows; ++r)
         ts[r] = t[r] + c * h[r];
   };

   for (std::size_t r = 0; r < rows; ++r)
      for (std::size_t i = r * dim; i < (r + 1) * dim; ++i)
         s[i] = x[i] + h[r] * (a21 * k1[i]);
   times(c2);
   v(ts, s, k2, rows, which);
   for (std::size_t r = 0; r < rows; ++r)
      for (std::size_t i = r * dim; i < (r + 1) * dim; ++i)
         s[i] = x[i] + h[r] * (a31 * k1[i] + a32 * k2[i]);
   times(c3);
   v(ts, s, k3, rows, which);
   for (std::size_t r = 0; r < rows; ++r)
      for (std::size_t i = r * dim; i < (r + 1) * dim; ++i)
         s[i] = x[i] + h[r] * (a41 * k1[i] + a42 * k2[i] + a43 * k3[i]);
   times(c4);
   v(ts, s, k4, rows, which);
   for (std::size_t r = 0; r < rows; ++r)
      for (std::size_t i = r * dim; i < (r + 1) * dim; ++i)
         s[i] = x[i] + h[r] * (a51 * k1[i] + a52 * k2[i] + a53 * k3[i] + a54 * k4[i]);
   times(c5);
   v(ts, s, k5, rows, which);
   for (std::size_t r = 0; r < rows; ++r)
      for (std::size_t i = r * dim; i < (r + 1) * dim; ++i)
         s[i] = x[i] + h[r] * (a61 * k1[i] + a62 * k2[i] + a63 * k3[i] + a64 * k4[i] + a65 * k5[i]);
   times(1.0);
   v(ts, s, k6, rows, which);
   for (std::size_t r = 0; r < rows; ++r)
      for (std::size_t i = r * dim; i < (r + 1) * dim; ++i)
         next[i] = x[i] + h[r] * (b1 * k1[i] + b3 * k3[i] + b4 * k4[i] + b5 * k5[i] + b6 * k6[i]);
   v(ts, next, k7, rows, which);
   for (std::size_t r = 0; r < rows; ++r)
      for (std::size_t i = r * dim; i < (r + 1) * dim; ++i)
         err[i] = h[r] * (e1 * k1[i] + e3 * k3[i] + e4 * k4[i] + e5 * k5[i] + e6 * k6[i] + e7 * k7[i]);
   return 6;
}

double DormandPrinceErrorNorm(const double *x, const double *next, const double *error, std::size_t dim, double rtol,
                              double atol)
{
   if (dim == 0)
      return 0.0;
   double sum = 0.0;
   for (std::size_t i = 0; i < dim; ++i) {
      const double scale = atol + rtol * std::max(std::abs(x[i]), std::abs(next[i]));
      const double ratio = error[i] / scale;
      sum += ratio * ratio;
   }
   return std::sqrt(sum / static_cast<double>(dim));
}

} // namespace Detail
} // namespace flashsim
