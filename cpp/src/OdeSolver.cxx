#include "flashsim/OdeSolver.hxx"

#include "flashsim/Detail/DormandPrinceStep.hxx"
#include "flashsim/Detail/RungeKuttaSteps.hxx"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

namespace flashsim {

OdeMethod ParseOdeMethod(const std::string &name)
{
   if (name == "euler")
      return OdeMethod::kEuler;
   if (name == "midpoint")
      return OdeMethod::kMidpoint;
   if (name == "rk4")
      return OdeMethod::kRK4;
   if (name == "dopri5")
      return OdeMethod::kDormandPrince;
   throw std::invalid_argument("flashsim: unknown ODE method '" + name +
                               "', expected one of euler, midpoint, rk4, dopri5");
}

std::string OdeMethodName(OdeMethod method)
{
   switch (method) {
   case OdeMethod::kEuler: return "euler";
   case OdeMethod::kMidpoint: return "midpoint";
   case OdeMethod::kRK4: return "rk4";
   case OdeMethod::kDormandPrince: return "dopri5";
   }
   return "unknown";
}

void OdeOptions::Validate() const
{
   if (method != OdeMethod::kDormandPrince && steps < 1)
      throw std::invalid_argument("flashsim: ODE steps must be >= 1 for " + OdeMethodName(method) + ", got " +
                                  std::to_string(steps));
   if (method == OdeMethod::kDormandPrince && !(rtol > 0.0 && atol > 0.0))
      throw std::invalid_argument("flashsim: dopri5 needs rtol > 0 and atol > 0, got rtol=" + std::to_string(rtol) +
                                  " atol=" + std::to_string(atol));
   if (maxSteps < 1)
      throw std::invalid_argument("flashsim: ODE maxSteps must be >= 1, got " + std::to_string(maxSteps));
}

namespace {

double Rms(const double *a, const double *scale, std::size_t size)
{
   double sum = 0.0;
   for (std::size_t i = 0; i < size; ++i) {
      const double r = a[i] / scale[i];
      sum += r * r;
   }
   return std::sqrt(sum / static_cast<double>(size));
}

// Initial step of Hairer, Norsett & Wanner (II.4): one extra evaluation. Expects ws.k[0] = v(t0, x).
double InitialStep(const VelocityField &v, double t0, const double *x, std::size_t size, const OdeOptions &o,
                   Detail::OdeWorkspace &ws, int &nfe)
{
   std::vector<double> &scale = ws.error; // free until the first step
   for (std::size_t i = 0; i < size; ++i)
      scale[i] = o.atol + o.rtol * std::abs(x[i]);
   const double d0 = Rms(x, scale.data(), size);
   const double d1 = Rms(ws.k[0].data(), scale.data(), size);
   const double h0 = (d0 < 1e-5 || d1 < 1e-5) ? 1e-6 : 0.01 * d0 / d1;
   for (std::size_t i = 0; i < size; ++i)
      ws.stage[i] = x[i] + h0 * ws.k[0][i];
   v(t0 + h0, ws.stage.data(), ws.k[1].data(), size);
   ++nfe;
   for (std::size_t i = 0; i < size; ++i)
      ws.next[i] = ws.k[1][i] - ws.k[0][i];
   const double d2 = Rms(ws.next.data(), scale.data(), size) / h0;
   const double dmax = std::max(d1, d2);
   const double h1 = dmax <= 1e-15 ? std::max(1e-6, h0 * 1e-3) : std::pow(0.01 / dmax, 1.0 / 5.0);
   return std::min(100.0 * h0, h1);
}

OdeResult IntegrateDormandPrince(const VelocityField &v, double *x, std::size_t size, double t0, double t1,
                                 const OdeOptions &o, Detail::OdeWorkspace &ws)
{
   OdeResult result;
   v(t0, x, ws.k[0].data(), size);
   result.nfe = 1;
   double h = InitialStep(v, t0, x, size, o, ws, result.nfe);
   double t = t0;
   bool lastRejected = false;
   while (t < t1) {
      if (result.acceptedSteps + result.rejectedSteps >= o.maxSteps)
         throw std::runtime_error("flashsim: dopri5 needed more than " + std::to_string(o.maxSteps) +
                                  " steps (rtol=" + std::to_string(o.rtol) + ", atol=" + std::to_string(o.atol) +
                                  "); loosen the tolerances or raise maxSteps");
      const bool last = t + h >= t1;
      if (last)
         h = t1 - t;
      result.nfe += Detail::DormandPrinceStep(v, t, h, x, size, ws);
      const double err = Detail::DormandPrinceErrorNorm(x, ws, size, o.rtol, o.atol);
      if (err <= 1.0) {
         std::copy(ws.next.begin(), ws.next.begin() + size, x);
         std::swap(ws.k[0], ws.k[6]);
         t = last ? t1 : t + h;
         ++result.acceptedSteps;
         double factor = err == 0.0 ? 10.0 : std::clamp(0.9 * std::pow(err, -0.2), 0.2, 10.0);
         if (lastRejected)
            factor = std::min(1.0, factor);
         h *= factor;
         lastRejected = false;
      } else {
         ++result.rejectedSteps;
         h *= std::max(0.2, 0.9 * std::pow(err, -0.2));
         lastRejected = true;
      }
   }
   return result;
}

} // namespace

OdeResult Integrate(const VelocityField &v, double *x, std::size_t size, double t0, double t1,
                    const OdeOptions &options, Detail::OdeWorkspace &ws)
{
   options.Validate();
   if (!(t1 > t0))
      throw std::invalid_argument("flashsim: ODE interval must have t1 > t0, got t0=" + std::to_string(t0) +
                                  " t1=" + std::to_string(t1));
   OdeResult result;
   if (size == 0)
      return result;
   ws.Resize(size);
   if (options.method == OdeMethod::kDormandPrince)
      return IntegrateDormandPrince(v, x, size, t0, t1, options, ws);

   const double h = (t1 - t0) / options.steps;
   for (int step = 0; step < options.steps; ++step) {
      const double t = t0 + step * h;
      switch (options.method) {
      case OdeMethod::kEuler: result.nfe += Detail::EulerStep(v, t, h, x, size, ws); break;
      case OdeMethod::kMidpoint: result.nfe += Detail::MidpointStep(v, t, h, x, size, ws); break;
      case OdeMethod::kRK4: result.nfe += Detail::RK4Step(v, t, h, x, size, ws); break;
      case OdeMethod::kDormandPrince: break;
      }
      ++result.acceptedSteps;
   }
   return result;
}

OdeResult Integrate(const VelocityField &v, double *x, std::size_t size, double t0, double t1,
                    const OdeOptions &options)
{
   Detail::OdeWorkspace workspace;
   return Integrate(v, x, size, t0, t1, options, workspace);
}

} // namespace flashsim
