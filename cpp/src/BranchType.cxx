#include "flashsim/BranchType.hxx"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>

namespace flashsim {

BranchType ParseBranchType(const std::string &name)
{
   if (name == "Float_t")
      return BranchType::kFloat;
   if (name == "Double_t")
      return BranchType::kDouble;
   if (name == "Int_t")
      return BranchType::kInt;
   if (name == "UInt_t")
      return BranchType::kUInt;
   if (name == "Short_t")
      return BranchType::kShort;
   if (name == "UShort_t")
      return BranchType::kUShort;
   if (name == "UChar_t")
      return BranchType::kUChar;
   if (name == "Char_t")
      return BranchType::kChar;
   if (name == "Bool_t")
      return BranchType::kBool;
   throw std::invalid_argument(
      "unknown branch type '" + name +
      "', expected one of Float_t, Double_t, Int_t, UInt_t, Short_t, UShort_t, UChar_t, Char_t, "
      "Bool_t");
}

std::string BranchTypeName(BranchType type)
{
   switch (type) {
   case BranchType::kFloat:
      return "Float_t";
   case BranchType::kDouble:
      return "Double_t";
   case BranchType::kInt:
      return "Int_t";
   case BranchType::kUInt:
      return "UInt_t";
   case BranchType::kShort:
      return "Short_t";
   case BranchType::kUShort:
      return "UShort_t";
   case BranchType::kUChar:
      return "UChar_t";
   case BranchType::kChar:
      return "Char_t";
   case BranchType::kBool:
      return "Bool_t";
   }
   return "unknown";
}

namespace {
template <typename T>
double RoundInto(double value)
{
   if (std::isnan(value))
      return 0.0;
   const double lo = static_cast<double>(std::numeric_limits<T>::lowest());
   const double hi = static_cast<double>(std::numeric_limits<T>::max());
   return std::clamp(std::nearbyint(value), lo, hi);
}
} // namespace

double ToBranchRange(double value, BranchType type)
{
   switch (type) {
   case BranchType::kFloat:
   case BranchType::kDouble:
      return value;
   case BranchType::kInt:
      return RoundInto<int>(value);
   case BranchType::kUInt:
      return RoundInto<unsigned int>(value);
   case BranchType::kShort:
      return RoundInto<short>(value);
   case BranchType::kUShort:
      return RoundInto<unsigned short>(value);
   case BranchType::kUChar:
      return RoundInto<unsigned char>(value);
   case BranchType::kChar:
      return RoundInto<signed char>(value);
   case BranchType::kBool:
      return std::isnan(value) ? 0.0 : std::clamp(std::nearbyint(value), 0.0, 1.0);
   }
   return value;
}

} // namespace flashsim
