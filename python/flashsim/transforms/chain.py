"""Transform: a fitted chain of steps, serialised as the manifest's "transform" list."""

import copy

import numpy as np

from flashsim.errors import InputError
from flashsim.transforms.steps import FORWARD, INVERSE, gen_bin, quantile_knots

__all__ = ["OPS", "Transform"]

OPS = tuple(FORWARD) + ("spike",)
_GEN_OPS = ("ratio", "difference", "delta_phi", "gen_scale", "binned_standardize")
_MIN_BIN_COUNT = 100  # a binned_standardize bin with fewer training values takes its nearest filled bin's
_SPIKE_GAP = 3.0  # the spike sits this far (in network units) below the smallest regular value
_SPIKE_WIDTH = 0.1


def _robust(y):
    q16, q50, q84 = np.quantile(y, [0.16, 0.5, 0.84])
    return float(q50), float((q84 - q16) / 2) or 1.0


def _binned_fit(y, k, shape):
    """Per bin: the median and the half 16-84% width of ``y`` (robust to the tails). A sparse bin
    (fewer than _MIN_BIN_COUNT values) takes those of the nearest filled bin (in bin steps over
    the ``shape`` of the grid; ties: the lower flat index), or of all values."""
    n = int(np.prod(shape))
    counts = np.bincount(k, minlength=n)
    filled = np.nonzero(counts >= _MIN_BIN_COUNT)[0]
    if len(filled) == 0:
        loc, scale = _robust(y)
        return [loc] * n, [scale] * n
    fitted = {b: _robust(y[k == b]) for b in filled}
    where_filled = np.stack(np.unravel_index(filled, shape), axis=1)
    nearest = [filled[np.argmin(((where_filled - np.unravel_index(b, shape)) ** 2).sum(axis=1))] for b in range(n)]
    return [fitted[b][0] for b in nearest], [fitted[b][1] for b in nearest]


def _bins_shape(step):
    """binned_standardize: (n,) bins of one gen variable, (n1, n2) of two."""
    n1 = len(step["edges"]) - 1
    return (n1,) if "gen2" not in step else (n1, len(step["edges2"]) - 1)


def _step_gen(step, gen):
    """The gen values a step refers to: one array, or the pair of a two-variable binned_standardize."""
    if not gen or "gen" not in step:
        return None
    return gen.get(step["gen"]) if "gen2" not in step else (gen.get(step["gen"]), gen.get(step["gen2"]))


def _check_edges(name, i, step, key):
    edges = step.get(key)
    if not (isinstance(edges, list) and len(edges) >= 2 and np.all(np.isfinite(edges)) and np.all(np.diff(edges) > 0)):
        raise InputError(f"{name}: step {i} ({step['op']}) needs '{key}', at least two increasing "
                         f"finite numbers; got {edges!r}")


