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
"""

from __future__ import annotations

import numpy as np

from flashsim.validate.samples import is_missing_momentum
from flashsim.validate.two_sample import SETTINGS, two_sample_test

__all__ = ["MIN_ROWS", "collection_test", "event_test", "object_rows"]

MIN_ROWS = 50  # fewer rows in either sample: no test


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


def _result(res, features: int) -> dict:
    return {**res.to_json(), "features": features, "test": "boosted trees"}


def collection_test(table_a, table_b, variables, seed: int, n_pu_a=None, n_pu_b=None,
                    settings=SETTINGS) -> dict | None:
    """The two-sample test of one collection; ``n_pu_a``/``n_pu_b``: per-object pileup (both or
    neither). None when either sample has fewer than MIN_ROWS objects."""
    if len(table_a.event_id) < MIN_ROWS or len(table_b.event_id) < MIN_ROWS:
        return None
    use_pu = n_pu_a is not None and n_pu_b is not None
    xa = object_rows(table_a, variables, n_pu_a if use_pu else None)
    xb = object_rows(table_b, variables, n_pu_b if use_pu else None)
    res = two_sample_test(xa, xb, table_a.event_id, table_b.event_id, seed=seed, settings=settings)
    return _result(res, xa.shape[1])


def event_test(columns_a: dict, columns_b: dict, variables, event_a, event_b, seed: int,
               settings=SETTINGS) -> dict | None:
    """The two-sample test of an event group: ``columns_*`` hold ``variables`` and any extra
    conditioning (GenMET_pt, GenMET_phi, Pileup_nPU) present in both, one value per event."""
    extra = [g for g in ("GenMET_pt", "GenMET_phi", "Pileup_nPU") if g in columns_a and g in columns_b]
    if not any(is_missing_momentum(v.split("_", 1)[0]) for v in variables):
        extra = [g for g in extra if not g.startswith("GenMET")]
    names = list(variables) + extra
    xa = np.stack([np.asarray(columns_a[v], np.float64) for v in names], axis=1)
    xb = np.stack([np.asarray(columns_b[v], np.float64) for v in names], axis=1)
    if len(xa) < MIN_ROWS or len(xb) < MIN_ROWS:
        return None
    res = two_sample_test(xa, xb, event_a, event_b, seed=seed, settings=settings)
    return _result(res, xa.shape[1])
