#ifndef FLASHSIM_BUNDLE_HXX
#define FLASHSIM_BUNDLE_HXX

// The model bundle: a directory with bundle.json and one ONNX file per network (DESIGN.md,
// "The model bundle"). Read once, checked completely here, so that nothing is found wrong
// inside the event loop.

#include "flashsim/BranchType.hxx"
#include "flashsim/OdeOptions.hxx"
#include "flashsim/SimulatedObjects.hxx"
#include "flashsim/VariableTransform.hxx"

#include <string>
#include <utility>
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

/// A reco branch copied from a gen column instead of being generated, e.g. Jet_hadronFlavour
/// from GenJet_hadronFlavour (NanoAOD defines it so); sources without a gen object write `fallback`.
struct CopiedBranch {
   std::string branch;
   BranchType type = BranchType::kFloat;
   std::string gen; ///< empty: always `fallback`
   int genIndex = -1;
   double fallback = 0.0;
};

/// Discrete branches (flags, working points, small enumerations) drawn together from one
/// categorical distribution after the flow: a classifier reads the flow's output x [n, d] (the
/// transformed continuous targets) and the conditioning, and returns the logit of every row of
/// `values`, the joint configurations seen in training. Sharp rules such as
/// "WP80 = mvaID > t" are then learnt as such instead of being smeared by a dequantised flow.
struct LabelHead {
   std::vector<std::pair<std::string, BranchType>> branches; ///< e.g. ("looseId", Bool_t)
   std::vector<double> values; ///< [classes, branches] row-major: class k sets branch j to values[k * nb + j]
   std::string model;          ///< absolute path of the classifier ONNX file; empty when there is one class
   std::size_t Classes() const { return branches.empty() ? 0 : values.size() / branches.size(); }
};

/// How the objects of a source come about.
enum class SourceKind {
   kMatched,   ///< one candidate per gen object; the reco object points back to it (index branch)
   kUnmatched, ///< one candidate per gen object (e.g. a fake muon from a GenJet); index branch -1
   kSlots,     ///< no gen object: `slots` candidates per event (e.g. pileup jets) from event-level
               ///< conditioning; one uniform per event, slot k kept if u < p_k (a survival function)
   kEvent,     ///< exactly one object per event (MET, event scalars): scalar branches, no efficiency
};
SourceKind ParseSourceKind(const std::string &name);

/// One source of a reco collection, e.g. Jet <- GenJet.
struct SourceSpec {
   std::string name;               ///< e.g. "GenJet"
   SourceKind kind = SourceKind::kMatched;
   std::string genCollection;      ///< gen collection the objects come from, e.g. "GenJet"
   std::string select;             ///< RDataFrame expression choosing gen objects (empty: all)
   int slots = 0;                  ///< kSlots: candidates per event
   std::string indexBranch;        ///< e.g. "genJetIdx" -> Jet_genJetIdx (index into genCollection)
   /// Columns gathered per candidate: arrays of the gen collection, event scalars (broadcast to
   /// every candidate) or "@index" (the candidate's position: gen index, or slot number).
   std::vector<std::string> genColumns;
   std::vector<ConditioningVariable> conditioning;
   std::vector<TargetVariable> targets;
   LabelHead labels;               ///< discrete branches after the targets (none: no branches)
   std::vector<CopiedBranch> copies;
   std::string efficiencyModel;    ///< absolute path of the efficiency ONNX file (empty for kEvent)
   std::string velocityFieldModel; ///< absolute path of the velocity-field ONNX file
};

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

   /// Output branches without the prefix, in value order: every source's targets, labels, then copies.
   std::vector<std::pair<std::string, BranchType>> Branches() const;
};

/// A column defined with an RDataFrame expression: derived conditioning computed before the
/// simulation (and by the extraction of the training data, from the same manifest), or
/// cross-references computed after it.
struct DefinedColumn {
   std::string column;
   std::string expression;
   std::vector<std::string> inputs;   ///< columns the expression reads (checked before the loop)
   std::vector<std::string> collections; ///< collections that must be simulated for it ("requires")
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
