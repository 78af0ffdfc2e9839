"""Transforms: fitted, invertible, and the same in Python and in C++ (read from a manifest)."""

import json

import numpy as np
import pytest

from flashsim import InputError
from flashsim.transforms import Transform

RNG = np.random.default_rng(5)
N = 2000
GEN = {"GenJet_pt": RNG.exponential(50, N) + 20, "GenJet_phi": RNG.uniform(-np.pi, np.pi, N)}
SCORE = np.where(RNG.uniform(size=N) < 0.2, -1.0, RNG.beta(0.5, 2.0, N))  # a tagger with a -1 spike

CASES = {
    "pt": ([{"op": "ratio", "gen": "GenJet_pt"}, {"op": "log"}, {"op": "standardize"}],
           GEN["GenJet_pt"] * RNG.normal(1.0, 0.1, N)),
    # the response's spread shrinks with gen pt: scaled by sqrt(pt / 50) it is about the same at all pt
    "pt_response": ([{"op": "ratio", "gen": "GenJet_pt"}, {"op": "standardize"},
                     {"op": "gen_scale", "gen": "GenJet_pt", "scale": 50.0, "power": 0.5},
                     {"op": "clip", "fit": "range"}, {"op": "standardize"}],
                    GEN["GenJet_pt"] * RNG.normal(1.0, 1.0 / np.sqrt(GEN["GenJet_pt"]), N)),
    # the response's median and width step in |phi| (as the jet response at the cracks) and narrow with pt:
    # a binned standardisation per |phi| bin, then per pt bin, takes the steps out
    "pt_binned": ([{"op": "ratio", "gen": "GenJet_pt"},
                   {"op": "binned_standardize", "gen": "GenJet_phi", "abs": True, "edges": [0.0, 1.0, 1.5, 3.2]},
                   {"op": "binned_standardize", "gen": "GenJet_pt", "edges": [20.0, 30.0, 60.0, 120.0, 1000.0]},
                   {"op": "standardize"}],
                  GEN["GenJet_pt"] * (np.where(np.abs(GEN["GenJet_phi"]) >= 1.5, 0.9, 1.0) + RNG.normal(
                      0, 1.0 / np.sqrt(GEN["GenJet_pt"]), N) * np.where(np.abs(GEN["GenJet_phi"]) < 1.0, 1.0, 2.0))),
    # ... or in one step over both: the |phi| step's size changes with pt (a pt x |phi| interaction)
    "pt_binned_2d": ([{"op": "ratio", "gen": "GenJet_pt"},
                      {"op": "binned_standardize", "gen": "GenJet_pt", "edges": [20.0, 30.0, 60.0, 120.0, 1000.0],
                       "gen2": "GenJet_phi", "abs2": True, "edges2": [0.0, 1.0, 1.5, 3.2]},
                      {"op": "standardize"}],
                     GEN["GenJet_pt"] * (np.where(np.abs(GEN["GenJet_phi"]) >= 1.5,
                                                  np.where(GEN["GenJet_pt"] >= 60, 0.7, 0.95), 1.0)
                                         + RNG.normal(0, 1.0 / np.sqrt(GEN["GenJet_pt"]), N))),
    "phi": ([{"op": "delta_phi", "gen": "GenJet_phi"}, {"op": "standardize"}],
            np.mod(GEN["GenJet_phi"] + RNG.normal(0, 0.02, N) + np.pi, 2 * np.pi) - np.pi),
    "score": ([{"op": "spike", "value": -1.0}, {"op": "logit", "lo": 0.0, "hi": 1.0, "eps": 1e-6},
               {"op": "standardize"}], SCORE),
    "dxy": ([{"op": "asinh", "scale": 0.01}, {"op": "standardize"}], RNG.standard_cauchy(N) * 0.01),
    "iso": ([{"op": "clip", "lo": 0.0}, {"op": "arctan", "scale": 0.2}, {"op": "standardize"}],
            RNG.exponential(0.1, N)),
    "eInvMinusPInv": ([{"op": "asinh", "scale": 0.002}, {"op": "clip", "fit": "range"}, {"op": "standardize"}],
                      RNG.standard_cauchy(N) * 0.002),
    "nConstituents": ([{"op": "dequantize"}, {"op": "log", "offset": 1.0}, {"op": "standardize"}],
                      RNG.poisson(20, N).astype(float)),
    "mass": ([{"op": "log", "offset": 1.0}, {"op": "difference", "gen": "GenJet_pt"}, {"op": "standardize"}],
             RNG.exponential(10, N)),
    # a vertex fit's ndof, 2 sum(w) - 3 over n tracks of weight 0.8-1: a box per track count, gaps between
    "ndof": ([{"op": "quantile"}], 2.0 * (NTRACKS := RNG.integers(2, 6, N)) * RNG.uniform(0.8, 1.0, N) - 3.0),
}


