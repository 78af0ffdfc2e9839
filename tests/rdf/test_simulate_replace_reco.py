"""Re-simulating a full-simulation NanoAOD file (a real CMS NanoAOD v12 ttbar file, tests/data):
``--replace-reco`` keeps its generator-level branches, drops every reco branch and simulates the
bundle's collections in their place, one output event per input event."""

from pathlib import Path

import awkward as ak
import numpy as np
import pytest
import uproot

from flashsim.cli import main
from flashsim.nanoaod.gen_level import is_gen_level

NANO_V12 = Path(__file__).resolve().parents[1] / "data" / "nano_tt_v12.root"


def _feedable():
    """The default bundle's collections this skim can feed: it has no GenVisTau, which the taus are made from
    (a real CMS MC file has it), so Tau is left out with --collections."""
    from flashsim.bundle import default_bundle, read_manifest

    names = [c["name"] for c in read_manifest(default_bundle())["collections"]]
    return ",".join(n for n in names if n != "Tau")


@pytest.fixture(scope="module")
def replaced(tmp_path_factory):
    out = tmp_path_factory.mktemp("replace_reco") / "flash.root"
    assert main(["simulate", str(NANO_V12), "-o", str(out), "--replace-reco", "--seed", "3", "--threads", "2",
                 "--no-progress", "--collections", _feedable()]) == 0
    return out


def test_gen_level_branches_are_kept_and_reco_replaced(replaced):
    from flashsim.rdf.nanoaod_file import read_provenance

    with uproot.open(NANO_V12) as f, uproot.open(replaced) as g:
        nano, flash = f["Events"], g["Events"]
        assert flash.num_entries == nano.num_entries == 200
        # this file (a skim of coffea's test samples) also has a counter per jagged branch,
        # nSubGenJetAK8_eta, ...: copies of nSubGenJetAK8 that the NanoAOD rewrite does not carry
        per_branch = {f"n{name}" for name in nano.keys()}
        kept = [name for name in nano.keys() if is_gen_level(name) and name not in per_branch]
        assert {"GenJet_pt", "GenPart_pdgId", "LHE_HT", "genWeight", "Pileup_nPU", "event"} <= set(kept)
        for name in kept:  # unchanged, event by event
            assert name in flash.keys(), name
            a, b = (ak.to_numpy(ak.ravel(t[name].array())) for t in (nano, flash))
            assert np.array_equal(a, b, equal_nan=a.dtype.kind == "f"), name  # HTXS_* hold NaN
        dropped = [name for name in nano.keys() if not is_gen_level(name)]
        assert any(n.startswith("HLT_") for n in dropped) and any(n.startswith("Flag_") for n in dropped)
        simulated = set(_feedable().split(","))
        for name in dropped:  # a dropped branch comes back only as a simulated one
            assert name not in flash.keys() or name.split("_", 1)[0].removeprefix("n") in simulated, name
        # the jets are FlashSim's, not the file's
        assert not np.array_equal(ak.to_numpy(ak.flatten(nano["Jet_pt"].array())),
                                  ak.to_numpy(ak.flatten(flash["Jet_pt"].array())))
        assert flash["Jet_pt"].typename == "float[]" and flash["nJet"].typename == "int32_t"
    provenance = read_provenance(replaced)
    assert "HLT_PFHT1050" in provenance["replace_reco"]["dropped_input_branches"]


def test_without_the_flag_the_refusal_names_it(tmp_path, capsys):
    code = main(["simulate", str(NANO_V12), "-o", str(tmp_path / "x.root"), "--seed", "3", "--no-progress",
                 "--collections", _feedable()])
    err = [line for line in capsys.readouterr().err.splitlines() if line.startswith("flashsim")]
    assert code == 2 and len(err) == 1 and "--replace-reco" in err[0] and "nJet" in err[0], err
    assert list(tmp_path.iterdir()) == []


def test_a_gen_level_file_gives_a_notice(gen_file, tiny_bundle, tmp_path, capsys):
    gen = gen_file("ttbar", 60, seed=5)
    out = tmp_path / "x.root"
    assert main(["simulate", str(gen), "-o", str(out), "--bundle", str(tiny_bundle), "--replace-reco", "--seed", "3",
                 "--no-progress"]) == 0
    err = capsys.readouterr().err
    assert "notice: " in err and "no reco branches to replace" in err
    with uproot.open(out) as f:
        assert f["Events"].num_entries == 60


@pytest.mark.parametrize("name,gen", [("GenJet_pt", True), ("nGenJet", True), ("nSubGenJetAK8", True),
                                      ("LHEPdfWeight", True), ("nLHEPdfWeight", True), ("genWeight", True),
                                      ("Pileup_nTrueInt", True), ("HTXS_Higgs_pt", True), ("run", True),
                                      ("Jet_pt", False), ("nJet", False), ("MET_pt", False), ("HLT_IsoMu24", False),
                                      ("Flag_goodVertices", False), ("PV_npvs", False), ("nGenericThing", True),
                                      ("fixedGridRhoFastjetAll", False), ("L1PreFiringWeight_Nom", False)])
def test_gen_level_rule(name, gen):
    assert is_gen_level(name) is gen


def test_a_skim_without_the_gen_taus_is_refused_with_the_way_out(tmp_path, capsys):
    """The whole default bundle needs GenVisTau (Tau <- GenVisTau): the error names the columns and --collections."""
    code = main(["simulate", str(NANO_V12), "-o", str(tmp_path / "x.root"), "--replace-reco", "--seed", "3",
                 "--no-progress"])
    err = capsys.readouterr().err
    assert code == 2 and "'GenVisTau_pt' (Tau <- GenVisTau)" in err and "--collections" in err, err
    assert list(tmp_path.iterdir()) == []
