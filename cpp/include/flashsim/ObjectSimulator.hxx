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

/// The candidate rows of many events, gathered for ObjectSimulator::SimulateBatch: the rows of
/// event e are [offsets[e], offsets[e + 1]) of `rows` ([n, GenColumns().size()], row-major) and
/// `genIndex` (each row's index in its gen collection: its RNG object key).
struct EventRows {
   std::vector<EventId> ids;
   std::vector<std::size_t> offsets{0};
   std::vector<float> rows;
   std::vector<int> genIndex;
   std::vector<std::size_t> skippedGen; ///< per event: gen objects left out (--bad-gen skip)

   std::size_t Events() const { return ids.size(); }
   void Clear()
   {
      ids.clear();
      offsets.assign(1, 0);
      rows.clear();
      genIndex.clear();
      skippedGen.clear();
   }
};

namespace Internal {

/// Simulates one source of one reco collection (e.g. Jet <- GenJet), for one event or for the rows
/// of many events at once (cross-event batching: one network call per ODE stage for all of them):
///   candidate rows -> conditioning [n, c] -> efficiency network p -> keep candidate i if u_i < p_i
///   -> Gaussian noise [m, d] -> ODE t: 0 -> 1 through the velocity field -> [label head: one
///   categorical draw of the discrete branches given x and the conditioning] -> inverse transforms
///   -> NanoAOD ranges and types (+ branches copied from gen). Unsorted: MergeSorted sorts.
///
/// Candidates: one per gen object (matched, unmatched), `slots` per event (slots: a single
/// uniform u per event keeps slot k if u < p_k, so that p_k is the survival function of the
/// multiplicity), or one per event (event: always kept, no efficiency network).
///
/// Built for RDataFrame's DefineSlot: the networks (read-only) are shared by all slots, the
/// scratch buffers (written every event) are per slot. With one slot, it is a plain
/// single-threaded simulator. Random numbers: draw 0 of candidate i is its efficiency draw,
/// draws 1..d its noise, draw d + 1 its label draw, draws k * 2^16 + 1..d its k-th redraw below the
/// collection's floor (SourceSpec::floor), where i is the gen index (or slot number); the key is
/// (seed, event id, copy, collection, source, i), see CounterRng.hxx.
class ObjectSimulator {
public:
   struct Options {
      std::uint64_t seed = 0;
      std::uint32_t copy = 0; ///< oversampling copy
      OdeOptions ode;
      OnnxModel::Options onnx;
      bool skipBadGen = false; ///< leave out gen objects with non-finite / unphysical values (else: an error)
      bool checkValues = true; ///< the gen-input and simulated-value checks (off only to measure their cost)
   };

   ObjectSimulator(const Bundle &bundle, const std::string &collection, const std::string &source, unsigned nSlots,
                   const Options &options);

   /// The columns of a candidate row, in order (e.g. GenJet_pt, GenJet_eta, Pileup_nPU, @index).
   const std::vector<std::string> &GenColumns() const { return fSpec.genColumns; }
   /// Position of "@index" in GenColumns(), or -1.
   int IndexColumn() const { return fIndexColumn; }
   const SourceSpec &Spec() const { return fSpec; }
   /// the ONNX file the ODE runs: the velocity field, or with the method "distilled" its few-step student
   const std::string &VelocityModel() const { return fVelocityModel; }
   const std::string &CollectionName() const { return fCollection; }
   unsigned NSlots() const { return static_cast<unsigned>(fSlots.size()); }
   bool SkipBadGen() const { return fOptions.skipBadGen; }
   bool CheckValues() const { return fOptions.checkValues; }
   /// Per gen column, the lowest value a candidate row may hold (0 for pt, energy, sumEt and
   /// @index; -0.01 for a mass, which float rounding of E^2 - p^2 can make slightly negative;
   /// -inf otherwise): read once here, not per value in the event loop.
   const std::vector<double> &GenLowest() const { return fGenLowest; }

   /// Scratch for the caller to gather the candidate rows of `slot` into ([n, GenColumns().size()]).
   std::vector<float> &GenBuffer(unsigned slot) { return fSlots.at(slot).gen; }
   /// Number of candidates of an event whose gen arrays have `nGen` (selected) objects.
   std::size_t Candidates(std::size_t nGen) const;

