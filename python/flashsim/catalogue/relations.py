"""Branches that are functions of other simulated branches, found in the training values.

A detector writes some branches as geometry of others: the reference detector's 3D impact parameter
of a lepton is exactly the norm of its transverse and longitudinal ones, ip3d = |(dxy, dz)|, and its
significance the norm over the error propagated onto it, sip3d = ip3d / sigma(ip3d) with
sigma(ip3d) = |(dxy dxyErr, dz dzErr)| / ip3d; its electron discriminant with isolation is the one
without, shifted by the isolation on the inverse-tanh scale, mvaIso = tanh(atanh(mvaNoIso) + c
pfRelIso03_all) (``score_shift``, with c fitted to the training values: -2 there). Drawn by the
flow as variables of their own, they lie only near that surface (v13: ip3d / |(dxy, dz)| with a
spread of 4% under dopri5 and more with few steps; 59% of the simulated mvaIso more than 1e-4 off),
which a classifier sees. Where the training values of every source of a collection satisfy a
relation for at least :data:`RELATION_AGREEMENT` of the objects (to float precision), the branch is
not learnt: the simulation computes it from the simulated branches after the merge (the collection's
``relations``), and it is written as a copy of 0 that the rule overwrites. Real CMS NanoAOD computes
ip3d from the track's full 3D closest approach (a v12 ttbar file: ip3d / |(dxy, dz)| from 0.2 to 1),
so there the branch stays learnt, as does a real mvaIso (a BDT of its own).

    settle_relations(specs, tables)   # after the copies are settled (catalogue.follow.settle)
"""

import copy

import numpy as np

from flashsim.catalogue.spec import Copy, by_collection

__all__ = ["CANDIDATES", "RELATION_AGREEMENT", "RELATION_OPS", "evaluate", "settle_relations"]

RELATION_AGREEMENT = 0.99
RELATION_TOLERANCE = 1e-5  # relative: float32 values computed from float32 inputs

# the relations a collection is checked for where all their branches are flow targets of every source
CANDIDATES = [
    {"branch": "ip3d", "op": "norm", "of": ["dxy", "dz"]},
    {"branch": "sip3d", "op": "norm_significance", "of": ["dxy", "dz"], "errors": ["dxyErr", "dzErr"]},
    {"branch": "mvaIso", "op": "score_shift", "of": ["mvaNoIso", "pfRelIso03_all"]},
]
RELATION_OPS = ("norm", "norm_significance", "score_shift")


def evaluate(rule: dict, values) -> np.ndarray:
    """The rule's branch from ``values`` ({branch: array}), in float64 as flashsim::ApplyRelations:
    norm = |(of...)|; norm_significance = |v|^2 / |(of_i errors_i)| (the norm over its error propagated
    from the components' errors), 0 where that error is 0; score_shift = tanh(atanh(of[0]) + coefficient of[1])
    (of[0] clipped to [-1, 1])."""
    of = [np.asarray(values[b], np.float64) for b in rule["of"]]
    if rule["op"] == "score_shift":
        with np.errstate(divide="ignore"):
            return np.tanh(np.arctanh(np.clip(of[0], -1.0, 1.0)) + rule["coefficient"] * of[1])
    squared = sum(x * x for x in of)
    if rule["op"] == "norm":
        return np.sqrt(squared)
    errors = [np.asarray(values[b], np.float64) for b in rule["errors"]]
    spread = np.sqrt(sum((x * e) ** 2 for x, e in zip(of, errors, strict=True)))
    return np.where(spread > 0, squared / np.where(spread > 0, spread, 1.0), 0.0)


def _inputs(rule):
    return [*rule["of"], *rule.get("errors", [])]


def _share(rule, targets) -> float:
    """The share of the objects whose branch the rule gives within RELATION_TOLERANCE (relative; absolute for a
    score_shift)."""
    value = np.asarray(targets[rule["branch"]], np.float64)
    if not len(value):
        return 1.0
    computed = evaluate(rule, targets)
    # a score lies in [-1, 1]: absolute (near 0 its float32 value carries the rounding of its inputs, shifted)
    scale = 1.0 if rule["op"] == "score_shift" else np.maximum(np.abs(value), 1e-30)
    return float(np.mean(np.abs(computed - value) <= RELATION_TOLERANCE * scale))


def settle_relations(specs, tables) -> None:
    """Turns each candidate relation whose branches are flow targets of every source of a collection into
    a computed branch where the training values of all those sources follow it (a branch computed by an
    earlier rule is no flow target any more, so no rule reads another's output)."""
    for group in by_collection(specs):
        for rule in CANDIDATES:
            names = {rule["branch"], *_inputs(rule)}
            if any(not names <= {t.branch for t in s.flow_targets} for s in group):
                continue
            if rule["op"] == "score_shift":
                rule = {**rule, "coefficient": _shift(rule, [tables[s.key].targets for s in group])}
            worst = min(_share(rule, tables[s.key].targets) for s in group)
            if worst < RELATION_AGREEMENT:
                for spec in group:
                    spec.decisions[rule["branch"]] = (
                        f"learnt: {_formula(rule)} holds for {100 * worst:.2f}% of the objects (least of the sources; "
                        f"computed at >= {100 * RELATION_AGREEMENT:g}%)")
                continue
            for spec in group:
                target = next(t for t in spec.targets if t.branch == rule["branch"])
                spec.targets = [t for t in spec.targets if t.branch != rule["branch"]]
                spec.copies.append(Copy(rule["branch"], target.type, fallback=0.0))
                spec.relations.append(copy.deepcopy(rule))
                spec.decisions[rule["branch"]] = (f"computed after the merge: {_formula(rule)} holds for "
                                                  f"{100 * worst:.2f}% of the objects (least of the sources)")


def _shift(rule, targets) -> float:
    """The coefficient c of score_shift, branch = tanh(atanh(of[0]) + c of[1]): the median over the objects
    with both scores inside (-1, 1) and of[1] away from 0 (0 where there are none)."""
    branch, score, by = (np.concatenate([np.asarray(t[b], np.float64) for t in targets])
                         for b in (rule["branch"], *rule["of"]))
    inside = (np.abs(branch) < 1) & (np.abs(score) < 1) & (np.abs(by) > 1e-3)
    if not inside.any():
        return 0.0
    return float(np.median((np.arctanh(branch[inside]) - np.arctanh(score[inside])) / by[inside]))


def _formula(rule) -> str:
    of = ", ".join(rule["of"])
    if rule["op"] == "score_shift":
        return f"{rule['branch']} = tanh(atanh({rule['of'][0]}) {rule['coefficient']:+.4g} {rule['of'][1]})"
    if rule["op"] == "norm":
        return f"{rule['branch']} = |({of})|"
    errors = ", ".join(f"{a} {b}" for a, b in zip(rule["of"], rule["errors"], strict=True))
    return f"{rule['branch']} = |({of})|^2 / |({errors})|"
