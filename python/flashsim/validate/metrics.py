"""Numbers per variable (Wasserstein-1 over the reference spread, Kolmogorov-Smirnov) and per
collection (classifier two-sample AUC, flashsim.validate.two_sample).

Finite samples never give exactly 0: every per-variable metric comes with its *null* value, the
same metric after swapping A and B entries within random events (or between random rows when no
event ids are given): what statistics alone produce, so a reader can tell a real difference from
noise. Variables are ranked by the W1 beyond that noise (``w1 - w1_null - 3 w1_null_std``): a
raw W1 would put every low-statistics variable on top.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np

NULL_SIGMAS = 3.0

__all__ = ["NULL_SIGMAS", "VariableMetrics", "ks_distance", "variable_metrics", "wasserstein1"]


@dataclass(frozen=True)
class VariableMetrics:
    """w1: Wasserstein-1 distance / spread of B (the reference); ks: Kolmogorov-Smirnov
    distance; ks_pvalue: its asymptotic p-value (effective sample sizes); w1_null, ks_null: the
    same after random A/B swaps (mean of ``n_null`` swaps; w1_null_std: their spread);
    mean_a/mean_b: weighted means; n_a/n_b: entries."""

    name: str
    w1: float
    ks: float
    ks_pvalue: float
    w1_null: float
    ks_null: float
    w1_null_std: float
    mean_a: float
    mean_b: float
    n_a: int
    n_b: int

    @property
    def excess(self) -> float:
        """W1 beyond noise, w1 - (w1_null + 3 w1_null_std): the report's ranking. The 3 standard
        deviations keep the few-entry variables, whose W1 fluctuates most, from topping the list
        of a perfect simulation by chance (one of some 250 variables is a 3-sigma fluctuation)."""
        return self.w1 - self.w1_null - NULL_SIGMAS * self.w1_null_std

    def to_json(self) -> dict:
        out = {**asdict(self), "w1_excess": self.excess}
        return {k: (None if isinstance(v, float) and not np.isfinite(v) else v) for k, v in out.items()}


def _ecdfs(a, b, wa, wb):
    """Weighted empirical CDFs of a and b on the sorted union of their values."""
    grid = np.union1d(a, b)

    def cdf(x, w):
        order = np.argsort(x, kind="mergesort")
        cw = np.cumsum(w[order])
        pos = np.searchsorted(x[order], grid, side="right")
        return np.where(pos > 0, cw[np.maximum(pos - 1, 0)], 0.0) / cw[-1]

    return grid, cdf(a, wa), cdf(b, wb)


def wasserstein1(a, b, wa=None, wb=None) -> float:
    """W1 = integral |F_a - F_b| dx (weighted)."""
    a, b = np.asarray(a, np.float64), np.asarray(b, np.float64)
    wa = np.ones(len(a)) if wa is None else np.asarray(wa, np.float64)
    wb = np.ones(len(b)) if wb is None else np.asarray(wb, np.float64)
    grid, fa, fb = _ecdfs(a, b, wa, wb)
    return float(np.sum(np.abs(fa - fb)[:-1] * np.diff(grid)))


def ks_distance(a, b, wa=None, wb=None) -> float:
    """sup |F_a - F_b| (weighted)."""
    a, b = np.asarray(a, np.float64), np.asarray(b, np.float64)
    wa = np.ones(len(a)) if wa is None else np.asarray(wa, np.float64)
    wb = np.ones(len(b)) if wb is None else np.asarray(wb, np.float64)
    _, fa, fb = _ecdfs(a, b, wa, wb)
    return float(np.max(np.abs(fa - fb)))


def _spread(x, w) -> float:
    """Weighted standard deviation; 1 for a constant (so W1 stays in the variable's units)."""
    mean = np.average(x, weights=w)
    sd = float(np.sqrt(np.average((x - mean) ** 2, weights=w)))
    return sd if sd > 0 else 1.0


def _effective(w) -> float:
    return float(w.sum() ** 2 / np.sum(w**2))


def variable_metrics(name: str, a, b, wa=None, wb=None, event_a=None, event_b=None, seed: int = 0,
                     n_null: int = 16) -> VariableMetrics:
    """Metrics of sample A (e.g. FlashSim) against B (the reference) for one variable.

    Args:
        a: [n_a] values of A; b: [n_b] values of B; wa, wb: their weights (None: 1).
        event_a, event_b: [n_a], [n_b] event ids of the entries (None: entries independent).
    With event ids, the null swaps A and B within random events (the permutation test of
    paired samples: FlashSim and reference made from the same gen events are correlated, and
    a row permutation would overstate their noise several times); without, it permutes rows.
    Non-finite values are dropped. Empty samples give NaN metrics.
    """
    from scipy.special import kolmogorov

    from flashsim.validate.two_sample import event_split

    a, b = np.asarray(a, np.float64), np.asarray(b, np.float64)
    wa = np.ones(len(a)) if wa is None else np.asarray(wa, np.float64)
    wb = np.ones(len(b)) if wb is None else np.asarray(wb, np.float64)
    paired = event_a is not None and event_b is not None
    if paired:
        event_a, event_b = np.asarray(event_a), np.asarray(event_b)
    fa, fb = np.isfinite(a), np.isfinite(b)
    a, wa, b, wb = a[fa], wa[fa], b[fb], wb[fb]
    if paired:
        event_a, event_b = event_a[fa], event_b[fb]
    if len(a) == 0 or len(b) == 0:
        nan = float("nan")
        return VariableMetrics(name, nan, nan, nan, nan, nan, nan, nan, nan, len(a), len(b))
    spread = _spread(b, wb)
    w1 = wasserstein1(a, b, wa, wb) / spread
    ks = ks_distance(a, b, wa, wb)
    na, nb = _effective(wa), _effective(wb)
    pvalue = float(kolmogorov(ks * np.sqrt(na * nb / (na + nb))))
    rng = np.random.default_rng(seed)
    pool, wpool = np.concatenate([a, b]), np.concatenate([wa, wb])
    w1_nulls, ks_nulls = [], []
    for k in range(n_null):
        if paired:
            swap_a, swap_b = event_split(event_a, 0.5, seed + k), event_split(event_b, 0.5, seed + k)
            side1 = np.concatenate([~swap_a, swap_b])
        else:
            side1 = np.zeros(len(pool), dtype=bool)
            side1[rng.permutation(len(pool))[:len(a)]] = True
        if side1.all() or not side1.any():
            continue
        x1, w1s, x2, w2s = pool[side1], wpool[side1], pool[~side1], wpool[~side1]
        w1_nulls.append(wasserstein1(x1, x2, w1s, w2s) / spread)
        ks_nulls.append(ks_distance(x1, x2, w1s, w2s))
    w1_null, ks_null = (float(np.mean(x)) if x else 0.0 for x in (w1_nulls, ks_nulls))
    w1_null_std = float(np.std(w1_nulls, ddof=1)) if len(w1_nulls) > 1 else 0.0
    return VariableMetrics(name, w1, ks, pvalue, w1_null, ks_null, w1_null_std, float(np.average(a, weights=wa)),
                           float(np.average(b, weights=wb)), len(a), len(b))
