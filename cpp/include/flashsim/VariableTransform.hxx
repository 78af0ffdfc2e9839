#ifndef FLASHSIM_VARIABLETRANSFORM_HXX
#define FLASHSIM_VARIABLETRANSFORM_HXX

#include <string>
#include <vector>

namespace flashsim {

/// One step of a variable's preprocessing, as written in bundle.json ("transform": [...]).
/// Steps are listed in the training direction (physical -> network); conditioning variables
/// apply them forward, targets apply them backwards. Ops:
///   {"op": "log", "offset": c}                y = log(x + c)
///   {"op": "standardize", "mean": m, "std": s} y = (x - m) / s
///   {"op": "ratio", "gen": "GenJet_pt"}        y = x / gen           (pt, mass learnt relative to gen)
///   {"op": "difference", "gen": "GenJet_eta"}  y = x - gen
///   {"op": "delta_phi", "gen": "GenJet_phi"}   y = wrap(x - gen)     (inverse wrapped to [-pi, pi))
struct TransformStep {
   enum class Op { kLog, kStandardize, kRatio, kDifference, kDeltaPhi };
   Op op = Op::kStandardize;
   double a = 0.0;         ///< log: offset; standardize: mean
   double b = 1.0;         ///< standardize: std
   std::string gen;        ///< ratio/difference/delta_phi: the gen column it refers to
   int genIndex = -1;      ///< position of `gen` in the source's gen columns
};

/// A variable's chain of steps: forward for conditioning, inverse for targets.
class VariableTransform {
public:
   VariableTransform() = default;
   explicit VariableTransform(std::vector<TransformStep> steps) : fSteps(std::move(steps)) {}

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
