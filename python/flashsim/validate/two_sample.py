"""Classifier two-sample test: can a classifier tell sample A from sample B?

:func:`two_sample_test` is the one test of the validation report and of the quality script
(benchmarks/quality_default_bundle.py); its settings live in :data:`SETTINGS`. Two classifiers
are fitted on the same training events and their scores (log-odds) combined: scikit-learn's
histogram gradient boosting, stopped when its loss on a share of the training rows stops improving;
and a 3 x 64 MLP on the rows mapped to normal scores. Each score is put in units of its spread and
weighted by a logistic regression fitted on their out-of-fold scores of the training events (two
folds: stacking); both are then refitted on all the training events. The combination was
chosen by measurement on known distortions (docs/validate.md, benchmarks/two_sample_sensitivity.py):
the trees alone see jet-scale and pileup-ID changes better than the MLP alone, the MLP a flag
flipped in a few percent of the muons; at 3,000 events the MLP sees almost nothing, and its weight
keeps its noise out. The report's
older MLP is kept as :func:`two_sample_auc`. The AUC carries a bootstrap error (test events resampled).

The rules of DESIGN.md "Measuring fidelity": rows are split into train and test **by event**
(rows of the same event, in A and in B, always land on the same side; a row split lets the
classifier memorise gen features and pushes the AUC below 0.5); the gen conditioning is among
the inputs, so that p(reco | gen) is judged and not only the marginals; the classes are weighted
equally. AUC 0.5: indistinguishable; 1.0: fully separable; well below 0.5: a leak.

Example::

    result = two_sample_test(x_ref, x_model, event_ref, event_model)
    print(f"{result.auc:.3f} +- {result.auc_error:.3f}")
"""

from dataclasses import dataclass, field

import numpy as np

__all__ = ["SETTINGS", "TwoSampleResult", "TwoSampleSettings", "bootstrap_auc_error", "event_split",
           "quantile_gaussianize", "subsample_events", "two_sample_auc", "two_sample_test", "weighted_auc"]


@dataclass(frozen=True)
class TwoSampleSettings:
    """Every setting of the two-sample test, in one place.

    test_fraction: share of the events (of both samples) kept for the test;
    validation_fraction, patience: the trees stop when their loss on that share of the training rows
        (scikit-learn's early stopping) has not improved for ``patience`` iterations;
    max_objects: rows per sample at most (whole events drawn at random above it);
    bootstrap: resamplings of the test events for the AUC's error;
    trees: histogram gradient boosting (scikit-learn HistGradientBoostingClassifier) options;
    classifiers: the classifiers whose log-odds are combined ("trees", "mlp"; the per-variable
        diagnostics use the trees alone, flashsim.validate.two_sample_rows);
    stack_folds: folds of the training events whose out-of-fold scores fit the classifiers' weights;
    mlp: the MLP's options (hidden width, hidden layers, epochs, batch, learning rate, weight decay).
    """

    test_fraction: float = 0.5
    validation_fraction: float = 0.1
    patience: int = 10
    max_objects: int = 200_000
    bootstrap: int = 200
    # deep trees at rate 0.1, leaves of 20 rows, no L2, stopped by scikit-learn's own early stopping on the
    # loss of 10% of the training rows. Measured at 20,000 ttbar events against the trees of 2026-12-06 (the
    # number of trees chosen by the validation AUC of a 25% event split, then refitted; leaves of 40 rows, L2 1),
    # the same test rows, mean of seeds 0-2 (docs/validate.md): jet pt x 1.01 0.519 against 0.517, Muon_tightId
    # flipped in 5% 0.520 against 0.515, in 2% 0.502 against 0.500, the jet resolution +5% 0.512 against 0.514;
    # the muon control 0.503 against 0.494 (the AUC-chosen tree count sat below 0.5 under the null)
    trees: dict = field(default_factory=lambda: {"max_iter": 300, "learning_rate": 0.1, "max_leaf_nodes": 31,
                                                 "min_samples_leaf": 20, "l2_regularization": 0.0})
    # the trees and the MLP, their log-odds combined (docs/validate.md, "Sensitivity of the two-sample test")
    classifiers: tuple = ("trees", "mlp")
    # the folds of the training events whose out-of-fold scores fit the parts' weights (then both are refitted on
    # all the training events); below 2: equal weights
    stack_folds: int = 2
    mlp: dict = field(default_factory=lambda: {"hidden": 64, "depth": 3, "epochs": 40, "batch": 512,
                                               "learning_rate": 2e-3, "weight_decay": 1e-5})


