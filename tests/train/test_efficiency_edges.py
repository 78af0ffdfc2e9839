"""Efficiency edges (flashsim.catalogue.efficiency_edges): where a source's training candidates were never
reconstructed beyond an |eta| edge, the simulation gives them efficiency 0 there, in C++ and in the Python
reference sampler alike."""

import json
import shutil

import numpy as np

from flashsim.bundle import read_manifest
from flashsim.catalogue.efficiency_edges import efficiency_edge


def test_the_edge_is_where_candidates_stop_being_reconstructed():
    rng = np.random.default_rng(2)
    eta = rng.uniform(0, 5, 20_000)
    inside = (eta < 2.5) & (rng.uniform(size=len(eta)) < 0.6)
    edge = efficiency_edge(eta, inside)
    assert 2.45 < edge < 2.55
    assert efficiency_edge(eta, rng.uniform(size=len(eta)) < 0.6) is None  # reconstructed everywhere
    assert efficiency_edge(eta, np.zeros(len(eta))) is None  # never reconstructed: no edge, no source
    assert efficiency_edge(eta, eta > 2.5) is None  # only beyond: not an efficiency edge of 0


def test_sources_learn_their_edges_and_the_simulation_keeps_them(ROOT, train_sample, tiny_bundle, tmp_path):
    import flashsim.rdf
    from flashsim.train.reference_sampler import CppNoise, sample_bundle

    manifest = read_manifest(tiny_bundle)
    edges = {f"{c['name']}_{s['name']}": s["efficiency_edge"] for c in manifest["collections"]
             for s in c["sources"] if "efficiency_edge" in s}
    # the secondary vertices stop at the tracker (plus the reference's fade over a jet radius)
    assert edges["SV_FirstInJet"]["input"] == "Jet_eta" and 2.4 < edges["SV_FirstInJet"]["abs_above"] < 3.2, edges
    # an edge drawn well inside the jets' acceptance: no jet of that source beyond it, C++ as Python
    bundle = tmp_path / "edged"
    shutil.copytree(tiny_bundle, bundle)
    jet = next(c for c in manifest["collections"] if c["name"] == "Jet")
    genjet = next(s for s in jet["sources"] if s["name"] == "GenJet")
    genjet["efficiency_edge"] = {"input": "GenJet_eta", "abs_above": 1.0}
    (bundle / "bundle.json").write_text(json.dumps(manifest))
    n, gen = 40, train_sample[0]
    df = flashsim.rdf.simulate(ROOT.RDataFrame("Events", str(gen)).Range(n), bundle, seed=4, collections=["Jet"])
    out = df.AsNumpy(["Jet_pt", "Jet_genJetIdx", "GenJet_eta"])
    matched = [np.asarray(g)[np.asarray(i)[np.asarray(i) >= 0]] for i, g in zip(out["Jet_genJetIdx"], out["GenJet_eta"],
                                                                                 strict=True)]
    etas = np.abs(np.concatenate(matched))
    assert len(etas) > 50 and etas.max() <= 1.0
    ref = sample_bundle(bundle, [gen], CppNoise(4), collections=["Jet"], max_events=n)["Jet"]
    for e in range(n):
        want = np.sort(ref["pt"][ref["event"] == e])[::-1]
        np.testing.assert_allclose(np.asarray(out["Jet_pt"][e], np.float64), want, rtol=1e-4, atol=1e-5)
