"""The shipped default bundle, run as a user runs it: its ONNX files compute what the manifest's
reference_outputs table says (the PyTorch outputs at export, or for a bundle trained before the
table existed the ONNX outputs of its shipped files), and a short simulation of real Pythia
events through every collection gives finite values inside their NanoAOD ranges.

A broken default bundle (a network swapped for another of the same shape, a file truncated, a
manifest edited by hand) fails here, in ``make test``."""

import json
import shutil
from pathlib import Path

import awkward as ak
import numpy as np
import onnx
import pytest
import uproot

from flashsim import BundleError
from flashsim.bundle import default_bundle, read_manifest
from flashsim.bundle.manifest import source_branches
from flashsim.bundle.reference_outputs import TOLERANCE, check_reference_outputs, network_files
from flashsim.nanoaod.ranges import physical_range, range_violations


def smoke_check(bundle) -> dict:
    """The reference-output check of every network of ``bundle`` (BundleError on a mismatch)."""
    return check_reference_outputs(bundle)


def test_every_network_matches_its_reference_outputs():
    bundle = default_bundle()
    worst = smoke_check(bundle)
    assert set(worst) == set(network_files(read_manifest(bundle)))
    assert max(worst.values()) <= TOLERANCE


def _shape(path):
    graph = onnx.load(str(path)).graph
    dims = lambda values: [tuple(d.dim_value for d in v.type.tensor_type.shape.dim[1:]) for v in values]  # noqa: E731
    return tuple(dims(graph.input)), tuple(dims(graph.output))


def _same_shape_pair(bundle):
    """Two different networks of the bundle with the same inputs and outputs."""
    files = network_files(read_manifest(bundle))
    shapes = {}
    for name in files:
        shapes.setdefault(_shape(bundle / name), []).append(name)
    for group in shapes.values():
        for a in group:
            for b in group:
                if a != b and (bundle / a).read_bytes() != (bundle / b).read_bytes():
                    return a, b
    raise AssertionError("no two networks of the same shape in the default bundle")


def test_a_network_swapped_for_another_of_the_same_shape_fails(tmp_path):
    copy = Path(shutil.copytree(default_bundle(), tmp_path / "bundle"))
    victim, other = _same_shape_pair(copy)
    shutil.copy(copy / other, copy / victim)
    with pytest.raises(BundleError, match=rf"{victim}: its outputs differ from the manifest's reference_outputs"):
        smoke_check(copy)


def test_a_missing_table_entry_is_named(tmp_path):
    copy = Path(shutil.copytree(default_bundle(), tmp_path / "bundle"))
    manifest = json.loads((copy / "bundle.json").read_text())
    name = next(iter(manifest["provenance"]["reference_outputs"]))
    del manifest["provenance"]["reference_outputs"][name]
    (copy / "bundle.json").write_text(json.dumps(manifest))
    with pytest.raises(BundleError, match=f"reference_outputs has no entry for {name}"):
        smoke_check(copy)


@pytest.fixture(scope="module")
def default_output(gen_file, tmp_path_factory):
    """400 real ttbar events (the training tests' sample) through the default bundle, two threads."""
    from flashsim.rdf import simulate_file

    gen = gen_file("ttbar", 400, seed=5, jobs=2)
    out = tmp_path_factory.mktemp("default_smoke") / "nano.root"
    summary = simulate_file(gen, out, default_bundle(), seed=11, threads=2, progress=False)
    assert summary.events == 400
    return out


