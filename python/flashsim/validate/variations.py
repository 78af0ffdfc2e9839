"""Fast generator variations (CMS FlashSim slides, "FlashSim for generator-level variations").

A full-simulation sample exists for the nominal generator setting only. FlashSim simulates both
the nominal and a varied setting quickly; the varied prediction per bin is the reference
corrected by FlashSim's ratio:

    varied_i = reference_i * flash_varied_i / flash_nominal_i

so that FlashSim's own mismodelling cancels in the ratio to first order, and the precision of
the full simulation is kept where the variation is small.

Uncertainties (statistical, per bin): each histogram gives a sum of weights S and a sum of
squared weights W2 (variance of S). For independent samples, first-order propagation of the
product of ratios gives

    ratio = S_var / S_nom,
    (sigma_ratio / ratio)^2 = W2_var / S_var^2 + W2_nom / S_nom^2 - 2 rho sqrt(W2_var W2_nom) / (S_var S_nom)
    sigma_varied^2 = ratio^2 W2_ref + S_ref^2 sigma_ratio^2
    (i.e. (sigma_varied / varied)^2 = W2_ref / S_ref^2 + (sigma_ratio / ratio)^2)

where rho is the correlation of the FlashSim varied and nominal bin contents: 0 for
independently generated samples (the default), close to 1 when the variation is a reweighting
of the same events (then most of the statistical noise cancels). The reference and FlashSim
samples are taken as independent (a different simulation; their correlation through shared gen
events is not modelled, which makes the quoted uncertainty conservative when it is positive).
An empty bin gets a zero Gaussian uncertainty on its content: choose bins with entries.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from flashsim.errors import InputError

__all__ = ["VariedPrediction", "generator_variation", "varied_prediction"]


@dataclass(frozen=True)
class VariedPrediction:
    """edges: [n+1]; values, errors: [n] varied prediction and its statistical uncertainty;
    ratio, ratio_errors: [n] FlashSim varied / nominal with its uncertainty (rho included)."""

    edges: np.ndarray
    values: np.ndarray
    errors: np.ndarray
    ratio: np.ndarray
    ratio_errors: np.ndarray


def varied_prediction(reference, nominal, varied, reference_sumw2=None, nominal_sumw2=None, varied_sumw2=None,
                      rho: float = 0.0, edges=None) -> VariedPrediction:
    """Per-bin varied prediction from three histograms (sums of weights per bin).

    Args:
        reference: [n] reference (full simulation) bin contents, nominal generator setting.
        nominal, varied: [n] FlashSim bin contents for the nominal and the varied setting.
        *_sumw2: [n] sums of squared weights (None: the contents themselves, i.e. unit weights).
        rho: correlation of the FlashSim nominal and varied contents, in [-1, 1].
    Bins with an empty FlashSim nominal give NaN.
    """
    r, n, v = (np.asarray(x, np.float64) for x in (reference, nominal, varied))
    if not (r.shape == n.shape == v.shape) or r.ndim != 1:
        raise InputError(f"histograms must be 1D of equal length, got {r.shape}, {n.shape}, {v.shape}")
    if not -1.0 <= rho <= 1.0:
        raise InputError(f"rho must be in [-1, 1], got {rho}")
    r2, n2, v2 = (np.asarray(x if x is not None else y, np.float64)
                  for x, y in ((reference_sumw2, r), (nominal_sumw2, n), (varied_sumw2, v)))
    with np.errstate(invalid="ignore", divide="ignore"):
        ratio = np.where(n != 0, v / n, np.nan)
        # absolute form of the relative formula above: also right for an empty varied bin
        var_ratio = v2 / n**2 + v**2 * n2 / n**4 - 2 * rho * np.sqrt(v2 * n2) * v / n**3
        ratio_err = np.where(n != 0, np.sqrt(np.clip(var_ratio, 0, None)), np.nan)
        values = r * ratio
        # product rule, written so that an empty reference bin keeps its (zero) uncertainty finite
        errors = np.sqrt(ratio**2 * r2 + r**2 * ratio_err**2)
    edges = np.arange(len(r) + 1, dtype=np.float64) if edges is None else np.asarray(edges, np.float64)
    return VariedPrediction(edges, values, errors, ratio, ratio_err)


def generator_variation(reference, nominal, varied, edges, reference_weights=None, nominal_weights=None,
                        varied_weights=None, rho: float = 0.0) -> VariedPrediction:
    """The same from unbinned values: histograms them on ``edges`` (with weights) first.

    Args:
        reference, nominal, varied: [n_ref], [n_nom], [n_var] values of one observable.
        edges: [n_bins + 1] bin edges.
    """
    def hist(x, w):
        x = np.asarray(x, np.float64)
        w = np.ones(len(x)) if w is None else np.asarray(w, np.float64)
        return np.histogram(x, edges, weights=w)[0], np.histogram(x, edges, weights=w**2)[0]

    (r, r2), (n, n2), (v, v2) = hist(reference, reference_weights), hist(nominal, nominal_weights), \
        hist(varied, varied_weights)
    return varied_prediction(r, n, v, r2, n2, v2, rho=rho, edges=edges)
