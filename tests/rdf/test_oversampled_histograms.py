"""Histograms of oversampled samples: filled per gen event, so that the bin errors account for the
correlation of the K copies of one event (the naive sum of w^2 underestimates them)."""

import numpy as np
import pytest

import flashsim.rdf
from flashsim import InputError

K = 8


def toy(rng, n_events, k=K, spread=0.1, reps=1):
    """``reps`` independent toy samples of Poisson(``n_events``) gen events with ``k`` strongly
    correlated copies each (x = mu_event + spread * noise), in shuffled order (copies not adjacent).
    A Poisson number of events makes sum_e S_eb^2 the exact variance of a bin (as for any
    histogram's sum of w^2).

    Returns:
        dict of columns: run = the repetition, luminosityBlock, event, x, y, FlashSim_weight = 1/k.
    """
    counts = rng.poisson(n_events, reps)
    total = int(counts.sum())
    run = np.repeat(np.arange(reps), counts)
    event = np.concatenate([np.arange(c) for c in counts])
    x = rng.normal(size=total)[:, None] + spread * rng.normal(size=(total, k))
    y = rng.normal(size=total)[:, None] + spread * rng.normal(size=(total, k))
    order = rng.permutation(x.size)
    return {"run": np.repeat(run, k)[order].astype(np.uint32), "luminosityBlock": np.ones(x.size, np.uint32),
            "event": np.repeat(event, k)[order].astype(np.uint64), "x": x.ravel()[order], "y": y.ravel()[order],
            "FlashSim_weight": np.full(x.size, 1 / k, np.float32)}


def expected_1d(data, edges):
    """Bin content sum_e S_eb and error^2 sum_e S_eb^2, computed directly with NumPy."""
    bins = np.digitize(data["x"], edges)  # 0 underflow, len(edges) overflow: ROOT's numbering
    key = (data["run"].astype(np.int64) * 10**6 + data["event"].astype(np.int64)) * 1000 + bins
    _, inverse = np.unique(key, return_inverse=True)
    s = np.bincount(inverse, weights=data["FlashSim_weight"].astype(np.float64))
    first_bin = np.zeros(s.size, int)
    first_bin[inverse] = bins
    content = np.bincount(first_bin, weights=s, minlength=len(edges) + 1)
    error2 = np.bincount(first_bin, weights=s**2, minlength=len(edges) + 1)
    return content, error2


@pytest.mark.parametrize("threads", [0, 2])
def test_1d_matches_the_per_event_formula(ROOT, threads):
    data = toy(np.random.default_rng(1), 3000, reps=2)
    if threads:
        ROOT.EnableImplicitMT(threads)
    try:
        df = ROOT.RDF.FromNumpy(data)
        h = flashsim.rdf.oversampled_histo1d(df, ("h", "", 12, -3, 3), "x").GetValue()
    finally:
        if threads:
            ROOT.DisableImplicitMT()
    content, error2 = expected_1d(data, np.linspace(-3, 3, 13))
    got = np.array([h.GetBinContent(b) for b in range(14)])
    got_error = np.array([h.GetBinError(b) for b in range(14)])
    np.testing.assert_allclose(got, content, rtol=1e-9)
    np.testing.assert_allclose(got_error**2, error2, rtol=1e-9)
    assert h.GetEntries() == len(np.unique(data["run"].astype(np.int64) * 10**6 + data["event"]))  # gen events


