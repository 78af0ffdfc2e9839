"""The ops, vectorised with NumPy: forward (training direction) and inverse of one step.

Each function takes the step's parameter dict ``p`` and, where the op refers to a gen
variable, that variable's values ``g`` (same length as x). Kept in step with
cpp/src/VariableTransform.cxx: a test holds the two against each other.
"""

import numpy as np

__all__ = ["FORWARD", "INVERSE", "QUANTILE_KNOTS", "gen_bin", "quantile_knots", "wrap_phi"]


def wrap_phi(phi):
    return np.mod(phi + np.pi, 2 * np.pi) - np.pi


def _logit_forward(x, p):
    lo, hi, eps = p.get("lo", 0.0), p.get("hi", 1.0), p.get("eps", 1e-6)
    u = np.clip((x - lo) / (hi - lo), eps, 1 - eps)
    return np.log(u / (1 - u))


def _logit_inverse(y, p):
    lo, hi = p.get("lo", 0.0), p.get("hi", 1.0)
    return lo + (hi - lo) / (1 + np.exp(-y))


def _arctan_inverse(y, p):
    edge = np.pi / 2 - 1e-9
    return p.get("scale", 1.0) * np.tan(np.clip(y, -edge, edge))


def _gen_factor(p, g):
    return np.power(np.maximum(g / p.get("scale", 1.0), 1e-6), p.get("power", 0.0))


def _axis_bin(edges, g, absolute):
    g = np.abs(g) if absolute else np.asarray(g)
    return np.clip(np.searchsorted(edges, g, side="right") - 1, 0, len(edges) - 2)


def gen_bin(p, g):
    """The bin of ``g`` (|g| with "abs") in the step's "edges"; outside the edges, the end bins.
    With a second gen variable ("gen2", "edges2", "abs2"), ``g`` is the pair and the bin is
    k1 * n2 + k2 (row-major over the two axes)."""
    if "gen2" not in p:
        return _axis_bin(p["edges"], g, p.get("abs"))
    g1, g2 = g
    return _axis_bin(p["edges"], g1, p.get("abs")) * (len(p["edges2"]) - 1) + _axis_bin(p["edges2"], g2,
                                                                                         p.get("abs2"))


def _binned(p, g):
    k = gen_bin(p, g)
    return np.asarray(p["loc"])[k], np.asarray(p["scale"])[k]


def _binned_forward(x, p, g):
    loc, scale = _binned(p, g)
    return (x - loc) / scale


def _binned_inverse(y, p, g):
    loc, scale = _binned(p, g)
    return y * scale + loc


FORWARD = {
    "log": lambda x, p, g: np.log(x + p.get("offset", 0.0)),
    "standardize": lambda x, p, g: (x - p["mean"]) / p["std"],
    "ratio": lambda x, p, g: x / g,
    "difference": lambda x, p, g: x - g,
    "delta_phi": lambda x, p, g: wrap_phi(x - g),
    "gen_scale": lambda x, p, g: x * _gen_factor(p, g),
    "binned_standardize": _binned_forward,
    "logit": lambda x, p, g: _logit_forward(x, p),
    "arctan": lambda x, p, g: np.arctan(x / p.get("scale", 1.0)),
    "asinh": lambda x, p, g: np.arcsinh(x / p.get("scale", 1.0)),
    "dequantize": lambda x, p, g: x,
    "clip": lambda x, p, g: np.clip(x, p.get("lo", -np.inf), p.get("hi", np.inf)),
    "quantile": lambda x, p, g: np.interp(x, p["x"], p["y"]),
}

INVERSE = {
    "log": lambda y, p, g: np.exp(y) - p.get("offset", 0.0),
    "standardize": lambda y, p, g: y * p["std"] + p["mean"],
    "ratio": lambda y, p, g: y * g,
    "difference": lambda y, p, g: y + g,
    "delta_phi": lambda y, p, g: wrap_phi(y + g),
    "gen_scale": lambda y, p, g: y / _gen_factor(p, g),
    "binned_standardize": _binned_inverse,
    "logit": lambda y, p, g: _logit_inverse(y, p),
    "arctan": lambda y, p, g: _arctan_inverse(y, p),
    "asinh": lambda y, p, g: p.get("scale", 1.0) * np.sinh(y),
    "dequantize": lambda y, p, g: np.rint(y),
    "clip": lambda y, p, g: np.clip(y, p.get("lo", -np.inf), p.get("hi", np.inf)),
    "quantile": lambda y, p, g: np.interp(y, p["y"], p["x"]),
}


QUANTILE_KNOTS = 256  # knots of a fitted quantile step (fewer when the training values have fewer distinct ones)


def quantile_knots(x, knots: int = QUANTILE_KNOTS) -> tuple[list, list]:
    """(x knots, y knots) of a quantile step fitted on ``x``: the values at ``knots`` evenly spaced
    probabilities from 0 (the smallest value) to 1 (the largest) to their normal scores (the ends taken
    half a row inside 0 and 1), repeated x knots merged. Between two knots the map is linear, so a gap
    in the values (no training row between two knots) gets the share of one knot interval at most."""
    from scipy.special import ndtri

    x = np.asarray(x, dtype=np.float64)
    n = len(x)
    p = np.linspace(0.0, 1.0, min(knots, n))
    xk, first = np.unique(np.quantile(x, p), return_index=True)
    yk = ndtri(np.clip(p[first], 0.5 / n, 1 - 0.5 / n))
    return [float(v) for v in xk], [float(v) for v in yk]
