#include "flashsim/OdeSolver.hxx"

#include "flashsim/Detail/DormandPrinceStep.hxx"
#include "flashsim/Detail/RungeKuttaSteps.hxx"

#include <algorithm>
#include <cmath>
#include <sstream>
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
   if (name == "distilled")
      return OdeMethod::kDistilled;
   throw std::invalid_argument("flashsim: unknown ODE method '" + name +
                               "', expected one of euler, midpoint, rk4, dopri5, distilled");
}

std::string OdeMethodName(OdeMethod method)
{
   switch (method) {
   case OdeMethod::kEuler:
      return "euler";
   case OdeMethod::kMidpoint:
      return "midpoint";
   case OdeMethod::kRK4:
      return "rk4";
   case OdeMethod::kDormandPrince:
      return "dopri5";
   case OdeMethod::kDistilled:
      return "distilled";
   }
   return "unknown";
}

void OdeOptions::Validate() const
{
   // the same checks and messages as python/flashsim/ode/options.py (tests/ode hold them together)
   if (method != OdeMethod::kDormandPrince && !(steps >= 1 && steps <= kMaxSteps))
      throw std::invalid_argument("flashsim: ODE steps must be an integer in [1, " + std::to_string(kMaxSteps) +
                                  "] for " + OdeMethodName(method) + ", got " + std::to_string(steps));
   if (method == OdeMethod::kDormandPrince && !(rtol > 0.0 && atol > 0.0)) {
      std::ostringstream what; // %g, as Python's f"{rtol:g}"
      what << "flashsim: dopri5 needs rtol > 0 and atol > 0, got rtol=" << rtol << " atol=" << atol;
      throw std::invalid_argument(what.str());
   }
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

// Per-row Dormand-Prince: every row has its own t, h, accept/reject and FSAL derivative; the
// active rows are gathered into ws.x / ws.k[0] for each step and the finished ones dropped.
OdeResult IntegrateDormandPrince(const VelocityField &v, double *x, std::size_t rows, std::size_t dim, double t0,
                                 double t1, const OdeOptions &o, Detail::OdeWorkspace &ws)
{
   const std::size_t size = rows * dim;
   OdeResult result;
   ws.fsal.resize(size);
   ws.x.resize(size);
   ws.rowT.assign(rows, t0);
   ws.rowH.resize(rows);
   ws.accepted.assign(rows, 0);
   ws.rejected.assign(rows, 0);
   ws.evaluations.assign(rows, 2);
   ws.lastRejected.assign(rows, 0);

   // v(t0, x) of every row, then the initial step of Hairer, Norsett & Wanner (II.4), per row
   std::fill(ws.t.begin(), ws.t.begin() + rows, t0);
   v(ws.t.data(), x, ws.fsal.data(), rows, nullptr);
   std::vector<double> &scale = ws.error; // free until the first step
   std::vector<double> &h0 = ws.h;
   for (std::size_t r = 0; r < rows; ++r) {
      const std::size_t at = r * dim;
      for (std::size_t i = at; i < at + dim; ++i)
         scale[i] = o.atol + o.rtol * std::abs(x[i]);
      const double d0 = Rms(x + at, scale.data() + at, dim);
      const double d1 = Rms(ws.fsal.data() + at, scale.data() + at, dim);
      h0[r] = (d0 < 1e-5 || d1 < 1e-5) ? 1e-6 : 0.01 * d0 / d1;
      for (std::size_t i = at; i < at + dim; ++i)
         ws.stage[i] = x[i] + h0[r] * ws.fsal[i];
      ws.tStage[r] = t0 + h0[r];
   }
   v(ws.tStage.data(), ws.stage.data(), ws.k[1].data(), rows, nullptr);
   result.nfe = 2;
   for (std::size_t r = 0; r < rows; ++r) {
      const std::size_t at = r * dim;
      for (std::size_t i = at; i < at + dim; ++i)
         ws.next[i] = ws.k[1][i] - ws.fsal[i];
      const double d1 = Rms(ws.fsal.data() + at, scale.data() + at, dim);
      const double d2 = Rms(ws.next.data() + at, scale.data() + at, dim) / h0[r];
      const double dmax = std::max(d1, d2);
      const double h1 = dmax <= 1e-15 ? std::max(1e-6, h0[r] * 1e-3) : std::pow(0.01 / dmax, 1.0 / 5.0);
      ws.rowH[r] = std::min(100.0 * h0[r], h1);
   }

   auto &active = ws.active;
   active.resize(rows);
   for (std::size_t r = 0; r < rows; ++r)
      active[r] = r;
   std::vector<char> &last = ws.lastStep;
   while (!active.empty()) {
      const std::size_t m = active.size();
      last.assign(m, 0);
      for (std::size_t q = 0; q < m; ++q) { // gather the active rows
         const std::size_t r = active[q];
         if (ws.accepted[r] + ws.rejected[r] >= o.maxSteps) {
            std::ostringstream what;
            what << "flashsim: dopri5 needed more than " << o.maxSteps << " steps for row " << r << " (rtol=" << o.rtol
                 << ", atol=" << o.atol << "); loosen the tolerances or raise maxSteps";
            throw OdeStepLimitError(what.str(), r);
         }
         last[q] = ws.rowT[r] + ws.rowH[r] >= t1;
         if (last[q])
            ws.rowH[r] = t1 - ws.rowT[r];
         ws.t[q] = ws.rowT[r];
         ws.h[q] = ws.rowH[r];
         std::copy_n(x + r * dim, dim, ws.x.data() + q * dim);
         std::copy_n(ws.fsal.data() + r * dim, dim, ws.k[0].data() + q * dim);
      }
      result.nfe += Detail::DormandPrinceStep(v, ws.t.data(), ws.h.data(), ws.x.data(), m, dim,
                                              m == rows ? nullptr : active.data(), ws);
      std::size_t kept = 0;
      for (std::size_t q = 0; q < m; ++q) {
         const std::size_t r = active[q];
         ws.evaluations[r] += 6;
         const std::size_t at = q * dim;
         const double err = Detail::DormandPrinceErrorNorm(ws.x.data() + at, ws.next.data() + at, ws.error.data() + at,
                                                           dim, o.rtol, o.atol);
         bool finished = false;
         if (err <= 1.0) {
            std::copy_n(ws.next.data() + at, dim, x + r * dim);
            std::copy_n(ws.k[6].data() + at, dim, ws.fsal.data() + r * dim);
            ws.rowT[r] = last[q] ? t1 : ws.rowT[r] + ws.rowH[r];
            ++ws.accepted[r];
            double factor = err == 0.0 ? 10.0 : std::clamp(0.9 * std::pow(err, -0.2), 0.2, 10.0);
            if (ws.lastRejected[r])
               factor = std::min(1.0, factor);
            ws.rowH[r] *= factor;
            ws.lastRejected[r] = 0;
            finished = !(ws.rowT[r] < t1);
         } else {
            ++ws.rejected[r];
            ws.rowH[r] *= std::max(0.2, 0.9 * std::pow(err, -0.2));
            ws.lastRejected[r] = 1;
         }
         if (!finished)
            active[kept++] = r;
      }
      active.resize(kept);
   }
   result.rows = static_cast<long long>(rows);
   for (std::size_t r = 0; r < rows; ++r) {
      result.rowEvaluations += ws.evaluations[r];
      result.maxRowEvaluations = std::max(result.maxRowEvaluations, ws.evaluations[r]);
      result.acceptedSteps = std::max(result.acceptedSteps, ws.accepted[r]);
      result.rejectedSteps = std::max(result.rejectedSteps, ws.rejected[r]);
   }
   return result;
}

} // namespace

