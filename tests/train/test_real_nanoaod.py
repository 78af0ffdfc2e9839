"""The whole chain on real CMS NanoAOD: a real v12 ttbar file (tests/data/nano_tt_v12.root) and a
synthetic file with every branch name and type of a real v15 file (tests/data/synthetic_nanoaod.py).
extract -> train --smoke -> simulate --replace-reco -> validate, with the catalogue following the
file: the simulated collections have the file's reco branch names and types."""

import sys
from pathlib import Path

import pytest
import uproot

from flashsim.cli import main

DATA = Path(__file__).resolve().parents[1] / "data"
sys.path.insert(0, str(DATA))
from synthetic_nanoaod import write_synthetic  # noqa: E402

OURS = ("FlashSim_",)  # the oversampling copy and weight


@pytest.fixture(scope="module", params=["v12", "v15"])
def nano(request, tmp_path_factory):
    if request.param == "v12":
        return DATA / "nano_tt_v12.root"
    return write_synthetic(tmp_path_factory.mktemp("v15") / "nano_v15.root")


@pytest.fixture(scope="module")
def bundle(nano, tmp_path_factory):
    out = tmp_path_factory.mktemp("bundle") / "smoke"
    from flashsim.bundle import read_manifest

    assert main(["train", str(nano), "-o", str(out), "--smoke", "--quiet"]) == 0
    assert read_manifest(out)["provenance"]["command"] == f"flashsim train {nano} -o {out} --smoke --quiet"
    return out


@pytest.fixture(scope="module")
def flash(nano, bundle, tmp_path_factory):
    out = tmp_path_factory.mktemp("flash") / "flash.root"
    assert main(["simulate", str(nano), "-o", str(out), "--bundle", str(bundle), "--replace-reco", "--seed", "5",
                 "--no-progress"]) == 0
    return out


def _reco_collections(tree):
    from flashsim.nanoaod.gen_level import is_gen_level

    return {name.split("_", 1)[0] for name in tree.keys() if "_" in name and not is_gen_level(name)}


def test_extract_gives_tables_for_every_collection_present(nano, tmp_path, capsys):
    assert main(["extract", str(nano), "-o", str(tmp_path)]) == 0
    got = {p.stem.split("_")[0] for p in tmp_path.glob("*.npz")}
    with uproot.open(nano) as f:
        present = _reco_collections(f["Events"])
    from flashsim import catalogue

    err = capsys.readouterr().err
    assert got <= present & set(catalogue.COLLECTIONS)
    for name in present & set(catalogue.COLLECTIONS) - got:  # present but empty in this file: a notice each
        assert f"notice: {name}_" in err and "the selection is empty" in err, name
    assert {"Jet", "Muon", "Electron", "FatJet", "PuppiMET", "PV", "Rho"} <= got
    assert "notice:" in err and "Traceback" not in err  # sources the small file cannot give: notices


def test_simulated_branches_have_the_names_and_types_of_the_file(nano, bundle, flash):
    from flashsim.bundle import read_manifest

    trained = {c["name"] for c in read_manifest(bundle)["collections"]}
    with uproot.open(nano) as f, uproot.open(flash) as g:
        real, ours = f["Events"], g["Events"]
        assert ours.num_entries == real.num_entries
        real_types = {k: real[k].typename for k in real.keys()}
        for name in ours.keys():
            if name.startswith(OURS):
                continue
            assert name in real_types, f"{name}: not a branch of {nano.name}"
            assert ours[name].typename == real_types[name], name
        # every reco branch of a trained collection, except the cross-references to collections not
        # simulated (secondary vertices, FSR photons, AK8 subjets; Photon in the v12 skim)
        from flashsim import catalogue
        from flashsim.catalogue.rules import is_cross_reference

        crossrefs = {p["column"] for p in catalogue.postprocess(trained)}
        for collection in trained:
            wanted = [k for k in real_types if k.startswith(f"{collection}_") and "fiducialGen" not in k
                      and (k in crossrefs or not is_cross_reference(k.split("_", 1)[1]))]
            missing = [k for k in wanted if k not in ours.keys()]
            if "Photon_genPartIdx" not in ours.keys():  # the synthetic photons are all unmatched: no
                # Photon_genPartIdx, so no link by gen particle (the bundle leaves those cross-references out)
                missing = [k for k in missing if k not in ("Photon_genPartIdx", "Photon_electronIdx",
                                                           "Electron_photonIdx")]
            assert not missing, (collection, missing)


def test_validate_renders_the_report(nano, flash, tmp_path):
    out = tmp_path / "report"
    assert main(["validate", str(flash), str(nano), "-o", str(out), "--collections", "Jet", "Muon", "PuppiMET",
                 "--no-auc"]) == 0
    html = (out / "index.html").read_text()
    assert "Jet_pt" in html and "PuppiMET" in html


def _without(ROOT, path, drop, out):
    df = ROOT.RDataFrame("Events", str(path))
    df.Snapshot("Events", str(out), [str(c) for c in df.GetColumnNames() if not drop(str(c))])
    return out


def test_a_file_without_gen_collections(ROOT, tmp_path, capsys):
    nogen = _without(ROOT, DATA / "nano_tt_v12.root", lambda c: c.startswith(("Gen", "nGen", "SubGen", "nSubGen")),
                     tmp_path / "nogen.root")
    assert main(["train", str(nogen), "-o", str(tmp_path / "b"), "--smoke", "--quiet"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "nogen.root: has no gen collections (no GenPart_pt, GenJet_pt" in err[0], err
    assert main(["simulate", str(nogen), "-o", str(tmp_path / "x.root"), "--replace-reco", "--seed", "1",
                 "--no-progress"]) == 2
    err = capsys.readouterr().err
    assert "nogen.root: the input lacks columns" in err and "'GenPart_pt'" in err and "Traceback" not in err
    assert not (tmp_path / "b").exists() and not list(tmp_path.glob("x.root*"))


def test_a_file_without_its_matching_branches(ROOT, tmp_path, capsys):
    matching = ("genJetIdx", "genPartIdx", "genJetAK8Idx")
    nomatch = _without(ROOT, DATA / "nano_tt_v12.root", lambda c: c.endswith(matching), tmp_path / "nomatch.root")
    # only jets: nothing can be trained, an error naming the file and the branch, nothing written
    assert main(["train", str(nomatch), "-o", str(tmp_path / "b"), "--smoke", "--quiet", "--collections", "Jet"]) == 2
    err = capsys.readouterr().err
    assert "nothing to train" in err and "nomatch.root lacks its branches ['Jet_genJetIdx']" in err, err
    assert not (tmp_path / "b").exists()
    # everything: the object collections are left out with a notice each, the event-level ones train
    assert main(["train", str(nomatch), "-o", str(tmp_path / "c"), "--smoke", "--quiet"]) == 0
    err = capsys.readouterr().err
    assert "flashsim train: notice: Muon_GenMuon: left out (nomatch.root lacks its branches ['Muon_genPartIdx'])" in err
    from flashsim.bundle import read_manifest

    manifest = read_manifest(tmp_path / "c")
    assert "FatJet_genJetAK8Idx" in manifest["provenance"]["left_out"]["FatJet_GenJetAK8"]
    # the MET is built from the matched jets (Jet_genJetIdx), so it is left out with them: PV and Rho train
    assert "Jet_genJetIdx" in manifest["provenance"]["left_out"]["PuppiMET_Event"]
    assert {c["name"] for c in manifest["collections"]} == {"PV", "Rho"}
