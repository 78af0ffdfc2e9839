"""``simulate_file``: a gen-level file in, a NanoAOD file out (what ``flashsim simulate`` runs).

The output holds ``Events`` (run/luminosityBlock/event, every gen branch passed through, the reco
collections, ``FlashSim_copy`` and ``FlashSim_weight``), NanoAOD's ``Runs`` and
``LuminosityBlocks`` trees and a TNamed ``flashsim_simulate`` with the JSON provenance. It is
written under a temporary name in the output's folder and renamed at the end, so an error,
Ctrl-C or SIGTERM never leaves a half-written file under the final name.

The event loop Snapshots the columns into temporary files; Snapshot writes Define'd arrays as
``RVec<T>`` objects, so a second pass (uproot, chunk by chunk) rewrites them as NanoAOD has
them: leaf lists ``Jet_pt[nJet]/F`` counted by ``nJet`` (UInt_t), clusters of
``flashsim.nanoaod.CLUSTER_SIZE`` entries. Oversampling (K > 1) books K simulations of the same
gen node, one per copy index (part of the random-number key), each into its own lazy Snapshot:
one event loop reads the gen events once; the rewriting pass then concatenates the K files, so
copies come as K consecutive blocks (copy 0 of every event, then copy 1, ...), each block in the
order the event loop wrote it.

With ``executor=`` a Dask client, the same graph runs as a distributed RDataFrame
(:mod:`flashsim.rdf.distributed`): each task Snapshots its range into a partition file of a
folder beside the output (which the workers must see: a shared file system), and the
rewriting pass reads the partition files instead; Runs, LuminosityBlocks and the provenance
are written on the client as in the local case.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from flashsim.errors import InputError

__all__ = ["COPY_BRANCH", "METADATA_NAME", "OUTPUT_FORMATS", "WEIGHT_BRANCH", "SimulationSummary", "read_provenance",
           "simulate_file"]

METADATA_NAME = "flashsim_simulate"
COPY_BRANCH = "FlashSim_copy"  # UShort_t: the oversampling copy index k (0..K-1)
WEIGHT_BRANCH = "FlashSim_weight"  # Float_t: 1/K
MAX_OVERSAMPLE = 65535
OUTPUT_FORMATS = ("ttree", "rntuple")
DEFAULT_BATCH_EVENTS = 256  # events per thread at once (flashsim bench: flat from ~100 to ~300, 9% slower at 1000)
MAX_BATCH_EVENTS = 1_000_000


@dataclass
class SimulationSummary:
    """What ``simulate_file`` did; ``events`` counts gen events, ``entries`` the written ones."""

    output: Path
    events: int
    entries: int
    seconds: float
    rewrite_seconds: float
    oversample: int
    threads: int
    provenance: dict = field(repr=False)
    workers: int = 0  # Dask workers (0: one process, ``threads`` threads)
    seed: int | None = None  # the seed used (given, or derived from the generator provenance)
    skipped_gen: dict = field(default_factory=dict)  # collection -> gen objects left out (bad_gen="skip")
    notices: list = field(default_factory=list)  # one line each, for the user (e.g. nothing to replace)

    @property
    def events_per_second(self) -> float:
        return self.events / self.seconds if self.seconds > 0 else float("inf")


def _check_inputs(ROOT, inputs: Sequence[Path]) -> None:
    """Every input reads and has ``Events`` (a TTree or an RNTuple, one kind and one schema for the
    whole chain: flashsim.nanoaod.input_files)."""
    from flashsim.nanoaod.input_files import check_event_files

    check_event_files(inputs, "flashsim simulate", rntuple=True)
    for path in inputs:
        f = ROOT.TFile.Open(str(path), "READ")
        if not f or f.IsZombie():
            raise InputError(f"input {str(path)!r} is not a readable ROOT file")
        f.Close()


# Measured: the output of the default bundle is 1.0-1.5 times the gen input per copy; the
# temporary Snapshot files and the final file coexist at the end.
_ROOM_FACTOR = 4.0
_ROOM_MARGIN = 20e6
# during the loop (OutputRoom.hxx): output bytes per input byte and copy (generous: 2.0 measured
# for the default bundle on ttbar), the reserve kept free, and entries between two checks of a slot
_LOOP_OUTPUT_FACTOR = 3.0
_LOOP_RESERVE = 8e6
_LOOP_CHECK_EVERY = 100


def _check_room(output: Path, inputs, oversample: int) -> None:
    """An InputError before the event loop when the output's folder has clearly too little free
    space, or the process's file-size limit (RLIMIT_FSIZE) is clearly too small, for this job. ROOT
    does not stop on a failed write (it logs, then writes a broken file or crashes at the end), so
    what can be foreseen is refused here; the estimate is generous, not exact."""
    import resource

    need = _ROOM_FACTOR * oversample * sum(p.stat().st_size for p in inputs) + _ROOM_MARGIN
    free = shutil.disk_usage(output.parent).free
    if free < need:
        raise InputError(f"{output.parent}: {free / 1e6:.0f} MB free, this job needs about {need / 1e6:.0f} MB "
                         f"({oversample} cop{'y' if oversample == 1 else 'ies'} of {len(inputs)} input file(s)); "
                         "free some space or write elsewhere")
    soft, _ = resource.getrlimit(resource.RLIMIT_FSIZE)
    if soft != resource.RLIM_INFINITY and soft < need / 2:
        raise InputError(f"the file-size limit (ulimit -f) is {soft / 1e6:.1f} MB, the output of this job is about "
                         f"{need / 2e6:.0f} MB; raise the limit")


def _watch_room(ROOT, count, output: Path, parts, inputs, oversample: int) -> None:
    """Stop the event loop that fills ``count`` before the output's disk, or the file-size limit,
    runs out (OutputRoom.hxx); :func:`_write_errors_raised` then reports it as one line."""
    import uproot

    entries = 0
    for path in inputs:
        with uproot.open(path) as f:
            entries += f["Events"].num_entries
    input_bytes = sum(p.stat().st_size for p in inputs)
    per_event = _LOOP_OUTPUT_FACTOR * oversample * input_bytes / max(entries, 1)
    room = ROOT.flashsim.Internal.OutputRoom
    room.Watch(str(output.parent), [str(p) for p in parts], per_event, _LOOP_RESERVE, _LOOP_CHECK_EVERY)
    count.OnPartialResult(_LOOP_CHECK_EVERY, room.Check)


@contextlib.contextmanager
def _write_errors_raised(ROOT):
    """ROOT's write errors (a full disk, a file-size limit: logged by ROOT, not raised; recorded by
    WriteErrors.hxx) and an OSError of the uproot writing pass, as one InputError."""
    internal = ROOT.flashsim.Internal
    guard = internal.WriteErrorGuard()

    def cannot_write(detail):
        return InputError(f"flashsim: cannot write the output (disk full or file-size limit?): {detail}")

    try:
        yield
    except OSError as err:
        raise cannot_write(err) from None
    except Exception:
        stopped = str(internal.OutputRoom.Message())
        if stopped:
            raise InputError(stopped) from None
        message = str(internal.WriteErrorMessage())
        if message:
            raise cannot_write(message) from None
        raise
    else:
        message = str(internal.WriteErrorMessage())
        if message:
            raise cannot_write(message)
    finally:
        del guard


@contextlib.contextmanager
def _flashsim_errors():
    """An error that the simulation raised inside the event loop (a bad gen value, a non-finite
    simulated value) as the flashsim error it is; the output is removed by AtomicOutput."""
    from flashsim.rdf.simulate import translated_error

    try:
        yield
    except Exception as err:
        translated = translated_error(err)
        if translated is None:
            raise
        raise translated from None


def _to_rntuple(ROOT, path: Path) -> None:
    """Rewrites the finished NanoAOD file ``path`` with Events, Runs and LuminosityBlocks as
    RNTuples (RDataFrame Snapshot, one thread so the entries keep their order), the TNamed
    provenance copied."""
    converted = path.with_name(f"{path.name}.rntuple")
    try:
        if ROOT.IsImplicitMTEnabled():  # the caller's setting is restored by simulate_file
            ROOT.DisableImplicitMT()
        options = ROOT.RDF.RSnapshotOptions()
        options.fOutputFormat = ROOT.RDF.ESnapshotOutputFormat.kRNTuple
        for k, name in enumerate(("Events", "Runs", "LuminosityBlocks")):
            options.fMode = "RECREATE" if k == 0 else "UPDATE"
            ROOT.RDataFrame(name, str(path)).Snapshot(name, str(converted), "", options)
        source = ROOT.TFile.Open(str(path), "READ")
        target = ROOT.TFile.Open(str(converted), "UPDATE")
        try:
            target.WriteObject(source.Get(METADATA_NAME), METADATA_NAME)
        finally:
            target.Close()
            source.Close()
        converted.replace(path)
    finally:
        converted.unlink(missing_ok=True)


def _ode_settings(manifest: dict, ode: dict | None) -> dict:
    """The solver settings actually used: the bundle's, overridden key by key by ``ode``."""
    settings = dict(manifest.get("ode", {}))
    if ode:
        settings.update({k: v for k, v in ode.items() if v is not None})
    return settings


