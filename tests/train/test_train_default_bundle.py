"""The default bundle shipped in the package: trained on the current reference detector, small,
with parity and provenance recorded."""

from pathlib import Path

import flashsim.bundle
from flashsim.bundle import read_manifest
from flashsim.bundle.reference_outputs import network_files

DEFAULT = Path(flashsim.bundle.__file__).parent / "default"


def test_trained_on_the_current_reference_detector():
    from flashsim.refsim import parameter_hash

    recorded = read_manifest(DEFAULT)["provenance"]["refsim_parameter_hash"]
    assert recorded == parameter_hash(), (
        "the reference detector changed since the default bundle was trained: retrain it with "
        "scripts/train_default_bundle.sh and copy the bundle to python/flashsim/bundle/default")


def test_size_parity_and_provenance():
    size = sum(p.stat().st_size for p in DEFAULT.iterdir())
    assert size <= 40e6  # the issues' limit (26.7 MB with the few-step students, 15 MB without)
    m = read_manifest(DEFAULT)
    p = m["provenance"]
    assert p["command"].startswith("flashsim train") and p["config"]["seed"] == 1
    processes = {s["flashsim_generate"]["process"] for s in p["samples"]}
    assert processes == {"ttbar", "dy", "wjets", "qcd",
                         "qcd_flat", "zprime_tt", "zprime_ww", "gamma_jets", "zjets_boosted", "zbb_boosted",
                         "zprime_ll"}
    # the generalisation samples of scripts/train_default_bundle.sh stay out of training
    assert not processes & {"vbf_hmumu", "zh_llbb"}
    networks = set(network_files(m))  # the few-step students included
    students = {s["velocity_field"]["distilled"]["model"] for c in m["collections"] for s in c["sources"]}
    assert students <= networks and len(students) == sum(len(c["sources"]) for c in m["collections"])
    # ONNX against the float64 network: within 1e-5, or within twice PyTorch's own float32 rounding
    assert set(p["parity"]) == networks == set(p["parity_float32_rounding"])
    assert all(p["parity"][n] <= max(1e-5, 2 * p["parity_float32_rounding"][n]) for n in networks)
    assert all((DEFAULT / n).is_file() for n in networks)
