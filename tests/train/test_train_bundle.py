"""A tiny training end to end: the exported bundle runs in the C++ simulation and agrees with
the Python reference sampler fed the same noise; parity and provenance are recorded."""

import json

import numpy as np
import pytest

from flashsim import catalogue
from flashsim.bundle import read_manifest
from flashsim.errors import TrainingError

EVENTS = 12
CHECKED = {"Jet": ["pt", "eta", "phi", "btagDeepFlavB", "btagPNetQvG", "chMultiplicity", "hadronFlavour"],
           "Muon": ["pt", "dxy", "dz", "ip3d", "sip3d", "charge", "tightId", "pfIsoId", "genPartFlav"],
           "Electron": ["pt", "mvaIso", "dxy", "dz", "ip3d", "sip3d", "charge", "cutBased", "mvaIso_WP80",
                        "genPartFlav"],
           "Photon": ["pt", "r9", "mvaID_WP90", "seedGain"], "FatJet": ["pt", "msoftdrop"],
           # built from simulated collections (a later stage: the sampler reads the earlier ones back)
           "Tau": ["pt", "eta", "decayMode", "genPartIdx", "genPartFlav"], "SubJet": ["pt", "eta", "btagDeepFlavB"],
           "FsrPhoton": ["pt", "relIso03"], "LowPtElectron": ["pt", "ID", "genPartFlav"]}


def test_manifest(tiny_bundle):
    m = read_manifest(tiny_bundle)
    assert m["format_version"] == 2
    keys = [f"{c['name']}_{s['name']}" for c in m["collections"] for s in c["sources"]]
    p = m["provenance"]
    assert "Jet_Pileup" in keys and "Muon_GenMuon" in keys and "Electron_GenPhoton" in keys
    assert set(keys) | set(p["left_out"]) == {s.key for s in catalogue.sources()}  # rare ones recorded
    assert p["command"] == "pytest" and p["refsim_parameter_hash"] and p["samples"][0]["events"] == 400
    labels = [s["labels"] for c in m["collections"] for s in c["sources"] if "labels" in s]
    assert labels and all(len(x["values"]) >= 1 and len(x["values"][0]) == len(x["branches"]) for x in labels)
    heads = sum("model" in x for x in labels)
    assert heads >= 4 and len(p["parity"]) == 2 * len(keys) - 3 + heads
    assert all(v <= max(1e-5, 2 * p["parity_float32_rounding"][n]) for n, v in p["parity"].items())
    for c in m["collections"]:
        for s in c["sources"]:
            for v in s["conditioning"] + s["targets"]:
                for step in v["transform"]:
                    assert step["op"] != "standardize" or ("mean" in step and "std" in step)
                    assert step["op"] != "clip" or step["lo"] <= step["hi"]
            for t in s["targets"]:  # network values beyond the training range are clipped back into it (a quantile
                # step maps them to its end knots, the training range, itself)
                ops = [step["op"] for step in t["transform"]]
                assert "clip" in ops or "quantile" in ops, (s["name"], t["branch"])
                if "quantile" in ops:
                    q = t["transform"][ops.index("quantile")]
                    assert len(q["x"]) == len(q["y"]) >= 2 and q["x"] == sorted(q["x"]), (s["name"], t["branch"])
            if c["name"] in ("Muon", "Electron"):  # the charge is drawn (+-1), not rounded from a flow
                assert "charge" in [b["branch"] for b in s["labels"]["branches"]]
    assert {d["column"] for d in m["derived"]} >= {"GenPart_origin", "GenJet_nearestMuonDR"}
    # the reference detector's ip3d = |(dxy, dz)|, mvaIso from mvaNoIso and the isolation, the working points on
    # their scores (rising, or falling: pfIsoId): computed, not learnt
    computed = {"Muon": (["ip3d", "sip3d"], {"pfIsoId": "pfRelIso04_all"}),
                "Electron": (["ip3d", "sip3d", "mvaIso"], {"mvaIso_WP80": "mvaIso", "mvaIso_WP90": "mvaIso",
                                                             "mvaNoIso_WP80": "mvaNoIso", "mvaNoIso_WP90": "mvaNoIso"}),
                "Photon": ([], {"mvaID_WP80": "mvaID", "mvaID_WP90": "mvaID"})}
    for name, (relations, working_points) in computed.items():
        coll = next(c for c in m["collections"] if c["name"] == name)
        assert [r["branch"] for r in coll.get("relations", [])] == relations
        found = {r["branch"]: r["of"] for r in coll["working_points"]}
        # 400 events leave under 20 photons failing WP80 (catalogue.working_points.MIN_OTHERS): it may be learnt
        assert found.items() <= working_points.items() and len(found) >= len(working_points) - (name == "Photon")
        working_points = found
        for s in coll["sources"]:
            assert not {*relations, *working_points} & {t["branch"] for t in s["targets"]}
            assert not set(working_points) & {b["branch"] for b in s.get("labels", {}).get("branches", [])}
            assert {*relations, *working_points} <= {c["branch"] for c in s["copies"]}
    assert next(c for c in m["collections"] if c["name"] == "Muon")["working_points"][0]["values"] == [6, 5, 4, 3, 2,
                                                                                                        1, 0]


