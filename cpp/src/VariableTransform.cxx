#include "flashsim/VariableTransform.hxx"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace flashsim {

double WrapPhi(double phi)
{
   const double twoPi = 2.0 * M_PI;
   double wrapped = std::fmod(phi + M_PI, twoPi);
   if (wrapped < 0)
      wrapped += twoPi;
   return wrapped - M_PI;
}

VariableTransform::VariableTransform(std::vector<TransformStep> steps) : fSteps(std::move(steps))
{
   for (std::size_t i = 1; i < fSteps.size(); ++i)
      if (fSteps[i].op == TransformStep::Op::kSpike)
         throw std::invalid_argument("a 'spike' step must be the first step of its transform, found at position " +
                                     std::to_string(i));
}

namespace {

double GenFactor(const TransformStep &s, const float *gen)
{
   return std::pow(std::max(gen[s.genIndex] / s.scale, 1e-6), s.power);
}

/// The bin of a value in edges; below the first edge bin 0, above the last the last bin.
std::size_t AxisBin(const std::vector<double> &edges, float value, bool absolute)
{
   const double g = absolute ? std::abs(double(value)) : double(value);
   const auto above = std::upper_bound(edges.begin(), edges.end(), g) - edges.begin();
   return static_cast<std::size_t>(std::clamp<std::ptrdiff_t>(above - 1, 0, std::ptrdiff_t(edges.size()) - 2));
}

/// binned_standardize: the bin of the gen value, or k1 * n2 + k2 over two gen variables.
std::size_t GenBin(const TransformStep &s, const float *gen)
{
   const std::size_t k = AxisBin(s.edges, gen[s.genIndex], s.absGen);
   if (s.edges2.empty())
      return k;
   return k * (s.edges2.size() - 1) + AxisBin(s.edges2, gen[s.genIndex2], s.absGen2);
}

/// Piecewise linear through (from[k], to[k]), constant beyond the ends: NumPy's interp, the same arithmetic.
double Interpolate(const std::vector<double> &from, const std::vector<double> &to, double v)
{
   if (!(v > from.front()))
      return std::isnan(v) ? v : to.front();
   if (!(v < from.back()))
      return to.back();
   const std::size_t k = static_cast<std::size_t>(std::upper_bound(from.begin(), from.end(), v) - from.begin()) - 1;
   const double slope = (to[k + 1] - to[k]) / (from[k + 1] - from[k]);
   return slope * (v - from[k]) + to[k];
}

double ForwardStep(const TransformStep &s, double x, const float *gen)
{
   using Op = TransformStep::Op;
   switch (s.op) {
   case Op::kLog:
      return std::log(x + s.offset);
   case Op::kStandardize:
      return (x - s.mean) / s.std;
   case Op::kRatio:
      return x / gen[s.genIndex];
   case Op::kDifference:
      return x - gen[s.genIndex];
   case Op::kDeltaPhi:
      return WrapPhi(x - gen[s.genIndex]);
   case Op::kGenScale:
      return x * GenFactor(s, gen);
   case Op::kBinnedStandardize: {
      const std::size_t k = GenBin(s, gen);
      return (x - s.locs[k]) / s.scales[k];
   }
   case Op::kLogit: {
      const double u = std::clamp((x - s.lo) / (s.hi - s.lo), s.eps, 1.0 - s.eps);
      return std::log(u / (1.0 - u));
   }
   case Op::kArctan:
      return std::atan(x / s.scale);
   case Op::kAsinh:
      return std::asinh(x / s.scale);
   case Op::kDequantize:
      return x;
   case Op::kClip:
      return std::clamp(x, s.lo, s.hi);
   case Op::kSpike:
      return x;
   case Op::kQuantile:
      return Interpolate(s.knotsX, s.knotsY, x);
   }
   return x;
}

double InverseStep(const TransformStep &s, double y, const float *gen)
{
   using Op = TransformStep::Op;
   switch (s.op) {
   case Op::kLog:
      return std::exp(y) - s.offset;
   case Op::kStandardize:
      return y * s.std + s.mean;
   case Op::kRatio:
      return y * gen[s.genIndex];
   case Op::kDifference:
      return y + gen[s.genIndex];
   case Op::kDeltaPhi:
      return WrapPhi(y + gen[s.genIndex]);
   case Op::kGenScale:
      return y / GenFactor(s, gen);
   case Op::kBinnedStandardize: {
      const std::size_t k = GenBin(s, gen);
      return y * s.scales[k] + s.locs[k];
   }
   case Op::kLogit:
      return s.lo + (s.hi - s.lo) / (1.0 + std::exp(-y));
   case Op::kArctan: {
      const double edge = M_PI / 2 - 1e-9;
      return s.scale * std::tan(std::clamp(y, -edge, edge));
   }
   case Op::kAsinh:
      return s.scale * std::sinh(y);
   case Op::kDequantize:
      return std::nearbyint(y);
   case Op::kClip:
      return std::clamp(y, s.lo, s.hi);
   case Op::kSpike:
      return y;
   case Op::kQuantile:
      return Interpolate(s.knotsY, s.knotsX, y);
   }
   return y;
}

} // namespace

double VariableTransform::Forward(double x, const float *genRow) const
{
   if (!fSteps.empty() && fSteps.front().op == TransformStep::Op::kSpike && x == fSteps.front().value)
      return fSteps.front().loc;
   for (const auto &step : fSteps)
      x = ForwardStep(step, x, genRow);
   return x;
}

double VariableTransform::Inverse(double y, const float *genRow) const
{
   if (!fSteps.empty() && fSteps.front().op == TransformStep::Op::kSpike && y <= fSteps.front().threshold)
      return fSteps.front().value;
   for (auto it = fSteps.rbegin(); it != fSteps.rend(); ++it)
      y = InverseStep(*it, y, genRow);
   return y;
}

} // namespace flashsim
