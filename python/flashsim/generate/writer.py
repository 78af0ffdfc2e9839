"""Writing the gen tree: an atomic output file (temporary name, then rename) written by uproot.

The file holds ``Events`` (filled block after block), NanoAOD's ``Runs`` and
``LuminosityBlocks`` trees, and a ``TNamed`` ``flashsim_generate`` whose title is the JSON
provenance (process, card, seed, ...), readable with uproot and ROOT alike.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from flashsim.errors import InputError

__all__ = ["METADATA_NAME", "AtomicOutput", "GenTreeWriter", "check_output_path", "read_metadata"]

METADATA_NAME = "flashsim_generate"


def check_output_path(output: str | Path) -> Path:
    """The output path, checked before any event is generated: its folder exists and is writable."""
    path = Path(output)
    if path.is_dir():
        raise InputError(f"output {str(path)!r} is a directory; expected a file name (gen.root)")
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise InputError(f"output {str(path)!r}: folder {str(folder)!r} does not exist")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise InputError(f"output {str(path)!r}: folder {str(folder)!r} is not writable")
    if path.exists() and not os.access(path, os.W_OK):
        raise InputError(f"output {str(path)!r} exists and is not writable")
    return path


class AtomicOutput:
    """Context manager giving a temporary path beside ``final``; renamed onto ``final`` on
    success, removed on any exception (KeyboardInterrupt included), so no half file remains."""

    def __init__(self, final: str | Path):
        self.final = Path(final)
        self.temporary = self.final.with_name(f".{self.final.name}.{os.getpid()}.tmp")

    def __enter__(self) -> Path:
        return self.temporary

    def __exit__(self, exc_type, exc, tb) -> bool:
        if exc_type is None:
            os.replace(self.temporary, self.final)
        else:
            self.temporary.unlink(missing_ok=True)
        return False


class GenTreeWriter:
    """Appends blocks of events to ``Events`` and keeps the run/lumi bookkeeping.

    Usage::

        with GenTreeWriter(path, run) as w:
            w.append(branches)          # dict of the block's branches (events.BlockResult)
            w.finish(metadata)          # Runs, LuminosityBlocks and the metadata object
    """

    def __init__(self, path: str | Path, run: int):
        import uproot

        self.path = Path(path)
        self.run = run
        self._file = uproot.recreate(self.path)
        self._events = None
        self._lumis: list[int] = []
        self.n_events = 0
        self.sumw = 0.0
        self.sumw2 = 0.0

    def __enter__(self) -> GenTreeWriter:
        return self

    def __exit__(self, *exc) -> bool:
        self._file.close()
        return False

    def append(self, branches: dict) -> None:
        import numpy as np

        from flashsim.nanoaod import extend_in_clusters, make_events_tree, types_of

        if self._events is None:
            # a TTree with NanoAOD's Int_t counters and clusters for implicit MT (flashsim.nanoaod)
            self._events = make_events_tree(self._file, types_of(branches), initial_basket_capacity=64)
        extend_in_clusters(self._events, branches)
        weight = np.asarray(branches["genWeight"], dtype=np.float64)
        self.n_events += weight.size
        self.sumw += float(weight.sum())
        self.sumw2 += float((weight**2).sum())
        self._lumis.extend(int(x) for x in np.unique(branches["luminosityBlock"]))

    def finish(self, metadata: dict) -> None:
        import numpy as np

        from flashsim.nanoaod import tnamed

        self._file.mktree(
            "Runs",
            {
                "run": np.array([self.run], dtype=np.uint32),
                "genEventCount": np.array([self.n_events], dtype=np.int64),
                "genEventSumw": np.array([self.sumw], dtype=np.float64),
                "genEventSumw2": np.array([self.sumw2], dtype=np.float64),
            },
        )
        lumis = np.array(sorted(set(self._lumis)), dtype=np.uint32)
        self._file.mktree(
            "LuminosityBlocks",
            {
                "run": np.full(lumis.size, self.run, dtype=np.uint32),
                "luminosityBlock": lumis,
            },
        )
        self._file[METADATA_NAME] = tnamed(METADATA_NAME, json.dumps(metadata, sort_keys=True))


def read_metadata(path: str | Path) -> dict:
    """The provenance dict stored in a gen file's ``flashsim_generate`` object."""
    from flashsim.nanoaod import read_json_tnamed

    return read_json_tnamed(path, METADATA_NAME)