SETTINGS = TwoSampleSettings()


@dataclass(frozen=True)
class TwoSampleResult:
    """auc: on the test events; auc_train: on the training events (overfitting check);
    n_train/n_test: rows per side (both classes); n_test_events: distinct test events;
    auc_error: bootstrap standard error of ``auc`` (test events resampled; nan when not computed);
    trees: the number of boosting iterations fitted before the early stop (0 without trees);
    auc_by_classifier: {classifier: test AUC of its score alone} (the combined score's parts);
    weights: {classifier: its weight in the combined score} (on its score in units of its spread);
    by_group: {group: (auc, auc_error, n_test)} on the test rows of each group the caller gave
    (:func:`two_sample_test`'s ``groups_a``/``groups_b``), the same classifier's scores."""

    auc: float
    auc_train: float
    n_train: int
    n_test: int
    n_test_events: int
    auc_error: float = float("nan")
    trees: int = 0
    weights: dict = field(default_factory=dict)
    by_group: dict = field(default_factory=dict)
    auc_by_classifier: dict = field(default_factory=dict)

    def to_json(self) -> dict:
        return {"auc": self.auc, "auc_error": self.auc_error, "auc_train": self.auc_train, "n_train": self.n_train,
                "n_test": self.n_test, "n_test_events": self.n_test_events, "trees": self.trees,
                "auc_by_classifier": dict(self.auc_by_classifier), "weights": dict(self.weights)}


def weighted_auc(score: np.ndarray, label: np.ndarray, weight: np.ndarray | None = None) -> float:
    """Area under the ROC curve (probability that a random 1 scores above a random 0; ties
    count one half), with per-row weights."""
    score = np.asarray(score, dtype=np.float64)
    label = np.asarray(label).astype(bool)
    w = np.ones(len(score)) if weight is None else np.asarray(weight, dtype=np.float64)
    order = np.argsort(score, kind="mergesort")
    s, y, w = score[order], label[order], w[order]
    # group ties: negatives strictly below + half of tied negatives
    _, start, counts = np.unique(s, return_index=True, return_counts=True)
    neg = np.where(~y, w, 0.0)
    pos = np.where(y, w, 0.0)
    neg_group = np.add.reduceat(neg, start)
    pos_group = np.add.reduceat(pos, start)
    neg_below = np.cumsum(neg_group) - neg_group
    total = (pos_group * (neg_below + 0.5 * neg_group)).sum()
    denom = pos.sum() * neg.sum()
    return float(total / denom) if denom > 0 else float("nan")


def _event_uniform(event_id: np.ndarray, seed: int) -> np.ndarray:
    """A uniform in [0, 1) per row, a hash of (event id, seed): the same for every row of an event."""
    z = np.asarray(event_id).astype(np.uint64) * np.uint64(0x9E3779B97F4A7C15)
    z = z ^ np.uint64(seed * 0x632BE59BD9B4E019 % (1 << 64))
    z = (z ^ (z >> np.uint64(31))) * np.uint64(0xBF58476D1CE4E5B9)
    z = z ^ (z >> np.uint64(29))
    return (z >> np.uint64(11)).astype(np.float64) * 2.0**-53


def event_split(event_id: np.ndarray, test_fraction: float, seed: int) -> np.ndarray:
    """True for rows whose event goes to the test side; a hash of (event id, seed), so the
    same event is on the same side in both samples."""
    return _event_uniform(event_id, seed) < test_fraction


