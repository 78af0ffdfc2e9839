#ifndef FLASHSIM_OBJECTSIMULATOR_HXX
#define FLASHSIM_OBJECTSIMULATOR_HXX

#include "flashsim/Bundle.hxx"
#include "flashsim/CounterRng.hxx"
#include "flashsim/Detail/OdeWorkspace.hxx"
#include "flashsim/OdeOptions.hxx"
#include "flashsim/OnnxModel.hxx"
#include "flashsim/SimulatedObjects.hxx"

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace flashsim {

/// Simulates one source of one reco collection (e.g. Jet <- GenJet), one event at a time:
///   gen rows -> conditioning [n, c] -> efficiency network p -> keep object i if u_i < p_i
///   -> Gaussian noise [m, d] -> ODE t: 0 -> 1 through the velocity field -> inverse transforms
///   -> NanoAOD ranges and types -> sorted by the collection's sort variable (descending).
///
/// Built for RDataFrame's DefineSlot: the networks (read-only) are shared by all slots, the
/// scratch buffers (written every event) are per slot. With one slot, it is a plain
/// single-threaded simulator. Random numbers: draw 0 of object i is its efficiency draw, draws
/// 1..d its noise; the key is (seed, event id, copy, collection, source, i), see CounterRng.hxx.
class ObjectSimulator {
public:
   struct Options {
      std::uint64_t seed = 0;
      std::uint32_t copy = 0; ///< oversampling copy
      OdeOptions ode;
      OnnxModel::Options onnx;
   };

   ObjectSimulator(const Bundle &bundle, const std::string &collection, const std::string &source, unsigned nSlots,
                   const Options &options);

   /// The raw gen columns to gather per object, in order (e.g. GenJet_pt, GenJet_eta, ...).
   const std::vector<std::string> &GenColumns() const { return fSpec.genColumns; }
   const SourceSpec &Spec() const { return fSpec; }
   const std::string &CollectionName() const { return fCollection; }
   const std::string &SortBy() const { return fSortBy; }
   unsigned NSlots() const { return static_cast<unsigned>(fSlots.size()); }

   /// Scratch for the caller to gather the gen rows of `slot` into ([n, GenColumns().size()]).
   std::vector<float> &GenBuffer(unsigned slot) { return fSlots.at(slot).gen; }

   /// Simulates one event from gen rows [nObjects, GenColumns().size()] (row-major). The result
   /// lives in the slot's scratch until the slot's next call.
   const SimulatedObjects &Simulate(unsigned slot, const EventId &id, const float *gen, std::size_t nObjects);

private:
   struct Slot {
      std::vector<float> gen;
      std::vector<float> conditioning;
      std::vector<float> probability;
      std::vector<std::size_t> kept;
      std::vector<float> keptConditioning;
      std::vector<double> x;
      std::vector<float> xNetwork;
      std::vector<float> tNetwork;
      std::vector<float> velocity;
      std::vector<std::size_t> order;
      Detail::OdeWorkspace workspace;
      SimulatedObjects unsorted;
      SimulatedObjects result;
   };

   std::string fCollection;
   std::string fSortBy;
   int fSortTarget = -1;
   SourceSpec fSpec;
   Options fOptions;
   std::unique_ptr<OnnxModel> fEfficiency;    // shared by all slots (Run is thread-safe)
   std::unique_ptr<OnnxModel> fVelocityField; // shared by all slots
   std::vector<Slot> fSlots;                  // one per slot: written every event
};

} // namespace flashsim

#endif