OdeResult Integrate(const VelocityField &v, double *x, std::size_t rows, std::size_t dim, double t0, double t1,
                    const OdeOptions &options, Detail::OdeWorkspace &ws)
{
   options.Validate();
   if (!(t1 > t0))
      throw std::invalid_argument("flashsim: ODE interval must have t1 > t0, got t0=" + std::to_string(t0) +
                                  " t1=" + std::to_string(t1));
   OdeResult result;
   if (rows == 0 || dim == 0)
      return result;
   ws.Resize(rows, dim);
   if (options.method == OdeMethod::kDormandPrince)
      return IntegrateDormandPrince(v, x, rows, dim, t0, t1, options, ws);

   const double h = (t1 - t0) / options.steps;
   for (int step = 0; step < options.steps; ++step) {
      const double t = t0 + step * h;
      switch (options.method) {
      case OdeMethod::kEuler:
      case OdeMethod::kDistilled: // the student's steps are Euler steps
         result.nfe += Detail::EulerStep(v, t, h, x, rows, dim, ws);
         break;
      case OdeMethod::kMidpoint:
         result.nfe += Detail::MidpointStep(v, t, h, x, rows, dim, ws);
         break;
      case OdeMethod::kRK4:
         result.nfe += Detail::RK4Step(v, t, h, x, rows, dim, ws);
         break;
      case OdeMethod::kDormandPrince:
         break;
      }
      ++result.acceptedSteps;
   }
   result.rows = static_cast<long long>(rows);
   result.rowEvaluations = static_cast<long long>(rows) * result.nfe;
   result.maxRowEvaluations = result.nfe;
   return result;
}

OdeResult Integrate(const VelocityField &v, double *x, std::size_t rows, std::size_t dim, double t0, double t1,
                    const OdeOptions &options)
{
   Detail::OdeWorkspace workspace;
   return Integrate(v, x, rows, dim, t0, t1, options, workspace);
}

} // namespace flashsim
