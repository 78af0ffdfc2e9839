"""Transform: a fitted chain of steps, serialised as the manifest's "transform" list."""

import copy

import numpy as np

from flashsim.errors import InputError
from flashsim.transforms.steps import FORWARD, INVERSE, gen_bin

__all__ = ["OPS", "Transform"]

OPS = tuple(FORWARD) + ("spike",)
_GEN_OPS = ("ratio", "difference", "delta_phi", "gen_scale", "binned_standardize")
_MIN_BIN_COUNT = 100  # a binned_standardize bin with fewer training values takes its nearest filled bin's
_SPIKE_GAP = 3.0  # the spike sits this far (in network units) below the smallest regular value
_SPIKE_WIDTH = 0.1


def _robust(y):
    q16, q50, q84 = np.quantile(y, [0.16, 0.5, 0.84])
    return float(q50), float((q84 - q16) / 2) or 1.0


def _binned_fit(y, k, n):
    """Per bin: the median and the half 16-84% width of ``y`` (robust to the tails). A sparse bin
    (fewer than _MIN_BIN_COUNT values) takes those of the nearest filled bin, or of all values."""
    counts = np.bincount(k, minlength=n)
    filled = np.nonzero(counts >= _MIN_BIN_COUNT)[0]
    if len(filled) == 0:
        loc, scale = _robust(y)
        return [loc] * n, [scale] * n
    fitted = {b: _robust(y[k == b]) for b in filled}
    nearest = [filled[np.argmin(np.abs(filled - b))] for b in range(n)]
    return [fitted[b][0] for b in nearest], [fitted[b][1] for b in nearest]


class Transform:
    """A variable's chain of steps.

    Args:
        steps: dicts such as ``{"op": "log"}``, ``{"op": "ratio", "gen": "GenJet_pt"}``,
            ``{"op": "standardize"}`` (mean/std fitted), ``{"op": "spike", "value": -1}``
            (loc/threshold fitted; first step only), ``{"op": "clip", "fit": "range"}`` (lo/hi
            fitted: the range of the training values at that step).
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
            if op == "binned_standardize":
                edges = step.get("edges")
                if not (isinstance(edges, list) and len(edges) >= 2 and np.all(np.isfinite(edges))
                        and np.all(np.diff(edges) > 0)):
                    raise InputError(f"{name}: step {i} (binned_standardize) needs 'edges', at least two increasing "
                                     f"finite numbers; got {edges!r}")
                if not isinstance(step.get("abs", False), bool):
                    raise InputError(f"{name}: step {i} (binned_standardize) 'abs' must be true or false; "
                                     f"got {step['abs']!r}")
                n = len(edges) - 1
                for key in ("loc", "scale"):
                    if key in step and (len(step[key]) != n or not np.all(np.isfinite(step[key]))):
                        raise InputError(f"{name}: step {i} (binned_standardize) '{key}' needs {n} finite values "
                                         f"(one per bin)")
                if "scale" in step and not np.all(np.asarray(step["scale"]) > 0):
                    raise InputError(f"{name}: step {i} (binned_standardize) 'scale' must be > 0")

    @property
    def gen_inputs(self):
        """Gen variables the chain refers to (ratio/difference/delta_phi/gen_scale)."""
        return [step["gen"] for step in self.steps if step["op"] in _GEN_OPS]

    def _spike(self):
        return self.steps[0] if self.steps and self.steps[0]["op"] == "spike" else None

    def _regular_forward(self, x, gen, rng, upto=None):
        for step in self.steps[:upto]:
            op = step["op"]
            if op == "spike":
                continue
            if op == "dequantize" and rng is not None:
                x = x + rng.uniform(-0.5, 0.5, size=x.shape)
            x = FORWARD[op](x, step, gen.get(step.get("gen")) if gen else None)
        return x

    def fit(self, x, gen=None):
        """Fits standardize (mean, std), binned_standardize (loc, scale per bin of the gen variable), spike
        (loc, threshold) and range-clip (lo, hi) parameters on ``x``."""
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
            if not range_clip and step["op"] not in ("standardize", "binned_standardize"):
                continue
            with np.errstate(invalid="ignore", divide="ignore"):  # reported just below
                y = self._regular_forward(values, gen_regular, rng, upto=i)
            if not np.all(np.isfinite(y)):
                raise InputError(f"{self.name}: non-finite values before step {i} ({step['op']}); check the data")
            if range_clip:
                step["lo"], step["hi"] = float(np.min(y)), float(np.max(y))
            elif step["op"] == "binned_standardize":
                step["loc"], step["scale"] = _binned_fit(y, gen_bin(step, gen_regular[step["gen"]]),
                                                         len(step["edges"]) - 1)
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
            x = INVERSE[step["op"]](x, step, (gen or {}).get(step.get("gen")))
        if spike is not None:
            x = np.where(y <= spike["threshold"], spike["value"], x)
        return x

    def to_json(self):
        """The manifest's "transform" list."""
        return copy.deepcopy(self.steps)
