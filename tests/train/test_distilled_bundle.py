"""Few-step students in a bundle: ``flashsim distil`` adds them to a trained bundle, ``flashsim
train`` makes them with a ``distillation`` entry; the C++ simulation runs them with the ODE method
``distilled`` exactly as the Python reference sampler does, and a bundle without them is refused
before the event loop with the source named."""

import filecmp
import json

import numpy as np
import pytest

from flashsim.bundle import read_manifest
from flashsim.bundle.reference_outputs import check_reference_outputs
from flashsim.errors import BundleError, InputError

EVENTS = 12
SETTINGS = {"steps": 2, "pairs": 3000, "min_pairs": 1, "epochs": 1, "batch_size": 512, "patience": 1}


@pytest.fixture(scope="module")
def distilled_bundle(train_sample, tiny_bundle, tmp_path_factory):
    from flashsim.train.distil_bundle import distil_bundle

    out = tmp_path_factory.mktemp("distilled") / "tiny_distilled"
    distil_bundle(tiny_bundle, [train_sample[1]], out, SETTINGS, seed=3, threads=1, command="pytest",
                  make_default=True, log=lambda *a: None)
    return out


def test_every_velocity_field_gets_a_student(tiny_bundle, distilled_bundle):
    m = read_manifest(distilled_bundle)
    sources = [s for c in m["collections"] for s in c["sources"]]
    for s in sources:
        student = s["velocity_field"]["distilled"]
        assert student == {"model": f"{s['velocity_field']['model'][:-len('_velocity.onnx')]}_velocity_distilled.onnx",
                           "steps": 2, "method": "trajectory"}
        assert (distilled_bundle / student["model"]).is_file()
        # the teacher itself is untouched
        assert filecmp.cmp(distilled_bundle / s["velocity_field"]["model"], tiny_bundle / s["velocity_field"]["model"],
                           shallow=False)
    worst = check_reference_outputs(distilled_bundle)  # the students' outputs are in the table, and match
    assert all(s["velocity_field"]["distilled"]["model"] in worst for s in sources)
    d = m["provenance"]["distillation"]
    assert d["command"] == "pytest" and d["settings"]["steps"] == 2 and d["samples"][0]["events"] == 400
    assert set(d["sources"]) == {f"{c['name']}_{s['name']}" for c in m["collections"] for s in c["sources"]}
    assert "distillation" not in read_manifest(tiny_bundle)["provenance"]
    assert m["ode"] == {"method": "distilled"}  # --make-default; the teacher's solver is kept in the provenance
    assert m["provenance"]["ode_before_distillation"] == read_manifest(tiny_bundle)["ode"]


def test_cpp_runs_the_students_as_the_python_reference_sampler(ROOT, train_sample, distilled_bundle):
    import flashsim.rdf
    from flashsim.train.reference_sampler import CppNoise, sample_bundle

    gen = train_sample[0]
    df = flashsim.rdf.simulate(ROOT.RDataFrame("Events", str(gen)).Range(EVENTS), distilled_bundle, seed=9,
                               ode={"method": "distilled"})
    out = df.AsNumpy(["Jet_pt", "Jet_eta", "Muon_pt", "PuppiMET_pt", "PV_npvs"])
    ref = sample_bundle(distilled_bundle, [gen], CppNoise(9), max_events=EVENTS, ode={"method": "distilled"})
    def jet_pt(**ode):
        df = flashsim.rdf.simulate(ROOT.RDataFrame("Events", str(gen)).Range(EVENTS), distilled_bundle, seed=9, **ode)
        return df.AsNumpy(["Jet_pt"])["Jet_pt"]

    teacher = jet_pt(ode={"method": "midpoint", "steps": 4})
    default = jet_pt()  # the bundle's ODE method is distilled (make_default)
    jets = 0
    for e in range(EVENTS):
        mine = ref["Jet"]["event"] == e
        want = np.sort(ref["Jet"]["pt"][mine])[::-1]
        np.testing.assert_allclose(np.asarray(out["Jet_pt"][e]), want, rtol=1e-4, atol=1e-5, err_msg=f"event {e}")
        jets += int(mine.sum())
    assert jets > 20
    np.testing.assert_allclose(out["PuppiMET_pt"], ref["PuppiMET"]["pt"], rtol=1e-4)
    # the students are other networks than the teachers: another sample from the same noise
    assert any(len(a) != len(b) or not np.allclose(np.asarray(a), np.asarray(b))
               for a, b in zip(out["Jet_pt"], teacher, strict=True))
    for a, b in zip(out["Jet_pt"], default, strict=True):
        np.testing.assert_array_equal(np.asarray(a), np.asarray(b))


