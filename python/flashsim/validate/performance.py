"""Detector-performance quantities of one reco collection, from the NanoAOD matching branches:
flat object tables, efficiency of gen objects, response and resolution, tagger ROC curves.

Every function works on one sample; the report computes them for FlashSim and for the reference
and draws them side by side.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from flashsim.validate.samples import GEN_MATCH, Sample

__all__ = ["GenSelection", "ObjectTable", "Roc", "TAGGERS", "binned_efficiency", "gen_objects",
           "gen_selection", "object_table", "response_profile", "roc_curve"]


def _flat(x) -> np.ndarray:
    import awkward as ak

    return ak.to_numpy(ak.flatten(x, axis=None)).astype(np.float64)


@dataclass
class ObjectTable:
    """One row per reco object. columns: branch -> [n] float64; event_id, weight: [n] of the
    object's event; gen_pt/eta/phi: [n] of the matched gen object (NaN when unmatched)."""

    columns: dict
    event_id: np.ndarray
    weight: np.ndarray
    gen_pt: np.ndarray
    gen_eta: np.ndarray
    gen_phi: np.ndarray

    @property
    def matched(self) -> np.ndarray:
        return np.isfinite(self.gen_pt)


def object_table(sample: Sample, collection: str, variables: list) -> ObjectTable:
    """Flattens the ``variables`` (full branch names) of ``collection`` into an ObjectTable."""
    import awkward as ak

    arr = sample.arrays
    counts = ak.to_numpy(ak.num(arr[variables[0]], axis=1))
    columns = {v: _flat(arr[v]) for v in variables}
    n = int(counts.sum())
    gen = {k: np.full(n, np.nan) for k in ("pt", "eta", "phi")}
    match = GEN_MATCH.get(collection)
    idx_name = f"{collection}_{match.index}" if match else None
    if match and idx_name in arr.fields and f"{match.gen}_pt" in arr.fields:
        idx = arr[idx_name]
        ok = (idx >= 0) & (idx < ak.num(arr[f"{match.gen}_pt"], axis=1))
        safe = ak.where(ok, idx, 0)
        okf = ak.to_numpy(ak.flatten(ok))
        for k in gen:
            values = _flat(arr[f"{match.gen}_{k}"][safe])
            gen[k] = np.where(okf, values, np.nan)
    return ObjectTable(columns, np.repeat(sample.event_id, counts), np.repeat(sample.weight, counts),
                       gen["pt"], gen["eta"], gen["phi"])


@dataclass(frozen=True)
class GenSelection:
    """The gen objects a collection's efficiency is measured on: those of ``gen`` with
    |pdgId| and status as given (None: any) and pt >= pt_min."""

    gen: str
    pdg_id: int | None
    status: int | None
    pt_min: float


def gen_selection(reference: Sample, collection: str) -> GenSelection | None:
    """The denominator of ``collection``'s efficiency, read off the reference: the (|pdgId|,
    status) its matches point at most often and their 1st-percentile pt. None when the
    collection has no matching branch or no match."""
    import awkward as ak

    match = GEN_MATCH.get(collection)
    arr = reference.arrays
    idx_name = f"{collection}_{match.index}" if match else None
    if not match or idx_name not in arr.fields or f"{match.gen}_pt" not in arr.fields:
        return None
    idx = arr[idx_name]
    ok = (idx >= 0) & (idx < ak.num(arr[f"{match.gen}_pt"], axis=1))
    safe = ak.where(ok, idx, 0)
    pt = _flat(arr[f"{match.gen}_pt"][safe][ok])
    if len(pt) == 0:
        return None
    pdg = status = None
    if f"{match.gen}_pdgId" in arr.fields and f"{match.gen}_status" in arr.fields:
        pdgs = np.abs(_flat(arr[f"{match.gen}_pdgId"][safe][ok])).astype(np.int64)
        stats = _flat(arr[f"{match.gen}_status"][safe][ok]).astype(np.int64)
        pairs, counts = np.unique(np.stack([pdgs, stats]), axis=1, return_counts=True)
        pdg, status = (int(v) for v in pairs[:, np.argmax(counts)])
    return GenSelection(match.gen, pdg, status, float(np.quantile(pt, 0.01)))


def gen_objects(sample: Sample, collection: str, selection: GenSelection) -> dict:
    """Selected gen objects of ``sample``: pt, eta, phi, weight [n] and ``reconstructed`` [n]
    (True when a ``collection`` object points at it)."""
    import awkward as ak

    arr = sample.arrays
    g = selection.gen
    n_gen = ak.to_numpy(ak.num(arr[f"{g}_pt"], axis=1))
    offsets = np.concatenate([[0], np.cumsum(n_gen)[:-1]])
    reco = np.zeros(int(n_gen.sum()), dtype=bool)
    idx = arr[f"{collection}_{GEN_MATCH[collection].index}"]
    counts = ak.to_numpy(ak.num(idx, axis=1))
    flat = ak.to_numpy(ak.flatten(idx)).astype(np.int64)
    ev = np.repeat(np.arange(len(counts)), counts)
    ok = (flat >= 0) & (flat < n_gen[ev])
    reco[offsets[ev[ok]] + flat[ok]] = True
    out = {k: _flat(arr[f"{g}_{k}"]) for k in ("pt", "eta", "phi")}
    keep = out["pt"] >= selection.pt_min
    if selection.pdg_id is not None:
        keep &= np.abs(_flat(arr[f"{g}_pdgId"])) == selection.pdg_id
    if selection.status is not None:
        keep &= _flat(arr[f"{g}_status"]) == selection.status
    out["weight"] = np.repeat(sample.weight, n_gen)
    out["reconstructed"] = reco
    return {k: v[keep] for k, v in out.items()}