def quantile_gaussianize(train: np.ndarray, *others: np.ndarray, n_quantiles: int = 512):
    """Map every column through the training rows' empirical CDF, then to a standard normal
    (robust to heavy tails and spikes). Returns the transformed train and others."""
    from scipy.special import ndtri

    qs = np.linspace(0, 1, n_quantiles)
    knots = np.quantile(train, qs, axis=0)
    out = []
    for x in (train, *others):
        cols = []
        for j in range(x.shape[1]):
            k, idx = np.unique(knots[:, j], return_index=True)
            if len(k) == 1:
                cols.append(np.zeros(len(x)))
                continue
            p = np.interp(x[:, j], k, qs[idx])
            cols.append(ndtri(np.clip(p, 1e-3, 1 - 1e-3)))
        out.append(np.stack(cols, axis=1).astype(np.float32))
    return out

def subsample_events(event_id: np.ndarray, max_rows: int, seed: int) -> np.ndarray:
    """True for the rows kept: all when there are at most ``max_rows``, else whole events drawn
    at random (by a hash of the event id and seed, so both samples keep the same events) until
    about ``max_rows`` rows remain."""
    n = len(event_id)
    if n <= max_rows:
        return np.ones(n, dtype=bool)
    return event_split(event_id, max_rows / n, seed + 7919)


def bootstrap_auc_error(score: np.ndarray, label: np.ndarray, weight: np.ndarray, event: np.ndarray,
                        n_boot: int, seed: int) -> float:
    """Standard deviation of the weighted AUC over ``n_boot`` resamplings of the events (an
    event's rows, of both samples, stay together)."""
    if n_boot < 2:
        return float("nan")
    events, inverse = np.unique(event, return_inverse=True)
    rng = np.random.default_rng(seed)
    values = []
    for _ in range(n_boot):
        times = np.bincount(rng.integers(0, len(events), len(events)), minlength=len(events))
        w = weight * times[inverse]
        keep = w > 0
        values.append(weighted_auc(score[keep], label[keep], w[keep]))
    return float(np.std(values, ddof=1))


def _balanced(x_a, x_b, event_a, event_b):
    x_a = np.asarray(x_a, dtype=np.float64)
    x_b = np.asarray(x_b, dtype=np.float64)
    if x_a.ndim != 2 or x_b.ndim != 2 or x_a.shape[1] != x_b.shape[1]:
        raise ValueError(f"feature arrays must be [n, d] with equal d; got {x_a.shape} and {x_b.shape}")
    x = np.concatenate([x_a, x_b])
    y = np.concatenate([np.zeros(len(x_a)), np.ones(len(x_b))])
    ev = np.concatenate([np.asarray(event_a), np.asarray(event_b)]).astype(np.int64)
    w = np.where(y == 1, len(x) / (2 * len(x_b)), len(x) / (2 * len(x_a)))
    return x, y, ev, w