@pytest.mark.parametrize("name", CASES)
def test_roundtrip_and_fit(name):
    steps, x = CASES[name]
    t = Transform(steps, name).fit(x, GEN)
    y = t.forward(x, GEN)
    assert np.all(np.isfinite(y))
    assert abs(y[y > -2.5].mean()) < 0.5  # standardised (spikes aside)
    np.testing.assert_allclose(t.inverse(y, GEN), x, rtol=1e-6, atol=1e-6 if name != "score" else 2e-6)


def test_gen_scale_evens_the_spread_over_pt():
    steps, x = CASES["pt_response"]
    y = Transform(steps).fit(x, GEN).forward(x, GEN)
    low, high = GEN["GenJet_pt"] < 35, GEN["GenJet_pt"] > 100
    raw = x / GEN["GenJet_pt"]
    assert raw[low].std() > 1.5 * raw[high].std()  # the response narrows with pt ...
    assert 0.8 < y[low].std() / y[high].std() < 1.25  # ... but not in network units


def test_binned_standardize_takes_out_the_steps():
    steps, x = CASES["pt_binned"]
    t = Transform(steps).fit(x, GEN)
    y = t.forward(x, GEN)
    abs_phi, raw = np.abs(GEN["GenJet_phi"]), x / GEN["GenJet_pt"]
    inner, outer = abs_phi < 1.0, abs_phi >= 1.5
    assert np.median(raw[outer]) < np.median(raw[inner]) - 0.07 and raw[outer].std() > 1.6 * raw[inner].std()
    assert abs(np.median(y[outer]) - np.median(y[inner])) < 0.1 and 0.85 < y[outer].std() / y[inner].std() < 1.15
    low, high = GEN["GenJet_pt"] < 30, GEN["GenJet_pt"] > 120
    assert 0.8 < y[low].std() / y[high].std() < 1.25
    fitted = t.to_json()[1]
    assert len(fitted["loc"]) == len(fitted["scale"]) == 3
    assert fitted["loc"][2] < fitted["loc"][0] - 0.07 and fitted["scale"][2] > 1.6 * fitted["scale"][0]


def test_binned_standardize_over_two_gen_variables():
    """One loc and scale per (pt, |phi|) cell, row-major: the |phi| step that grows with pt is taken out
    in every pt bin, which two one-variable steps cannot do."""
    steps, x = CASES["pt_binned_2d"]
    t = Transform(steps).fit(x, GEN)
    assert t.gen_inputs == ["GenJet_pt", "GenJet_pt", "GenJet_phi"]
    fitted = t.to_json()[1]
    assert len(fitted["loc"]) == len(fitted["scale"]) == 4 * 3
    loc = np.reshape(fitted["loc"], (4, 3))
    assert loc[3, 2] < loc[0, 2] - 0.15 and abs(loc[3, 0] - loc[0, 0]) < 0.05  # the step grows with pt
    y = t.forward(x, GEN)
    pt, outer, inner = GEN["GenJet_pt"], np.abs(GEN["GenJet_phi"]) >= 1.5, np.abs(GEN["GenJet_phi"]) < 1.0
    for lo, hi in ((20, 60), (60, 1000)):
        m = (pt >= lo) & (pt < hi)
        assert abs(np.median(y[m & outer]) - np.median(y[m & inner])) < 0.25
    separate = Transform([steps[0], {"op": "binned_standardize", "gen": "GenJet_phi", "abs": True,
                                     "edges": [0.0, 1.0, 1.5, 3.2]},
                          {"op": "binned_standardize", "gen": "GenJet_pt", "edges": [20.0, 30.0, 60.0, 120.0, 1000.0]},
                          steps[2]]).fit(x, GEN)
    z = separate.forward(x, GEN)
    m = pt >= 60
    assert abs(np.median(z[m & outer]) - np.median(z[m & inner])) > 0.5  # the test can fail


