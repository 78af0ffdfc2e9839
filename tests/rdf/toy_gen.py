"""A small gen-level tree in NanoAOD layout (GenJet only), written with uproot as a TTree."""

import numpy as np


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
