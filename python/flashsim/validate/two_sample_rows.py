"""The rows of the two-sample test, built one way for the validation report and for the quality
script (benchmarks/quality_default_bundle.py), so that the two give the same AUC on the same
inputs (tests/validate/test_two_sample_agreement.py).

Per reco object: its reco variables, whether it is matched to a gen object, the matched gen
object's pt, eta and phi (0, -10, -10 when unmatched), the response to it (reco pt / gen pt, reco
eta - gen eta, reco phi - gen phi wrapped; 0 when unmatched) and the event's pileup
(``Pileup_nPU``) when both samples have it: the gen conditioning is among the inputs, so the
test judges p(reco | gen), not only the marginals. The response columns are what the trees need
to see a scale or a resolution: a cut on pt / gen pt is one split, the same boundary drawn in
(pt, gen pt) takes hundreds (measured in docs/validate.md: jet pt x 1.01 goes from invisible to
seen at 20,000 events). Per event (PuppiMET, PV, ...): the event group's variables, GenMET pt and
phi for a missing-momentum group (MET, PuppiMET, ...), and the pileup.

Diagnostics, which say what gives a sample away: the collection's AUC in bins of the matched gen
pt (:data:`GEN_PT_EDGES`, the same classifier's test scores) and the AUC of each variable alone
given the gen conditioning (:func:`variable_ranking`: that variable, the matched flag, the gen pt,
eta, phi, its response when it is pt/eta/phi, the pileup), ranked, each with a bootstrap error.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from flashsim.validate.samples import EVENT_CONDITIONING, is_missing_momentum
from flashsim.validate.two_sample import SETTINGS, two_sample_test

__all__ = ["DIAGNOSTIC_SETTINGS", "GEN_PT_EDGES", "MIN_ROWS", "collection_test", "event_test", "event_variable_ranking",
           "gen_pt_bin", "gen_pt_label", "object_rows", "variable_ranking"]

MIN_ROWS = 50  # fewer rows in either sample: no test
GEN_PT_EDGES = (0.0, 20.0, 30.0, 50.0, 100.0, 200.0, 500.0, 1000.0)  # GeV; the last bin is open
# one test per variable (about 25 for the jets): the trees alone (no MLP: they rank the variables, the
# collection's AUC is the headline), on fewer objects, with fewer resamplings and trees (at twice the
# rate) than the collection's test. Measured on 20,000 ttbar events, the reference against itself with
# jet pt x 1.01 and Jet_chHEF x 1.03: Jet_pt 0.508 +- 0.002 and chHEF 0.505 (300 trees at rate 0.1: 0.509,
# 0.504) in 1.9 s a variable instead of 4.7
DIAGNOSTIC_SETTINGS = replace(SETTINGS, max_objects=60_000, bootstrap=50, classifiers=("trees",),
                              trees={**SETTINGS.trees, "max_iter": 100, "learning_rate": 0.2})


def gen_pt_bin(table) -> np.ndarray:
    """[n] bin of each object's matched gen pt in GEN_PT_EDGES (0 = first bin), -1 when unmatched."""
    pt = np.where(table.matched, table.gen_pt, np.nan)
    b = np.searchsorted(np.asarray(GEN_PT_EDGES), pt, side="right") - 1
    return np.where(table.matched, np.clip(b, 0, len(GEN_PT_EDGES) - 1), -1)


def gen_pt_label(b: int) -> str:
    """'unmatched', '30-50', '1000-' for a bin of :func:`gen_pt_bin`."""
    if b < 0:
        return "unmatched"
    lo = GEN_PT_EDGES[b]
    return f"{lo:g}-" + (f"{GEN_PT_EDGES[b + 1]:g}" if b + 1 < len(GEN_PT_EDGES) else "")


def _response(table, variables) -> list:
    """reco/gen pt, reco - gen eta, wrapped reco - gen phi of matched objects (0 unmatched), for
    those of pt, eta, phi that the collection has."""
    matched = table.matched
    by_kind = {v.rsplit("_", 1)[-1]: table.columns[v] for v in variables if "_" in v}
    out = []
    if "pt" in by_kind:
        out.append(np.where(matched, by_kind["pt"] / np.where(matched & (table.gen_pt > 0), table.gen_pt, 1.0), 0.0))
    if "eta" in by_kind:
        out.append(np.where(matched, by_kind["eta"] - np.where(matched, table.gen_eta, 0.0), 0.0))
    if "phi" in by_kind:
        dphi = np.mod(by_kind["phi"] - np.where(matched, table.gen_phi, 0.0) + np.pi, 2 * np.pi) - np.pi
        out.append(np.where(matched, dphi, 0.0))
    return out