def two_sample_test(x_a: np.ndarray, x_b: np.ndarray, event_a: np.ndarray, event_b: np.ndarray, *,
                    seed: int = 0, settings: TwoSampleSettings = SETTINGS, threads: int | None = None,
                    groups_a: np.ndarray | None = None, groups_b: np.ndarray | None = None) -> TwoSampleResult:
    """Can the classifiers tell A (label 0) from B (label 1)? Their AUC on held-out events.

    Rows are split into train and test by event (:func:`event_split`). Each classifier of
    ``settings.classifiers`` is fitted on the training events: the boosted trees stop when their loss
    on a share of the training rows stops improving (no look at the test events); the MLP trains on
    all of them. The test score is the weighted sum of their log-odds, each in units of its spread
    on the training rows, the weights fitted on out-of-fold scores of the training events
    (``_stack_weights``).
    Classes are weighted equally.

    Args:
        x_a: [n_a, d] features of sample A (gen conditioning + reco variables); a column non-finite
            in more than half the rows of either sample is left out, then non-finite rows are
            dropped (AUC nan when fewer than two rows of a sample remain).
        x_b: [n_b, d] features of sample B, same columns.
        event_a, event_b: [n_a], [n_b] integer event ids (shared between the samples).
        threads: OpenMP threads of the trees and torch threads of the MLP (None: the trees take
            scikit-learn's default, the MLP one thread).
        groups_a, groups_b: [n_a], [n_b] integer group of each row (e.g. a bin of the matched gen
            pt), or None: the AUC of the one score is also given on the test rows of each group
            (``by_group``; a group with fewer than ``MIN_GROUP_ROWS`` test rows of either sample is
            left out).
    Returns:
        TwoSampleResult with the test AUC, its bootstrap error and the row counts.
    """
    unknown = set(settings.classifiers) - {"trees", "mlp"}
    if unknown or not settings.classifiers:
        raise ValueError(f"TwoSampleSettings.classifiers: expected 'trees' and/or 'mlp', got {settings.classifiers}")
    keep_a = subsample_events(np.asarray(event_a), settings.max_objects, seed)
    keep_b = subsample_events(np.asarray(event_b), settings.max_objects, seed)
    x_a, x_b = np.asarray(x_a, np.float64)[keep_a], np.asarray(x_b, np.float64)[keep_b]
    event_a, event_b = np.asarray(event_a)[keep_a], np.asarray(event_b)[keep_b]
    grouped = groups_a is not None and groups_b is not None
    if grouped:
        groups_a, groups_b = np.asarray(groups_a, np.int64)[keep_a], np.asarray(groups_b, np.int64)[keep_b]
    # a column that is mostly NaN/inf on either side (a variable one file fills with NaN) says nothing
    # and would empty the rows: left out; then rows with a non-finite value are dropped
    usable = np.ones(x_a.shape[1], dtype=bool)
    for x_side in (x_a, x_b):
        if len(x_side):
            usable &= np.isfinite(x_side).mean(axis=0) >= 0.5
    x_a, x_b = x_a[:, usable], x_b[:, usable]
    good_a, good_b = np.isfinite(x_a).all(axis=1), np.isfinite(x_b).all(axis=1)
    if not usable.any() or good_a.sum() < 2 or good_b.sum() < 2:
        return TwoSampleResult(auc=float("nan"), auc_train=float("nan"), n_train=0, n_test=0, n_test_events=0)
    x, y, ev, w = _balanced(x_a[good_a], x_b[good_b], event_a[good_a], event_b[good_b])
    group = np.concatenate([groups_a[good_a], groups_b[good_b]]) if grouped else None
    test = event_split(ev, settings.test_fraction, seed)
    train = ~test

    # the parts' weights: fitted on held-out training events by parts fitted on the other training events
    weights = _stack_weights(x, y, ev, w, train, settings, seed, threads)
    scores, trees = _log_odds(x, y, w, train, settings, seed, threads)
    # each part in units of its spread on the training rows (the MLP's log-odds spread 3-8 times wider than the
    # early-stopped trees', 0.9 against 0.12 for jets at 20,000 events), then weighted
    score = sum(weights[k] * _in_spread_units(v, train) for k, v in scores.items())
    auc = weighted_auc(score[test], y[test], w[test])
    return TwoSampleResult(
        auc=auc, auc_train=weighted_auc(score[train], y[train], w[train]), n_train=int(train.sum()),
        n_test=int(test.sum()), n_test_events=int(len(np.unique(ev[test]))),
        auc_error=bootstrap_auc_error(score[test], y[test], w[test], ev[test], settings.bootstrap, seed),
        trees=trees, weights=weights,
        by_group=_by_group(score[test], y[test], ev[test], group[test], settings, seed) if grouped else {},
        auc_by_classifier={k: weighted_auc(v[test], y[test], w[test]) for k, v in scores.items()})


def _log_odds(x, y, w, train, settings, seed, threads) -> tuple[dict, int]:
    """({classifier: [n] log-odds of every row}, trees kept) of ``settings.classifiers`` fitted on ``train``."""
    scores, trees = {}, 0
    if "trees" in settings.classifiers:
        scores["trees"], trees = _tree_log_odds(x, y, w, train, settings, seed, threads)
    if "mlp" in settings.classifiers:
        scores["mlp"] = _mlp_log_odds(x, y, w, train, settings.mlp, seed, 1 if threads is None else threads)
    return scores, trees