def test_binned_standardize_sparse_cells_take_the_nearest_filled_one():
    g = {"a": np.concatenate([np.full(300, 0.5), np.full(300, 2.5), np.full(300, 0.5)]),
         "b": np.concatenate([np.full(300, 0.5), np.full(300, 0.5), np.full(300, 2.5)])}
    x = np.concatenate([np.random.default_rng(1).normal(0, 1, 300), np.random.default_rng(2).normal(10, 2, 300),
                        np.random.default_rng(3).normal(-10, 3, 300)])
    step = Transform([{"op": "binned_standardize", "gen": "a", "edges": [0, 1, 2, 3], "gen2": "b",
                       "edges2": [0, 1, 2, 3]}]).fit(x, g).to_json()[0]
    loc = np.reshape(step["loc"], (3, 3))  # filled: (0, 0) ~ 0, (2, 0) ~ 10, (0, 2) ~ -10
    assert loc[0, 0] == pytest.approx(0, abs=0.3) and loc[2, 0] == pytest.approx(10, abs=0.5)
    assert loc[0, 2] == pytest.approx(-10, abs=0.7)
    assert loc[1, 0] == loc[0, 0] and loc[2, 1] == loc[2, 0] and loc[1, 2] == loc[0, 2]  # one step away
    assert loc[1, 1] == loc[0, 0]  # equally far from all three: the lowest flat index
    assert loc[2, 2] == loc[0, 2]  # (0, 2) and (2, 0) tie at two steps: the lower flat index, 2 < 6


def test_binned_standardize_sparse_bins_take_the_nearest_filled_one():
    g = {"g": np.concatenate([np.full(500, 0.5), np.full(500, 2.5), np.full(20, 4.5)])}
    x = np.concatenate([np.random.default_rng(1).normal(0, 1, 500), np.random.default_rng(2).normal(10, 3, 520)])
    step = Transform([{"op": "binned_standardize", "gen": "g", "edges": [0, 1, 2, 3, 4, 5]}]).fit(x, g).to_json()[0]
    assert step["loc"][1] == step["loc"][0]  # empty: nearest filled is bin 0 (ties: the lower one)
    assert step["loc"][3] == step["loc"][4] == step["loc"][2] and step["scale"][4] == step["scale"][2]  # 20 < 100
    assert step["loc"][2] == pytest.approx(10, abs=0.5) and step["scale"][2] == pytest.approx(3, rel=0.15)


def test_a_quantile_step_maps_the_training_values_to_normal_scores_and_keeps_out_of_their_gaps():
    steps, x = CASES["ndof"]
    t = Transform(steps, "SV_ndof").fit(x)
    y = t.forward(x)
    assert abs(y.mean()) < 0.02 and abs(y.std() - 1.0) < 0.02  # a plain normal for the network
    back = t.inverse(RNG.normal(size=200_000))
    # no training value lies between the boxes (e.g. 1.0 < ndof < 1.8 for 2 and 3 tracks): at most the share of
    # the one knot interval that spans each gap lands there (1/256 of the rows at most)
    gaps = [(2 * n - 3, 1.6 * (n + 1) - 3) for n in range(2, 5)]
    for lo, hi in gaps:
        assert not ((x > lo) & (x < hi)).any()
        assert ((back > lo + 0.01) & (back < hi - 0.01)).mean() < 1.0 / 256
    assert back.min() >= x.min() and back.max() <= x.max()  # constant beyond the end knots
    np.testing.assert_allclose(t.inverse(y), x, rtol=0, atol=1e-9)  # exact between the knots
    assert len(t.steps[0]["x"]) == 256 and t.to_json()[0]["y"] == t.steps[0]["y"]


