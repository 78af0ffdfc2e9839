#include "flashsim/Detail/RungeKuttaSteps.hxx"

namespace flashsim {
namespace Detail {

int EulerStep(const VelocityField &v, double t, double h, double *x, std::size_t size, OdeWorkspace &ws)
{
   double *k1 = ws.k[0].data();
   v(t, x, k1, size);
   for (std::size_t i = 0; i < size; ++i)
      x[i] += h * k1[i];
   return 1;
}

int MidpointStep(const VelocityField &v, double t, double h, double *x, std::size_t size, OdeWorkspace &ws)
{
   double *k1 = ws.k[0].data();
   double *k2 = ws.k[1].data();
   double *mid = ws.stage.data();
   v(t, x, k1, size);
   for (std::size_t i = 0; i < size; ++i)
      mid[i] = x[i] + 0.5 * h * k1[i];
   v(t + 0.5 * h, mid, k2, size);
   for (std::size_t i = 0; i < size; ++i)
      x[i] += h * k2[i];
   return 2;
}

int RK4Step(const VelocityField &v, double t, double h, double *x, std::size_t size, OdeWorkspace &ws)
{
   double *k1 = ws.k[0].data();
   double *k2 = ws.k[1].data();
   double *k3 = ws.k[2].data();
   double *k4 = ws.k[3].data();
   double *stage = ws.stage.data();
   v(t, x, k1, size);
   for (std::size_t i = 0; i < size; ++i)
      stage[i] = x[i] + 0.5 * h * k1[i];
   v(t + 0.5 * h, stage, k2, size);
   for (std::size_t i = 0; i < size; ++i)
      stage[i] = x[i] + 0.5 * h * k2[i];
   v(t + 0.5 * h, stage, k3, size);
   for (std::size_t i = 0; i < size; ++i)
      stage[i] = x[i] + h * k3[i];
   v(t + h, stage, k4, size);
   for (std::size_t i = 0; i < size; ++i)
      x[i] += h / 6.0 * (k1[i] + 2.0 * k2[i] + 2.0 * k3[i] + k4[i]);
   return 4;
}

} // namespace Detail
} // namespace flashsim