def test_distilling_some_collections_again_keeps_the_others_reports(train_sample, distilled_bundle, tmp_path):
    import shutil

    from flashsim.train.distil_bundle import distil_bundle

    again = tmp_path / "again"
    shutil.copytree(distilled_bundle, again)
    before = read_manifest(again)["provenance"]["distillation"]
    m = distil_bundle(again, [train_sample[1]], again, {**SETTINGS, "epochs": 2}, seed=4, threads=1, command="again",
                      collections=["Muon"], log=lambda *a: None)
    d = m["provenance"]["distillation"]
    muon = {k for k in d["sources"] if k.startswith("Muon_")}
    assert muon and set(d["sources"]) == set(before["sources"])  # every student still has its report
    for key, report in d["sources"].items():
        assert report["max_epochs"] == (2 if key in muon else 1)
    assert d["command"] == "again" and d["settings"]["epochs"] == 2
    (earlier,) = d["earlier"]
    assert earlier["command"] == "pytest" and earlier["students"] == sorted(set(before["sources"]) - muon)
    assert m["ode"] == {"method": "distilled"}  # still the default: every source keeps a student
    check_reference_outputs(again)


def test_distilling_in_two_worker_processes_gives_the_same_students(train_sample, tiny_bundle, tmp_path):
    """--jobs 2: the sources distilled in two spawned workers, each with its own seed: the same ONNX students and
    reports, in catalogue order."""
    from flashsim.train.distil_bundle import distil_bundle

    made = {jobs: distil_bundle(tiny_bundle, [train_sample[1]], tmp_path / f"jobs{jobs}", SETTINGS, seed=5, threads=1,
                                collections=["Muon"], log=lambda *a: None, jobs=jobs) for jobs in (1, 2)}
    reports = [m["provenance"]["distillation"]["sources"] for m in made.values()]
    muon = next(c for c in read_manifest(tiny_bundle)["collections"] if c["name"] == "Muon")
    assert list(reports[0]) == list(reports[1]) == [f"Muon_{s['name']}" for s in muon["sources"]]
    assert len(reports[0]) >= 2
    for key in reports[0]:
        assert reports[0][key]["validation_loss"] == reports[1][key]["validation_loss"], key
        name = f"{key}_velocity_distilled.onnx"
        assert filecmp.cmp(tmp_path / "jobs1" / name, tmp_path / "jobs2" / name, shallow=False), name


def test_distil_command_says_how_many_students_it_made(train_sample, distilled_bundle, tmp_path, capsys):
    """flashsim distil on one collection of a distilled bundle, in place: the students made now and in all."""
    import shutil

    from flashsim.cli import main

    again = tmp_path / "again"
    shutil.copytree(distilled_bundle, again)
    config = tmp_path / "distil.json"
    config.write_text(json.dumps(SETTINGS))
    rho = [s for c in read_manifest(again)["collections"] if c["name"] == "Rho" for s in c["sources"]]
    total = len(read_manifest(again)["provenance"]["distillation"]["sources"])
    assert main(["distil", str(again), str(train_sample[1]), "-o", str(again), "--collections", "Rho", "--config",
                 str(config), "--threads", "1"]) == 0
    assert f"({len(rho)} students distilled now, {total} in all," in capsys.readouterr().out
    assert "1 velocity fields (Rho) added (" in read_manifest(again)["provenance"]["edits"][-1]
    # the command recorded is this call's, not the process's (pytest's) arguments
    assert read_manifest(again)["provenance"]["distillation"]["command"] == (
        f"flashsim distil {again} {train_sample[1]} -o {again} --collections Rho --config {config} --threads 1")


