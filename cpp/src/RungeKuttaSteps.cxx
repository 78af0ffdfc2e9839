#include "flashsim/Detail/RungeKuttaSteps.hxx"

#include <algorithm>

namespace flashsim {
namespace Detail {

namespace {
// v at time `time` for every row
void Evaluate(const VelocityField &v, double time, const double *x, double *dxdt, std::size_t rows, OdeWorkspace &ws)
{
   std::fill(ws.t.begin(), ws.t.begin() + rows, time);
   v(ws.t.data(), x, dxdt, rows, nullptr);
}
} // namespace

int EulerStep(const VelocityField &v, double t, double h, double *x, std::size_t rows, std::size_t dim,
              OdeWorkspace &ws)
{
   const std::size_t size = rows * dim;
   double *k1 = ws.k[0].data();
   Evaluate(v, t, x, k1, rows, ws);
   for (std::size_t i = 0; i < size; ++i)
      x[i] += h * k1[i];
   return 1;
}

int MidpointStep(const VelocityField &v, double t, double h, double *x, std::size_t rows, std::size_t dim,
                 OdeWorkspace &ws)
{
   const std::size_t size = rows * dim;
   double *k1 = ws.k[0].data();
   double *k2 = ws.k[1].data();
   double *mid = ws.stage.data();
   Evaluate(v, t, x, k1, rows, ws);
   for (std::size_t i = 0; i < size; ++i)
      mid[i] = x[i] + 0.5 * h * k1[i];
   Evaluate(v, t + 0.5 * h, mid, k2, rows, ws);
   for (std::size_t i = 0; i < size; ++i)
      x[i] += h * k2[i];
   return 2;
}

int RK4Step(const VelocityField &v, double t, double h, double *x, std::size_t rows, std::size_t dim, OdeWorkspace &ws)
{
   const std::size_t size = rows * dim;
   double *k1 = ws.k[0].data();
   double *k2 = ws.k[1].data();
   double *k3 = ws.k[2].data();
   double *k4 = ws.k[3].data();
   double *stage = ws.stage.data();
   Evaluate(v, t, x, k1, rows, ws);
   for (std::size_t i = 0; i < size; ++i)
      stage[i] = x[i] + 0.5 * h * k1[i];
   Evaluate(v, t + 0.5 * h, stage, k2, rows, ws);
   for (std::size_t i = 0; i < size; ++i)
      stage[i] = x[i] + 0.5 * h * k2[i];
   Evaluate(v, t + 0.5 * h, stage, k3, rows, ws);
   for (std::size_t i = 0; i < size; ++i)
      stage[i] = x[i] + h * k3[i];
   Evaluate(v, t + h, stage, k4, rows, ws);
   for (std::size_t i = 0; i < size; ++i)
      x[i] += h / 6.0 * (k1[i] + 2.0 * k2[i] + 2.0 * k3[i] + k4[i]);
   return 4;
}

} // namespace Detail
} // namespace flashsim
