"""Working-point levels that are thresholds on a raw score, found in the training values.

NanoAOD writes a tagger's raw score and the working points it passes: Tau_idDeepTau2018v2p5VSjet
(0-8) is the number of the VSjet thresholds that Tau_rawDeepTau2018v2p5VSjet exceeds. Drawn apart,
by the flow (the score) and the label head (the level), the two disagree object by object. Where the
training values show a level ``id<X>`` to be a step function of the score ``raw<X>`` for at least
:data:`WORKING_POINT_AGREEMENT` of the objects of every source of the collection, the level is not
learnt: the simulation computes it from the simulated score after the merge (the collection's
``working_points``: thresholds at the midpoints between the levels' score ranges, ``values`` the
levels, which need not be 0, 1, 2: v9's bit masks 1, 3, 7, ... are levels too). The branch is then
written as a copy of its lowest level, which the rule overwrites.

    settle_working_points(specs, tables)   # after the copies are settled (catalogue.follow.settle)
"""

import re

import numpy as np

from flashsim.catalogue.spec import Copy, by_collection

__all__ = ["WORKING_POINT_AGREEMENT", "settle_working_points", "step_thresholds"]

WORKING_POINT_AGREEMENT = 0.99
_LEVEL = re.compile(r"^id(.+)$")


def step_thresholds(score, level) -> tuple[list, list, float]:
    """(thresholds, values, share of the objects the step function reproduces): for each level
    but the lowest, the threshold on ``score`` that best separates it and the levels above from
    those below (the midpoint between the two score ranges where they do not overlap)."""
    x = np.asarray(score, dtype=np.float64)
    y = np.asarray(level, dtype=np.float64)
    values = np.unique(y)
    order = np.argsort(x, kind="stable")
    xs, ys = x[order], y[order]
    thresholds = []
    for v in values[1:]:
        above = ys >= v
        # cutting after position i: below the cut the objects under v are right, above it the others
        right = np.concatenate([[0], np.cumsum(~above)]) + np.concatenate([np.cumsum(above[::-1])[::-1], [0]])
        i = int(np.argmax(right))
        lo = xs[i - 1] if i > 0 else xs[0] - 1.0
        hi = xs[i] if i < len(xs) else xs[-1] + 1.0
        thresholds.append(float(0.5 * (lo + hi)))
    thresholds = list(np.maximum.accumulate(thresholds)) if thresholds else []
    predicted = values[np.searchsorted(np.asarray(thresholds), x, side="left")] if len(x) else y
    share = float(np.mean(predicted == y)) if len(x) else 1.0
    return [float(t) for t in thresholds], [float(v) for v in values], share


def settle_working_points(specs, tables) -> None:
    """Turns each label ``id<X>`` with a flow target ``raw<X>`` in every source of its collection into
    a working-point rule where the training values of all those sources follow one step function."""
    for group in by_collection(specs):
        for field in _candidates(group):
            raw = "raw" + _LEVEL.match(field).group(1)
            score = np.concatenate([np.asarray(tables[s.key].targets[raw], np.float64) for s in group])
            level = np.concatenate([np.asarray(tables[s.key].targets[field], np.float64) for s in group])
            if not len(score):
                continue
            thresholds, values, share = step_thresholds(score, level)
            worst = min(step_share(tables[s.key].targets[raw], tables[s.key].targets[field], thresholds, values)
                        for s in group)
            for spec in group:
                if min(share, worst) < WORKING_POINT_AGREEMENT:
                    spec.decisions[field] = (f"learnt: a step function of {raw} reproduces it for "
                                             f"{100 * min(share, worst):.2f}% of the objects "
                                             f"(computed at >= {100 * WORKING_POINT_AGREEMENT:g}%)")
                    continue
                target = next(t for t in spec.targets if t.branch == field)
                spec.targets = [t for t in spec.targets if t.branch != field]
                spec.copies.append(Copy(field, target.type, fallback=values[0]))
                spec.working_points.append({"branch": field, "of": raw, "thresholds": thresholds, "values": values})
                spec.decisions[field] = (f"computed from {raw} after the merge: {len(thresholds)} thresholds "
                                         f"reproduce it for {100 * min(share, worst):.2f}% of the objects "
                                         "(least of the sources)")


def step_share(score, level, thresholds, values) -> float:
    """The share of the objects whose ``level`` the step function gives from ``score``."""
    x = np.asarray(score, dtype=np.float64)
    if not len(x):
        return 1.0
    predicted = np.asarray(values)[np.searchsorted(np.asarray(thresholds), x, side="left")]
    return float(np.mean(predicted == np.asarray(level, dtype=np.float64)))


def _candidates(group) -> list:
    """The label fields id<X> that every source of the collection draws, each with a flow target raw<X>."""
    common = None
    for spec in group:
        flow = {t.branch for t in spec.flow_targets}
        here = {t.branch for t in spec.label_targets
                if _LEVEL.match(t.branch) and "raw" + _LEVEL.match(t.branch).group(1) in flow}
        common = here if common is None else common & here
    return sorted(common or [])
