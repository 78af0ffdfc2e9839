"""Working-point levels that are thresholds on one simulated score, found in the training values.

NanoAOD writes a tagger's raw score and the working points it passes: Tau_idDeepTau2018v2p5VSjet
(0-8) is the number of the VSjet thresholds that Tau_rawDeepTau2018v2p5VSjet exceeds,
Electron_mvaIso_WP80 is mvaIso above one cut, Muon_pfIsoId (0-6) the number of isolation cuts that
pfRelIso04_all stays under. Drawn apart, by the flow (the score) and the label head (the level), the
two disagree object by object (v13: 1-2% of the simulated electrons and photons). Where the training
values show a label to be a step function of one flow target, rising or falling, for at least
:data:`WORKING_POINT_AGREEMENT` of the objects of every source of the collection, and it gets at most
a tenth as many objects wrong as the commonest level alone would (with at least :data:`MIN_OTHERS`
objects outside that level: a real v12 file's one muon of 210 with tightCharge 0 is split from the
others by its dxyErr, by chance), the level is not learnt: the
simulation computes it from the simulated score after the merge (the collection's ``working_points``:
ascending thresholds at the midpoints between the levels' score ranges, ``values`` the level of each
range in that order, which need not be 0, 1, 2: v9's bit masks 1, 3, 7, ... are levels too, and a
falling one lists them downwards). The branch is then written as a copy of the level below the first
threshold, which the rule overwrites. The score is looked for first under the label's own name
(``id<X>`` of ``raw<X>``, ``<X>_WP80`` of ``<X>``), then among the collection's other flow targets.

    settle_working_points(specs, tables)   # after the copies are settled (catalogue.follow.settle)
"""

import re

import numpy as np

from flashsim.catalogue.spec import Copy, by_collection

__all__ = ["WORKING_POINT_AGREEMENT", "settle_working_points", "step_function", "step_share", "step_thresholds"]

WORKING_POINT_AGREEMENT = 0.99
MAX_LEVELS = 16  # a label with more levels (a count) is no working point
# objects outside the commonest level: with fewer, one of the many scores tried may split them by chance
MIN_OTHERS = 20
SCREEN_OBJECTS = 20000  # the scores are screened on this many objects of the collection, then checked on all
_NAMED = (re.compile(r"^id(.+)$"), re.compile(r"^(.+)_WP\w+$"), re.compile(r"^(.+)Id$"))


def step_thresholds(score, level) -> tuple[list, list, float]:
    """(thresholds, values, share of the objects the step function reproduces) for a level that rises with
    ``score``: for each level but the lowest, the threshold on ``score`` that best separates it and the
    levels above from those below (the midpoint between the two score ranges where they do not overlap)."""
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
    share = step_share(x, y, thresholds, values)
    return [float(t) for t in thresholds], [float(v) for v in values], share


def step_function(score, level) -> tuple[list, list, float]:
    """As :func:`step_thresholds`, for a level that rises or falls with ``score``, whichever reproduces more:
    a falling one has its thresholds ascending and its ``values`` listed downwards."""
    rising = step_thresholds(score, level)
    negated, levels, share = step_thresholds(-np.asarray(score, dtype=np.float64), level)
    if share <= rising[2]:
        return rising
    return [-t for t in reversed(negated)], list(reversed(levels)), share


def step_share(score, level, thresholds, values) -> float:
    """The share of the objects whose ``level`` the step function gives from ``score`` (as
    flashsim::ApplyWorkingPoints: values[number of thresholds the score exceeds])."""
    x = np.asarray(score, dtype=np.float64)
    if not len(x):
        return 1.0
    predicted = np.asarray(values)[np.searchsorted(np.asarray(thresholds), x, side="left")]
    return float(np.mean(predicted == np.asarray(level, dtype=np.float64)))


def settle_working_points(specs, tables) -> None:
    """Turns each label of a collection that a step function of one of its flow targets reproduces in every
    source's training values into a working-point rule."""
    for group in by_collection(specs):
        labels, scores = _common(group)
        cache = {}
        for field in labels:
            level = _values(tables, group, field, cache)
            kinds, counts = np.unique(level, return_counts=True)
            if len(kinds) < 2 or len(kinds) > MAX_LEVELS or len(level) - counts.max() < MIN_OTHERS:
                continue
            named = _named_score(field, scores)
            of, screened = _best_score(tables, group, level, [named, *[s for s in scores if s != named]]
                                       if named else scores, cache)
            if of is None or (of != named and screened < WORKING_POINT_AGREEMENT):
                continue
            score = _values(tables, group, of, cache)
            thresholds, values, share = step_function(score, level)
            worst = min(share, *(step_share(tables[s.key].targets[of], tables[s.key].targets[field], thresholds,
                                            values) for s in group))
            commonest = counts.max() / len(level)
            if worst < WORKING_POINT_AGREEMENT or 1 - share > 0.1 * (1 - commonest):
                for spec in group:
                    spec.decisions[field] = (f"learnt: a step function of {of} reproduces it for {100 * worst:.2f}% "
                                             f"of the objects (computed at >= {100 * WORKING_POINT_AGREEMENT:g}%, "
                                             f"and the commonest level alone {100 * commonest:.2f}%)")
                continue
            for spec in group:
                target = next(t for t in spec.targets if t.branch == field)
                spec.targets = [t for t in spec.targets if t.branch != field]
                spec.copies.append(Copy(field, target.type, fallback=values[0]))
                spec.working_points.append({"branch": field, "of": of, "thresholds": thresholds, "values": values})
                spec.decisions[field] = (f"computed from {of} after the merge: {len(thresholds)} thresholds "
                                         f"reproduce it for {100 * worst:.2f}% of the objects (least of the sources)")


def _common(group) -> tuple[list, list]:
    """The label fields and the flow targets that every source of the collection draws (catalogue order)."""
    labels = [t.branch for t in group[0].label_targets]
    scores = [t.branch for t in group[0].flow_targets]
    for spec in group[1:]:
        labels = [b for b in labels if b in {t.branch for t in spec.label_targets}]
        scores = [b for b in scores if b in {t.branch for t in spec.flow_targets}]
    return labels, scores


def _values(tables, group, field, cache) -> np.ndarray:
    """The training values of ``field`` in every source of the collection, one after the other."""
    if field not in cache:
        cache[field] = np.concatenate([np.asarray(tables[s.key].targets[field], np.float64) for s in group])
    return cache[field]


def _named_score(field, scores):
    """The flow target the label is named after: id<X> of raw<X> (or <X>), <X>_WP80 of <X>, <X>Id of <X>."""
    for pattern in _NAMED:
        match = pattern.match(field)
        if match:
            for name in ("raw" + match.group(1), match.group(1)):
                if name in scores:
                    return name
    return None


def _best_score(tables, group, level, scores, cache):
    """(the flow target whose step function reproduces ``level`` best on a screening sample, that share);
    the first of ``scores`` wins a tie."""
    stride = max(1, len(level) // SCREEN_OBJECTS)
    best, best_share = None, -1.0
    for of in scores:
        share = step_function(_values(tables, group, of, cache)[::stride], level[::stride])[2]
        if share > best_share:
            best, best_share = of, share
    return best, best_share
