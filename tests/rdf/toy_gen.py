"""Small gen-level trees in NanoAOD layout: GenJet only (the toy bundle's input, from the
package), and a richer one with GenPart, pileup and GenMET for every kind of source."""

import numpy as np

from flashsim.bundle.toy import write_toy_gen_tree as write_gen_tree

__all__ = ["write_event_tree", "write_gen_tree"]


def write_event_tree(path, n_events=400, seed=4):
    """A richer gen tree: GenJet, GenPart (with muons), Pileup_nPU and GenMET, in clusters of 100
    entries so that implicit MT has tasks."""
    import awkward as ak
    import uproot

    from flashsim.nanoaod import extend_in_clusters, make_events_tree, types_of

    rng = np.random.default_rng(seed)
    n_jets = rng.integers(0, 6, n_events)
    n_parts = rng.integers(0, 5, n_events)
    jets, parts = int(n_jets.sum()), int(n_parts.sum())
    branches = {
        "run": np.full(n_events, 1, dtype=np.uint32),
        "luminosityBlock": (np.arange(n_events) // 100 + 1).astype(np.uint32),
        "event": np.arange(1, n_events + 1, dtype=np.uint64),
        "Pileup_nPU": rng.integers(10, 80, n_events).astype(np.int32),
        "GenMET_pt": rng.exponential(30, n_events).astype(np.float32),
        "GenMET_phi": rng.uniform(-np.pi, np.pi, n_events).astype(np.float32),
        "GenJet": ak.unflatten(ak.zip({
            "pt": rng.exponential(40.0, jets).astype(np.float32) + 15.0,
            "eta": rng.uniform(-2.5, 2.5, jets).astype(np.float32),
            "phi": rng.uniform(-np.pi, np.pi, jets).astype(np.float32),
            "hadronFlavour": rng.choice(np.array([0, 4, 5], dtype=np.uint8), jets),
        }), n_jets),
        "GenPart": ak.unflatten(ak.zip({
            "pt": rng.exponential(20.0, parts).astype(np.float32) + 3.0,
            "eta": rng.uniform(-2.5, 2.5, parts).astype(np.float32),
            "phi": rng.uniform(-np.pi, np.pi, parts).astype(np.float32),
            "pdgId": rng.choice(np.array([13, -13, 11, 22, 5], dtype=np.int32), parts),
        }), n_parts),
    }
    with uproot.recreate(path) as out:
        tree = make_events_tree(out, types_of(branches), cluster_size=100)
        extend_in_clusters(tree, branches, cluster_size=100)
    return path
