"""A bundle's acceptance rules are checked when the bundle is loaded: a BundleError naming the
manifest entry, before any event loop."""

import json
import shutil

import pytest

from flashsim import BundleError
from flashsim.bundle import default_bundle


@pytest.mark.parametrize("rule, message", [
    ({"branch": "noSuchBranch", "value": 0, "abs_above": 2.9}, "'noSuchBranch' is not a branch of the collection"),
    ({"branch": "eta", "value": 0, "abs_above": 2.9}, "other than eta"),
    ({"branch": "chHEF", "value": 0}, "needs 'value' and 'abs_above'"),
    ({"branch": "chHEF", "value": 0, "abs_above": -1}, "abs_above >= 0"),
    ("chHEF", "expected"),
])
def test_a_bad_acceptance_rule_is_a_bundle_error(ROOT, gen_file, tmp_path, rule, message):
    import flashsim.rdf

    bundle = tmp_path / "bundle"
    shutil.copytree(default_bundle(), bundle)
    manifest = json.loads((bundle / "bundle.json").read_text())
    jet = next(c for c in manifest["collections"] if c["name"] == "Jet")
    jet["acceptance"] = [rule]
    (bundle / "bundle.json").write_text(json.dumps(manifest))
    df = ROOT.RDataFrame("Events", str(gen_file("ttbar", 20, seed=3)))
    with pytest.raises(BundleError, match=r"collections\[0\]\.acceptance\[0\].*" + message):
        flashsim.rdf.simulate(df, bundle, seed=1)


def _edited_bundle(tmp_path, edit):
    bundle = tmp_path / "bundle"
    shutil.copytree(default_bundle(), bundle)
    manifest = json.loads((bundle / "bundle.json").read_text())
    edit(next(c for c in manifest["collections"] if c["name"] == "Jet"))
    (bundle / "bundle.json").write_text(json.dumps(manifest))
    return bundle


@pytest.mark.parametrize("rule, message", [
    ({"branch": "noSuchBranch", "of": "btagDeepFlavB", "thresholds": [0.5], "values": [0, 1]},
     r"\.branch.*'noSuchBranch' is not a branch of the collection"),
    ({"branch": "chHEF", "of": "chHEF", "thresholds": [0.5], "values": [0, 1]}, r"\.of.*not another"),
    ({"branch": "chHEF", "of": "btagDeepFlavB", "thresholds": [0.5, 0.2], "values": [0, 1, 2]}, "ascending"),
    ({"branch": "chHEF", "of": "btagDeepFlavB", "thresholds": [0.5], "values": [0]}, "one more 'values'"),
    ({"branch": "chHEF", "of": "btagDeepFlavB", "thresholds": ["x"], "values": [0, 1]}, "finite number"),
])
def test_a_bad_working_point_rule_is_a_bundle_error(ROOT, gen_file, tmp_path, rule, message):
    import flashsim.rdf

    bundle = _edited_bundle(tmp_path, lambda jet: jet.__setitem__("working_points", [rule]))
    df = ROOT.RDataFrame("Events", str(gen_file("ttbar", 20, seed=3)))
    with pytest.raises(BundleError, match=r"collections\[0\]\.working_points\[0\].*" + message):
        flashsim.rdf.simulate(df, bundle, seed=1)


