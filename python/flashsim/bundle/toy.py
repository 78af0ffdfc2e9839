"""A toy bundle: Jet <- GenJet with small networks of fixed random weights.

Not a physics model: it exercises every part of the chain (manifest, transforms, efficiency,
velocity field, ODE, NanoAOD types) with a known, reproducible answer. The tests and the
demo use it until a bundle trained on the reference detector ships with the package.
"""

from pathlib import Path

from flashsim.bundle.manifest import write_manifest

__all__ = ["TOY_CONDITIONING", "TOY_TARGETS", "toy_networks", "write_toy_bundle", "write_toy_gen_tree"]

TOY_CONDITIONING = [
    {"name": "log_pt", "input": "GenJet_pt",
     "transform": [{"op": "log"}, {"op": "standardize", "mean": 3.8, "std": 0.7}]},
    {"name": "eta", "input": "GenJet_eta", "transform": [{"op": "standardize", "mean": 0.0, "std": 2.0}]},
    {"name": "hadronFlavour", "input": "GenJet_hadronFlavour", "transform": []},
]
TOY_TARGETS = [
    {"branch": "pt", "type": "Float_t",
     "transform": [{"op": "ratio", "gen": "GenJet_pt"}, {"op": "standardize", "mean": 1.0, "std": 0.1}]},
    {"branch": "eta", "type": "Float_t",
     "transform": [{"op": "difference", "gen": "GenJet_eta"},
                   {"op": "standardize", "mean": 0.0, "std": 0.05}]},
    {"branch": "phi", "type": "Float_t",
     "transform": [{"op": "delta_phi", "gen": "GenJet_phi"},
                   {"op": "standardize", "mean": 0.0, "std": 0.05}]},
    {"branch": "jetId", "type": "UChar_t", "transform": [{"op": "standardize", "mean": 4.0, "std": 2.0}]},
]


def toy_networks(seed: int = 7):
    """(efficiency, velocity field): torch.nn.Sequential with fixed random weights.

    efficiency: cond [n, 3] -> probability [n, 1]; velocity field: concat(x [n, 4], t [n, 1],
    cond [n, 3]) -> velocity [n, 4].
    """
    import torch

    n_cond, n_target = len(TOY_CONDITIONING), len(TOY_TARGETS)
    torch.manual_seed(seed)
    efficiency = torch.nn.Sequential(
        torch.nn.Linear(n_cond, 16), torch.nn.SiLU(), torch.nn.Linear(16, 1), torch.nn.Sigmoid()
    )
    with torch.no_grad():
        efficiency[2].bias.fill_(1.5)  # most objects kept, but not all
    velocity = torch.nn.Sequential(
        torch.nn.Linear(n_target + 1 + n_cond, 32), torch.nn.SiLU(),
        torch.nn.Linear(32, 32), torch.nn.SiLU(),
        torch.nn.Linear(32, n_target),
    )
    return efficiency.eval(), velocity.eval()


def write_toy_bundle(directory, ode: dict | None = None) -> Path:
    """Exports the toy networks and writes their bundle.json into ``directory``."""
    from flashsim.onnx_graphs import export_mlp

    directory = Path(directory)
    n_cond, n_target = len(TOY_CONDITIONING), len(TOY_TARGETS)
    efficiency, velocity = toy_networks()
    export_mlp(efficiency, directory / "jet_efficiency.onnx", [("cond", n_cond)], "probability")
    export_mlp(velocity, directory / "jet_velocity.onnx",
               [("x", n_target), ("t", 1), ("cond", n_cond)], "velocity")
    write_manifest(directory, {
        "name": "toy (random weights, not trained)",
        "ode": ode or {"method": "midpoint", "steps": 8},
        "collections": [{
            "name": "Jet", "sort_by": "pt",
            "sources": [{
                "name": "GenJet", "gen_collection": "GenJet", "index_branch": "genJetIdx",
                "conditioning": TOY_CONDITIONING, "targets": TOY_TARGETS,
                "efficiency": {"model": "jet_efficiency.onnx"},
                "velocity_field": {"model": "jet_velocity.onnx"},
            }],
        }],
        "provenance": {"made_by": "flashsim.bundle.toy.write_toy_bundle", "trained": False},
    })
    return directory


def write_toy_gen_tree(path, n_events: int = 300, seed: int = 3, run: int = 1) -> Path:
    """A synthetic gen-level tree for the toy bundle: run/luminosityBlock/event and GenJet
    (pt, eta, phi, hadronFlavour; 0-6 jets per event, the first three events with 0, 5, 0),
    in NanoAOD layout (flashsim.nanoaod: UInt_t counter, clusters for implicit MT)."""
    import awkward as ak
    import numpy as np
    import uproot

    from flashsim.nanoaod import extend_in_clusters, make_events_tree, types_of

    rng = np.random.default_rng(seed)
    counts = rng.integers(0, 7, n_events)
    counts[:3] = [0, 5, 0][:n_events]  # events without gen jets are part of every sample
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
    path = Path(path)
    with uproot.recreate(path) as out:
        tree = make_events_tree(out, types_of(branches))
        extend_in_clusters(tree, branches)
    return path