def test_every_collection_is_simulated_finite_and_in_range(default_output):
    manifest = read_manifest(default_bundle())
    problems = []
    with uproot.open(default_output) as f:
        events = f["Events"]
        assert events.num_entries == 400
        for collection in manifest["collections"]:
            name = collection["name"]
            branches = sorted({b for s in collection["sources"] for b, _ in source_branches(s)})
            matched = collection["sources"][0].get("kind", "matched") != "event"
            if f"n{name}" in events:
                assert ak.sum(events[f"n{name}"].array()) > 0, f"no {name} simulated in 400 ttbar events"
            for branch in branches:
                values = events[f"{name}_{branch}"].array()
                flat = ak.to_numpy(ak.flatten(values)) if values.ndim > 1 else ak.to_numpy(values)
                assert len(flat) > 0 or not matched
                bad = range_violations(f"{name}_{branch}", flat)
                if bad:
                    problems.append(f"{name}_{branch}: {bad} outside {physical_range(f'{name}_{branch}')}")
    assert not problems, "\n".join(problems)


def test_matching_indices_point_at_gen_objects(default_output):
    with uproot.open(default_output) as f:
        a = f["Events"].arrays(["nGenJet", "Jet_genJetIdx", "nGenPart", "Muon_genPartIdx", "Electron_genPartIdx"])
    assert ak.all(a.Jet_genJetIdx < a.nGenJet)
    assert ak.all(a.Muon_genPartIdx < a.nGenPart) and ak.all(a.Electron_genPartIdx < a.nGenPart)
    assert ak.any(a.Jet_genJetIdx >= 0) and ak.any(a.Jet_genJetIdx == -1)  # matched and pileup jets


def test_cross_references_mean_what_the_reference_detectors_do(default_output):
    """An electron and a photon are linked when they come from the same gen particle (the reference
    detector's shared supercluster), and a fake muon's origin is punch-through (0) or a decay in flight (3)."""
    with uproot.open(default_output) as f:
        a = f["Events"].arrays(["Electron_genPartIdx", "Electron_photonIdx", "Photon_genPartIdx",
                                "Photon_electronIdx", "Muon_genPartIdx", "Muon_genPartFlav"])
    for e_gen, e_ph, ph_gen, ph_e in zip(*(ak.to_list(a[k]) for k in ("Electron_genPartIdx", "Electron_photonIdx",
                                                                        "Photon_genPartIdx", "Photon_electronIdx")),
                                         strict=True):
        for i, j in enumerate(e_ph):
            assert j == next((k for k, g in enumerate(ph_gen) if e_gen[i] >= 0 and g == e_gen[i]), -1)
        for j, i in enumerate(ph_e):
            assert i == next((k for k, g in enumerate(e_gen) if ph_gen[j] >= 0 and g == ph_gen[j]), -1)
    assert ak.sum(a.Electron_photonIdx >= 0) > 0
    fake = ak.flatten(a.Muon_genPartFlav[a.Muon_genPartIdx < 0])
    assert len(fake) > 0 and set(np.unique(ak.to_numpy(fake))) <= {0, 3}


def test_range_rules_reject_what_they_should():
    assert range_violations("Jet_btagDeepFlavB", np.array([0.5, 1.2])) == [1.2]
    bad = range_violations("Jet_pt", np.array([30.0, -1.0, np.nan]))
    assert len(bad) == 2 and bad[0] == -1.0 and np.isnan(bad[1])
    assert range_violations("Muon_phi", np.array([3.2])) == [3.2]
    assert range_violations("PV_x", np.array([-0.1, np.inf])) == [np.inf]
    assert physical_range("Jet_partonFlavour") == (-np.inf, np.inf)


def test_every_collection_of_the_reference_and_coffea_reads_it(default_output):
    """The default bundle (v12) simulates every collection the reference detector writes: Tau, FsrPhoton,
    LowPtElectron and SubJet too, built from its own jets, muons and fat jets; the cross-references between them
    point at objects, and coffea's NanoAODSchema reads the output without a warning."""
    from every_collection_checks import check_coffea_reads_it_without_a_warning, check_cross_references_point_at_objects
    from flashsim.refsim.schema import COLLECTIONS

    names = {c["name"] for c in read_manifest(default_bundle())["collections"]}
    assert set(COLLECTIONS) <= names, sorted(set(COLLECTIONS) - names)
    check_cross_references_point_at_objects(default_output)
    check_coffea_reads_it_without_a_warning(default_output)