def _output_columns(gen, nano, manifest: dict, dropped=()) -> list[str]:
    """run/luminosityBlock/event, the gen branches in input order (less ``dropped``: the reco
    branches that --replace-reco leaves out), then the simulated columns (no hidden
    ``_flashsim_*`` ones, no derived gen-level conditioning)."""
    derived = {d["column"] for d in manifest.get("derived", [])}
    dropped = set(dropped)
    columns = ["run", "luminosityBlock", "event"]
    for name in map(str, gen.GetColumnNames()):
        if name not in columns and name not in dropped and not name.startswith("R_rdf_sizeof_"):
            columns.append(name)
    for name in map(str, nano.GetDefinedColumnNames()):
        if name not in columns and not name.startswith("_flashsim_") and name not in derived:
            columns.append(name)
    return columns


def _write_bookkeeping(ROOT, output: Path, inputs: Sequence[Path], provenance: dict) -> None:
    """Runs and LuminosityBlocks (copied from the inputs, else counted from their Events) and
    the provenance TNamed, added to ``output`` by the C++ that macros/simulate.C uses too
    (flashsim/rdf/Bookkeeping.hxx)."""
    files = ROOT.std.vector["std::string"]([str(p) for p in inputs])
    ROOT.flashsim.Bookkeeping.Write(files, str(output), METADATA_NAME, json.dumps(provenance, sort_keys=True))


