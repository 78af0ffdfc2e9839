#ifndef FLASHSIM_COLLECTIONSPEC_HXX
#define FLASHSIM_COLLECTIONSPEC_HXX

// One reco collection of a bundle: its sources and how they are merged (sorted, acceptance rules,
// groups rescaled to sum to 1).

#include "flashsim/BranchType.hxx"
#include "flashsim/CollectionMerge.hxx"
#include "flashsim/SourceSpec.hxx"

#include <string>
#include <utility>
#include <vector>

namespace flashsim {

struct CollectionSpec {
   std::string name;        ///< e.g. "Jet"
   std::string sortBy;      ///< branch the collection is sorted by (descending), e.g. "pt"
   std::string indexBranch; ///< index branch of its matched sources (empty if none)
   bool event = false;      ///< one kEvent source: scalar branches MET_pt, ... and no counter
   std::vector<SourceSpec> sources;
   /// how the sources are merged, in indices into Branches(): the sort_by branch, the acceptance
   /// rules (manifest "acceptance"), the groups rescaled to sum to 1 per object, e.g. the jet energy
   /// fractions (manifest "sum_to_one": [["chHEF", "neHEF", ...]])
   CollectionMerge merge;
   /// collections simulated before this one whose branches its sources read, directly or through derived
   /// columns (Tau <- Jet reads Jet_pt; MET from the simulated jets): found at load (Detail/BuildOrder.hxx),
   /// which refuses a bundle that lists a collection before what it is built from
   std::vector<std::string> builtFrom;
   /// 0 when built from gen columns only, else one more than the highest stage it is built from: the
   /// cross-event mode simulates the stages one after the other
   int stage = 0;

   /// Output branches without the prefix, in value order: every source's targets, labels, then copies.
   std::vector<std::pair<std::string, BranchType>> Branches() const;
   /// The columns the simulation writes: n<name> (not for event-level collections), <name>_<branch> for every
   /// branch, <name>_<indexBranch>.
   std::vector<std::string> Outputs() const;
};

} // namespace flashsim

#endif
