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

_DECLARATION = '#include "flashsim/rdf/Oversampled.hxx"'  # cpp/include/flashsim/rdf/Oversampled.hxx

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
