"""Histograms of oversampled samples with correct statistical uncertainties.

The K copies of one gen event share the gen event, so they are correlated: the histogram is
filled per gen event (the weights of all copies of the event that land in a bin are summed into
S_eb), then combined. Bin content: sum over events of S_eb; bin error^2: sum over events of
S_eb^2, not the naive sum of w^2 over entries, which underestimates the uncertainty when the
copies are correlated (up to a factor sqrt(K) when they are identical).

The gen event is (run, luminosityBlock, event); copies of one event may be anywhere in the
dataset and in any thread (a C++ RDataFrame action keeps, per slot, a map from event to the few
bins it filled, merged at the end: memory grows with the number of gen events times the bins
each fills, about 60 bytes per pair).

>>> nano = ROOT.RDataFrame("Events", "nano.root")                                  # doctest: +SKIP
>>> h = flashsim.rdf.oversampled_histo1d(nano, ("pt", "", 50, 0, 500), "Jet_pt")   # doctest: +SKIP
>>> h.GetBinError(10)                                                            # doctest: +SKIP
"""

import threading

__all__ = ["oversampled_histo1d", "oversampled_histo2d"]

_DECLARATION = r"""
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

namespace flashsim { namespace Oversampled {

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
         throw std::runtime_error("flashsim: oversampled histogram: x has " + std::to_string(x.size()) +
                                  " values, y " + std::to_string(y.size()));
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
   return {"_flashsim_oh_run", "_flashsim_oh_lumi", "_flashsim_oh_event", "_flashsim_oh_x", "_flashsim_oh_y",
           "_flashsim_oh_w"};
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

}} // namespace flashsim::Oversampled
"""

_declared = False
_lock = threading.Lock()


def _load():
    global _declared
    from flashsim.errors import FlashSimError
    from flashsim.rdf.plugin import load

    ROOT = load()
    with _lock:
        if not _declared:
            if not ROOT.gInterpreter.Declare(_DECLARATION):
                raise FlashSimError("cling could not compile flashsim's oversampled-histogram action")
            _declared = True
    return ROOT


def _prepare(ROOT, df, x: str, y: str | None, weight: str | None):
    from flashsim.errors import InputError

    node = ROOT.RDF.AsRNode(df)
    names = {str(c) for c in node.GetColumnNames()}
    missing = [c for c in ("run", "luminosityBlock", "event") if c not in names]
    if missing:
        raise InputError(f"oversampled histogram: the dataset has no {', '.join(missing)} "
                         "(the gen-event identity (run, luminosityBlock, event) is needed)")
    if weight is None:
        weight = "FlashSim_weight" if "FlashSim_weight" in names else "1.0"
    as_doubles = "flashsim::Oversampled::AsDoubles"
    node = (node.Define("_flashsim_oh_run", "static_cast<ULong64_t>(run)")
            .Define("_flashsim_oh_lumi", "static_cast<ULong64_t>(luminosityBlock)")
            .Define("_flashsim_oh_event", "static_cast<ULong64_t>(event)")
            .Define("_flashsim_oh_x", f"{as_doubles}({x})")
            .Define("_flashsim_oh_y", f"{as_doubles}({y})" if y else "ROOT::RVecD{}")
            .Define("_flashsim_oh_w", f"{as_doubles}({weight})"))
    return node


def oversampled_histo1d(df, model, column: str, weight: str | None = None):
    """A lazy TH1D of ``column`` whose bin errors account for oversampling (see module doc).

    Args:
        df: any RDataFrame node with run, luminosityBlock, event (e.g. a ``flashsim simulate
            --oversample K`` output, after Filters).
        model: a histogram model as for ``Histo1D``: ``("name", "title", nbins, lo, hi)`` or a
            ``ROOT.RDF.TH1DModel`` (variable bins too).
        column: a column or expression, one number or an RVec of numbers per entry.
        weight: column or expression: one number per entry or one per value of ``column``;
            default ``FlashSim_weight`` (1/K) when the dataset has it, else 1.
    Returns:
        ``RResultPtr<TH1D>``: lazy like every RDataFrame action (``.GetValue()`` runs the loop).
    """
    ROOT = _load()
    node = _prepare(ROOT, df, column, None, weight)
    model = model if isinstance(model, ROOT.RDF.TH1DModel) else ROOT.RDF.TH1DModel(*model)
    return ROOT.flashsim.Oversampled.Histo1D(node, model)


def oversampled_histo2d(df, model, xcolumn: str, ycolumn: str, weight: str | None = None):
    """As :func:`oversampled_histo1d`, in 2D: ``xcolumn`` and ``ycolumn`` have as many values per
    entry (both numbers, or RVecs of the same length); ``model`` as for ``Histo2D``."""
    ROOT = _load()
    node = _prepare(ROOT, df, xcolumn, ycolumn, weight)
    model = model if isinstance(model, ROOT.RDF.TH2DModel) else ROOT.RDF.TH2DModel(*model)
    return ROOT.flashsim.Oversampled.Histo2D(node, model)