def test_training_noise():
    steps, x = CASES["nConstituents"]
    t = Transform(steps).fit(x)
    noisy = t.forward(x, rng=np.random.default_rng(1))
    assert len(np.unique(noisy)) > 10 * len(np.unique(x))  # dequantised: continuous
    np.testing.assert_array_equal(t.inverse(noisy), x)  # and rounded back exactly
    score = Transform(CASES["score"][0]).fit(SCORE)
    smeared = score.forward(SCORE, rng=np.random.default_rng(1))
    spike = score.to_json()[0]
    assert np.all(smeared[SCORE == -1] <= spike["threshold"]) and smeared[SCORE == -1].std() > 0.05
    np.testing.assert_array_equal(score.inverse(smeared)[SCORE == -1], -1.0)


@pytest.mark.parametrize(("steps", "message"), [
    ([{"op": "sqrt"}], "unknown transform op 'sqrt'"),
    ([{"op": "log"}, {"op": "spike", "value": 0}], "must be the first step"),
    ([{"op": "ratio"}], "needs 'gen'"),
    ([{"op": "gen_scale", "power": 0.5}], "needs 'gen'"),
    ([{"op": "binned_standardize", "edges": [0, 1]}], "needs 'gen'"),
    ([{"op": "binned_standardize", "gen": "GenJet_eta", "edges": [1, 0]}], r"needs 'edges', at least two increasing"),
    ([{"op": "binned_standardize", "gen": "GenJet_eta", "edges": [0, 1, 2], "loc": [0], "scale": [1, 1]}],
     r"'loc' needs 2 finite values"),
    ([{"op": "binned_standardize", "gen": "GenJet_eta", "edges": [0, 1], "loc": [0], "scale": [0]}],
     r"'scale' must be > 0"),
    ([{"op": "binned_standardize", "gen": "GenJet_eta", "edges": [0, 1], "abs": 1}], r"'abs' must be true or false"),
    ([{"op": "binned_standardize", "gen": "GenJet_eta", "edges": [0, 1], "gen2": "GenJet_pt"}],
     r"needs 'gen2' and 'edges2' together"),
    ([{"op": "binned_standardize", "gen": "GenJet_eta", "edges": [0, 1], "gen2": "GenJet_pt", "edges2": [5]}],
     r"needs 'edges2', at least two increasing"),
    ([{"op": "binned_standardize", "gen": "GenJet_eta", "edges": [0, 1, 2], "gen2": "GenJet_pt", "edges2": [0, 5, 9],
       "loc": [0, 0], "scale": [1, 1]}], r"'loc' needs 4 finite values \(one per bin, row-major over the two\)"),
    ([{"op": "binned_standardize", "gen": "GenJet_eta", "edges": [0, 1], "gen2": "GenJet_pt", "edges2": [0, 5],
       "abs2": "no"}], r"'abs2' must be true or false"),
    ([{"op": "ratio", "gen": "GenJet_pt", "gen2": "GenJet_eta"}], r"takes no second gen variable"),
    ([{"op": "quantile", "x": [0, 1, 1], "y": [-1, 0, 1]}], r"\(quantile\) needs 'x', at least two increasing"),
    ([{"op": "quantile", "x": [0, 1, 2], "y": [-1, 1]}], r"needs as many 'y' knots as 'x' knots"),
])
def test_bad_steps(steps, message):
    with pytest.raises(InputError, match=message):
        Transform(steps, "Jet_x")


def test_range_clip_is_fitted_and_bounds_the_inverse():
    """A {"op": "clip", "fit": "range"} step learns the training range: far-out network values
    (a flow's rare outliers) come back inside what training saw, never beyond."""
    steps, x = CASES["eInvMinusPInv"]
    t = Transform(steps, "Electron_eInvMinusPInv").fit(x)
    clip = t.to_json()[1]
    assert clip["lo"] == pytest.approx(np.arcsinh(x.min() / 0.002)) and clip["hi"] == pytest.approx(
        np.arcsinh(x.max() / 0.002))
    far = t.inverse(np.array([-1e3, -40.0, 40.0, 1e3]))
    np.testing.assert_allclose(far, [x.min(), x.min(), x.max(), x.max()], rtol=1e-9)
    inside = t.inverse(np.array([0.0]))
    assert x.min() < inside[0] < x.max()


