"""Every collection the reference detector writes, trained and simulated (issue "Every collection"): Tau,
FsrPhoton, LowPtElectron, SubJet and SV next to the others, built from FlashSim's own jets, muons and fat jets,
with NanoAOD's cross-references between them; coffea's NanoAODSchema reads the output without a warning."""

import awkward as ak
import pytest
import uproot

from every_collection_checks import check_coffea_reads_it_without_a_warning, check_cross_references_point_at_objects
from flashsim.cli import main

NEW = ("Tau", "FsrPhoton", "LowPtElectron", "SubJet", "SV")


@pytest.fixture(scope="module")
def nano(train_sample, tiny_bundle, tmp_path_factory):
    out = tmp_path_factory.mktemp("every") / "nano.root"
    assert main(["simulate", str(train_sample[0]), "-o", str(out), "--bundle", str(tiny_bundle), "--seed", "4",
                 "--no-progress"]) == 0
    return out


def test_the_new_collections_are_simulated(nano, tiny_bundle):
    from flashsim.bundle import read_manifest

    names = [c["name"] for c in read_manifest(tiny_bundle)["collections"]]
    # the bundle's order is the dependency order: each after what it is built from
    for later, earlier in (("Tau", "Jet"), ("FsrPhoton", "Muon"), ("SubJet", "FatJet"), ("PuppiMET", "Jet"),
                           ("SV", "Jet"), ("SV", "PV")):
        assert names.index(earlier) < names.index(later)
    a = uproot.open(nano)["Events"].arrays([f"n{c}" for c in NEW])
    for c in NEW:
        assert ak.sum(a[f"n{c}"]) > 0, c


def test_cross_references_point_at_objects(nano):
    check_cross_references_point_at_objects(nano)


def test_coffea_reads_it_without_a_warning(nano):
    check_coffea_reads_it_without_a_warning(nano)


def test_bench_runs_every_stage(train_sample, tiny_bundle, tmp_path):
    """`flashsim bench` on a bundle built in stages: the cross-event row runs them all, one event loop each,
    and simulates what the per-event row does (the same objects). (The PyTorch baseline, row 3, samples with the
    staged reference sampler, checked against the C++ in test_train_bundle.)"""
    import json

    assert main(["bench", "--bundle", str(tiny_bundle), "--input", str(train_sample[0]), "--threads", "1",
                 "--batch-events", "64", "--no-baseline", "--out", str(tmp_path)]) == 0
    rows = json.loads((tmp_path / "bench.json").read_text())["rows"]
    per_event = next(r for r in rows if r["row"] == 1 and r["ode"] == "bundle")
    cross = next(r for r in rows if r["row"] == 2 and r["ode"] == "bundle")
    assert cross["stages"] == 2 and cross["mode"].endswith("2 stages")
    assert cross["objects_per_event"] == per_event["objects_per_event"] > 0
    assert any(r["row"] == 4 for r in rows)
