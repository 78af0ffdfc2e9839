#ifndef FLASHSIM_RDF_SIMULATEEVENT_HXX
#define FLASHSIM_RDF_SIMULATEEVENT_HXX

// Per-event plumbing called by the Defines that flashsim::Simulate jits: gathers the gen RVec
// columns of one source into the simulator's [n, n_columns] buffer, simulates, and splits the
// result into NanoAOD branches.

#include "flashsim/ObjectSimulator.hxx"

#include <ROOT/RVec.hxx>

#include <array>
#include <stdexcept>
#include <string>

namespace flashsim {
namespace Internal {

template <typename T>
void GatherColumn(float *rows, std::size_t stride, std::size_t column, const ROOT::RVec<T> &values)
{
   for (std::size_t i = 0; i < values.size(); ++i)
      rows[i * stride + column] = static_cast<float>(values[i]);
}

template <typename Run, typename Lumi, typename Event, typename... Columns>
SimulatedObjects SimulateEvent(ObjectSimulator &simulator, unsigned slot, Run run, Lumi lumi, Event event,
                               const ROOT::RVec<Columns> &...columns)
{
   constexpr std::size_t nColumns = sizeof...(Columns);
   const std::array<std::size_t, nColumns> sizes = {columns.size()...};
   const std::size_t n = sizes[0];
   for (std::size_t k = 1; k < nColumns; ++k)
      if (sizes[k] != n)
         throw std::runtime_error("flashsim: event run=" + std::to_string(run) + " luminosityBlock=" +
                                  std::to_string(lumi) + " event=" + std::to_string(event) + ": column '" +
                                  simulator.GenColumns()[k] + "' has " + std::to_string(sizes[k]) +
                                  " entries but '" + simulator.GenColumns()[0] + "' has " + std::to_string(n));
   std::vector<float> &rows = simulator.GenBuffer(slot);
   rows.resize(n * nColumns);
   std::size_t column = 0;
   (GatherColumn(rows.data(), nColumns, column++, columns), ...);
   const EventId id{static_cast<std::uint32_t>(run), static_cast<std::uint32_t>(lumi),
                    static_cast<std::uint64_t>(event)};
   return simulator.Simulate(slot, id, rows.data(), n);
}

template <typename T>
ROOT::RVec<T> Branch(const SimulatedObjects &objects, std::size_t target)
{
   ROOT::RVec<T> branch(objects.size);
   const double *values = objects.Column(target);
   for (std::size_t k = 0; k < objects.size; ++k)
      branch[k] = static_cast<T>(values[k]);
   return branch;
}

/// NanoAOD's *_genJetIdx / *_genPartIdx are Short_t in Run-3 NanoAOD.
inline ROOT::RVec<Short_t> GenIndex(const SimulatedObjects &objects)
{
   return ROOT::RVec<Short_t>(objects.genIndex.begin(), objects.genIndex.end());
}

} // namespace Internal
} // namespace flashsim

#endif