def binned_efficiency(x, passed, weight, edges):
    """Efficiency per bin of x with its binomial uncertainty (effective entries).

    Returns (efficiency [nbins], error [nbins], entries [nbins]); NaN where a bin is empty.
    """
    x, weight = np.asarray(x, np.float64), np.asarray(weight, np.float64)
    total = np.histogram(x, edges, weights=weight)[0]
    npass = np.histogram(x[passed], edges, weights=weight[passed])[0]
    sumw2 = np.histogram(x, edges, weights=weight**2)[0]
    with np.errstate(invalid="ignore", divide="ignore"):
        eff = npass / total
        n_eff = total**2 / sumw2
        err = np.sqrt(np.clip(eff * (1 - eff), 0, None) / n_eff)
        # no zero-width bars at 0 or 1: the Wilson half-width for k = 0 or n
        err = np.where((eff == 0) | (eff == 1), 1.0 / (n_eff + 1), err)
    return eff, err, n_eff


def response_profile(x, ratio, weight, edges):
    """Median response and resolution (half of the 16-84% interval over the median) in bins
    of x, with approximate uncertainties (1.25 sigma/sqrt(n) for the median, sigma/sqrt(2n)
    for the width).

    Returns dict of [nbins] arrays: median, median_err, resolution, resolution_err, entries.
    """
    nb = len(edges) - 1
    out = {k: np.full(nb, np.nan) for k in ("median", "median_err", "resolution", "resolution_err")}
    b = np.digitize(x, edges) - 1
    out["entries"] = np.bincount(b[(b >= 0) & (b < nb)], minlength=nb).astype(float)
    for i in range(nb):
        r = ratio[b == i]
        if len(r) < 10:
            continue
        q16, q50, q84 = np.quantile(r, [0.16, 0.5, 0.84])
        sigma = 0.5 * (q84 - q16)
        out["median"][i], out["median_err"][i] = q50, 1.2533 * sigma / np.sqrt(len(r))
        if q50 > 0:
            out["resolution"][i] = sigma / q50
            out["resolution_err"][i] = sigma / q50 / np.sqrt(2 * len(r))
    return out


# (collection, score, signal label, signal test, background label, background test) on
# X_hadronFlavour (5 b, 4 c, 0 light) or X_partonFlavour (21 gluon, 1-3 light quarks)
TAGGERS = (
    ("Jet", "btagDeepFlavB", "b", ("hadronFlavour", (5,)), "light", ("hadronFlavour", (0,))),
    ("Jet", "btagDeepFlavCvL", "c", ("hadronFlavour", (4,)), "light", ("hadronFlavour", (0,))),
    ("Jet", "btagDeepFlavCvB", "c", ("hadronFlavour", (4,)), "b", ("hadronFlavour", (5,))),
    ("Jet", "btagDeepFlavQG", "gluon", ("partonFlavour", (21,)), "uds", ("partonFlavour", (1, 2, 3))),
    ("SubJet", "btagDeepFlavB", "b", ("hadronFlavour", (5,)), "light", ("hadronFlavour", (0,))),
)


@dataclass(frozen=True)
class Roc:
    """Signal and background efficiencies above each threshold, and the AUC."""

    signal_eff: np.ndarray
    background_eff: np.ndarray
    auc: float
    n_signal: float
    n_background: float


def roc_curve(score, is_signal, is_background, weight) -> Roc | None:
    """ROC of ``score`` for signal vs background rows; None when either is empty."""
    from flashsim.validate.two_sample import weighted_auc

    score, weight = np.asarray(score, np.float64), np.asarray(weight, np.float64)
    sel = is_signal | is_background
    if not is_signal.any() or not is_background.any():
        return None
    s, y, w = score[sel], is_signal[sel], weight[sel]
    order = np.argsort(-s, kind="mergesort")
    s, y, w = s[order], y[order], w[order]
    last = np.r_[np.flatnonzero(np.diff(s) != 0), len(s) - 1]  # thresholds between distinct scores
    tp = np.cumsum(np.where(y, w, 0.0))[last]
    fp = np.cumsum(np.where(~y, w, 0.0))[last]
    return Roc(np.r_[0.0, tp / tp[-1]], np.r_[0.0, fp / fp[-1]], weighted_auc(s, y, w), float(tp[-1]), float(fp[-1]))