def test_errors_match_the_spread_of_independent_repetitions(ROOT):
    """R independent toys, one per run number, histogrammed at once in 2D (x, run): row r is toy r.
    The helper's error must match the spread of the bin contents over the toys; the naive error
    (sum of w^2 over entries) is about sqrt(K) too small."""
    reps, n_events = 400, 400
    data = toy(np.random.default_rng(2), n_events, reps=reps)
    df = ROOT.RDF.FromNumpy(data).Define("rep", "static_cast<double>(run)")
    model = ("h", "", 6, -1.5, 1.5, reps, -0.5, reps - 0.5)
    h = flashsim.rdf.oversampled_histo2d(df, model, "x", "rep").GetValue()
    naive = df.Histo2D(model, "x", "rep", "FlashSim_weight").GetValue()
    content = np.array([[h.GetBinContent(i, j) for i in range(1, 7)] for j in range(1, reps + 1)])
    error = np.array([[h.GetBinError(i, j) for i in range(1, 7)] for j in range(1, reps + 1)])
    naive_error = np.array([[naive.GetBinError(i, j) for i in range(1, 7)] for j in range(1, reps + 1)])
    spread2 = content.var(axis=0, ddof=1)  # per x bin, over the toys
    helper2 = (error**2).mean(axis=0)
    naive2 = (naive_error**2).mean(axis=0)
    # the variance of a variance estimated from R toys has a relative precision ~ sqrt(2/R) = 7%
    ratio = helper2 / spread2
    assert np.all(np.abs(ratio - 1) < 4 * np.sqrt(2 / reps)), ratio
    assert abs(helper2.sum() / spread2.sum() - 1) < 2 * np.sqrt(2 / (6 * reps))
    assert np.all(naive2 / spread2 < 0.3), naive2 / spread2  # ~1/K: the naive error is far too small


def test_2d_and_per_object_columns(ROOT):
    df = ROOT.RDataFrame(6).Define("run", "1u").Define("luminosityBlock", "1u").Define(
        "event", "static_cast<ULong64_t>(rdfentry_ / 3)").Define(  # 2 gen events x 3 copies
        "Jet_pt", "ROOT::RVecF{10.f, 30.f}").Define("Jet_eta", "ROOT::RVecF{0.5f, -0.5f}").Define(
        "w", "ROOT::RVecD{1.0, 2.0}")
    h = flashsim.rdf.oversampled_histo2d(df, ("h", "", 2, 0, 40, 2, -1, 1), "Jet_pt", "Jet_eta", "w").GetValue()
    # per gen event: bin (1, 2) gets 3 x 1.0, bin (2, 1) gets 3 x 2.0
    assert h.GetBinContent(1, 2) == 6.0 and h.GetBinError(1, 2) == pytest.approx(np.sqrt(2 * 3.0**2))
    assert h.GetBinContent(2, 1) == 12.0 and h.GetBinError(2, 1) == pytest.approx(np.sqrt(2 * 6.0**2))
    h1 = flashsim.rdf.oversampled_histo1d(df, ("h1", "", 4, 0, 40), "Jet_pt").GetValue()  # weight 1: no FlashSim_weight
    assert h1.GetBinContent(2) == 6.0 and h1.GetBinError(2) == pytest.approx(np.sqrt(2 * 9.0))


def test_wrong_sizes_and_missing_event_id(ROOT):
    df = ROOT.RDataFrame(2).Define("run", "1u").Define("luminosityBlock", "1u").Define("event", "rdfentry_").Define(
        "x", "ROOT::RVecF{1.f, 2.f}").Define("w", "ROOT::RVecF{1.f, 2.f, 3.f}")
    with pytest.raises(Exception, match="the weight has 3 values, the filled column 2"):
        flashsim.rdf.oversampled_histo1d(df, ("h", "", 4, 0, 4), "x", "w").GetValue()
    with pytest.raises(InputError, match="no luminosityBlock, event"):
        flashsim.rdf.oversampled_histo1d(ROOT.RDataFrame(2).Define("run", "1u").Define("x", "1.0"),
                                         ("h", "", 4, 0, 4), "x")


def test_on_a_simulated_file(ROOT, gen_tree, tiny_bundle, tmp_path):
    """On a ``flashsim simulate --oversample`` output: content = plain weighted histogram, errors
    at least the naive ones (copies of a gen event fall in the same bins)."""
    from flashsim.rdf.nanoaod_file import simulate_file

    out = tmp_path / "nano.root"
    simulate_file(gen_tree, out, tiny_bundle, seed=0, oversample=4, progress=False)
    df = ROOT.RDataFrame("Events", str(out))
    model = ("pt", "", 10, 0, 200)
    h = flashsim.rdf.oversampled_histo1d(df, model, "Jet_pt")
    naive = df.Histo1D(model, "Jet_pt", "FlashSim_weight")
    for b in range(12):
        assert h.GetBinContent(b) == pytest.approx(naive.GetBinContent(b), rel=1e-6)
        assert h.GetBinError(b) >= naive.GetBinError(b) * (1 - 1e-9)
    assert h.GetBinError(3) > 1.5 * naive.GetBinError(3)