def test_cpp_simulation_matches_the_python_reference_sampler(ROOT, train_sample, tiny_bundle):
    import flashsim.rdf
    from flashsim.train.reference_sampler import CppNoise, sample_bundle

    gen = train_sample[0]
    df = flashsim.rdf.simulate(ROOT.RDataFrame("Events", str(gen)).Range(EVENTS), tiny_bundle, seed=9)
    columns = [f"{c}_{b}" for c, branches in CHECKED.items() for b in branches]
    out = df.AsNumpy(["event", "PuppiMET_pt", "PV_npvs", "Rho_fixedGridRhoFastjetAll", "Jet_nMuons"] + columns)
    ref = sample_bundle(tiny_bundle, [gen], CppNoise(9), max_events=EVENTS)
    objects = 0
    for collection, branches in CHECKED.items():
        r = ref[collection]
        for e in range(EVENTS):
            mine = r["event"] == e
            order = np.argsort(-r["pt"][mine], kind="stable")
            for b in branches:
                want = np.asarray(r[b][mine][order], dtype=np.float64)
                got = np.asarray(out[f"{collection}_{b}"][e], dtype=np.float64)
                np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-5, err_msg=f"{collection}_{b} event {e}")
            objects += int(mine.sum())
    assert objects > 50
    for collection in ("Muon", "Electron"):
        charges = np.concatenate([np.asarray(q) for q in out[f"{collection}_charge"]])
        assert len(charges) and set(charges.tolist()) <= {-1, 1}, collection
    np.testing.assert_allclose(out["PuppiMET_pt"], ref["PuppiMET"]["pt"], rtol=1e-4)  # built from the jets
    for collection in ("Muon", "Electron"):  # on the simulated impact parameters' surface, as the reference's
        dxy, dz, ip3d = (np.concatenate([np.asarray(v, np.float64) for v in out[f"{collection}_{b}"]])
                         for b in ("dxy", "dz", "ip3d"))
        assert len(ip3d) and np.all(ip3d > 0)
        np.testing.assert_allclose(ip3d, np.hypot(dxy, dz), rtol=1e-6, err_msg=collection)
    np.testing.assert_array_equal(out["PV_npvs"], ref["PV"]["npvs"])


def test_nan_loss_stops_training(train_sample, tmp_path):
    from flashsim.train.config import load_config
    from flashsim.train.pipeline import train_bundle

    config = load_config({"collections": ["Rho"], "progress": False,
                          "velocity_field": {"hidden": 8, "depth": 1, "epochs": 2, "learning_rate": 1e30}})
    with pytest.raises(TrainingError, match="Rho_Event velocity field: the (validation )?loss became"):
        train_bundle([train_sample[1]], tmp_path / "b", config, log=lambda *a: None)
    assert not (tmp_path / "b" / "bundle.json").exists()


def test_cli_and_config_errors(train_sample, tmp_path):
    from flashsim.cli import main

    config = tmp_path / "cfg.json"
    config.write_text(json.dumps({"epochs": 3}))
    assert main(["train", str(train_sample[1]), "-o", str(tmp_path / "b"), "--config", str(config)]) == 2
    config.write_text(json.dumps({"collections": ["PuppiMET"], "progress": False,
                                  "velocity_field": {"hidden": 8, "depth": 1, "epochs": 1}}))
    assert main(["train", str(train_sample[1]), "-o", str(tmp_path / "b"), "--config", str(config), "--quiet"]) == 0
    assert [c["name"] for c in read_manifest(tmp_path / "b")["collections"]] == ["PuppiMET"]


