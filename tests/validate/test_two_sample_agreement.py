"""The validation report and the quality script (benchmarks/quality_default_bundle.py) run one
two-sample test: on the same files they give the same AUC, for a collection and an event group."""

import sys
from pathlib import Path

import awkward as ak
import pytest

from flashsim.bundle import default_bundle, read_manifest
from flashsim.validate import validate
from flashsim.validate.samples import event_ids

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "benchmarks"))
import quality_default_bundle as quality  # noqa: E402

GEN = ["run", "luminosityBlock", "event", "Pileup_nPU", "GenMET_pt", "GenMET_phi", "nGenJet", "GenJet_pt",
       "GenJet_eta", "GenJet_phi"]


def _subset(ROOT, source, output, columns):
    """The file with only ``columns``, in that order (the report's variables follow the file's order)."""
    ROOT.RDataFrame("Events", str(source)).Snapshot("Events", str(output), columns)
    return output


@pytest.fixture(scope="module")
def files(nano_pair, tmp_path_factory):
    """The default bundle's manifest (Jet and its missing-momentum collection, MET or PuppiMET) and two
    reference-detector files with its branches, those of them that NanoAOD v15 kept."""
    import ROOT

    manifest = read_manifest(default_bundle())
    manifest = {**manifest, "collections": [c for c in manifest["collections"] if c["name"] in ("Jet", "MET",
                                                                                                 "PuppiMET")]}
    met = next(c["name"] for c in manifest["collections"] if c["name"] != "Jet")
    pair = nano_pair("ttbar", 300)
    have = {str(c) for c in ROOT.RDataFrame("Events", str(pair["ref"])).GetColumnNames()}
    reco = ["nJet"] + [f"Jet_{b}" for b in quality._branches(manifest, "Jet")] + ["Jet_genJetIdx"]
    reco += [f"PuppiMET_{b}" for b in quality._branches(manifest, met)]
    folder = tmp_path_factory.mktemp("agreement")
    a = _subset(ROOT, pair["other"], folder / "a.root", GEN + [c for c in reco if c in have])
    b = _subset(ROOT, pair["ref"], folder / "b.root", GEN + [c for c in reco if c in have])
    return manifest, {"Jet": "Jet", "PuppiMET": met}, a, b


@pytest.mark.parametrize("collection", ["Jet", "PuppiMET"])
def test_same_auc_on_the_same_files(files, collection, tmp_path):
    manifest, in_manifest, a, b = files
    report = validate(a, b, tmp_path / "report", collections=[collection], with_analyses=False, log=lambda *_: None)
    in_report = next(iter(report["processes"].values()))["collections"][collection]
    from_report = in_report["auc"]

    name = in_manifest[collection]  # the script reads the file's PuppiMET for a bundle's MET
    gen = quality.uproot_read(b, GEN, None)
    tables = [quality.add_gen(quality.reference_objects(path, manifest, None, gen)[name], name, gen)
              for path in (a, b)]
    ids = event_ids({k: ak.to_numpy(gen[k]) for k in ("run", "luminosityBlock", "event")})
    branches = [br for br in quality._branches(manifest, name) if br in tables[1]]
    from_script = quality.classifier_auc(*tables, name, branches, ids)

    assert from_report["n_test"] == from_script["n_test"] > 100
    assert from_report["features"] == from_script["features"]
    assert from_report["auc"] == pytest.approx(from_script["auc"], abs=1e-12)
    assert from_report["auc_error"] == pytest.approx(from_script["auc_error"], abs=1e-12)
    assert from_report.get("by_gen_pt") == from_script.get("by_gen_pt")
    if collection == "Jet":
        assert len(from_report["by_gen_pt"]) >= 3

    # the diagnostics: each variable alone given gen, ranked, the same in both
    ranking = quality.classifier_auc(*tables, name, branches, ids, per_variable=True)
    assert [r["variable"] for r in ranking] == [r["variable"] for r in in_report["variable_auc"]]
    assert [r["auc"] for r in ranking] == pytest.approx([r["auc"] for r in in_report["variable_auc"]], abs=1e-12)
    assert len(ranking) == len(branches)