def _stack_weights(x, y, ev, w, train, settings, seed, threads) -> dict:
    """{classifier: weight >= 0, summing to 1} of the parts' scores (in units of their spread) in the test
    score. With one classifier, or ``settings.stack_folds`` below 2, equal weights. Otherwise the training
    events are split in ``stack_folds`` folds; the parts fitted on all folds but one score the rows of that
    one, and a logistic regression on those out-of-fold scores of every training row gives the weights (a
    negative one set to 0): a part that sees nothing at this sample size (the MLP at 3,000 events) gets a
    weight near 0 instead of adding its noise to the other."""
    names = list(settings.classifiers)
    equal = {k: 1.0 / len(names) for k in names}
    if len(names) == 1 or settings.stack_folds < 2:
        return equal
    fold = np.full(len(y), -1)
    u = _event_uniform(ev, seed + 104_729)
    fold[train] = np.minimum((u[train] * settings.stack_folds).astype(int), settings.stack_folds - 1)
    out_of_fold = {k: np.zeros(len(y)) for k in names}
    for f in range(settings.stack_folds):
        held, fit = fold == f, train & (fold != f)
        if not all((y[r] == c).any() for r in (held, fit) for c in (0, 1)):
            return equal
        scores, _ = _log_odds(x, y, w, fit, settings, seed, threads)
        for k in names:
            out_of_fold[k][held] = _in_spread_units(scores[k], fit)[held]
    from sklearn.linear_model import LogisticRegression

    z = np.stack([out_of_fold[k][train] for k in names], axis=1)
    coef = LogisticRegression(C=1e4).fit(z, y[train], sample_weight=w[train]).coef_[0]
    coef = np.clip(coef, 0.0, None)
    if coef.sum() <= 0:
        return equal
    return {k: float(c / coef.sum()) for k, c in zip(names, coef, strict=True)}


def _in_spread_units(score: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """``score`` centred and divided by its standard deviation on ``rows`` (unchanged when that is 0)."""
    spread = float(np.std(score[rows])) if rows.any() else 0.0
    centre = float(np.mean(score[rows])) if rows.any() else 0.0
    return (score - centre) / spread if spread > 0 else score - centre


def _tree_log_odds(x, y, w, train, settings, seed, threads) -> tuple[np.ndarray, int]:
    """([n] log-odds of every row, trees kept) of the boosted trees fitted on the ``train`` rows, stopped by
    scikit-learn's early stopping (the loss of ``settings.validation_fraction`` of those rows, a split by rows:
    it only chooses when to stop, the other rows stay apart by event)."""
    from sklearn.ensemble import HistGradientBoostingClassifier

    x = _quantile_codes(x, train)
    clf = HistGradientBoostingClassifier(early_stopping=True, validation_fraction=settings.validation_fraction,
                                         n_iter_no_change=settings.patience, random_state=seed, **settings.trees)
    if threads is None:
        clf.fit(x[train], y[train], sample_weight=w[train])
    else:
        from threadpoolctl import threadpool_limits

        with threadpool_limits(threads):
            clf.fit(x[train], y[train], sample_weight=w[train])
    return clf.decision_function(x).astype(np.float64), int(clf.n_iter_)


def _mlp_log_odds(x, y, w, train, options, seed, threads) -> np.ndarray:
    """[n] log-odds of every row by an MLP (``options``: TwoSampleSettings.mlp) trained on the ``train``
    rows, every column mapped to normal scores by the training rows' quantiles; ``threads`` torch
    threads during the fit (one: at these batch sizes more only contend)."""
    import torch

    previous = torch.get_num_threads()
    torch.set_num_threads(threads)
    try:
        x_train, x_all = quantile_gaussianize(x[train], x)
        torch.manual_seed(seed)
        layers, width = [], x.shape[1]
        for _ in range(options["depth"]):
            layers += [torch.nn.Linear(width, options["hidden"]), torch.nn.SiLU()]
            width = options["hidden"]
        net = torch.nn.Sequential(*layers, torch.nn.Linear(width, 1))
        opt = torch.optim.Adam(net.parameters(), lr=options["learning_rate"], weight_decay=options["weight_decay"])
        epochs, batch = options["epochs"], options["batch"]
        sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, epochs)
        xt = torch.from_numpy(x_train)
        yt = torch.from_numpy(y[train].astype(np.float32))
        wt = torch.from_numpy(w[train].astype(np.float32))
        gen = torch.Generator().manual_seed(seed)
        loss_fn = torch.nn.BCEWithLogitsLoss(reduction="none")
        for _ in range(epochs):
            perm = torch.randperm(len(xt), generator=gen)
            for i in range(0, len(xt), batch):
                idx = perm[i:i + batch]
                opt.zero_grad()
                loss = (loss_fn(net(xt[idx])[:, 0], yt[idx]) * wt[idx]).mean()
                loss.backward()
                opt.step()
            sched.step()
        with torch.no_grad():
            return net(torch.from_numpy(x_all))[:, 0].numpy().astype(np.float64)
    finally:
        torch.set_num_threads(previous)


