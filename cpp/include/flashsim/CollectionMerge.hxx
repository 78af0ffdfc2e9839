#ifndef FLASHSIM_COLLECTIONMERGE_HXX
#define FLASHSIM_COLLECTIONMERGE_HXX

// How the sources of a collection become the collection, as the bundle says (sort_by, acceptance,
// sum_to_one, relations, working_points): data of CollectionSpec, applied by Internal::MergeCollection.

#include <vector>

namespace flashsim {

/// A branch fixed beyond an |eta| edge (manifest "acceptance": [{"branch", "value", "abs_above"}]),
/// e.g. a jet's charged energy fractions outside the tracker: value of `branch` set to `value` for
/// the objects with |branch `eta`| > `absAbove` (indices into the collection's branches).
struct AcceptanceRule {
   int branch;
   int eta;
   double absAbove;
   double value;
};

/// A working-point level computed from its score (manifest "working_points": [{"branch", "of",
/// "thresholds", "values"}]), e.g. Tau_idDeepTau2018v2p5VSjet from Tau_rawDeepTau2018v2p5VSjet, Muon_pfIsoId
/// from pfRelIso04_all (values listed downwards): `branch` = values[number of thresholds that `of` exceeds]
/// (indices into the collection's branches).
struct WorkingPointRule {
   int branch;
   int of;
   std::vector<double> thresholds; ///< ascending
   std::vector<double> values;     ///< thresholds.size() + 1 levels
};

/// A branch computed from other branches of the collection (manifest "relations": [{"branch", "op", "of",
/// "errors"}], flashsim.catalogue.relations), e.g. Muon_ip3d = |(dxy, dz)|: kNorm, the norm of `of`;
/// kNormSignificance, the norm over its error propagated from the components' errors,
/// |v|^2 / |(of_i errors_i)| (0 where that is 0), e.g. Muon_sip3d; kScoreShift, a discriminant shifted on the
/// inverse-tanh scale by another branch, tanh(atanh(of[0]) + coefficient of[1]) (of[0] clipped to [-1, 1]),
/// e.g. the reference detector's Electron_mvaIso from mvaNoIso and pfRelIso03_all (indices into the
/// collection's branches).
struct RelationRule {
   enum Op { kNorm, kNormSignificance, kScoreShift } op;
   int branch;
   std::vector<int> of;
   std::vector<int> errors; ///< kNormSignificance: one per component of `of`
   double coefficient = 0;  ///< kScoreShift
};

/// How the sources of a collection become the collection (bundle.json: sort_by, acceptance, sum_to_one,
/// relations, working_points). Relations come before working points: a level may be a threshold on a computed
/// score (Electron_mvaIso_WP80 on mvaIso), while a relation reads only flow targets.
struct CollectionMerge {
   int sortBranch = -1;                         ///< sorted by this branch, descending (-1: not sorted)
   std::vector<AcceptanceRule> acceptance;      ///< then these branches fixed beyond their |eta| edge
   std::vector<std::vector<int>> sumToOne;      ///< then these groups rescaled to sum to 1
   std::vector<RelationRule> relations;         ///< then these branches computed from the others
   std::vector<WorkingPointRule> workingPoints; ///< then these levels set from their scores
};

} // namespace flashsim

#endif
