"""A tiny reference model pair (efficiency + velocity field) and a small gen-level tree.

The networks are PyTorch modules with fixed random weights, exported to ONNX by the package's
own exporter; the gen tree is a real ROOT file in NanoAOD layout (nGenJet, GenJet_*), with
events of zero objects among them.
"""

import numpy as np
import pytest

CONDITIONING = [
    {"name": "log_pt", "input": "GenJet_pt",
     "transform": [{"op": "log"}, {"op": "standardize", "mean": 3.8, "std": 0.7}]},
    {"name": "eta", "input": "GenJet_eta", "transform": [{"op": "standardize", "mean": 0.0, "std": 2.0}]},
    {"name": "hadronFlavour", "input": "GenJet_hadronFlavour", "transform": []},
]
TARGETS = [
    {"branch": "pt", "type": "Float_t",
     "transform": [{"op": "ratio", "gen": "GenJet_pt"}, {"op": "standardize", "mean": 1.0, "std": 0.1}]},
    {"branch": "eta", "type": "Float_t",
     "transform": [{"op": "difference", "gen": "GenJet_eta"}, {"op": "standardize", "mean": 0.0, "std": 0.05}]},
    {"branch": "phi", "type": "Float_t",
     "transform": [{"op": "delta_phi", "gen": "GenJet_phi"}, {"op": "standardize", "mean": 0.0, "std": 0.05}]},
    {"branch": "jetId", "type": "UChar_t", "transform": [{"op": "standardize", "mean": 4.0, "std": 2.0}]},
]
N_COND, N_TARGET = len(CONDITIONING), len(TARGETS)


def tiny_networks(seed=7):
    """(efficiency, velocity field) as torch.nn.Sequential, fixed random weights."""
    import torch

    torch.manual_seed(seed)
    efficiency = torch.nn.Sequential(
        torch.nn.Linear(N_COND, 16), torch.nn.SiLU(), torch.nn.Linear(16, 1), torch.nn.Sigmoid()
    )
    with torch.no_grad():
        efficiency[2].bias.fill_(1.5)  # most objects kept, but not all
    velocity = torch.nn.Sequential(
        torch.nn.Linear(N_TARGET + 1 + N_COND, 32), torch.nn.SiLU(),
        torch.nn.Linear(32, 32), torch.nn.SiLU(),
        torch.nn.Linear(32, N_TARGET),
    )
    return efficiency.eval(), velocity.eval()


def write_tiny_bundle(directory, ode=None):
    from flashsim.bundle import write_manifest
    from flashsim.export import export_mlp

    efficiency, velocity = tiny_networks()
    export_mlp(efficiency, directory / "jet_efficiency.onnx", [("cond", N_COND)], "probability")
    export_mlp(velocity, directory / "jet_velocity.onnx",
               [("x", N_TARGET), ("t", 1), ("cond", N_COND)], "velocity")
    write_manifest(directory, {
        "name": "tiny-test",
        "ode": ode or {"method": "midpoint", "steps": 8},
        "collections": [{
            "name": "Jet", "sort_by": "pt",
            "sources": [{
                "name": "GenJet", "gen_collection": "GenJet", "index_branch": "genJetIdx",
                "conditioning": CONDITIONING, "targets": TARGETS,
                "efficiency": {"model": "jet_efficiency.onnx"},
                "velocity_field": {"model": "jet_velocity.onnx"},
            }],
        }],
        "provenance": {"made_by": "tests/rdf/conftest.py (random weights)"},
    })
    return directory


def write_gen_tree(path, n_events=300, seed=3, run=1):
    """NanoAOD-like gen tree: run/luminosityBlock/event and a GenJet collection (0-6 per event)."""
    import awkward as ak
    import uproot

    rng = np.random.default_rng(seed)
    counts = rng.integers(0, 7, n_events)
    counts[:3] = [0, 5, 0]  # events without gen jets are part of every sample
    total = int(counts.sum())
    jets = ak.unflatten(ak.zip({
        "pt": rng.exponential(40.0, total).astype(np.float32) + 15.0,
        "eta": rng.uniform(-4.5, 4.5, total).astype(np.float32),
        "phi": rng.uniform(-np.pi, np.pi, total).astype(np.float32),
        "hadronFlavour": rng.choice(np.array([0, 4, 5], dtype=np.uint8), total),
    }), counts)
    branches = {
        "run": np.full(n_events, run, dtype=np.uint32),
        "luminosityBlock": (np.arange(n_events) // 100 + 1).astype(np.uint32),
        "event": np.arange(1, n_events + 1, dtype=np.uint64) + 1000 * run,
        "GenJet": jets,
    }
    with uproot.recreate(path) as out:  # a TTree, as NanoAOD (uproot's default is RNTuple)
        tree = out.mktree("Events", {name: array.type if name == "GenJet" else array.dtype
                                     for name, array in branches.items()})
        tree.extend(branches)
    return path


@pytest.fixture(scope="session")
def tiny_bundle(tmp_path_factory):
    return write_tiny_bundle(tmp_path_factory.mktemp("tiny_bundle"))


@pytest.fixture(scope="session")
def gen_tree(tmp_path_factory):
    return write_gen_tree(tmp_path_factory.mktemp("gen") / "gen.root")
