#ifndef FLASHSIM_RDF_OVERSAMPLED_HXX
#define FLASHSIM_RDF_OVERSAMPLED_HXX

// Histograms of oversampled samples with per-event (not per-entry) bin errors: the RDataFrame
// action behind flashsim.rdf.oversampled_histo1d/2d (python/flashsim/rdf/oversampled.py has the
// statistics); usable from ROOT macros as flashsim::Oversampled::Histo1D/Histo2D.

#include <ROOT/RDataFrame.hxx>
#include <ROOT/RDF/RActionImpl.hxx>
#include <ROOT/RVec.hxx>
#include <TH1D.h>
#include <TH2D.h>
#include <cmath>
#include <memory>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <unordered_map>
#include <utility>
#include <vector>

namespace flashsim {
namespace Oversampled {

struct EventKey {
   ULong64_t run, luminosityBlock, event;
   bool operator==(const EventKey &o) const
   {
      return run == o.run && luminosityBlock == o.luminosityBlock && event == o.event;
   }
};
struct EventKeyHash {
   std::size_t operator()(const EventKey &k) const
   {
      std::size_t h = std::hash<ULong64_t>{}(k.event);
      h ^= std::hash<ULong64_t>{}(k.luminosityBlock) + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2);
      h ^= std::hash<ULong64_t>{}(k.run) + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2);
      return h;
   }
};
// (global bin, summed weight) of one gen event: a handful of entries, searched linearly
using EventBins = std::vector<std::pair<int, double>>;
using EventMap = std::unordered_map<EventKey, EventBins, EventKeyHash>;

inline void Add(EventBins &bins, int bin, double weight)
{
   for (auto &entry : bins)
      if (entry.first == bin) {
         entry.second += weight;
         return;
      }
   bins.emplace_back(bin, weight);
}

// any number or RVec of numbers as an RVec<double> (a scalar becomes one element)
template <typename T>
ROOT::RVecD AsDoubles(const T &x)
{
   if constexpr (std::is_arithmetic_v<T>)
      return ROOT::RVecD{static_cast<double>(x)};
   else
      return ROOT::RVecD(x.begin(), x.end());
}

/// Fills a TH1D/TH2D per gen event: per slot, event -> (bin, sum of weights); Finalize merges
/// the slots (an event's copies may be in several) and sets content = sum S, error^2 = sum S^2.
template <typename Hist>
class FillPerEvent : public ROOT::Detail::RDF::RActionImpl<FillPerEvent<Hist>> {
public:
   using Result_t = Hist;

   FillPerEvent(std::shared_ptr<Hist> result, unsigned int nSlots) : fResult(std::move(result)), fPerSlot(nSlots) {}
   FillPerEvent(FillPerEvent &&) = default;
   FillPerEvent(const FillPerEvent &) = delete;

   std::shared_ptr<Hist> GetResultPtr() const { return fResult; }
   void Initialize() {}
   void InitTask(TTreeReader *, unsigned int) {}

   void Exec(unsigned int slot, ULong64_t run, ULong64_t lumi, ULong64_t event, const ROOT::RVecD &x,
             const ROOT::RVecD &y, const ROOT::RVecD &w)
   {
      constexpr bool twoD = std::is_base_of_v<TH2, Hist>;
      if (w.size() != 1 && w.size() != x.size())
         throw std::runtime_error("flashsim: oversampled histogram: the weight has " + std::to_string(w.size()) +
                                  " values, the filled column " + std::to_string(x.size()));
      if (twoD && y.size() != x.size())
         throw std::runtime_error("flashsim: oversampled histogram: x has " + std::to_string(x.size()) + " values, y " +
                                  std::to_string(y.size()));
      if (x.empty())
         return;
      EventBins &bins = fPerSlot[slot][EventKey{run, lumi, event}];
      for (std::size_t i = 0; i < x.size(); ++i) {
         int bin;
         if constexpr (twoD)
            bin = fResult->FindFixBin(x[i], y[i]);
         else
            bin = fResult->FindFixBin(x[i]);
         Add(bins, bin, w.size() == 1 ? w[0] : w[i]);
      }
   }

   void Finalize()
   {
      EventMap &all = fPerSlot[0];
      for (std::size_t s = 1; s < fPerSlot.size(); ++s) {
         for (auto &item : fPerSlot[s]) {
            EventBins &target = all[item.first];
            for (const auto &entry : item.second)
               Add(target, entry.first, entry.second);
         }
         EventMap().swap(fPerSlot[s]);
      }
      const int nBins = fResult->GetNcells();
      std::vector<double> content(nBins, 0.), error2(nBins, 0.);
      for (const auto &item : all)
         for (const auto &entry : item.second) {
            content[entry.first] += entry.second;
            error2[entry.first] += entry.second * entry.second;
         }
      fResult->Sumw2(true);
      for (int b = 0; b < nBins; ++b) {
         fResult->SetBinContent(b, content[b]);
         fResult->SetBinError(b, std::sqrt(error2[b]));
      }
      fResult->SetEntries(static_cast<double>(all.size()));
      EventMap().swap(all);
   }

   std::string GetActionName() const { return "OversampledFill"; }

private:
   std::shared_ptr<Hist> fResult;
   std::vector<EventMap> fPerSlot;
};

inline std::vector<std::string> Columns()
{
   return {"_flashsim_oh_run", "_flashsim_oh_lumi", "_flashsim_oh_event",
           "_flashsim_oh_x",   "_flashsim_oh_y",    "_flashsim_oh_w"};
}

inline ROOT::RDF::RResultPtr<TH1D> Histo1D(ROOT::RDF::RNode df, const ROOT::RDF::TH1DModel &model)
{
   auto h = model.GetHistogram();
   h->SetDirectory(nullptr);
   return df.Book<ULong64_t, ULong64_t, ULong64_t, ROOT::RVecD, ROOT::RVecD, ROOT::RVecD>(
      FillPerEvent<TH1D>(h, df.GetNSlots()), Columns());
}

inline ROOT::RDF::RResultPtr<TH2D> Histo2D(ROOT::RDF::RNode df, const ROOT::RDF::TH2DModel &model)
{
   auto h = model.GetHistogram();
   h->SetDirectory(nullptr);
   return df.Book<ULong64_t, ULong64_t, ULong64_t, ROOT::RVecD, ROOT::RVecD, ROOT::RVecD>(
      FillPerEvent<TH2D>(h, df.GetNSlots()), Columns());
}

} // namespace Oversampled
} // namespace flashsim

#endif
