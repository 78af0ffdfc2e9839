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
