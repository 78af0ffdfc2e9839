"""The partition files of a distributed (Dask) flashsim simulate: where the tasks Snapshot to, and
how they are found again in task order."""

import tempfile
from pathlib import Path

from flashsim.errors import InputError

__all__ = ["dask_description", "partition_files", "partition_folder"]


def dask_description(executor) -> dict:
    workers = executor.scheduler_info(n_workers=-1)["workers"]
    return {"scheduler": executor.scheduler.address, "workers": len(workers),
            "threads": sum(w["nthreads"] for w in workers.values())}


def partition_folder(output: Path) -> Path:
    """A fresh folder beside ``output`` for the distributed Snapshot's partition files. DistRDF
    names a task's file by cutting the path at its first ".root" and appending ``_<range>.root``,
    so no ".root" may appear before the file name."""
    folder = output.resolve().parent
    if ".root" in str(folder):
        raise InputError(f"output folder {str(folder)!r} contains '.root': the distributed Snapshot (DistRDF) "
                         "cuts its file names at the first '.root'; write the output to another folder")
    return Path(tempfile.mkdtemp(prefix=".flashsim-partitions-", dir=folder))


def partition_files(snapshot: Path) -> list[Path]:
    """The files the distributed Snapshot to ``snapshot`` wrote, one per task, by range index."""
    stem = snapshot.name.removesuffix(".root")
    found = snapshot.parent.glob(f"{stem}_*.root")
    return sorted(found, key=lambda p: int(p.name.removesuffix(".root").rsplit("_", 1)[1]))
