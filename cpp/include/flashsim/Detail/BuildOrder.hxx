#ifndef FLASHSIM_DETAIL_BUILDORDER_HXX
#define FLASHSIM_DETAIL_BUILDORDER_HXX

// Objects built from other simulated objects (Tau <- Jet, MET from the simulated jets): which collections
// each collection and derived column reads, found from the columns they read when the bundle is loaded.

#include "flashsim/BundleOperations.hxx"
#include "flashsim/CollectionSpec.hxx"

#include <string>
#include <vector>

namespace flashsim {
namespace Detail {

/// Fills `builtFrom` of every derived column and collection: the collections whose branches (CollectionSpec::
/// Outputs) it reads, directly or through derived columns. A collection must come after everything it is built
/// from: otherwise throws std::invalid_argument whose message starts with "collections[<i>]" and says which
/// column of which source needs which collection.
void ResolveBuildOrder(std::vector<CollectionSpec> &collections, std::vector<DefinedColumn> &derived);

} // namespace Detail
} // namespace flashsim

#endif