def test_parallel_training_gives_the_same_networks(train_sample, tmp_path):
    """jobs=2 trains the sources in two worker processes: every network is the one jobs=1 gives."""
    from flashsim.train.config import load_config
    from flashsim.train.pipeline import train_bundle

    tiny = {"collections": ["Muon", "PuppiMET"], "progress": False, "threads": 1, "leave_out_sparse": True,
            "efficiency": {"hidden": 8, "depth": 1, "epochs": 1, "batch_size": 512},
            "velocity_field": {"hidden": 8, "depth": 1, "epochs": 2, "batch_size": 512},
            "labels": {"hidden": 8, "depth": 1, "epochs": 2, "batch_size": 512}}
    for jobs in (1, 2):
        train_bundle([train_sample[1]], tmp_path / f"jobs{jobs}", load_config({**tiny, "jobs": jobs}),
                     log=lambda *a: None)
    networks = sorted(p.name for p in (tmp_path / "jobs1").glob("*.onnx"))
    assert "Muon_GenMuon_labels.onnx" in networks and "PuppiMET_Event_velocity.onnx" in networks
    assert networks == sorted(p.name for p in (tmp_path / "jobs2").glob("*.onnx"))
    for name in networks:
        assert (tmp_path / "jobs1" / name).read_bytes() == (tmp_path / "jobs2" / name).read_bytes(), name
    one, two = read_manifest(tmp_path / "jobs1"), read_manifest(tmp_path / "jobs2")
    assert one["collections"] == two["collections"]  # in catalogue order, whichever source finished first
    assert list(one["provenance"]["left_out"]) == list(two["provenance"]["left_out"])


def test_smoke_training_writes_a_whole_bundle(train_sample, tmp_path):
    """``flashsim train --smoke``: every collection, tiny networks, a handful of optimiser steps."""
    from flashsim.cli import main

    out = tmp_path / "smoke"
    assert main(["train", str(train_sample[1]), "-o", str(out), "--smoke", "--quiet"]) == 0
    manifest = read_manifest(out)
    config = manifest["provenance"]["config"]
    assert manifest["name"].endswith("(smoke)") and config["max_rows"] == 4000
    for kind in ("efficiency", "velocity_field", "labels"):
        assert config[kind]["hidden"] == 16 and config[kind]["epochs"] == 1 and config[kind]["max_epochs"] == 1
    names = [c["name"] for c in manifest["collections"]]
    assert {"Jet", "Muon", "Electron", "Photon", "FatJet", "PuppiMET", "PV", "Rho"} <= set(names)
    assert len(list(out.glob("*.onnx"))) >= 20


def test_an_object_below_its_collection_floor_is_drawn_again(ROOT, train_sample, tiny_bundle, tmp_path):
    """The training jets start at the reference detector's 15 GeV and the bundle records that floor. The tiny
    networks put jets below it; with the floor, those are drawn again from fresh noise (the C++ and the
    Python reference sampler alike, object by object), the others are unchanged, and none stays below."""
    import shutil

    import flashsim.rdf
    from flashsim.bundle.manifest import write_manifest
    from flashsim.train.reference_sampler import CppNoise, sample_bundle

    n = 60
    manifest = read_manifest(tiny_bundle)
    floor = next(c for c in manifest["collections"] if c["name"] == "Jet")["floor"]
    assert floor["branch"] == "pt" and 15.0 <= floor["min"] < 15.1 and floor["redraws"] >= 1
    unfloored = tmp_path / "unfloored"
    shutil.copytree(tiny_bundle, unfloored)
    for c in manifest["collections"]:
        c.pop("floor", None)
    write_manifest(unfloored, manifest)

    gen = train_sample[0]
    before = sample_bundle(unfloored, [gen], CppNoise(9), collections=["Jet"], max_events=n)["Jet"]
    after = sample_bundle(tiny_bundle, [gen], CppNoise(9), collections=["Jet"], max_events=n)["Jet"]
    leaked = before["pt"] < floor["min"]
    assert leaked.sum() >= 3  # the tiny networks leak: the test sees the floor work
    assert np.all(after["pt"] >= floor["min"])
    key = lambda r: list(zip(r["event"], r["source"], r["candidate"], strict=True))  # noqa: E731
    unchanged = dict(zip(key(before), before["pt"], strict=True))
    redrawn = {k for k, low in zip(key(before), leaked, strict=True) if low}
    for k, pt in zip(key(after), after["pt"], strict=True):
        assert k in redrawn or pt == unchanged[k], k
    assert len(after["pt"]) <= len(before["pt"]) and len(set(key(after)) & redrawn) > 0

    df = flashsim.rdf.simulate(ROOT.RDataFrame("Events", str(gen)).Range(n), tiny_bundle, seed=9,
                               collections=["Jet"])
    cpp = df.AsNumpy(["Jet_pt"])["Jet_pt"]
    for e in range(n):
        want = np.sort(after["pt"][after["event"] == e])[::-1]
        np.testing.assert_allclose(np.asarray(cpp[e], np.float64), want, rtol=1e-4, atol=1e-5, err_msg=f"event {e}")