def test_fit_rejects_non_finite():
    with pytest.raises(InputError, match="Jet_mass: non-finite"):
        Transform([{"op": "log"}, {"op": "standardize"}], "Jet_mass").fit(np.array([1.0, -2.0, 3.0]))
    with pytest.raises(InputError, match=r"Jet_mass: non-finite values before step 1 \(clip\)"):
        Transform([{"op": "log"}, {"op": "clip", "fit": "range"}, {"op": "standardize"}], "Jet_mass").fit(
            np.array([1.0, -2.0, 3.0]))


CPP_INVERSE = r"""
#include "flashsim/Bundle.hxx"
namespace flashsim_test {
inline std::vector<double> InverseTargets(const std::string &bundle, int target, const std::vector<double> &y,
                                          const std::vector<float> &genRows, int nGen)
{
   const flashsim::Bundle b(bundle);
   const auto &t = b.Collections().at(0).sources.at(0).targets.at(target).transform;
   std::vector<double> out(y.size());
   for (std::size_t i = 0; i < y.size(); ++i)
      out[i] = t.Inverse(y[i], genRows.data() + i * nGen);
   return out;
}
inline std::vector<double> ForwardConditioning(const std::string &bundle, int index,
                                               const std::vector<float> &genRows, int nGen)
{
   const flashsim::Bundle b(bundle);
   const auto &c = b.Collections().at(0).sources.at(0).conditioning.at(index);
   std::vector<double> out(genRows.size() / nGen);
   for (std::size_t i = 0; i < out.size(); ++i)
      out[i] = c.transform.Forward(genRows[i * nGen + c.inputIndex], genRows.data() + i * nGen);
   return out;
}
}
"""


def test_cpp_inverse_matches_python(ROOT, tmp_path):
    """Every op, read by the C++ bundle reader, inverts as the Python twin does."""
    from flashsim.bundle import write_manifest

    ROOT.gInterpreter.Declare(CPP_INVERSE)
    transforms = {name: Transform(steps, name).fit(x, GEN) for name, (steps, x) in CASES.items()}
    targets = [{"branch": name, "type": "Float_t", "transform": t.to_json()} for name, t in transforms.items()]
    score = transforms["score"]
    write_manifest(tmp_path, {
        "collections": [{"name": "Jet", "sources": [{
            "name": "GenJet", "gen_collection": "GenJet", "index_branch": "genJetIdx",
            "conditioning": [{"name": "score", "input": "GenJet_score", "transform": score.to_json()}],
            "targets": targets, "efficiency": {"model": "e.onnx"}, "velocity_field": {"model": "v.onnx"}}]}]})
    manifest = json.loads((tmp_path / "bundle.json").read_text())
    gen_columns = ["GenJet_score", "GenJet_pt", "GenJet_phi"]  # the order the C++ reader derives
    assert manifest["collections"][0]["sources"][0]["targets"][0]["transform"][0]["gen"] == "GenJet_pt"
    rows = np.stack([SCORE, GEN["GenJet_pt"], GEN["GenJet_phi"]], axis=1).astype(np.float32)
    gen32 = {"GenJet_pt": rows[:, 1].astype(np.float64), "GenJet_phi": rows[:, 2].astype(np.float64)}
    y = RNG.normal(0, 1.5, N)
    y[:50] = -6.0  # below any spike threshold
    for j, (name, t) in enumerate(transforms.items()):
        cpp = np.array(ROOT.flashsim_test.InverseTargets(str(tmp_path), j, y, rows.ravel(), 3))
        np.testing.assert_allclose(cpp, t.inverse(y, gen32), rtol=1e-9, atol=1e-12, err_msg=name)
    cpp_forward = np.array(ROOT.flashsim_test.ForwardConditioning(str(tmp_path), 0, rows.ravel(), 3))
    np.testing.assert_allclose(cpp_forward, score.forward(rows[:, 0].astype(np.float64)), rtol=1e-6, atol=1e-9)
    assert gen_columns  # documented order; the C++ reader finds the gen rows by it