   /// Simulates one event from candidate rows [nRows, GenColumns().size()] (row-major);
   /// genIndex[r] is row r's index in the gen collection (its RNG object key). The result
   /// lives in the slot's scratch until the slot's next call. A batch of one event.
   const SimulatedObjects &Simulate(unsigned slot, const EventId &id, const float *rows, const int *genIndex,
                                    std::size_t nRows);

   /// Simulates every event of `batch` at once into results[0 .. batch.Events()) (resized): the
   /// efficiency network, every ODE stage and the label head each run once on the rows of all
   /// events. An object's result depends only on its own row and RNG key, never on the other rows
   /// of the batch, so any split of the events into batches gives bit-identical output (given
   /// ONNX Runtime's row-wise results on CPU, checked for the shipped bundle by the tests).
   void SimulateBatch(unsigned slot, const EventRows &batch, std::vector<SimulatedObjects> &results);

   /// What the simulator did so far, all slots together (benchmarks: rows per network).
   struct Usage {
      std::uint64_t events = 0;            ///< events simulated
      std::uint64_t calls = 0;             ///< Simulate / SimulateBatch calls
      std::uint64_t candidates = 0;        ///< rows through the efficiency network (or candidates without one)
      std::uint64_t objects = 0;           ///< rows kept: through the ODE and the label head
      std::uint64_t rowEvaluations = 0;    ///< velocity-field evaluations summed over the objects
      std::uint64_t velocityCalls = 0;     ///< velocity-field network calls
      std::uint64_t maxRowEvaluations = 0; ///< the most evaluations one object needed
      std::uint64_t redrawn = 0;           ///< ODE solutions drawn again below the collection's floor
      std::uint64_t belowFloor = 0;        ///< objects left out: still below the floor after every redraw
   };
   Usage GetUsage() const;
   bool HasLabels() const { return fLabels != nullptr; }

private:
   struct Slot {
      std::vector<float> gen;
      std::vector<int> genIndex;
      std::vector<RandomStream> streams;           // one per event of the batch
      std::vector<RandomStream> efficiencyStreams; // the spec's shared efficiency stream, one per event (or none)
      std::vector<std::size_t> keptEvent;          // event of each kept row
      std::vector<float> condNetwork;              // the conditioning of the rows of one ODE call
      std::vector<std::size_t> low;                // kept rows below the floor (SourceSpec::floor)
      std::vector<float> lowConditioning;
      std::vector<double> lowX;
      std::vector<float> conditioning;
      std::vector<float> probability;
      std::vector<std::size_t> kept;
      std::vector<float> keptConditioning;
      std::vector<double> x;
      std::vector<float> xNetwork;
      std::vector<float> tNetwork;
      std::vector<float> velocity;
      std::vector<float> labelLogits;
      std::vector<double> labelWeight;
      Detail::OdeWorkspace workspace;
      Usage usage;
      SimulatedObjects result;
      std::vector<SimulatedObjects> one; // Simulate's batch of one
   };

   void Run(Slot &s, std::size_t nEvents, const EventId *ids, const std::size_t *offsets, const float *rows,
            const int *genIndex, SimulatedObjects *results);
   void Keep(Slot &s, std::size_t nEvents, const std::size_t *offsets, const float *rows, const int *genIndex) const;
   void CheckValues(const SimulatedObjects &result, const EventId &id) const;
   /// Class of kept row r of the label head, from its logits and one uniform.
   std::size_t DrawLabel(Slot &s, std::size_t r, double u) const;

   std::string fCollection;
   SourceSpec fSpec;
   Options fOptions;
   OdeOptions fOde;            ///< what the ODE runs: the options' own, or Euler at the distilled network's steps
   std::string fVelocityModel; ///< the ONNX file the ODE runs: the velocity field or its distilled student
   int fIndexColumn = -1;
   std::vector<double> fGenLowest; // see GenLowest()
   // Read-only, so shared by all slots (Run is thread-safe) and with other simulators of the
   // same files (OnnxModel::Shared); per-slot sessions would each copy the weights and arena.
   std::shared_ptr<const OnnxModel> fEfficiency; // null for kEvent
   std::shared_ptr<const OnnxModel> fVelocityField;
   std::shared_ptr<const OnnxModel> fLabels; // null without a label head or with one class
   std::vector<Slot> fSlots;                 // one per slot: written every event

public:
   /// Per-slot scratch for the caller's gen-index list (see rdf/SimulateEvent.hxx).
   std::vector<int> &IndexBuffer(unsigned slot) { return fSlots.at(slot).genIndex; }
};

} // namespace Internal
} // namespace flashsim

#endif