def test_later_stages_read_the_simulated_collections_not_the_files_own(train_sample, tiny_bundle):
    """A source built from simulated objects (Tau and SV <- Jet, SubJet <- FatJet, the MET from the jets) reads
    the collections simulated before it, also from a file that has reco collections of its own (a reference-
    detector file: the quality script's input): the same gen events give the same objects from both files."""
    from flashsim.train.reference_sampler import NumpyNoise, sample_bundle

    gen, full = train_sample
    names = ["Jet", "FatJet", "PV", "Tau", "SV", "SubJet", "PuppiMET"]
    from_gen = sample_bundle(tiny_bundle, [gen], NumpyNoise(3), collections=names, max_events=40)
    from_full = sample_bundle(tiny_bundle, [full], NumpyNoise(3), collections=names, max_events=40)
    assert len(from_gen["SV"]["event"]) > 5 and len(from_gen["SubJet"]["event"]) > 0
    for name in names:
        for branch, values in from_gen[name].items():
            np.testing.assert_array_equal(from_full[name][branch], values, err_msg=f"{name}_{branch}")


def test_jet_energy_fractions_sum_to_one(ROOT, train_sample, tiny_bundle):
    """The reference detector's fractions sum to 1, so the bundle rescales the flow's to it."""
    import flashsim.rdf

    jet = next(c for c in read_manifest(tiny_bundle)["collections"] if c["name"] == "Jet")
    fractions = ["chHEF", "neHEF", "chEmEF", "neEmEF", "muEF"]
    assert jet["sum_to_one"] == [fractions]
    df = flashsim.rdf.simulate(ROOT.RDataFrame("Events", str(train_sample[0])).Range(50), tiny_bundle, seed=3)
    out = df.AsNumpy([f"Jet_{f}" for f in fractions])
    total = sum(np.concatenate([np.asarray(v) for v in out[f"Jet_{f}"]]).astype(np.float64) for f in fractions)
    assert len(total) > 100 and np.allclose(total[total > 0], 1.0, atol=1e-5)



def test_charged_jet_energy_is_zero_outside_the_tracker(ROOT, train_sample, tiny_bundle):
    """The reference detector (like CMS) has no charged jet constituents beyond |eta| 2.5 + one jet
    radius: the bundle learns that edge from the files and the C++ simulation keeps it exactly."""
    import flashsim.rdf

    jet = next(c for c in read_manifest(tiny_bundle)["collections"] if c["name"] == "Jet")
    rules = {r["branch"]: r for r in jet["acceptance"]}
    assert {"chHEF", "chEmEF", "chMultiplicity"} <= set(rules)
    for b in ("chHEF", "chEmEF", "chMultiplicity"):
        assert rules[b]["value"] == 0.0 and 2.8 < rules[b]["abs_above"] < 3.0, rules
    df = flashsim.rdf.simulate(ROOT.RDataFrame("Events", str(train_sample[0])).Range(200), tiny_bundle, seed=3)
    out = {k: np.concatenate([np.asarray(v) for v in a]) for k, a in
           df.AsNumpy(["Jet_eta", "Jet_chHEF", "Jet_chEmEF", "Jet_chMultiplicity"]).items()}
    beyond = np.abs(out["Jet_eta"]) > rules["chHEF"]["abs_above"]
    assert beyond.sum() > 20 and (~beyond).sum() > 100
    for b in ("chHEF", "chEmEF", "chMultiplicity"):
        assert np.all(out[f"Jet_{b}"][beyond] == 0)
    assert np.mean(out["Jet_chHEF"][~beyond] > 0) > 0.5
