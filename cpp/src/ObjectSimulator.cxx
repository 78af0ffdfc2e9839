#include "flashsim/ObjectSimulator.hxx"

#include "flashsim/Errors.hxx"
#include "flashsim/OdeSolver.hxx"

#include <algorithm>
#include <numeric>
#include <stdexcept>

namespace flashsim {

ObjectSimulator::ObjectSimulator(const Bundle &bundle, const std::string &collection, const std::string &source,
                                 unsigned nSlots, const Options &options)
   : fCollection(collection), fOptions(options)
{
   if (nSlots == 0)
      throw InputError("flashsim: ObjectSimulator needs at least one slot");
   options.ode.Validate();
   const CollectionSpec &spec = bundle.Collection(collection);
   const auto it = std::find_if(spec.sources.begin(), spec.sources.end(),
                                [&](const SourceSpec &s) { return s.name == source; });
   if (it == spec.sources.end())
      throw BundleError("flashsim: bundle '" + bundle.Directory() + "': collection '" + collection +
                                  "' has no source '" + source + "'");
   fSpec = *it;
   fSortBy = spec.sortBy;
   for (std::size_t j = 0; j < fSpec.targets.size(); ++j)
      if (fSpec.targets[j].branch == fSortBy)
         fSortTarget = static_cast<int>(j);

   const auto c = static_cast<std::int64_t>(fSpec.conditioning.size());
   const auto d = static_cast<std::int64_t>(fSpec.targets.size());
   fEfficiency = std::make_unique<OnnxModel>(fSpec.efficiencyModel, std::vector<TensorSpec>{{"cond", c}},
                                             std::vector<TensorSpec>{{"probability", 1}}, options.onnx);
   fVelocityField = std::make_unique<OnnxModel>(fSpec.velocityFieldModel,
                                                std::vector<TensorSpec>{{"x", d}, {"t", 1}, {"cond", c}},
                                                std::vector<TensorSpec>{{"velocity", d}}, options.onnx);
   fSlots.resize(nSlots);
}

const SimulatedObjects &ObjectSimulator::Simulate(unsigned slot, const EventId &id, const float *gen,
                                                  std::size_t nObjects)
{
   Slot &s = fSlots[slot];
   const std::size_t nGen = fSpec.genColumns.size();
   const std::size_t c = fSpec.conditioning.size();
   const std::size_t d = fSpec.targets.size();
   const RandomStream random(fOptions.seed, id, fOptions.copy, fCollection, fSpec.name);

   // 1. conditioning [n, c]
   s.conditioning.resize(nObjects * c);
   for (std::size_t i = 0; i < nObjects; ++i)
      for (std::size_t k = 0; k < c; ++k) {
         const auto &variable = fSpec.conditioning[k];
         s.conditioning[i * c + k] =
            static_cast<float>(variable.transform.Forward(gen[i * nGen + variable.inputIndex], gen + i * nGen));
      }

   // 2. efficiency: keep object i if u_i < p_i
   s.probability.resize(nObjects);
   const float *effIn[] = {s.conditioning.data()};
   float *effOut[] = {s.probability.data()};
   fEfficiency->Run(nObjects, effIn, effOut);
   s.kept.clear();
   for (std::size_t i = 0; i < nObjects; ++i)
      if (random.Uniform(static_cast<std::uint32_t>(i), 0) < s.probability[i])
         s.kept.push_back(i);
   const std::size_t m = s.kept.size();

   // 3. noise -> ODE t: 0 -> 1 for the kept objects
   s.keptConditioning.resize(m * c);
   s.x.resize(m * d);
   for (std::size_t r = 0; r < m; ++r) {
      const std::size_t i = s.kept[r];
      std::copy_n(s.conditioning.data() + i * c, c, s.keptConditioning.data() + r * c);
      for (std::size_t j = 0; j < d; ++j)
         s.x[r * d + j] = random.Normal(static_cast<std::uint32_t>(i), static_cast<std::uint32_t>(1 + j));
   }
   s.xNetwork.resize(m * d);
   s.tNetwork.resize(m);
   s.velocity.resize(m * d);
   const VelocityField field = [&](double t, const double *x, double *dxdt, std::size_t size) {
      std::transform(x, x + size, s.xNetwork.begin(), [](double v) { return static_cast<float>(v); });
      std::fill(s.tNetwork.begin(), s.tNetwork.end(), static_cast<float>(t));
      const float *in[] = {s.xNetwork.data(), s.tNetwork.data(), s.keptConditioning.data()};
      float *out[] = {s.velocity.data()};
      fVelocityField->Run(m, in, out);
      std::copy(s.velocity.begin(), s.velocity.end(), dxdt);
   };
   SimulatedObjects &u = s.unsorted;
   u.ode = Integrate(field, s.x.data(), m * d, 0.0, 1.0, fOptions.ode, s.workspace);

   // 4. back to physical values, NanoAOD ranges and types
   u.size = m;
   u.nTargets = d;
   u.values.resize(d * m);
   u.genIndex.resize(m);
   for (std::size_t r = 0; r < m; ++r) {
      const std::size_t i = s.kept[r];
      u.genIndex[r] = static_cast<int>(i);
      for (std::size_t j = 0; j < d; ++j) {
         const auto &target = fSpec.targets[j];
         u.values[j * m + r] = ToBranchRange(target.transform.Inverse(s.x[r * d + j], gen + i * nGen), target.type);
      }
   }

   // 5. sorted as NanoAOD collections are (descending, e.g. in pt); ties keep gen order
   if (fSortTarget < 0)
      return u;
   s.order.resize(m);
   std::iota(s.order.begin(), s.order.end(), std::size_t{0});
   const double *key = u.Column(static_cast<std::size_t>(fSortTarget));
   std::stable_sort(s.order.begin(), s.order.end(), [key](std::size_t a, std::size_t b) { return key[a] > key[b]; });
   SimulatedObjects &sorted = s.result;
   sorted.size = m;
   sorted.nTargets = d;
   sorted.ode = u.ode;
   sorted.values.resize(d * m);
   sorted.genIndex.resize(m);
   for (std::size_t r = 0; r < m; ++r) {
      sorted.genIndex[r] = u.genIndex[s.order[r]];
      for (std::size_t j = 0; j < d; ++j)
         sorted.values[j * m + r] = u.values[j * m + s.order[r]];
   }
   return sorted;
}

} // namespace flashsim
