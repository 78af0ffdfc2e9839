#include "flashsim/VariableTransform.hxx"

#include <cmath>

namespace flashsim {

double WrapPhi(double phi)
{
   const double twoPi = 2.0 * M_PI;
   double wrapped = std::fmod(phi + M_PI, twoPi);
   if (wrapped < 0)
      wrapped += twoPi;
   return wrapped - M_PI;
}

double VariableTransform::Forward(double x, const float *genRow) const
{
   for (const auto &step : fSteps) {
      switch (step.op) {
      case TransformStep::Op::kLog: x = std::log(x + step.a); break;
      case TransformStep::Op::kStandardize: x = (x - step.a) / step.b; break;
      case TransformStep::Op::kRatio: x = x / genRow[step.genIndex]; break;
      case TransformStep::Op::kDifference: x = x - genRow[step.genIndex]; break;
      case TransformStep::Op::kDeltaPhi: x = WrapPhi(x - genRow[step.genIndex]); break;
      }
   }
   return x;
}

double VariableTransform::Inverse(double y, const float *genRow) const
{
   for (auto it = fSteps.rbegin(); it != fSteps.rend(); ++it) {
      const auto &step = *it;
      switch (step.op) {
      case TransformStep::Op::kLog: y = std::exp(y) - step.a; break;
      case TransformStep::Op::kStandardize: y = y * step.b + step.a; break;
      case TransformStep::Op::kRatio: y = y * genRow[step.genIndex]; break;
      case TransformStep::Op::kDifference: y = y + genRow[step.genIndex]; break;
      case TransformStep::Op::kDeltaPhi: y = WrapPhi(y + genRow[step.genIndex]); break;
      }
   }
   return y;
}

} // namespace flashsim