@pytest.mark.parametrize("rule, message", [
    ({"branch": "noSuchBranch", "op": "norm", "of": ["chHEF", "neHEF"]},
     r"\.branch.*'noSuchBranch' is not a floating-point branch of the collection"),
    ({"branch": "hadronFlavour", "op": "norm", "of": ["chHEF", "neHEF"]}, r"\.branch.*not a floating-point branch"),
    ({"branch": "chHEF", "op": "sum", "of": ["neHEF"]},
     r"\.op.*'sum': expected 'norm', 'norm_significance' or 'score_shift'"),
    ({"branch": "chHEF", "op": "norm", "of": ["neHEF", "chHEF"]}, r"\.of\[1\].*'chHEF' is not another branch"),
    ({"branch": "chHEF", "op": "norm", "of": []}, r"\.of.*is empty"),
    ({"branch": "chHEF", "op": "norm", "of": ["neHEF"], "errors": ["muEF"]}, r"\.errors.*only 'norm_significance'"),
    ({"branch": "chHEF", "op": "norm_significance", "of": ["neHEF", "muEF"], "errors": ["neEmEF"]},
     r"\.errors.*one error per branch"),
    ({"branch": "chHEF", "op": "norm_significance", "of": ["neHEF"]}, r"missing key 'errors'"),
    ({"branch": "chHEF", "op": "score_shift", "of": ["neHEF"], "coefficient": -2}, r"\.of.*needs two branches"),
    ({"branch": "chHEF", "op": "score_shift", "of": ["neHEF", "muEF"]}, r"\.coefficient.*needs a finite number"),
    ({"branch": "chHEF", "op": "score_shift", "of": ["neHEF", "muEF"], "coefficient": "x"},
     r"\.coefficient.*needs a finite number"),
    ({"branch": "chHEF", "op": "norm", "of": ["neHEF"], "coefficient": 1.0}, r"\.coefficient.*only 'score_shift'"),
])
def test_a_bad_relation_is_a_bundle_error(ROOT, gen_file, tmp_path, rule, message):
    import flashsim.rdf

    bundle = _edited_bundle(tmp_path, lambda jet: jet.__setitem__("relations", [rule]))
    df = ROOT.RDataFrame("Events", str(gen_file("ttbar", 20, seed=3)))
    with pytest.raises(BundleError, match=r"collections\[0\]\.relations\[0\].*" + message):
        flashsim.rdf.simulate(df, bundle, seed=1)


def test_a_shared_efficiency_stream_needs_one_uniform_per_candidate(ROOT, gen_file, tmp_path):
    """efficiency_stream (SV <- Jet: the first and second vertex of a jet) on a slots source is refused."""
    import flashsim.rdf

    def edit(jet):
        next(s for s in jet["sources"] if s["kind"] == "slots")["efficiency_stream"] = "Shared"

    bundle = _edited_bundle(tmp_path, edit)
    df = ROOT.RDataFrame("Events", str(gen_file("ttbar", 20, seed=3)))
    with pytest.raises(BundleError, match=r"efficiency_stream.*only a matched or unmatched source"):
        flashsim.rdf.simulate(df, bundle, seed=1)


@pytest.mark.parametrize("floor, message", [
    ({"branch": "noSuchBranch", "min": 15.0}, r"\.floor\.branch.*'noSuchBranch' is not a flow target of source"),
    ({"branch": "hadronFlavour", "min": 15.0}, r"\.floor\.branch.*'hadronFlavour' is not a flow target"),
    ({"branch": "pt"}, r"\.floor.*needs 'min'"),
    ({"branch": "pt", "min": 15.0, "redraws": 2.5}, r"\.floor.*'redraws' an integer from 0 to 64"),
    ({"branch": "pt", "min": 15.0, "redraws": 1000}, r"\.floor.*'redraws' an integer from 0 to 64"),
    ([15.0], r"\.floor.*expected \{"),
])
def test_a_bad_floor_is_a_bundle_error(ROOT, gen_file, tmp_path, floor, message):
    """The reco threshold (collections[].floor) names a branch every source generates, a minimum and a
    number of redraws; anything else is refused at load."""
    import flashsim.rdf

    bundle = _edited_bundle(tmp_path, lambda jet: jet.__setitem__("floor", floor))
    df = ROOT.RDataFrame("Events", str(gen_file("ttbar", 20, seed=3)))
    with pytest.raises(BundleError, match=r"collections\[0\]" + message):
        flashsim.rdf.simulate(df, bundle, seed=1)


@pytest.mark.parametrize("kind, edge, message", [
    ("slots", {"input": "Pileup_nPU", "abs_above": 2.5}, r"only a matched or unmatched source with an efficiency"),
    ("matched", {"input": "GenJet_eta"}, r"needs 'abs_above'"),
    ("matched", {"input": "GenJet_eta", "abs_above": -1}, r"'abs_above' must be a finite number >= 0"),
    ("matched", "GenJet_eta", r"expected \{"),
])
def test_a_bad_efficiency_edge_is_a_bundle_error(ROOT, gen_file, tmp_path, kind, edge, message):
    """A source's efficiency edge (sources[].efficiency_edge) is checked at load."""
    import flashsim.rdf

    def edit(jet):
        next(s for s in jet["sources"] if s["kind"] == kind)["efficiency_edge"] = edge

    bundle = _edited_bundle(tmp_path, edit)
    df = ROOT.RDataFrame("Events", str(gen_file("ttbar", 20, seed=3)))
    with pytest.raises(BundleError, match=r"collections\[0\]\.sources\[\d\]\.efficiency_edge.*" + message):
        flashsim.rdf.simulate(df, bundle, seed=1)
