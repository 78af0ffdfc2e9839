"""Detector acceptance: branches that take one fixed value beyond an |eta| edge.

Outside the tracker a jet has no charged constituents: its charged energy fractions and charged
multiplicity are exactly 0 (CMS: |eta| > 2.5 plus one jet radius; the reference detector: the same).
A flow learns such a conditional delta only approximately: a few percent of forward jets leak
off it, which a classifier sees at once. Where the training files show a branch fixed beyond an
|eta| edge, the bundle records the rule (collection field ``acceptance``) and the simulation sets
the value there after the merge (``flashsim::ApplyAcceptance`` in C++, the reference sampler
alike), before any ``sum_to_one`` rescaling.

A rule is kept when, over the objects of every source of the collection:
- at least ACCEPTANCE_AGREEMENT of the objects beyond the edge have the value,
- they are at least ACCEPTANCE_MIN_ROWS objects and ACCEPTANCE_MIN_SHARE of all,
- and inside the edge the branch is not (nearly) fixed anyway (below ACCEPTANCE_INSIDE).
The edge is the midpoint between the innermost object beyond it and the next one inside.
"""

import numpy as np

from flashsim.catalogue.spec import by_collection

__all__ = ["ACCEPTANCE_AGREEMENT", "settle_acceptance", "acceptance_edge", "apply_acceptance"]

ACCEPTANCE_AGREEMENT = 0.999
ACCEPTANCE_MIN_ROWS = 100
ACCEPTANCE_MIN_SHARE = 0.005
ACCEPTANCE_INSIDE = 0.99
ETA = "eta"  # the reco pseudorapidity the edge is on: a flow target of the collection


def acceptance_edge(abs_eta, values):
    """(edge, value) where ``values`` is fixed beyond ``abs_eta`` > edge, or None.

    ``value`` is the most common value among the outermost objects; the edge extends inwards as far
    as the share of objects beyond it that have the value stays at least ACCEPTANCE_AGREEMENT."""
    abs_eta = np.asarray(abs_eta, dtype=np.float64)
    values = np.asarray(values, dtype=np.float64)
    n = len(values)
    least = max(ACCEPTANCE_MIN_ROWS, int(np.ceil(ACCEPTANCE_MIN_SHARE * n)))
    if n <= least:
        return None
    order = np.argsort(-abs_eta, kind="stable")
    a, v = abs_eta[order], values[order]
    outer, counts = np.unique(v[:least], return_counts=True)
    value = float(outer[np.argmax(counts)])
    misses = np.cumsum(v != value)
    rows = np.arange(1, n + 1)
    ok = misses <= (1 - ACCEPTANCE_AGREEMENT) * rows
    ok[:-1] &= a[:-1] > a[1:]  # an edge cannot split objects of equal |eta|
    ok[-1] = False  # the edge must have objects inside it
    k = int(np.flatnonzero(ok).max()) + 1 if ok.any() else 0
    if k < least or np.mean(v[k:] == value) >= ACCEPTANCE_INSIDE:
        return None
    return float(0.5 * (a[k - 1] + a[k])), value


def settle_acceptance(specs, tables) -> None:
    """Sets ``spec.acceptance`` ([{branch, value, abs_above}], the same for every source of a collection)
    from the training objects of all its sources, and records each rule in ``spec.decisions``."""
    for group in by_collection(specs):
        if not all(ETA in {t.branch for t in s.flow_targets} for s in group):
            continue
        eta = np.concatenate([np.abs(np.asarray(tables[s.key].targets[ETA], np.float64)) for s in group])
        targets = [{x.branch for x in s.targets} for s in group]
        rules = []
        for t in group[0].targets:
            if t.branch == ETA or not all(t.branch in branches for branches in targets):
                continue
            values = np.concatenate([np.asarray(tables[s.key].targets[t.branch], np.float64) for s in group])
            found = acceptance_edge(eta, values)
            if found is None:
                continue
            edge, value = found
            beyond = eta > edge
            rules.append({"branch": t.branch, "value": value, "abs_above": edge})
            for s in group:
                s.decisions[f"{t.branch} acceptance"] = (
                    f"set to {value:g} where |{ETA}| > {edge:.4g}: so for "
                    f"{100 * np.mean(values[beyond] == value):.2f}% of the {int(beyond.sum())} training objects there")
        for s in group:
            s.acceptance = [dict(r) for r in rules]


def apply_acceptance(objects: dict, rules) -> dict:
    """The Python twin of flashsim::ApplyAcceptance: {branch: array} with each rule applied."""
    if not rules:
        return objects
    eta = np.abs(np.asarray(objects[ETA], np.float64))
    out = dict(objects)
    for r in rules:
        values = np.asarray(out[r["branch"]])
        out[r["branch"]] = np.where(eta > r["abs_above"], values.dtype.type(r["value"]), values)
    return out
