#include "flashsim/ObjectSimulator.hxx"

#include "flashsim/Errors.hxx"
#include "flashsim/OdeSolver.hxx"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>

namespace flashsim {
namespace Internal {

ObjectSimulator::ObjectSimulator(const Bundle &bundle, const std::string &collection, const std::string &source,
                                 unsigned nSlots, const Options &options)
   : fCollection(collection), fOptions(options)
{
   if (nSlots == 0)
      throw InputError("flashsim: ObjectSimulator needs at least one slot");
   options.ode.Validate();
   const CollectionSpec &spec = bundle.Collection(collection);
   const auto it =
      std::find_if(spec.sources.begin(), spec.sources.end(), [&](const SourceSpec &s) { return s.name == source; });
   if (it == spec.sources.end())
      throw BundleError("flashsim: bundle '" + bundle.Directory() + "': collection '" + collection +
                        "' has no source '" + source + "'");
   fSpec = *it;
   const auto index = std::find(fSpec.genColumns.begin(), fSpec.genColumns.end(), "@index");
   fIndexColumn = index == fSpec.genColumns.end() ? -1 : static_cast<int>(index - fSpec.genColumns.begin());
   for (const auto &name : fSpec.genColumns) {
      const auto endsWith = [&name](const std::string &tail) {
         return name.size() >= tail.size() && name.compare(name.size() - tail.size(), tail.size(), tail) == 0;
      };
      if (name == "@index" || endsWith("_pt") || endsWith("_energy") || endsWith("_sumEt"))
         fGenLowest.push_back(0.0);
      else if (endsWith("_mass"))
         fGenLowest.push_back(-1e-2);
      else
         fGenLowest.push_back(-std::numeric_limits<double>::infinity());
   }

   const auto c = static_cast<std::int64_t>(fSpec.conditioning.size());
   const auto d = static_cast<std::int64_t>(fSpec.targets.size());
   if (fSpec.kind != SourceKind::kEvent || !fSpec.efficiencyModel.empty())
      fEfficiency = OnnxModel::Shared(fSpec.efficiencyModel, {{"cond", c}}, {{"probability", 1}}, options.onnx);
   fOde = options.ode;
   fVelocityModel = fSpec.velocityFieldModel;
   if (options.ode.method == OdeMethod::kDistilled) {
      if (fSpec.distilledModel.empty())
         throw BundleError("flashsim: bundle '" + bundle.Directory() + "': " + collection + " <- " + source +
                           " has no distilled few-step network (velocity_field.distilled), which the ODE method "
                           "'distilled' needs; use euler, midpoint, rk4 or dopri5, or a bundle trained with a "
                           "\"distillation\" entry in its training config");
      fVelocityModel = fSpec.distilledModel;
      fOde.method = OdeMethod::kEuler; // the student's steps are Euler steps, as many as it was distilled for
      fOde.steps = fSpec.distilledSteps;
   }
   fVelocityField =
      OnnxModel::Shared(fVelocityModel, {{"x", d}, {"t", 1}, {"cond", c}}, {{"velocity", d}}, options.onnx);
   if (!fSpec.labels.model.empty())
      fLabels = OnnxModel::Shared(fSpec.labels.model, {{"x", d}, {"cond", c}},
                                  {{"logits", static_cast<std::int64_t>(fSpec.labels.Classes())}}, options.onnx);
   fSlots.resize(nSlots);
}

std::size_t ObjectSimulator::DrawLabel(Slot &s, std::size_t r, double u) const
{
   // softmax in double (unnormalised: exp(l - max)), then the first class whose cumulative sum
   // exceeds u times the total; the Python twin is reference_sampler.softmax / draw_classes
   const std::size_t k = fSpec.labels.Classes();
   const float *logits = s.labelLogits.data() + r * k;
   const double top = *std::max_element(logits, logits + k);
   auto &weight = s.labelWeight;
   weight.resize(k);
   double total = 0.0;
   for (std::size_t j = 0; j < k; ++j)
      total += weight[j] = std::exp(static_cast<double>(logits[j]) - top);
   double cumulative = 0.0;
   for (std::size_t j = 0; j + 1 < k; ++j) {
      cumulative += weight[j];
      if (u * total < cumulative)
         return j;
   }
   return k - 1;
}

std::size_t ObjectSimulator::Candidates(std::size_t nGen) const
{
   switch (fSpec.kind) {
   case SourceKind::kCandidatesPerEvent:
      return static_cast<std::size_t>(fSpec.slots);
   case SourceKind::kEvent:
      return 1;
   default:
      return nGen;
   }
}

void ObjectSimulator::Keep(Slot &s, std::size_t nEvents, const std::size_t *offsets, const float *rows,
                           const int *genIndex) const
{
   s.kept.clear();
   s.keptEvent.clear();
   const std::size_t nRows = offsets[nEvents];
   if (fEfficiency && nRows > 0) {
      s.probability.resize(nRows);
      const float *in[] = {s.conditioning.data()};
      float *out[] = {s.probability.data()};
      fEfficiency->Run(nRows, in, out);
      if (fSpec.efficiencyEdge.column >= 0) { // never reconstructed beyond the edge (SourceSpec::efficiencyEdge)
         const std::size_t nGen = fSpec.genColumns.size();
         const auto column = static_cast<std::size_t>(fSpec.efficiencyEdge.column);
         for (std::size_t i = 0; i < nRows; ++i)
            if (std::abs(rows[i * nGen + column]) > fSpec.efficiencyEdge.absAbove)
               s.probability[i] = 0.0f;
      }
   }
   for (std::size_t e = 0; e < nEvents; ++e) {
      const std::size_t begin = offsets[e], end = offsets[e + 1];
      std::size_t n = end - begin; // kept rows of the event, from `begin` on, when they are the first n
      if (fEfficiency && fSpec.kind == SourceKind::kCandidatesPerEvent) {
         // one uniform per event: the number of slots kept follows the survival function p_k
         const double u = s.streams[e].Uniform(0, 0);
         n = static_cast<std::size_t>(
            std::count_if(s.probability.begin() + begin, s.probability.begin() + end, [u](float p) { return u < p; }));
      } else if (fEfficiency) {
         const RandomStream &stream = s.efficiencyStreams.empty() ? s.streams[e] : s.efficiencyStreams[e];
         for (std::size_t i = begin; i < end; ++i)
            if (stream.Uniform(static_cast<std::uint32_t>(genIndex[i]), 0) < s.probability[i]) {
               s.kept.push_back(i);
               s.keptEvent.push_back(e);
            }
         continue;
      }
      for (std::size_t i = begin; i < begin + n; ++i) {
         s.kept.push_back(i);
         s.keptEvent.push_back(e);
      }
   }
}

const SimulatedObjects &ObjectSimulator::Simulate(unsigned slot, const EventId &id, const float *rows,
                                                  const int *genIndex, std::size_t nRows)
{
   Slot &s = fSlots[slot];
   const std::size_t offsets[] = {0, nRows};
   Run(s, 1, &id, offsets, rows, genIndex, &s.result);
   return s.result;
}

void ObjectSimulator::SimulateBatch(unsigned slot, const EventRows &batch, std::vector<SimulatedObjects> &results)
{
   const std::size_t nEvents = batch.Events();
   if (batch.offsets.size() != nEvents + 1 || batch.offsets.front() != 0 ||
       batch.genIndex.size() != batch.offsets.back() ||
       batch.rows.size() != batch.offsets.back() * fSpec.genColumns.size())
      throw std::invalid_argument("flashsim: " + fCollection + " <- " + fSpec.name +
                                  ": inconsistent EventRows (offsets, rows and genIndex disagree)");
   results.resize(nEvents);
   Run(fSlots.at(slot), nEvents, batch.ids.data(), batch.offsets.data(), batch.rows.data(), batch.genIndex.data(),
       results.data());
   for (std::size_t e = 0; e < std::min(nEvents, batch.skippedGen.size()); ++e)
      results[e].skippedGen = batch.skippedGen[e];
}

void ObjectSimulator::Run(Slot &s, std::size_t nEvents, const EventId *ids, const std::size_t *offsets,
                          const float *rows, const int *genIndex, SimulatedObjects *results)
{
   const std::size_t nGen = fSpec.genColumns.size();
   const std::size_t c = fSpec.conditioning.size();
   const std::size_t d = fSpec.targets.size();
   const std::size_t nCopies = fSpec.copies.size();
   const std::size_t nRows = offsets[nEvents];
   s.streams.clear();
   s.streams.reserve(nEvents);
   for (std::size_t e = 0; e < nEvents; ++e)
      s.streams.emplace_back(fOptions.seed, ids[e], fOptions.copy, fCollection, fSpec.name);
   s.efficiencyStreams.clear();
   if (!fSpec.efficiencyStream.empty()) { // shared by the sources of one multiplicity (SV 1st, 2nd per jet)
      s.efficiencyStreams.reserve(nEvents);
      for (std::size_t e = 0; e < nEvents; ++e)
         s.efficiencyStreams.emplace_back(fOptions.seed, ids[e], fOptions.copy, fCollection, fSpec.efficiencyStream);
   }

   // 1. conditioning [n, c]
   s.conditioning.resize(nRows * c);
   for (std::size_t i = 0; i < nRows; ++i)
      for (std::size_t k = 0; k < c; ++k) {
         const auto &variable = fSpec.conditioning[k];
         s.conditioning[i * c + k] =
            static_cast<float>(variable.transform.Forward(rows[i * nGen + variable.inputIndex], rows + i * nGen));
      }

   // 2. efficiency
   Keep(s, nEvents, offsets, rows, genIndex);
   const std::size_t m = s.kept.size();

   // 3. noise -> ODE t: 0 -> 1 for the kept candidates of every event at once
   // the starting noise of kept row r, draw `first + j` of its object for j = 0..d-1 (redraw k: first = k * 2^16 + 1)
   const auto drawNoise = [&](std::size_t r, std::uint32_t first, double *x) {
      const RandomStream &random = s.streams[s.keptEvent[r]];
      for (std::size_t j = 0; j < d; ++j)
         x[j] = random.Normal(static_cast<std::uint32_t>(genIndex[s.kept[r]]), first + static_cast<std::uint32_t>(j));
   };
   s.keptConditioning.resize(m * c);
   s.x.resize(m * d);
   for (std::size_t r = 0; r < m; ++r) {
      std::copy_n(s.conditioning.data() + s.kept[r] * c, c, s.keptConditioning.data() + r * c);
      drawNoise(r, 1, s.x.data() + r * d);
   }
   s.xNetwork.resize(m * d);
   s.tNetwork.resize(m);
   s.velocity.resize(m * d);
   s.condNetwork.resize(m * c);                   // dopri5 drops finished rows: the conditioning of the rows of a call
   const float *cond = s.keptConditioning.data(); // [rows, c] of the rows being integrated
   const VelocityField field = [&](const double *t, const double *x, double *dxdt, std::size_t n,
                                   const std::size_t *which) {
      std::transform(x, x + n * d, s.xNetwork.begin(), [](double v) { return static_cast<float>(v); });
      std::transform(t, t + n, s.tNetwork.begin(), [](double v) { return static_cast<float>(v); });
      const float *rowsCond = cond;
      if (which) {
         for (std::size_t r = 0; r < n; ++r)
            std::copy_n(cond + which[r] * c, c, s.condNetwork.data() + r * c);
         rowsCond = s.condNetwork.data();
      }
      const float *in[] = {s.xNetwork.data(), s.tNetwork.data(), rowsCond};
      float *out[] = {s.velocity.data()};
      fVelocityField->Run(n, in, out);
      std::copy(s.velocity.begin(), s.velocity.begin() + n * d, dxdt);
   };
   // the ODE on `n` rows of x; keptRow[k]: the kept row of row k (null: row k itself), for the error
   const auto solve = [&](double *x, std::size_t n, const std::size_t *keptRow) {
      try {
         return Integrate(field, x, n, d, 0.0, 1.0, fOde, s.workspace);
      } catch (const OdeStepLimitError &err) {
         const std::size_t r = keptRow ? keptRow[err.row] : err.row;
         const EventId &id = ids[s.keptEvent[r]];
         throw ModelError("flashsim: " + fCollection + " <- " + fSpec.name + ", event run=" + std::to_string(id.run) +
                          " luminosityBlock=" + std::to_string(id.luminosityBlock) +
                          " event=" + std::to_string(id.event) + ", gen object " + std::to_string(genIndex[s.kept[r]]) +
                          ": " + err.what());
      }
   };
   const auto account = [&s](const OdeResult &ode) {
      s.usage.rowEvaluations += static_cast<std::uint64_t>(ode.rowEvaluations);
      s.usage.velocityCalls += static_cast<std::uint64_t>(ode.nfe);
      s.usage.maxRowEvaluations =
         std::max<std::uint64_t>(s.usage.maxRowEvaluations, static_cast<std::uint64_t>(ode.maxRowEvaluations));
   };
   const OdeResult ode = solve(s.x.data(), m, nullptr);
   s.usage.events += nEvents;
   s.usage.calls += 1;
   s.usage.candidates += nRows;
   s.usage.objects += m;
   account(ode);

   // 3b. the collection's floor: rows below it drawn again with fresh noise, left out when still below
   std::size_t kept = m;
   if (fSpec.floor.target >= 0 && m > 0) {
      const ObjectFloor &floor = fSpec.floor;
      const auto &target = fSpec.targets[static_cast<std::size_t>(floor.target)];
      const auto below = [&](std::size_t r, const double *x) {
         const double value = target.transform.Inverse(x[floor.target], rows + s.kept[r] * nGen);
         return static_cast<float>(value) < floor.min;
      };
      s.low.clear();
      for (std::size_t r = 0; r < m; ++r)
         if (below(r, s.x.data() + r * d))
            s.low.push_back(r);
      for (unsigned redraw = 1; redraw <= floor.redraws && !s.low.empty(); ++redraw) {
         const std::size_t n = s.low.size();
         s.lowConditioning.resize(n * c);
         s.lowX.resize(n * d);
         for (std::size_t k = 0; k < n; ++k) {
            const std::size_t r = s.low[k];
            std::copy_n(s.keptConditioning.data() + r * c, c, s.lowConditioning.data() + k * c);
            drawNoise(r, redraw * ObjectFloor::kRedrawStride + 1, s.lowX.data() + k * d);
         }
         cond = s.lowConditioning.data();
         account(solve(s.lowX.data(), n, s.low.data()));
         s.usage.redrawn += n;
         std::size_t still = 0;
         for (std::size_t k = 0; k < n; ++k) {
            const std::size_t r = s.low[k];
            std::copy_n(s.lowX.data() + k * d, d, s.x.data() + r * d);
            if (below(r, s.x.data() + r * d))
               s.low[still++] = r;
         }
         s.low.resize(still);
      }
      cond = s.keptConditioning.data();
      if (!s.low.empty()) { // left out: compact the kept rows, their events and x and conditioning
         s.usage.belowFloor += s.low.size();
         std::size_t next = 0, lowAt = 0;
         for (std::size_t r = 0; r < m; ++r) {
            if (lowAt < s.low.size() && s.low[lowAt] == r) {
               ++lowAt;
               continue;
            }
            s.kept[next] = s.kept[r];
            s.keptEvent[next] = s.keptEvent[r];
            std::copy_n(s.x.data() + r * d, d, s.x.data() + next * d);
            std::copy_n(s.keptConditioning.data() + r * c, c, s.keptConditioning.data() + next * c);
            ++next;
         }
         kept = next;
      }
   }

   // 4. label head: logits of p(class | x, cond), on the flow's output before the inverse transforms
   const std::size_t nLabels = fSpec.labels.branches.size();
   if (fLabels && kept > 0) {
      s.labelLogits.resize(kept * fSpec.labels.Classes());
      std::transform(s.x.begin(), s.x.begin() + kept * d, s.xNetwork.begin(),
                     [](double v) { return static_cast<float>(v); });
      const float *in[] = {s.xNetwork.data(), s.keptConditioning.data()};
      float *out[] = {s.labelLogits.data()};
      fLabels->Run(kept, in, out);
   }

   // 5. back to physical values, NanoAOD ranges and types; labels; copied branches; per event
   const bool pointsBack = fSpec.kind == SourceKind::kMatched;
   const std::size_t nBranches = d + nLabels + nCopies;
   const auto column = [this](std::size_t j) { return fSpec.column.empty() ? j : fSpec.column[j]; };
   std::size_t first = 0; // the event's first kept row
   for (std::size_t e = 0; e < nEvents; ++e) {
      std::size_t last = first;
      while (last < kept && s.keptEvent[last] == e)
         ++last;
      const std::size_t size = last - first;
      SimulatedObjects &result = results[e];
      result.size = size;
      result.nBranches = nBranches;
      result.values.resize(nBranches * size);
      result.genIndex.resize(size);
      result.ode = ode;
      result.skippedGen = 0;
      for (std::size_t q = 0; q < size; ++q) {
         const std::size_t r = first + q;
         const std::size_t i = s.kept[r];
         const float *row = rows + i * nGen;
         result.genIndex[q] = pointsBack ? genIndex[i] : -1;
         for (std::size_t j = 0; j < d; ++j) {
            const auto &target = fSpec.targets[j];
            result.values[column(j) * size + q] =
               ToBranchRange(target.transform.Inverse(s.x[r * d + j], row), target.type);
         }
         if (nLabels > 0) {
            const std::size_t label = fLabels ? DrawLabel(s, r,
                                                          s.streams[e].Uniform(static_cast<std::uint32_t>(genIndex[i]),
                                                                               static_cast<std::uint32_t>(1 + d)))
                                              : 0;
            for (std::size_t j = 0; j < nLabels; ++j)
               result.values[column(d + j) * size + q] =
                  ToBranchRange(fSpec.labels.values[label * nLabels + j], fSpec.labels.branches[j].second);
         }
         for (std::size_t j = 0; j < nCopies; ++j) {
            const auto &copy = fSpec.copies[j];
            const double value = copy.genIndex >= 0 ? row[copy.genIndex] : copy.fallback;
            result.values[column(d + nLabels + j) * size + q] = ToBranchRange(value, copy.type);
         }
      }
      CheckValues(result, ids[e]);
      first = last;
   }
}

ObjectSimulator::Usage ObjectSimulator::GetUsage() const
{
   Usage total;
   for (const auto &s : fSlots) {
      total.events += s.usage.events;
      total.calls += s.usage.calls;
      total.candidates += s.usage.candidates;
      total.objects += s.usage.objects;
      total.rowEvaluations += s.usage.rowEvaluations;
      total.velocityCalls += s.usage.velocityCalls;
      total.maxRowEvaluations = std::max(total.maxRowEvaluations, s.usage.maxRowEvaluations);
      total.redrawn += s.usage.redrawn;
      total.belowFloor += s.usage.belowFloor;
   }
   return total;
}

void ObjectSimulator::CheckValues(const SimulatedObjects &result, const EventId &id) const
{
   // No non-finite value ever reaches a reco branch: a network or transform that makes one is
   // the bundle's fault, reported with the event, not written.
   const std::size_t d = fSpec.targets.size();
   const std::size_t nLabels = fSpec.labels.branches.size();
   const std::size_t m = result.size;
   for (std::size_t j = 0; j < (fOptions.checkValues ? result.nBranches : 0); ++j) {
      const BranchType type = j < d             ? fSpec.targets[j].type
                              : j < d + nLabels ? fSpec.labels.branches[j - d].second
                                                : fSpec.copies[j - d - nLabels].type;
      for (std::size_t r = 0; r < m; ++r) {
         const double value = result.values[(fSpec.column.empty() ? j : fSpec.column[j]) * m + r];
         // as it will be written: a finite double beyond FLT_MAX becomes inf in a Float_t branch
         if (!(type == BranchType::kFloat ? std::isfinite(static_cast<float>(value)) : std::isfinite(value))) {
            const std::string branch = j < d             ? fSpec.targets[j].branch
                                       : j < d + nLabels ? fSpec.labels.branches[j - d].first
                                                         : fSpec.copies[j - d - nLabels].branch;
            throw ModelError(
               "flashsim: " + fCollection + " <- " + fSpec.name + ", event run=" + std::to_string(id.run) +
               " luminosityBlock=" + std::to_string(id.luminosityBlock) + " event=" + std::to_string(id.event) +
               ": the simulated " + fCollection + "_" + branch + " of object " + std::to_string(r) + " is " +
               std::to_string(type == BranchType::kFloat ? static_cast<float>(value) : value) +
               " (the bundle's networks or transforms made it); nothing written");
         }
      }
   }
}

} // namespace Internal
} // namespace flashsim
