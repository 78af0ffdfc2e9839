"""flashsim validate on a real CMS NanoAOD v12 file (tests/data): gen collections and counters are
not compared as reco groups, and a variable that is NaN in one file does not empty the test."""

from pathlib import Path

import numpy as np

from flashsim.validate.samples import branch_types, comparable_groups
from flashsim.validate.two_sample import two_sample_test

NANO_V12 = Path(__file__).resolve().parents[1] / "data" / "nano_tt_v12.root"


def test_groups_of_a_real_file_are_reco_only():
    types = branch_types(NANO_V12)
    groups = comparable_groups(types, types)
    assert {"Jet", "Muon", "Electron", "FatJet", "PV"} <= set(groups)
    assert groups["Jet"]["kind"] == "collection" and "Jet_pt" in groups["Jet"]["variables"]
    # the file has SubGenJetAK8, HTXS_* and per-branch counters (nFatJet_pt, ...): none is a reco group
    assert "SubGenJetAK8" in {n.split("_", 1)[0] for n in types} and any(n.startswith("HTXS_") for n in types)
    assert not {"SubGenJetAK8", "HTXS", "LHE", "Generator", "Pileup"} & set(groups), sorted(groups)
    assert not [g for g in groups if g.startswith("n") and g[1:] in groups], sorted(groups)


def test_a_column_of_nan_in_one_sample_is_left_out():
    rng = np.random.default_rng(1)
    n = 4000
    xa, xb = rng.normal(size=(n, 3)), rng.normal(size=(n, 3))
    xb[:, 0] += 0.5  # a real difference in column 0
    xa[:, 2] = np.nan  # a variable one file fills with NaN
    events = np.arange(n)
    result = two_sample_test(xa, xb, events, events, seed=0)
    assert result.n_test > 0.4 * 2 * n and result.auc > 0.57  # optimal: 0.64
    empty = two_sample_test(np.full((n, 1), np.nan), xb[:, :1], events, events, seed=0)
    assert np.isnan(empty.auc) and empty.n_test == 0
