#ifndef FLASHSIM_VARIABLETRANSFORM_HXX
#define FLASHSIM_VARIABLETRANSFORM_HXX

#include <string>
#include <vector>

namespace flashsim {

/// One step of a variable's preprocessing, as written in bundle.json ("transform": [...]).
/// Steps are listed in the training direction (physical -> network); conditioning variables
/// apply them forward, targets apply them backwards. The Python twin, with the fitting and the
/// training-time noise, is flashsim.transforms; docs/bundle.md lists the ops and parameters.
struct TransformStep {
   enum class Op {
      kLog,               ///< y = log(x + offset)
      kStandardize,       ///< y = (x - mean) / std
      kRatio,             ///< y = x / gen                  (pt, mass learnt relative to gen)
      kDifference,        ///< y = x - gen
      kDeltaPhi,          ///< y = wrap(x - gen); inverse wrapped to [-pi, pi)
      kGenScale,          ///< y = x * max(gen / scale, 1e-6)^power (a spread that shrinks with gen pt, made even)
      kBinnedStandardize, ///< y = (x - loc[k]) / scale[k], k = bin of gen (|gen| with abs) in edges, end bins
                          ///< outside; with gen2, k = k1 * n2 + k2 over the two variables' bins
      kLogit,             ///< u = (x - lo) / (hi - lo) in [eps, 1 - eps], y = log(u / (1 - u))
      kArctan,            ///< y = atan(x / scale)        (heavy tails, bounded image)
      kAsinh,             ///< y = asinh(x / scale)       (heavy tails on both sides)
      kDequantize,        ///< integers: training adds U(-0.5, 0.5); inverse rounds
      kClip,              ///< clamp to [lo, hi] both ways
      kSpike, ///< first step only: x == value <-> y at loc (training: N(loc, width)); inverse y <= threshold -> value
      kQuantile, ///< piecewise linear through knots x[k] -> y[k] (both increasing; the training values' quantiles to
                 ///< normal scores), constant beyond the end knots; inverse through y[k] -> x[k]
   };
   Op op = Op::kStandardize;
   double offset = 0.0;
   double mean = 0.0, std = 1.0;
   double lo = 0.0, hi = 1.0, eps = 1e-6;
   double scale = 1.0;
   double power = 0.0;
   double value = 0.0, loc = 0.0, width = 0.0, threshold = 0.0;
   bool absGen = false;                     ///< binned_standardize: bins of |gen|
   std::vector<double> edges, locs, scales; ///< binned_standardize: n + 1 edges, n locs and scales (n1 * n2 with gen2)
   std::vector<double> knotsX, knotsY;      ///< quantile: the knots, both strictly increasing, the same number
   std::string gen;            ///< ratio/difference/delta_phi/gen_scale/binned_standardize: the gen column it refers to
   int genIndex = -1;          ///< position of `gen` in the source's gen columns
   std::string gen2;           ///< binned_standardize over two gen variables: the second one (empty: one)
   int genIndex2 = -1;         ///< position of `gen2` in the source's gen columns
   bool absGen2 = false;       ///< bins of |gen2|
   std::vector<double> edges2; ///< n2 + 1 edges of gen2
};

/// A variable's chain of steps: forward for conditioning, inverse for targets.
class VariableTransform {
public:
   VariableTransform() = default;
   /// Throws std::invalid_argument when a spike step is not the first one.
   explicit VariableTransform(std::vector<TransformStep> steps);

   /// genRow: the object's raw gen values, in the order of the source's gen columns.
   double Forward(double x, const float *genRow) const;
   double Inverse(double y, const float *genRow) const;
   const std::vector<TransformStep> &Steps() const { return fSteps; }

private:
   std::vector<TransformStep> fSteps;
};

/// Wraps an angle to [-pi, pi).
double WrapPhi(double phi);

} // namespace flashsim

#endif
