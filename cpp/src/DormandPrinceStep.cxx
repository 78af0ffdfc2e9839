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
constexpr double a61 = 9017.0 / 3168, a62 = -355.0 / 33, a63 = 46732.0 / 5247, a64 = 49.0 / 176,
                 a65 = -5103.0 / 18656;
// 5th-order weights (also the last row of the tableau: first same as last).
constexpr double b1 = 35.0 / 384, b3 = 500.0 / 1113, b4 = 125.0 / 192, b5 = -2187.0 / 6784, b6 = 11.0 / 84;
// 5th minus embedded 4th-order weights.
constexpr double e1 = 71.0 / 57600, e3 = -71.0 / 16695, e4 = 71.0 / 1920, e5 = -17253.0 / 339200, e6 = 22.0 / 525,
                 e7 = -1.0 / 40;
} // namespace

int DormandPrinceStep(const VelocityField &v, double t, double h, const double *x, std::size_t size,
                      OdeWorkspace &ws)
{
   const double *k1 = ws.k[0].data();
   double *k2 = ws.k[1].data(), *k3 = ws.k[2].data(), *k4 = ws.k[3].data(), *k5 = ws.k[4].data(),
          *k6 = ws.k[5].data(), *k7 = ws.k[6].data();
   double *s = ws.stage.data();
   double *next = ws.next.data();
   double *err = ws.error.data();

   for (std::size_t i = 0; i < size; ++i)
      s[i] = x[i] + h * (a21 * k1[i]);
   v(t + c2 * h, s, k2, size);
   for (std::size_t i = 0; i < size; ++i)
      s[i] = x[i] + h * (a31 * k1[i] + a32 * k2[i]);
   v(t + c3 * h, s, k3, size);
   for (std::size_t i = 0; i < size; ++i)
      s[i] = x[i] + h * (a41 * k1[i] + a42 * k2[i] + a43 * k3[i]);
   v(t + c4 * h, s, k4, size);
   for (std::size_t i = 0; i < size; ++i)
      s[i] = x[i] + h * (a51 * k1[i] + a52 * k2[i] + a53 * k3[i] + a54 * k4[i]);
   v(t + c5 * h, s, k5, size);
   for (std::size_t i = 0; i < size; ++i)
      s[i] = x[i] + h * (a61 * k1[i] + a62 * k2[i] + a63 * k3[i] + a64 * k4[i] + a65 * k5[i]);
   v(t + h, s, k6, size);
   for (std::size_t i = 0; i < size; ++i)
      next[i] = x[i] + h * (b1 * k1[i] + b3 * k3[i] + b4 * k4[i] + b5 * k5[i] + b6 * k6[i]);
   v(t + h, next, k7, size);
   for (std::size_t i = 0; i < size; ++i)
      err[i] = h * (e1 * k1[i] + e3 * k3[i] + e4 * k4[i] + e5 * k5[i] + e6 * k6[i] + e7 * k7[i]);
   return 6;
}

double DormandPrinceErrorNorm(const double *x, const OdeWorkspace &ws, std::size_t size, double rtol, double atol)
{
   if (size == 0)
      return 0.0;
   double sum = 0.0;
   for (std::size_t i = 0; i < size; ++i) {
      const double scale = atol + rtol * std::max(std::abs(x[i]), std::abs(ws.next[i]));
      const double ratio = ws.error[i] / scale;
      sum += ratio * ratio;
   }
   return std::sqrt(sum / static_cast<double>(size));
}

} // namespace Detail
} // namespace flashsim