class Transform:
    """A variable's chain of steps.

    Args:
        steps: dicts such as ``{"op": "log"}``, ``{"op": "ratio", "gen": "GenJet_pt"}``,
            ``{"op": "standardize"}`` (mean/std fitted), ``{"op": "spike", "value": -1}``
            (loc/threshold fitted; first step only), ``{"op": "clip", "fit": "range"}`` (lo/hi
            fitted: the range of the training values at that step), ``{"op": "quantile"}`` (x/y knots
            fitted: the training values' quantiles to normal scores).
        name: the variable, for error messages.
    """

    def __init__(self, steps, name="variable"):
        self.steps = [dict(step) for step in steps]
        self.name = name
        for i, step in enumerate(self.steps):
            op = step.get("op")
            if op not in OPS:
                raise InputError(f"{name}: unknown transform op {op!r} at step {i}; expected one of {', '.join(OPS)}")
            if op == "spike" and i != 0:
                raise InputError(f"{name}: a 'spike' step must be the first step, found at step {i}")
            if op in _GEN_OPS and "gen" not in step:
                raise InputError(f"{name}: step {i} ({op}) needs 'gen', the gen variable it refers to")
            if op != "binned_standardize" and any(k in step for k in ("gen2", "edges2", "abs2")):
                raise InputError(f"{name}: step {i} ({op}) takes no second gen variable ('gen2', 'edges2', "
                                 "'abs2' belong to binned_standardize)")
            if op == "quantile" and ("x" in step or "y" in step):
                _check_edges(name, i, step, "x")
                _check_edges(name, i, step, "y")
                if len(step["x"]) != len(step["y"]):
                    raise InputError(f"{name}: step {i} (quantile) needs as many 'y' knots as 'x' knots")
            if op == "binned_standardize":
                _check_edges(name, i, step, "edges")
                if ("gen2" in step) != ("edges2" in step) or ("abs2" in step and "gen2" not in step):
                    raise InputError(f"{name}: step {i} (binned_standardize) needs 'gen2' and 'edges2' together "
                                     "for a second gen variable ('abs2' optional)")
                if "gen2" in step:
                    _check_edges(name, i, step, "edges2")
                for key in ("abs", "abs2"):
                    if not isinstance(step.get(key, False), bool):
                        raise InputError(f"{name}: step {i} (binned_standardize) '{key}' must be true or false; "
                                         f"got {step[key]!r}")
                n = int(np.prod(_bins_shape(step)))
                for key in ("loc", "scale"):
                    if key in step and (len(step[key]) != n or not np.all(np.isfinite(step[key]))):
                        raise InputError(f"{name}: step {i} (binned_standardize) '{key}' needs {n} finite values "
                                         f"(one per bin{'' if 'gen2' not in step else ', row-major over the two'})")
                if "scale" in step and not np.all(np.asarray(step["scale"]) > 0):
                    raise InputError(f"{name}: step {i} (binned_standardize) 'scale' must be > 0")

    @property
    def gen_inputs(self):
        """Gen variables the chain refers to (ratio/difference/delta_phi/gen_scale/binned_standardize)."""
        return [name for step in self.steps if step["op"] in _GEN_OPS
                for name in (step["gen"], step.get("gen2")) if name is not None]

    def _spike(self):
        return self.steps[0] if self.steps and self.steps[0]["op"] == "spike" else None

    def _regular_forward(self, x, gen, rng, upto=None):
        for step in self.steps[:upto]:
            op = step["op"]
            if op == "spike":
                continue
            if op == "dequantize" and rng is not None:
                x = x + rng.uniform(-0.5, 0.5, size=x.shape)
            x = FORWARD[op](x, step, _step_gen(step, gen))
        return x

    def fit(self, x, gen=None):
        """Fits standardize (mean, std), binned_standardize (loc, scale per bin of the gen variable), quantile
        (knots), spike (loc, threshold) and range-clip (lo, hi) parameters on ``x``."""
        x = np.asarray(x, dtype=np.float64)
        spike = self._spike()
        mask = np.ones(len(x), dtype=bool) if spike is None else x != spike["value"]
        if not mask.any():
            raise InputError(f"{self.name}: every value equals the spike value {spike['value']}; nothing to fit")
        gen_regular = {k: np.asarray(v, dtype=np.float64)[mask] for k, v in (gen or {}).items()}
        rng = np.random.default_rng(0)  # dequantisation noise while fitting, reproducible
        values = x[mask]
        for i, step in enumerate(self.steps):
            range_clip = step["op"] == "clip" and step.get("fit") == "range"  # the range seen in training
            if not range_clip and step["op"] not in ("standardize", "binned_standardize", "quantile"):
                continue
            with np.errstate(invalid="ignore", divide="ignore"):  # reported just below
                y = self._regular_forward(values, gen_regular, rng, upto=i)
            if not np.all(np.isfinite(y)):
                raise InputError(f"{self.name}: non-finite values before step {i} ({step['op']}); check the data")
            if range_clip:
                step["lo"], step["hi"] = float(np.min(y)), float(np.max(y))
            elif step["op"] == "quantile":
                step["x"], step["y"] = quantile_knots(y)
                if len(step["x"]) < 2:
                    raise InputError(f"{self.name}: a quantile step needs at least 2 distinct values; all are {y[0]:g}")
            elif step["op"] == "binned_standardize":
                step["loc"], step["scale"] = _binned_fit(y, gen_bin(step, _step_gen(step, gen_regular)),
                                                         _bins_shape(step))
            else:
                step["mean"] = float(y.mean())
                step["std"] = float(y.std()) or 1.0
        if spike is not None:
            y = self._regular_forward(values, gen_regular, rng)
            spike["loc"] = float(y.min() - _SPIKE_GAP)
            spike["width"] = _SPIKE_WIDTH
            spike["threshold"] = float(y.min() - _SPIKE_GAP / 2)
        return self

    def forward(self, x, gen=None, rng=None):
        """Physical -> network. With ``rng``, training noise: dequantisation and spike smearing."""
        x = np.asarray(x, dtype=np.float64)
        spike = self._spike()
        if spike is None:
            return self._regular_forward(x, gen, rng)
        mask = x == spike["value"]
        y = np.empty_like(x)
        regular_gen = {k: np.asarray(v)[~mask] for k, v in (gen or {}).items()}
        y[~mask] = self._regular_forward(x[~mask], regular_gen, rng)
        width = spike.get("width", 0.0) if rng is not None else 0.0
        y[mask] = spike["loc"] + width * (rng.standard_normal(mask.sum()) if rng is not None else 0.0)
        return y

    def inverse(self, y, gen=None):
        """Network -> physical."""
        y = np.asarray(y, dtype=np.float64)
        spike = self._spike()
        x = y
        for step in reversed(self.steps):
            if step["op"] == "spike":
                continue
            x = INVERSE[step["op"]](x, step, _step_gen(step, gen))
        if spike is not None:
            x = np.where(y <= spike["threshold"], spike["value"], x)
        return x

    def to_json(self):
        """The manifest's "transform" list."""
        return copy.deepcopy(self.steps)