def _nanoaod_layout(tree) -> tuple[list[str], dict[str, list[str]], dict]:
    """How a Snapshot tree's branches are written back: [name or collection] in order,
    {collection: [field]} for the ``X_field`` arrays counted by ``nX``, and the counters' dtypes
    (kept: a gen counter keeps its input type, the simulated ones are UInt_t)."""
    import numpy as np

    names = list(tree.keys())
    counters = {n for n in names if n.startswith("n") and len(n) > 1 and
                (n[1:] in names or any(m.startswith(n[1:] + "_") for m in names))}
    order, collections = [], {}
    for name in names:
        if name in counters:
            continue
        collection = name.split("_", 1)[0]
        if "_" in name and "n" + collection in counters and collection not in names:
            if collection not in collections:
                collections[collection] = []
                order.append(collection)
            collections[collection].append(name[len(collection) + 1:])
        else:
            order.append(name)
    counter_types = {c: np.dtype(tree[c].interpretation.to_dtype).newbyteorder("=") for c in counters}
    return order, collections, counter_types


def _write_nanoaod(parts: Sequence[Path], output: Path) -> None:
    """Concatenates the Events trees of ``parts`` into ``output`` as NanoAOD arrays (see module doc)."""
    import awkward as ak
    import uproot

    from flashsim.nanoaod import CLUSTER_SIZE, extend_in_clusters, make_events_tree

    # bounded memory: two clusters at a time, and no array cache (uproot's fills up to 100 MB of
    # arrays that are read once): measured flat from 20,000 to 300,000 entries
    entries_per_chunk = 2 * CLUSTER_SIZE
    with uproot.recreate(output) as out:
        events = None
        for part in parts:
            with uproot.open(part, array_cache=None, object_cache=None) as f:
                tree = f["Events"]
                order, collections, counter_types = _nanoaod_layout(tree)
                n = tree.num_entries
                for start in range(0, max(n, 1), entries_per_chunk):
                    chunk = tree.arrays(entry_start=start, entry_stop=min(n, start + entries_per_chunk),
                                        library="ak", how=dict)
                    data = {name: ak.zip({f: chunk[f"{name}_{f}"] for f in collections[name]})
                            if name in collections else chunk[name] for name in order}
                    if events is None:
                        types = {k: v.type.content for k, v in data.items()}
                        events = make_events_tree(out, types, counter_types=counter_types)
                    extend_in_clusters(events, data)


