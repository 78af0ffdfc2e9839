"""The two-sample test's diagnostics find what gives a sample away: the AUC in bins of the matched
gen pt localises a distortion in pt, and the test of each variable alone given gen ranks the
distorted variable first (synthetic objects with a known distortion, the report's real test)."""

import numpy as np
import pytest

from flashsim.validate.performance import ObjectTable
from flashsim.validate.two_sample_rows import (
    collection_test,
    event_variable_ranking,
    gen_pt_bin,
    gen_pt_label,
    variable_ranking,
)


def _objects(seed, n_events=3000, scale_above=None, flag_rate=0.6):
    """Jets of a toy detector: 4 per event, reco pt = gen pt x (1 + 10% noise), a flag that is 1 for
    ``flag_rate`` of them (60%) and a variable unrelated to both. ``scale_above``: (gen pt, factor)
    scales the reco pt of the jets above that gen pt. The gen jets
    are the same for every seed (same events), the detector noise is not."""
    gen = np.random.default_rng(0)
    rng = np.random.default_rng(seed)
    event = np.repeat(np.arange(n_events), 4)
    n = len(event)
    gen_pt = 20 + gen.exponential(60, n)
    gen_eta, gen_phi = gen.uniform(-2.5, 2.5, n), gen.uniform(-np.pi, np.pi, n)
    pt = gen_pt * (1 + 0.1 * rng.normal(size=n))
    if scale_above:
        pt = np.where(gen_pt > scale_above[0], pt * scale_above[1], pt)
    flag = (rng.random(n) < flag_rate).astype(float)
    matched = rng.random(n) < 0.9
    nan = np.full(n, np.nan)
    columns = {"Jet_pt": pt, "Jet_flag": flag, "Jet_other": rng.normal(size=n)}
    return ObjectTable(columns, event, np.ones(n), np.where(matched, gen_pt, nan), np.where(matched, gen_eta, nan),
                       np.where(matched, gen_phi, nan))


def test_gen_pt_bins_and_labels():
    table = _objects(1, n_events=10)
    bins = gen_pt_bin(table)
    assert (bins[~table.matched] == -1).all()
    assert (bins[table.matched] >= 0).all()
    assert gen_pt_label(-1) == "unmatched"
    assert gen_pt_label(2) == "30-50"
    assert gen_pt_label(7) == "1000-"


def test_auc_by_gen_pt_finds_the_distorted_bins():
    reference, model = _objects(1), _objects(2, scale_above=(100.0, 1.08))
    result = collection_test(model, reference, ["Jet_pt", "Jet_flag", "Jet_other"], seed=0)
    by_bin = {b["bin"]: b for b in result["by_gen_pt"]}
    assert {"unmatched", "20-30", "50-100", "100-200"} <= set(by_bin)
    for name in ("20-30", "30-50", "50-100"):  # untouched: within 3 errors of 0.5
        assert abs(by_bin[name]["auc"] - 0.5) < 3 * by_bin[name]["auc_error"] + 0.01, by_bin[name]
    high = by_bin["100-200"]
    assert high["auc"] > 0.6 and high["auc"] - 0.5 > 5 * high["auc_error"], high
    # every test object is in a bin, but for bins too small for their own AUC
    assert 0.99 * result["n_test"] < sum(b["n_test"] for b in result["by_gen_pt"]) <= result["n_test"]


def test_each_variable_alone_ranks_the_distorted_one_first():
    reference, model = _objects(1), _objects(2, flag_rate=0.5)
    ranking = variable_ranking(model, reference, ["Jet_pt", "Jet_flag", "Jet_other"], seed=0)
    assert [r["variable"] for r in ranking][0] == "Jet_flag"
    first, *rest = ranking
    assert first["auc"] > 0.53 and first["auc"] - 0.5 > 5 * first["auc_error"]  # at most 0.55 for 60% -> 50%
    for r in rest:
        assert abs(r["auc"] - 0.5) < 3 * r["auc_error"] + 0.01, r
        assert r["n_test"] > 1000


def test_each_event_variable_alone():
    rng_a, rng_b = np.random.default_rng(1), np.random.default_rng(2)
    n = 4000
    gen_met = np.random.default_rng(0).exponential(40, n)
    a = {"MET_pt": gen_met + 10 * rng_a.normal(size=n), "MET_sumEt": rng_a.normal(size=n), "GenMET_pt": gen_met,
         "GenMET_phi": np.zeros(n)}
    b = {"MET_pt": gen_met + 14 * rng_b.normal(size=n), "MET_sumEt": rng_b.normal(size=n), "GenMET_pt": gen_met,
         "GenMET_phi": np.zeros(n)}
    ranking = event_variable_ranking(a, b, ["MET_pt", "MET_sumEt"], np.arange(n), np.arange(n), seed=0)
    assert [r["variable"] for r in ranking] == ["MET_pt", "MET_sumEt"]
    assert ranking[0]["auc"] > 0.55
    assert ranking[1]["auc"] == pytest.approx(0.5, abs=3 * ranking[1]["auc_error"] + 0.01)