def _quantile_codes(x: np.ndarray, rows: np.ndarray, max_bins: int = 255) -> np.ndarray:
    """Each column with more than ``max_bins`` distinct values replaced by its bin among ``max_bins``
    quantiles of ``rows`` (the trees' own binning, done once here). scikit-learn >= 1.6 computes those
    quantiles with the sample weights, one percentile at a time in Python: 0.14 s a column and a fit
    whatever the rows (measured, 1.9.1), most of a small test's time; with at most ``max_bins``
    distinct values it takes them as they are."""
    x = x.copy()
    for j in range(x.shape[1]):
        column = x[:, j]
        if len(np.unique(column[rows])) > max_bins:
            edges = np.unique(np.quantile(column[rows], np.linspace(0, 1, max_bins + 1)[1:-1]))
            x[:, j] = np.searchsorted(edges, column, side="left")
    return x


MIN_GROUP_ROWS = 50  # test rows of each sample a group needs for its own AUC


def _by_group(score, label, event, group, settings, seed) -> dict:
    """{group: (auc, bootstrap error, test rows)} of one classifier's test scores, group by group. The
    classes are weighted equally within each group (the rows of A and B in a group differ in number
    where the efficiencies differ)."""
    out = {}
    for g in np.unique(group):
        rows = group == g
        n_a, n_b = int((rows & (label == 0)).sum()), int((rows & (label == 1)).sum())
        if min(n_a, n_b) < MIN_GROUP_ROWS:
            continue
        w = np.where(label[rows] == 1, 1.0 / n_b, 1.0 / n_a)
        out[int(g)] = (weighted_auc(score[rows], label[rows], w),
                       bootstrap_auc_error(score[rows], label[rows], w, event[rows], settings.bootstrap, seed),
                       int(rows.sum()))
    return out


def two_sample_auc(x_a: np.ndarray, x_b: np.ndarray, event_a: np.ndarray, event_b: np.ndarray,
                   *, test_fraction: float = 0.5, seed: int = 0, epochs: int = 40,
                   hidden: int = 64, batch: int = 512, lr: float = 2e-3, threads: int | None = 1) -> TwoSampleResult:
    """Train an MLP to separate A (label 0) from B (label 1) and return its test AUC: the report's
    test before :func:`two_sample_test` (kept for the sensitivity comparison, docs/validate.md), with
    no subsampling, no bootstrap error and no column or row checks.

    Args:
        x_a: [n_a, d] features of sample A (gen conditioning + reco variables).
        x_b: [n_b, d] features of sample B, same columns.
        event_a, event_b: [n_a], [n_b] integer event ids (shared between the samples).
        threads: torch intra-op threads during the fit (None: leave torch's setting). One is the
            default: at these batch sizes more threads only contend (measured 0.5 s with one,
            11 s with two on a busy 2-core machine), and the caller may run other work beside.
    """
    import torch

    x, y, ev, w = _balanced(x_a, x_b, event_a, event_b)
    test = event_split(ev, test_fraction, seed)
    options = {"hidden": hidden, "depth": 3, "epochs": epochs, "batch": batch, "learning_rate": lr,
               "weight_decay": 1e-5}
    score = _mlp_log_odds(x, y, w, ~test, options, seed, torch.get_num_threads() if threads is None else threads)
    return TwoSampleResult(
        auc=weighted_auc(score[test], y[test], w[test]),
        auc_train=weighted_auc(score[~test], y[~test], w[~test]),
        n_train=int((~test).sum()), n_test=int(test.sum()),
        n_test_events=int(len(np.unique(ev[test]))))
