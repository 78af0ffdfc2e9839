#ifndef FLASHSIM_BUNDLE_HXX
#define FLASHSIM_BUNDLE_HXX

// The model bundle: a directory with bundle.json and one ONNX file per network (DESIGN.md,
// "The model bundle"). Read once, checked completely here, so that nothing is found wrong
// inside the event loop.

#include "flashsim/BranchType.hxx"
#include "flashsim/OdeOptions.hxx"
#include "flashsim/VariableTransform.hxx"

#include <string>
#include <vector>

namespace flashsim {

struct ConditioningVariable {
   std::string name;   ///< e.g. "log_pt"
   std::string input;  ///< the gen column it is computed from
   int inputIndex = -1;
   VariableTransform transform;
};

struct TargetVariable {
   std::string branch; ///< NanoAOD branch without the collection prefix, e.g. "pt" -> Jet_pt
   BranchType type = BranchType::kFloat;
   VariableTransform transform;
};

/// One source of a reco collection, e.g. Jet <- GenJet.
struct SourceSpec {
   std::string name;               ///< e.g. "GenJet"
   std::string genCollection;      ///< gen collection the objects come from, e.g. "GenJet"
   std::string indexBranch;        ///< e.g. "genJetIdx" -> Jet_genJetIdx (index into genCollection)
   std::vector<std::string> genColumns; ///< raw gen columns read per object, e.g. GenJet_pt
   std::vector<ConditioningVariable> conditioning;
   std::vector<TargetVariable> targets;
   std::string efficiencyModel;    ///< absolute path of the efficiency ONNX file
   std::string velocityFieldModel; ///< absolute path of the velocity-field ONNX file
};

struct CollectionSpec {
   std::string name;   ///< e.g. "Jet"
   std::string sortBy; ///< target branch the collection is sorted by (descending), e.g. "pt"
   std::vector<SourceSpec> sources;
};

class Bundle {
public:
   static constexpr int kFormatVersion = 1;

   /// Reads <directory>/bundle.json; throws std::invalid_argument naming the file and the key.
   explicit Bundle(const std::string &directory);

   const std::string &Directory() const { return fDirectory; }
   const std::string &Name() const { return fName; }
   const OdeOptions &Ode() const { return fOde; }
   const std::vector<CollectionSpec> &Collections() const { return fCollections; }
   const CollectionSpec &Collection(const std::string &name) const;

private:
   std::string fDirectory;
   std::string fName;
   OdeOptions fOde;
   std::vector<CollectionSpec> fCollections;
};

} // namespace flashsim

#endif
