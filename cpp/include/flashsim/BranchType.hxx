#ifndef FLASHSIM_BRANCHTYPE_HXX
#define FLASHSIM_BRANCHTYPE_HXX

#include <string>

namespace flashsim {

/// NanoAOD storage types of output branches.
enum class BranchType { kFloat, kDouble, kInt, kUInt, kShort, kUShort, kUChar, kChar, kBool };

BranchType ParseBranchType(const std::string &name); ///< "Float_t", "Int_t", "Short_t", ...
std::string BranchTypeName(BranchType type);
/// Rounds and clamps a network output to what `type` can hold (integers to the nearest value).
double ToBranchRange(double value, BranchType type);

} // namespace flashsim

#endif