def test_a_distilled_bundle_made_distilled_by_default_afterwards(tiny_bundle, distilled_bundle, tmp_path):
    import shutil

    from flashsim.train.distil_bundle import make_distilled_default

    later = tmp_path / "later"
    shutil.copytree(distilled_bundle, later)
    m = read_manifest(later)
    m["ode"] = read_manifest(tiny_bundle)["ode"]  # as distilled without --make-default
    del m["provenance"]["ode_before_distillation"]
    (later / "bundle.json").write_text(json.dumps(m))
    made = make_distilled_default(later, "measured")
    assert made["ode"] == read_manifest(later)["ode"] == {"method": "distilled"}
    assert read_manifest(later)["provenance"]["ode_before_distillation"] == read_manifest(tiny_bundle)["ode"]
    assert read_manifest(later)["provenance"]["edits"][-1].endswith("made the default (it was "
                                                                    f"{read_manifest(tiny_bundle)['ode']}): measured")
    with pytest.raises(InputError, match=r"needs a student for every source; Jet <- GenJet, .* have none"):
        make_distilled_default(tiny_bundle, "not distilled")


def test_a_bundle_without_students_is_refused_with_the_source_named(ROOT, train_sample, tiny_bundle):
    import flashsim.rdf

    with pytest.raises(BundleError, match=r"Jet <- GenJet has no distilled few-step network"):
        flashsim.rdf.simulate(ROOT.RDataFrame("Events", str(train_sample[0])).Range(2), tiny_bundle, seed=1,
                              ode={"method": "distilled"})


def test_train_makes_the_students_with_a_distillation_entry(train_sample, tiny_config, tmp_path):
    from flashsim.train.config import load_config
    from flashsim.train.pipeline import train_bundle

    config = load_config({**tiny_config, "collections": ["Muon"], "distillation": SETTINGS,
                          "ode": {"method": "distilled"}})
    m = train_bundle([train_sample[1]], tmp_path / "b", config, log=lambda *a: None)
    sources = [s for c in m["collections"] for s in c["sources"]]
    assert sources and all(s["velocity_field"]["distilled"]["steps"] == 2 for s in sources)
    assert m["ode"] == {"method": "distilled"}
    check_reference_outputs(tmp_path / "b")
    report = m["provenance"]["training"]["Muon_GenMuon"]["distilled"]
    assert report["method"] == "trajectory" and report["pairs"] <= 3000


def test_distil_errors_name_what_is_wrong(train_sample, tiny_bundle, distilled_bundle, tmp_path):
    from flashsim.train.config import load_config
    from flashsim.train.distil_bundle import distil_bundle

    with pytest.raises(InputError, match="exists; choose a new folder"):
        distil_bundle(tiny_bundle, [train_sample[1]], distilled_bundle, SETTINGS, log=lambda *a: None)
    with pytest.raises(InputError, match="'distilled' as the default needs a student for every source"):
        distil_bundle(tiny_bundle, [train_sample[1]], tmp_path / "x", SETTINGS, collections=["Muon"], make_default=True)
    with pytest.raises(InputError, match=r"has no collections \['Tau2'\]"):
        distil_bundle(tiny_bundle, [train_sample[1]], tmp_path / "x", SETTINGS, collections=["Tau2"])
    with pytest.raises(InputError, match="distillation: teacher steps 16 must be a multiple of the student's 3"):
        distil_bundle(tiny_bundle, [train_sample[1]], tmp_path / "x",
                      {"steps": 3, "teacher": {"method": "rk4", "steps": 16}})
    with pytest.raises(InputError, match="ode method 'distilled' needs a 'distillation' entry"):
        load_config({"ode": {"method": "distilled"}})
    bad = tmp_path / "bad"
    import shutil

    shutil.copytree(distilled_bundle, bad)
    manifest = json.loads((bad / "bundle.json").read_text())
    manifest["collections"][0]["sources"][0]["velocity_field"]["distilled"]["steps"] = 0
    (bad / "bundle.json").write_text(json.dumps(manifest))
    from flashsim.rdf.operations import cpp_bundle

    with pytest.raises(Exception, match=r"velocity_field.distilled.*'steps' must be an integer in \[1, 64\]"):
        cpp_bundle(bad)