def object_rows(table, variables, n_pu=None) -> np.ndarray:
    """[n_objects, len(variables) + 4 + (up to) 3 (+1)] rows of an ObjectTable
    (flashsim.validate.performance)."""
    matched = table.matched
    cols = [table.columns[v] for v in variables]
    cols += [matched.astype(float), np.where(matched, table.gen_pt, 0.0), np.where(matched, table.gen_eta, -10.0),
             np.where(matched, table.gen_phi, -10.0)]
    cols += _response(table, variables)
    if n_pu is not None:
        cols.append(np.asarray(n_pu, np.float64))
    return np.stack(cols, axis=1)


_TEST_NAMES = {"trees": "boosted trees", "mlp": "MLP"}


def _result(res, features: int, settings=SETTINGS) -> dict:
    return {**res.to_json(), "features": features,
            "test": " + ".join(_TEST_NAMES[c] for c in settings.classifiers)}


def _rows(table_a, table_b, variables, n_pu_a, n_pu_b):
    use_pu = n_pu_a is not None and n_pu_b is not None
    return (object_rows(table_a, variables, n_pu_a if use_pu else None),
            object_rows(table_b, variables, n_pu_b if use_pu else None))


def collection_test(table_a, table_b, variables, seed: int, n_pu_a=None, n_pu_b=None,
                    settings=SETTINGS) -> dict | None:
    """The two-sample test of one collection; ``n_pu_a``/``n_pu_b``: per-object pileup (both or
    neither). None when either sample has fewer than MIN_ROWS objects. ``by_gen_pt``: the AUC of
    the same classifier in bins of the matched gen pt, [{bin, auc, auc_error, n_test}] (unmatched
    objects first; bins with fewer than ``two_sample.MIN_GROUP_ROWS`` test objects per sample left out)."""
    if len(table_a.event_id) < MIN_ROWS or len(table_b.event_id) < MIN_ROWS:
        return None
    xa, xb = _rows(table_a, table_b, variables, n_pu_a, n_pu_b)
    res = two_sample_test(xa, xb, table_a.event_id, table_b.event_id, seed=seed, settings=settings,
                          groups_a=gen_pt_bin(table_a), groups_b=gen_pt_bin(table_b))
    binned = [{"bin": gen_pt_label(b), "auc": auc, "auc_error": err, "n_test": n}
              for b, (auc, err, n) in sorted(res.by_group.items())]
    return {**_result(res, xa.shape[1], settings), "by_gen_pt": binned}


def _ranked(tests: dict) -> list:
    rows = [{"variable": v, "auc": r["auc"], "auc_error": r["auc_error"], "n_test": r["n_test"]}
            for v, r in tests.items() if r is not None and np.isfinite(r["auc"])]
    return sorted(rows, key=lambda r: -r["auc"])


def variable_ranking(table_a, table_b, variables, seed: int, n_pu_a=None, n_pu_b=None,
                     settings=DIAGNOSTIC_SETTINGS) -> list:
    """The two-sample test of each variable alone given the gen conditioning (the rows of
    :func:`object_rows` for that one variable), ranked by AUC: [{variable, auc, auc_error, n_test}].
    Empty when either sample has fewer than MIN_ROWS objects."""
    if len(table_a.event_id) < MIN_ROWS or len(table_b.event_id) < MIN_ROWS:
        return []
    tests = {}
    for v in variables:
        xa, xb = _rows(table_a, table_b, [v], n_pu_a, n_pu_b)
        tests[v] = _result(two_sample_test(xa, xb, table_a.event_id, table_b.event_id, seed=seed,
                                           settings=settings), xa.shape[1], settings)
    return _ranked(tests)


def _event_conditioning(columns_a: dict, columns_b: dict, variables) -> list:
    extra = [g for g in EVENT_CONDITIONING if g in columns_a and g in columns_b]
    if not any(is_missing_momentum(v.split("_", 1)[0]) for v in variables):
        extra = [g for g in extra if not g.startswith("GenMET")]
    return extra


def event_variable_ranking(columns_a: dict, columns_b: dict, variables, event_a, event_b, seed: int,
                           settings=DIAGNOSTIC_SETTINGS) -> list:
    """:func:`variable_ranking` of an event group: each variable alone with the group's gen
    conditioning (:func:`event_test`)."""
    return _ranked({v: event_test(columns_a, columns_b, [v], event_a, event_b, seed, settings) for v in variables})


def event_test(columns_a: dict, columns_b: dict, variables, event_a, event_b, seed: int,
               settings=SETTINGS) -> dict | None:
    """The two-sample test of an event group: ``columns_*`` hold ``variables`` and any extra
    conditioning (GenMET_pt, GenMET_phi, Pileup_nPU) present in both, one value per event."""
    names = list(variables) + _event_conditioning(columns_a, columns_b, variables)
    xa = np.stack([np.asarray(columns_a[v], np.float64) for v in names], axis=1)
    xb = np.stack([np.asarray(columns_b[v], np.float64) for v in names], axis=1)
    if len(xa) < MIN_ROWS or len(xb) < MIN_ROWS:
        return None
    res = two_sample_test(xa, xb, event_a, event_b, seed=seed, settings=settings)
    return _result(res, xa.shape[1], settings)