def _dask_description(executor) -> dict:
    workers = executor.scheduler_info(n_workers=-1)["workers"]
    return {"scheduler": executor.scheduler.address, "workers": len(workers),
            "threads": sum(w["nthreads"] for w in workers.values())}


def _partition_folder(output: Path) -> Path:
    """A fresh folder beside ``output`` for the distributed Snapshot's partition files. DistRDF
    names a task's file by cutting the path at its first ".root" and appending ``_<range>.root``,
    so no ".root" may appear before the file name."""
    folder = output.resolve().parent
    if ".root" in str(folder):
        raise InputError(f"output folder {str(folder)!r} contains '.root': the distributed Snapshot (DistRDF) "
                         "cuts its file names at the first '.root'; write the output to another folder")
    return Path(tempfile.mkdtemp(prefix=".flashsim-partitions-", dir=folder))


def _partition_files(snapshot: Path) -> list[Path]:
    """The files the distributed Snapshot to ``snapshot`` wrote, one per task, by range index."""
    stem = snapshot.name.removesuffix(".root")
    found = snapshot.parent.glob(f"{stem}_*.root")
    return sorted(found, key=lambda p: int(p.name.removesuffix(".root").rsplit("_", 1)[1]))


def simulate_file(
    inputs: str | Path | Sequence[str | Path],
    output: str | Path,
    bundle: str | Path | None = None,
    *,
    seed: int | None = None,
    threads: int = 1,
    oversample: int = 1,
    ode: dict | None = None,
    collections: Sequence[str] | None = None,
    progress: bool = True,
    device: str = "cpu",
    executor=None,
    output_format: str = "ttree",
    bad_gen: str = "stop",
    replace_reco: bool = False,
    batch_events: int | None = None,
) -> SimulationSummary:
    """Simulates every gen event of ``inputs`` (``oversample`` times) into the NanoAOD file ``output``.

    Args:
        inputs: gen-level ROOT file(s) with a TTree ``Events`` (NanoAOD naming).
        output: the NanoAOD file to write (replaced atomically).
        bundle: model bundle directory; None: the default bundle of the package.
        seed: simulation seed (with run/luminosityBlock/event and the copy the random-number key);
            None: derived from the inputs' generator provenance (one seed per sample,
            :mod:`flashsim.generate.sample_seed`), an InputError when an input has none.
        threads: RDataFrame threads; 1 keeps the input order in the output, 0 uses all cores.
        oversample: K, the number of independent reco realisations of each gen event.
        ode: solver settings overriding the bundle's (method, steps, rtol, atol).
        collections: reco collections to simulate (default: all of the bundle).
        progress: ROOT's RDataFrame progress bar (stdout).
        device: "cpu" or "cuda".
        executor: a ``dask.distributed.Client``: run as a distributed RDataFrame on its workers
            (``threads`` is then not used); the inputs and the output folder must be visible to
            the workers at the same paths. None: this process.
        output_format: "ttree" (NanoAOD as CMS writes it today) or "rntuple": Events, Runs and
            LuminosityBlocks as RNTuples with the same column names and content.
        bad_gen: a gen object with a NaN/inf value or a negative pt, mass or energy: "stop" (an
            InputError naming the column, value and event; no output file) or "skip" (left out of
            the simulation and counted: ``skipped_gen`` of the summary and of the provenance).
        replace_reco: the inputs are full-simulation NanoAOD: their generator-level branches are
            kept (:mod:`flashsim.nanoaod.gen_level`), every reco branch is dropped, the bundle's
            collections are simulated in their place (the provenance lists what was dropped). An
            input without reco branches gives a notice, not an error. False: an input that already
            has a branch the simulation writes is refused.
        batch_events: B, the events each thread simulates at once (cross-event mode: one network
            call per ODE stage for all their objects; two event loops, the first simulating into
            partition files beside the output, the second writing); 1: each event on its own (one
            event loop). None: DEFAULT_BATCH_EVENTS. The output is bit-identical for every B. A
            distributed run (``executor``) simulates per event.
    Returns:
        a :class:`SimulationSummary` (gen events, written entries, wall time, provenance).
    Raises:
        InputError, BundleError, ModelError: before the event loop.
        KeyboardInterrupt: on Ctrl-C or SIGTERM; no output file is left behind.
    """
    import flashsim.rdf
    import flashsim.rdf.distributed
    from flashsim._version import __version__
    from flashsim.bundle import default_bundle, read_manifest
    from flashsim.generate.writer import AtomicOutput, check_output_path
    from flashsim.nanoaod import CLUSTER_SIZE
    from flashsim.rdf._interrupt import interruptible

    inputs = [Path(inputs)] if isinstance(inputs, (str, Path)) else [Path(p) for p in inputs]
    if not inputs:
        raise InputError("no input file given")
    if isinstance(oversample, bool) or not isinstance(oversample, int) or not 1 <= oversample <= MAX_OVERSAMPLE:
        raise InputError(f"oversample must be an integer in [1, {MAX_OVERSAMPLE}], got {oversample!r}")
    if isinstance(threads, bool) or not isinstance(threads, int) or threads < 0:
        raise InputError(f"threads must be an integer >= 0 (0: all cores), got {threads!r}")
    batch_events = DEFAULT_BATCH_EVENTS if batch_events is None else batch_events
    if isinstance(batch_events, bool) or not isinstance(batch_events, int) or not 1 <= batch_events <= MAX_BATCH_EVENTS:
        raise InputError(f"batch_events must be an integer in [1, {MAX_BATCH_EVENTS}], got {batch_events!r}")
    if output_format not in OUTPUT_FORMATS:
        raise InputError(f"output format must be one of {', '.join(OUTPUT_FORMATS)}, got {output_format!r}")
    output = check_output_path(output)
    if output.resolve() in {p.resolve() for p in inputs}:
        raise InputError(f"output {str(output)!r} is also an input")
    bundle = Path(bundle) if bundle is not None else default_bundle()
    manifest = read_manifest(bundle)

    ROOT = flashsim.rdf.load()
    _check_inputs(ROOT, inputs)
    if executor is None:  # on Dask the workers write, elsewhere
        _check_room(output, inputs, oversample)
    seed_from = "--seed"
    if seed is None:
        from flashsim.generate.sample_seed import sample_seed

        seed, seed_from = sample_seed(inputs, "flashsim simulate"), "generator provenance"
    distributed = executor is not None
    partitions = _partition_folder(output) if distributed else None  # checked before the event loop
    previous_pool = ROOT.GetThreadPoolSize() if ROOT.IsImplicitMTEnabled() else None
    if previous_pool is not None and not distributed:
        ROOT.DisableImplicitMT()
    if threads != 1 and not distributed:
        ROOT.EnableImplicitMT(threads)
    loops = []  # cross-event mode: the C++ CrossEventLoop of each copy (their partition files)
    try:
        if distributed:  # absolute paths: a worker's working folder is its own
            gen = ROOT.RDataFrame("Events", [str(p.resolve()) for p in inputs], executor=executor)
        else:
            gen = ROOT.RDataFrame("Events", [str(p) for p in inputs])
        nodes = []
        cross_event = batch_events > 1 and not distributed
        for copy in range(oversample):
            same = dict(collections=collections, ode=ode, copy=copy, device=device, bad_gen=bad_gen,
                        replace_reco=replace_reco)
            try:
                if cross_event:  # loop 1 gathers and simulates; the node below reads its results (loop 2)
                    loops.append(flashsim.rdf.gather_cross_event(
                        gen, bundle, seed, batch_events=batch_events,
                        partition_prefix=str(output.parent / f".{output.name}.flashsim-batch-{os.getpid()}.{copy}"),
                        **same))
                nano = flashsim.rdf.simulate(gen, bundle, seed=seed, cross_event=loops[-1].batch if cross_event
                                             else None, **same)
            except InputError as err:  # missing gen columns, ...: say which file
                names = ", ".join(str(p) for p in inputs)
                text = str(err).removeprefix("flashsim: ")
                raise (err if names in text else InputError(f"{names}: {text}")) from None
            nano = nano.Define(COPY_BRANCH, f"static_cast<UShort_t>({copy})")
            nano = nano.Define(WEIGHT_BRANCH, f"static_cast<Float_t>(1.0 / {oversample})")
            nodes.append(nano)
        dropped, notices = [], []
        if replace_reco:
            from flashsim.nanoaod.gen_level import reco_columns

            dropped = reco_columns(gen.GetColumnNames())
            if not dropped:
                notices.append(f"{inputs[0]}: no reco branches to replace (a gen-level file); --replace-reco "
                               "changes nothing")
        columns = _output_columns(gen, flashsim.rdf.distributed.local_node(nodes[0]), manifest, dropped)
        provenance = {
            "bundle": {"path": str(bundle.resolve()), "name": manifest.get("name"),
                       "provenance": manifest.get("provenance", {})},
            "seed": seed,
            "seed_from": seed_from,
            "ode": _ode_settings(manifest, ode),
            "oversample": oversample,
            "collections": list(collections) if collections else [c["name"] for c in manifest["collections"]],
            "input": [str(p.resolve()) for p in inputs],
            "threads": None if distributed else threads,
            "device": device,
            "format": output_format,
            "batch_events": batch_events if cross_event else 1,
            "flashsim_version": __version__,
            "root_version": str(ROOT.gROOT.GetVersion()),
            "branches": {COPY_BRANCH: "oversampling copy index", WEIGHT_BRANCH: "1/oversample"},
        }
        if replace_reco:
            provenance["replace_reco"] = {"dropped_input_branches": dropped}
        if distributed:
            provenance["dask"] = _dask_description(executor)
        with AtomicOutput(output) as temporary:
            if distributed:
                snapshot_paths = [partitions / f"copy{k}.root" for k in range(oversample)]
            else:
                snapshot_paths = [temporary.with_name(f"{temporary.name}.copy{k}") for k in range(oversample)]
            parts = snapshot_paths
            try:
                start = time.perf_counter()
                if loops:  # cross-event loop 1: every event gathered and simulated, B at a time per thread
                    gathered = [loop.node.Filter("_flashsim_batch").Count() for loop in loops]
                    if progress:
                        ROOT.RDF.Experimental.AddProgressBar(ROOT.RDF.AsRNode(gen))
                    with interruptible(ROOT, gathered[0]), _flashsim_errors():
                        gathered[0].GetValue()
                        for loop in loops:
                            loop.batch.Finish()
                options = ROOT.RDF.RSnapshotOptions()
                options.fLazy = True
                options.fOutputFormat = ROOT.RDF.ESnapshotOutputFormat.kTTree
                # flushed every cluster, not every 30 MB (ROOT's default holds that much in baskets per
                # tree); the partition is rewritten by uproot anyway
                options.fAutoFlush = CLUSTER_SIZE
                # lazy results must stay referenced: a dropped one is never written
                with _flashsim_errors():
                    snapshots = [node.Snapshot("Events", str(part), columns, options)
                                 for node, part in zip(nodes, snapshot_paths, strict=True)]
                count = gen.Count()
                skipped = {name: nodes[0].Sum(f"_flashsim_{name}_skippedGen") for name in provenance["collections"]} \
                    if bad_gen == "skip" else {}
                if distributed:  # one distributed run fills every action; the progress bar is Dask's (stdout)
                    with contextlib.redirect_stdout(sys.stdout if progress else io.StringIO()), _flashsim_errors():
                        events = int(count.GetValue())
                    parts = [part for path in snapshot_paths for part in _partition_files(path)]
                else:
                    if progress and not loops:
                        ROOT.RDF.Experimental.AddProgressBar(ROOT.RDF.AsRNode(gen))
                    _watch_room(ROOT, count, output, snapshot_paths, inputs, oversample)
                    with interruptible(ROOT, count), _flashsim_errors(), _write_errors_raised(ROOT):
                        events = int(count.GetValue())
                        for snapshot in snapshots:
                            snapshot.GetValue()
                skipped_gen = {name: int(result.GetValue()) for name, result in skipped.items()}
                provenance["bad_gen"] = {"policy": bad_gen, **({"skipped_gen_objects": skipped_gen}
                                                                 if bad_gen == "skip" else {})}
                rewrite_start = time.perf_counter()
                with _flashsim_errors(), _write_errors_raised(ROOT):
                    _write_nanoaod(parts, temporary)
                rewrite_seconds = time.perf_counter() - rewrite_start
                with _flashsim_errors(), _write_errors_raised(ROOT):
                    _write_bookkeeping(ROOT, temporary, inputs, provenance)
                    if output_format == "rntuple":
                        _to_rntuple(ROOT, temporary)
                seconds = time.perf_counter() - start
            finally:
                for part in parts:
                    part.unlink(missing_ok=True)
    finally:
        for loop in loops:  # the cross-event partition files
            loop.batch.RemovePartitions()
        if partitions is not None:
            shutil.rmtree(partitions, ignore_errors=True)
        if not distributed:  # the caller's implicit-MT setting, as it was
            if ROOT.IsImplicitMTEnabled():
                ROOT.DisableImplicitMT()
            if previous_pool is not None:
                ROOT.EnableImplicitMT(previous_pool)
    sys.stdout.flush()
    return SimulationSummary(output=output, events=events, entries=events * oversample, seconds=seconds, seed=seed,
                             skipped_gen=skipped_gen, notices=notices,
                             rewrite_seconds=rewrite_seconds, oversample=oversample, threads=threads,
                             provenance=provenance, workers=provenance["dask"]["workers"] if distributed else 0)


def read_provenance(path: str | Path) -> dict:
    """The provenance dict stored in a simulated file's ``flashsim_simulate`` object."""
    from flashsim.nanoaod import read_json_tnamed

    return read_json_tnamed(path, METADATA_NAME)
