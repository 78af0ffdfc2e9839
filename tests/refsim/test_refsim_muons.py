"""Muons: prompt vs heavy-flavour origin, impact parameters, isolation, fakes, IDs."""

import awkward as ak
import numpy as np
from refsim_testing import flat


def test_non_prompt_muons_have_larger_impact_parameters(ttbar):
    flav = flat(ttbar.Muon_genPartFlav)
    dxy = np.abs(flat(ttbar.Muon_dxy))
    sip = flat(ttbar.Muon_sip3d)
    prompt, heavy = flav == 1, (flav == 5) | (flav == 4)
    assert prompt.sum() > 50 and heavy.sum() > 50
    assert np.median(dxy[heavy]) > 5 * np.median(dxy[prompt])
    assert np.median(sip[heavy]) > np.median(sip[prompt])


def test_non_prompt_muons_are_not_isolated(ttbar):
    flav = flat(ttbar.Muon_genPartFlav)
    iso = flat(ttbar.Muon_pfRelIso04_all)
    assert np.median(iso[flav == 5]) > 5 * np.median(iso[flav == 1])
    assert np.median(iso[flav == 1]) < 0.15


def test_matched_muons_point_to_gen_muons(ttbar):
    idx = ttbar.Muon_genPartIdx
    ok = idx >= 0
    pdg = flat(abs(ttbar.GenPart_pdgId[ak.where(ok, idx, 0)])[ok])
    assert np.all(pdg == 13)
    flav = flat(ttbar.Muon_genPartFlav)
    matched = flat(ok)
    assert set(np.unique(flav[matched])) <= {1, 3, 4, 5, 15}
    assert set(np.unique(flav[~matched])) <= {0, 3}
    # all categories of the issue exist in ttbar
    assert {1, 5}.issubset(set(np.unique(flav)))
    assert (~matched).sum() > 0


def test_prompt_muon_ids(dy):
    flav = flat(dy.Muon_genPartFlav)
    prompt = flav == 1
    assert prompt.sum() > 100
    for name, low in (("looseId", 0.97), ("mediumId", 0.93), ("tightId", 0.9)):
        assert flat(dy[f"Muon_{name}"])[prompt].mean() > low, name
    # tight implies loose; the IDs are booleans
    assert not np.any(flat(dy.Muon_tightId) & ~flat(dy.Muon_looseId))
    assert flat(dy.Muon_tightId).dtype == np.bool_


def test_charge_and_pdgid_agree(ttbar):
    assert np.all(flat(ttbar.Muon_pdgId) == -13 * flat(ttbar.Muon_charge))
    assert set(np.unique(flat(ttbar.Muon_charge))) <= {-1, 1}


def test_momentum_resolution_is_percent_level(dy):
    idx = dy.Muon_genPartIdx
    ok = (idx >= 0) & (dy.Muon_genPartFlav == 1)
    ratio = flat(dy.Muon_pt[ok] / dy.GenPart_pt[idx[ok]])
    q16, q84 = np.percentile(ratio, [16, 84])
    assert 0.003 < (q84 - q16) / 2 < 0.04


def test_duplicates_share_the_gen_muon_and_fail_the_tight_ids(ttbar_gen, monkeypatch):
    """With the duplicate rate raised, duplicates appear: same genPartIdx, tracker-only."""
    from flashsim.refsim import parameters
    from flashsim.refsim.detector import simulate_chunk
    from flashsim.refsim.reader import iterate_chunks, open_gen_tree

    old = parameters.PARAMETERS["muon.duplicate_probability"]
    monkeypatch.setitem(parameters.PARAMETERS, "muon.duplicate_probability",
                        parameters.Parameter(0.3, old.cms, old.ref))
    f, tree = open_gen_tree(str(ttbar_gen))
    chunk = next(iterate_chunks(tree, 500))
    f.close()
    mu = simulate_chunk(chunk, seed=5)[0]["Muon"]
    key = mu.event * 100_000 + mu["genPartIdx"]
    matched = mu["genPartIdx"] >= 0
    values, counts = np.unique(key[matched], return_counts=True)
    dup_keys = values[counts == 2]
    assert len(dup_keys) > 10
    assert counts.max() == 2
    rows = np.isin(key, dup_keys) & matched
    # of each pair, exactly one is the tracker-only duplicate (not global, not medium)
    assert (~mu["isGlobal"][rows]).sum() >= len(dup_keys)
    assert (mu["mediumId"][rows]).sum() < 1.25 * len(dup_keys)  # originals ~all, copies ~10%
