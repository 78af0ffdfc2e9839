"""One seed per sample: the seed a simulation takes when the user gives none.

The random numbers of ``flashsim simulate`` and of the reference detector are keyed by (seed,
run, luminosityBlock, event, ...). Two samples generated with the same ``--run`` carry the same
event identities, so one shared default seed would give them identical noise: samples that an
analysis adds together would carry correlated smearing. Without ``--seed``, the seed is therefore
derived from what makes a sample itself, the generator provenance that ``flashsim generate``
writes (process, card, generator seed, run, pileup profile, pthat window, events per
luminosity block), hashed with the tool's name (the reference detector and FlashSim draw
different seeds from the same sample). The number of events is left out, so a longer run of the
same generator settings extends the sample with the same seed.

A sample simulated in many jobs keeps one seed: pass each job the same ``--seed`` (the derived one
is printed and recorded in the output's provenance), since events are keyed by their identity.

    seed = sample_seed(["gen.root"], "flashsim simulate")
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from pathlib import Path

from flashsim.errors import InputError

__all__ = ["SAMPLE_KEYS", "sample_identity", "sample_seed"]

# The flashsim_generate fields that define which events a sample holds.
SAMPLE_KEYS = ("process", "card", "seed", "run", "pileup", "pthat_min", "pthat_max", "events_per_lumi")


def sample_identity(path: str | Path) -> dict:
    """The SAMPLE_KEYS of a file's ``flashsim_generate`` record (gen files and the reference
    detector's output, which copies it); InputError naming the file when it has none."""
    from flashsim.generate.writer import METADATA_NAME, read_metadata

    try:
        metadata = read_metadata(path)
    except InputError:
        raise InputError(f"{path}: no generator provenance (no {METADATA_NAME} record) to derive a seed from; "
                         "pass --seed (one seed per sample)") from None
    missing = [k for k in ("process", "card", "seed") if k not in metadata]
    if missing:
        raise InputError(f"{path}: its {METADATA_NAME} record lacks {', '.join(missing)}; pass --seed "
                         "(one seed per sample)")
    return {k: metadata.get(k) for k in SAMPLE_KEYS}


def sample_seed(inputs: Sequence[str | Path], tool: str) -> int:
    """A seed in [0, 2**63) from the generator provenance of every input and the tool's name.

    The same inputs give the same seed in any order (and duplicates of one sample count once).
    """
    identities = sorted({json.dumps(sample_identity(p), sort_keys=True) for p in inputs})
    if not identities:
        raise InputError("no input file to derive a seed from; pass --seed")
    digest = hashlib.sha256("\n".join([tool, *identities]).encode()).digest()
    return int.from_bytes(digest[:8], "little") >> 1
