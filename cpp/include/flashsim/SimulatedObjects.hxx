#ifndef FLASHSIM_SIMULATEDOBJECTS_HXX
#define FLASHSIM_SIMULATEDOBJECTS_HXX

#include "flashsim/CollectionMerge.hxx"
#include "flashsim/OdeOptions.hxx"

#include <cstddef>
#include <vector>

namespace flashsim {
namespace Internal {

// Plumbing of the simulation (not for users): the objects of one event and source, and their merge.

/// The reco objects of one event and source (or of a whole collection, once its sources are
/// merged): computed once per event, then split into branches.
struct SimulatedObjects {
   std::size_t size = 0;       ///< number of reco objects
   std::size_t nBranches = 0;  ///< number of output branches (targets, then copies)
   std::vector<double> values; ///< [nBranches][size]: branch j of object k at values[j * size + k]
   std::vector<int> genIndex;  ///< [size]: index of the gen object each came from, -1 if none
   OdeResult ode;              ///< cost of the integration (nfe)
   std::size_t skippedGen = 0; ///< gen objects left out for non-finite or unphysical values (--bad-gen skip)

   const double *Column(std::size_t branch) const { return values.data() + branch * size; }
};

/// Concatenates the objects of several sources and sorts them by branch `sortBranch`
/// (descending, ties in source order; no sorting if sortBranch < 0), into `out`.
void MergeSorted(const std::vector<const SimulatedObjects *> &parts, int sortBranch, SimulatedObjects &out);

/// Rescales, per object, each group of branches (indices) to sum to 1 (objects whose group sums to
/// 0 or less are left as they are): fractions that the flow draws one by one, such as the jet energy
/// fractions, sum to 1 in NanoAOD.
void RescaleToSumOne(SimulatedObjects &objects, const std::vector<std::vector<int>> &groups);

/// Sets, per rule, the branch to its value for the objects beyond the rule's |eta| edge (the
/// detector acceptance of flashsim.catalogue.acceptance; CollectionMerge::acceptance).
void ApplyAcceptance(SimulatedObjects &objects, const std::vector<AcceptanceRule> &rules);

/// Sets, per rule, the working-point level from its score: values[number of thresholds passed]
/// (flashsim.catalogue.working_points finds the thresholds in the training values; CollectionMerge::workingPoints).
void ApplyWorkingPoints(SimulatedObjects &objects, const std::vector<WorkingPointRule> &rules);

/// Sets, per rule, the branch computed from the simulated values of the others, in double: the norm of
/// `of`, that norm over its propagated error, or a score shifted on the inverse-tanh scale
/// (flashsim.catalogue.relations; CollectionMerge::relations).
void ApplyRelations(SimulatedObjects &objects, const std::vector<RelationRule> &rules);

/// The sources' objects of one event merged into `out` as `merge` says: MergeSorted, ApplyAcceptance,
/// RescaleToSumOne, ApplyRelations, ApplyWorkingPoints. The one place both the per-event graph and the cross-event batch merge.
void MergeCollection(const std::vector<const SimulatedObjects *> &parts, const CollectionMerge &merge,
                     SimulatedObjects &out);

} // namespace Internal
} // namespace flashsim

#endif
