"""One luminosity block of gen-level events: Pythia -> flat record -> NanoAOD-style columns.

``generate_block`` is the unit of work of a job: it depends only on its arguments (process
card, seed, block), so any process may run it and the result is the same.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from flashsim.errors import InputError
from flashsim.generate.pileup import PileupProfile
from flashsim.generate.processes import ProcessCard
from flashsim.generate.seeding import STREAM_PILEUP, STREAM_PYTHIA, LumiBlock, stream_seed

__all__ = ["BlockRequest", "BlockResult", "generate_block"]

# Events per nextBatch call inside a block: the granularity of the progress reports.
SUB_BATCH = 100


@dataclass(frozen=True)
class BlockRequest:
    """Everything needed to produce one luminosity block."""

    card: ProcessCard
    seed: int
    run: int
    block: LumiBlock
    pileup: PileupProfile


@dataclass
class BlockResult:
    """The block's branches (name -> flat numpy array or awkward record array for collections)
    and the seconds spent in Pythia's initialisation, in Pythia's event generation, in the
    extraction (record -> GenPart, GenVisTau, GenMET, ghosts) and in jet clustering."""

    block: LumiBlock
    branches: dict
    timing: dict = field(default_factory=dict)


def _collection(columns: dict, counts):
    import awkward as ak

    return ak.zip({k: ak.unflatten(v, counts) for k, v in columns.items()})


def _generator_branches(rec) -> dict:
    """NanoAOD's Generator_* scalars from Pythia's hard-process info."""
    import numpy as np

    h = rec.hard
    f32 = np.float32
    return {
        "Generator_binvar": np.sqrt(h["pT2Hat"]).astype(f32),  # pthat (2 -> 2 processes)
        "Generator_scalePDF": np.sqrt(h["Q2Fac"]).astype(f32),
        "Generator_weight": rec.weight.astype(f32),
        "Generator_x1": h["x1"].astype(f32),
        "Generator_x2": h["x2"].astype(f32),
        "Generator_xpdf1": h["pdf1"].astype(f32),
        "Generator_xpdf2": h["pdf2"].astype(f32),
        "Generator_id1": h["id1"].astype(np.int32),
        "Generator_id2": h["id2"].astype(np.int32),
    }


def generate_block(request: BlockRequest, progress=None) -> BlockResult:
    """Generate and reduce one block.

    Args:
        request: the block to make.
        progress: optional callable(n_events) called after each sub-batch of Pythia events.
    """
    import awkward as ak
    import numpy as np

    from flashsim.generate.genjets import cluster_jets, flavour_ghosts
    from flashsim.generate.genpart import gen_particles, truth
    from flashsim.generate.particles import ParticleRecord
    from flashsim.generate.pythia_run import configured_pythia, run_batch
    from flashsim.generate.vistau import gen_met, gen_visible_taus

    blk = request.block
    t0 = time.perf_counter()
    pythia = configured_pythia(request.card, stream_seed(request.seed, blk.index, STREAM_PYTHIA))
    t_init = time.perf_counter()
    batches = []
    done = 0
    while done < blk.events:
        n = min(SUB_BATCH, blk.events - done)
        batches.append(run_batch(pythia, n, request.card))
        done += n
        if progress is not None:
            progress(n)
    batch = batches[0] if len(batches) == 1 else ak.concatenate(batches)
    t1 = time.perf_counter()

    rec = ParticleRecord.from_batch(batch)
    del batch, batches
    if np.any(rec.counts == 0):
        raise InputError(
            f"Pythia card {request.card.source!r}: Pythia's event record is empty "
            "(PartonLevel:all = off?); there are no particles to write"
        )
    tr = truth(rec)
    gp_cols, gp_counts, new_index = gen_particles(rec, tr)
    met_pt, met_phi = gen_met(rec)
    tau_cols, tau_counts = gen_visible_taus(rec, tr, new_index)
    g_index, g_kind = flavour_ghosts(rec)
    t2 = time.perf_counter()
    jets = cluster_jets(rec, g_index, g_kind)
    t3 = time.perf_counter()

    rng = np.random.default_rng(np.random.SeedSequence(stream_seed(request.seed, blk.index, STREAM_PILEUP)))
    n_true, n_pu = request.pileup.draw(rng, blk.events)
    n = blk.events
    branches = {
        "run": np.full(n, request.run, dtype=np.uint32),
        "luminosityBlock": np.full(n, blk.luminosity_block, dtype=np.uint32),
        "event": np.arange(blk.first_event + 1, blk.first_event + 1 + n, dtype=np.uint64),
        "genWeight": rec.weight.astype(np.float32),
        **_generator_branches(rec),
        "GenPart": _collection(gp_cols, gp_counts),
        "GenJet": _collection(jets["GenJet"].columns, jets["GenJet"].counts),
        "GenJetAK8": _collection(jets["GenJetAK8"].columns, jets["GenJetAK8"].counts),
        "GenVisTau": _collection(tau_cols, tau_counts),
        "GenMET_pt": met_pt,
        "GenMET_phi": met_phi,
        "Pileup_nTrueInt": n_true,
        "Pileup_nPU": n_pu,
    }
    timing = {
        "pythia_init": t_init - t0,
        "pythia": t1 - t_init,
        "extraction": t2 - t1,
        "clustering": t3 - t2,
    }
    return BlockResult(blk, branches, timing)
