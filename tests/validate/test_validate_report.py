"""The report's metrics react (DESIGN.md "Measuring fidelity"): identical samples give AUC ~0.5
and W1 ~0; a distorted one (jet pt x 1.1) gives both clearly larger, Jet_pt listed first."""

import json

import pytest

from flashsim.validate import validate

FAST = {"collections": ["Jet", "PuppiMET"], "with_analyses": False, "log": lambda msg: None}


@pytest.fixture(scope="module")
def reports(nano_pair, tmp_path_factory):
    files = nano_pair("ttbar", 300)
    out = {}
    for name, other in (("identical", files["ref"]), ("other_seed", files["other"]), ("distorted", files["distorted"])):
        folder = tmp_path_factory.mktemp(name)
        out[name] = validate(other, files["ref"], folder, **FAST)
        out[name]["_folder"] = folder
    return out


def _jet(report):
    (process,) = report["processes"].values()
    return process["collections"]["Jet"]


def test_identical_files(reports):
    r = reports["identical"]
    assert abs(_jet(r)["auc"]["auc"] - 0.5) < 0.05
    assert all(row["w1"] == 0.0 and row["ks"] == 0.0 for row in r["ranking"])


def test_reference_against_itself_at_another_seed(reports):
    r = reports["other_seed"]
    assert abs(_jet(r)["auc"]["auc"] - 0.5) < 0.07
    assert _jet(r)["variables"]["Jet_pt"]["w1"] < 0.05
    # every variable within statistics
    assert max(row["w1_excess"] for row in r["ranking"]) < 0.06


def test_distorted_sample_is_seen_and_listed_first(reports):
    r, control = reports["distorted"], reports["other_seed"]
    jet = _jet(r)
    assert jet["auc"]["auc"] > 0.6 > _jet(control)["auc"]["auc"] + 0.05
    pt = jet["variables"]["Jet_pt"]
    assert pt["w1"] > 0.08 and pt["w1"] > 3 * control["processes"]["ttbar"]["collections"]["Jet"]["variables"][
        "Jet_pt"]["w1"]
    assert pt["w1_excess"] > 0.03  # beyond noise (null + 3 spread of the within-event swaps)
    assert r["ranking"][0]["name"] == "Jet_pt"
    assert pt["mean_a"] == pytest.approx(1.1 * pt["mean_b"], rel=0.03)


def test_metrics_json_matches_the_return_value(reports):
    r = reports["distorted"]
    saved = json.loads((r["_folder"] / "metrics.json").read_text())
    assert saved["ranking"] == r["ranking"]
    assert saved["processes"]["ttbar"]["collections"]["Jet"]["auc"] == _jet(r)["auc"]


def test_branches_and_collections_missing_in_a_are_listed(nano_pair, tmp_path):
    """A FlashSim file with fewer collections and branches than the reference: the shared ones
    are compared, the rest is named in metrics.json and on the page."""
    import ROOT

    files = nano_pair("ttbar", 300)
    df = ROOT.RDataFrame("Events", str(files["other"]))
    keep = [str(c) for c in df.GetColumnNames() if str(c).startswith(("run", "luminosityBlock", "event", "nJet",
                                                                        "Jet_", "GenJet", "PuppiMET_", "GenMET"))]
    keep.remove("Jet_btagPNetQvG")
    subset = tmp_path / "subset.root"
    df.Snapshot("Events", str(subset), keep)
    r = validate(subset, files["ref"], tmp_path / "report", with_auc=False, with_analyses=False,
                 log=lambda msg: None)
    process = r["processes"]["ttbar"]
    assert set(process["collections"]) == {"Jet", "PuppiMET"}
    assert process["only_in_b"]["Jet"] == ["Jet_btagPNetQvG"] and "Muon_pt" in process["only_in_b"]["Muon"]
    page = (tmp_path / "report" / "index.html").read_text()
    assert "only in Reference: Jet_btagPNetQvG" in page and "not compared: Muon" in page
    # and the other way round: what only A has is listed once, on A's side
    r = validate(files["ref"], subset, tmp_path / "report_swapped", with_auc=False, with_analyses=False,
                 log=lambda msg: None)
    (process,) = r["processes"].values()
    assert process["only_in_a"]["Jet"] == ["Jet_btagPNetQvG"] and not process["only_in_b"]
    page = (tmp_path / "report_swapped" / "index.html").read_text()
    assert page.count("only in FlashSim: Jet_btagPNetQvG") == 1


def test_diagnostics_say_what_gives_the_sample_away(reports):
    """Jet pt x 1.1: alone given gen, Jet_pt is the first variable and far from 0.5, the others near it;
    every gen-pt bin sees it; the page shows both tables."""
    r, control = reports["distorted"], reports["other_seed"]
    ranking = _jet(r)["variable_auc"]
    assert ranking[0]["variable"] == "Jet_pt"
    assert ranking[0]["auc"] > 0.6 and ranking[0]["auc"] - 0.5 > 5 * ranking[0]["auc_error"]
    assert max(v["auc"] for v in _jet(control)["variable_auc"]) < 0.56
    matched = [b for b in _jet(r)["auc"]["by_gen_pt"] if b["bin"] != "unmatched"]
    assert len(matched) >= 3 and all(b["auc"] > 0.55 for b in matched)
    page = (r["_folder"] / "index.html").read_text()
    assert "Each variable alone given gen" in page and "AUC by matched gen pt" in page
