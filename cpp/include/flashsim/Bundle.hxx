#ifndef FLASHSIM_BUNDLE_HXX
#define FLASHSIM_BUNDLE_HXX

// The model bundle: a directory with bundle.json and one ONNX file per network (DESIGN.md,
// "The model bundle"). Read once, checked completely here, so that nothing is found wrong
// inside the event loop.

#include "flashsim/BundleOperations.hxx"
#include "flashsim/CollectionSpec.hxx"
#include "flashsim/OdeOptions.hxx"
#include "flashsim/SourceSpec.hxx"

#include <string>
#include <utility>
#include <vector>

namespace flashsim {

class Bundle {
public:
   /// 2: derived columns, cross-references and selections are data (BundleOperations.hxx);
   /// 1: they were free C++ text, read only with `allowCode`.
   static constexpr int kFormatVersion = 2;

   /// Reads <directory>/bundle.json; throws BundleError naming the file and the key. `allowCode`:
   /// also read a format-1 manifest whose derived, postprocess or select entries are C++ text,
   /// which cling compiles and runs when the simulation is built (a decision to trust its author).
   explicit Bundle(const std::string &directory, bool allowCode = false);

   const std::string &Directory() const { return fDirectory; }
   const std::string &Name() const { return fName; }
   const OdeOptions &Ode() const { return fOde; }
   const std::vector<CollectionSpec> &Collections() const { return fCollections; }
   const CollectionSpec &Collection(const std::string &name) const;
   /// Columns to define before the simulation (derived conditioning), in order.
   const std::vector<DefinedColumn> &Derived() const { return fDerived; }
   /// Columns to define after it (cross-references between simulated collections), in order.
   const std::vector<DefinedColumn> &Postprocess() const { return fPostprocess; }

private:
   std::string fDirectory;
   std::string fName;
   OdeOptions fOde;
   std::vector<CollectionSpec> fCollections;
   std::vector<DefinedColumn> fDerived;
   std::vector<DefinedColumn> fPostprocess;
};

} // namespace flashsim

#endif
