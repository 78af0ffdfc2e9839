#ifndef FLASHSIM_SOURCESPEC_HXX
#define FLASHSIM_SOURCESPEC_HXX

// One source of a reco collection as the bundle describes it (Jet <- GenJet, Muon <- FromJet...):
// its kind, the gen columns it reads, its conditioning, targets, label head and copied branches.

#include "flashsim/BranchType.hxx"
#include "flashsim/VariableTransform.hxx"

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace flashsim {

struct ConditioningVariable {
   std::string name;  ///< e.g. "log_pt"
   std::string input; ///< the gen column it is computed from
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

/// The collection's reco threshold (manifest collections[].floor, e.g. Jet_pt >= 15 GeV): no training
/// object lies below it, so a simulated object below it is the flow's leak, not physics. It is drawn
/// again with fresh noise (normals draw `redraw * kRedrawStride + 1 + j`), up to `redraws` times, and
/// left out after that: the efficiency network already decided whether the object exists, the flow
/// only where it lies above the threshold (rejection sampling of the truncated distribution).
struct ObjectFloor {
   static constexpr std::uint32_t kRedrawStride = 1u << 16;
   int target = -1; ///< index in SourceSpec::targets; -1: no floor
   double min = 0.0;
   unsigned redraws = 0;
};

/// manifest sources[].efficiency_edge, e.g. {"input": "Jet_eta", "abs_above": 2.93}: no training candidate
/// beyond the |input| edge was reconstructed (a jet outside the tracker has no secondary vertex), so the
/// efficiency there is 0, whatever the network extrapolates.
struct EfficiencyEdge {
   int column = -1; ///< index in SourceSpec::genColumns; -1: no edge
   double absAbove = 0.0;
};

/// How the objects of a source come about.
enum class SourceKind {
   kMatched,   ///< one candidate per gen object; the reco object points back to it (index branch)
   kUnmatched, ///< one candidate per gen object (e.g. a fake muon from a GenJet); index branch -1
   /// manifest kind "slots" (not RDataFrame's slots): no gen object, `slots` candidates per event
   /// (e.g. pileup jets) from event-level conditioning; one uniform per event, candidate k kept if
   /// u < p_k (a survival function)
   kCandidatesPerEvent,
   kEvent, ///< exactly one object per event (MET, event scalars): scalar branches, no efficiency
};
SourceKind ParseSourceKind(const std::string &name);

/// One source of a reco collection, e.g. Jet <- GenJet.
struct SourceSpec {
   std::string name; ///< e.g. "GenJet"
   SourceKind kind = SourceKind::kMatched;
   std::string genCollection;             ///< gen collection the objects come from, e.g. "GenJet"
   std::string select;                    ///< RDataFrame expression choosing gen objects (empty: all)
   std::vector<std::string> selectInputs; ///< the columns `select` reads (checked before the loop)
   int slots = 0;                         ///< kCandidatesPerEvent: candidates per event
   std::string indexBranch;               ///< e.g. "genJetIdx" -> Jet_genJetIdx (index into genCollection)
   /// manifest "efficiency_stream": sources naming the same stream draw the same efficiency uniform
   /// per candidate, so with occurrence k's p_k = P(N > k) the number kept per candidate follows the
   /// multiplicity (SV <- Jet, first and second vertex); empty: the source's own stream
   std::string efficiencyStream;
   EfficiencyEdge efficiencyEdge; ///< candidates never reconstructed beyond an |eta| edge
   /// Columns gathered per candidate: arrays of the gen collection, event scalars (broadcast to
   /// every candidate) or "@index" (the candidate's position: gen index, or slot number).
   std::vector<std::string> genColumns;
   std::vector<ConditioningVariable> conditioning;
   std::vector<TargetVariable> targets;
   LabelHead labels; ///< discrete branches after the targets (none: no branches)
   std::vector<CopiedBranch> copies;
   ObjectFloor floor; ///< the collection's reco threshold (set at load from collections[].floor)
   /// for each branch this source writes (targets, labels, copies) its column in the collection's Branches(),
   /// set at load: sources may list the same branches in another order (a flag drawn by one source's label
   /// head and copied by another's); empty: the same order
   std::vector<std::size_t> column;
   std::string efficiencyModel;    ///< absolute path of the efficiency ONNX file (empty for kEvent)
   std::string velocityFieldModel; ///< absolute path of the velocity-field ONNX file
   /// the few-step student of the velocity field (ODE method "distilled"; empty: none) and its Euler steps
   std::string distilledModel;
   int distilledSteps = 0;
};

} // namespace flashsim

#endif
