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
import os
import shutil
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from flashsim.errors import InputError
from flashsim.rdf.nanoaod_rewrite import METADATA_NAME, output_columns, to_rntuple, write_bookkeeping, write_nanoaod
from flashsim.rdf.output_guard import check_room, flashsim_errors, watch_room, write_errors_raised
from flashsim.rdf.partitions import dask_description, partition_files, partition_folder

__all__ = ["COPY_BRANCH", "METADATA_NAME", "OUTPUT_FORMATS", "WEIGHT_BRANCH", "SimulationSummary", "read_provenance",
           "simulate_file"]

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


def _ode_settings(manifest: dict, ode: dict | None) -> dict:
    """The solver settings actually used: the bundle's, overridden key by key by ``ode``."""
    settings = dict(manifest.get("ode", {}))
    if ode:
        settings.update({k: v for k, v in ode.items() if v is not None})
    return settings


def _gather_stages(gen, bundle, seed, batch_events, prefix, same) -> list:
    """Loop 1 of the cross-event mode for one copy: the CrossEventLoop of every stage (one, unless some
    collections are built from other simulated ones; stage k reads the batches of the stages before it)."""
    import flashsim.rdf

    stages = [flashsim.rdf.gather_cross_event(gen, bundle, seed, batch_events=batch_events,
                                              partition_prefix=str(prefix), **same)]
    for stage in range(1, stages[0].stages):
        stages.append(flashsim.rdf.gather_cross_event(
            gen, bundle, seed, batch_events=batch_events, partition_prefix=f"{prefix}.stage{stage}",
            earlier_stages=[loop.batch for loop in stages], **same))
    return stages


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
    allow_bundle_code: bool = False,
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
        allow_bundle_code: also read a format-1 bundle, whose entries are C++ text that runs when
            the bundle is loaded (:func:`flashsim.rdf.simulate`): trust its author first.
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
        check_room(output, inputs, oversample)
    seed_from = "--seed"
    if seed is None:
        from flashsim.generate.sample_seed import sample_seed

        seed, seed_from = sample_seed(inputs, "flashsim simulate"), "generator provenance"
    distributed = executor is not None
    partitions = partition_folder(output) if distributed else None  # checked before the event loop
    previous_pool = ROOT.GetThreadPoolSize() if ROOT.IsImplicitMTEnabled() else None
    if previous_pool is not None and not distributed:
        ROOT.DisableImplicitMT()
    if threads != 1 and not distributed:
        ROOT.EnableImplicitMT(threads)
    loops = []  # cross-event mode: the C++ CrossEventLoop of each copy and stage (their partition files)
    try:
        if distributed:  # absolute paths: a worker's working folder is its own
            gen = ROOT.RDataFrame("Events", [str(p.resolve()) for p in inputs], executor=executor)
        else:
            gen = ROOT.RDataFrame("Events", [str(p) for p in inputs])
        nodes = []
        cross_event = batch_events > 1 and not distributed
        for copy in range(oversample):
            same = dict(collections=collections, ode=ode, copy=copy, device=device, bad_gen=bad_gen,
                        replace_reco=replace_reco, allow_bundle_code=allow_bundle_code)
            try:
                stages = []
                if cross_event:  # loop 1 gathers and simulates; the node below reads its results (loop 2)
                    stages = _gather_stages(gen, bundle, seed, batch_events,
                                            output.parent / f".{output.name}.flashsim-batch-{os.getpid()}.{copy}",
                                            same)
                    loops += stages
                nano = flashsim.rdf.simulate(gen, bundle, seed=seed, cross_event=[loop.batch for loop in stages]
                                             if cross_event else None, **same)
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
        columns = output_columns(gen, flashsim.rdf.distributed.local_node(nodes[0]), manifest, dropped)
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
            provenance["dask"] = dask_description(executor)
        with AtomicOutput(output) as temporary:
            if distributed:
                snapshot_paths = [partitions / f"copy{k}.root" for k in range(oversample)]
            else:
                snapshot_paths = [temporary.with_name(f"{temporary.name}.copy{k}") for k in range(oversample)]
            parts = snapshot_paths
            try:
                start = time.perf_counter()
                # cross-event loop 1: every event gathered and simulated, B at a time per thread; one event
                # loop per stage (more than one when collections are built from other simulated ones)
                for stage in range(max((loop.stages for loop in loops), default=0)):
                    of_stage = [loop for loop in loops if loop.stage == stage]
                    gathered = [loop.node.Filter("_flashsim_batch").Count() for loop in of_stage]
                    if progress and stage == 0:
                        ROOT.RDF.Experimental.AddProgressBar(ROOT.RDF.AsRNode(gen))
                    with interruptible(ROOT, gathered[0]), flashsim_errors():
                        gathered[0].GetValue()
                        for loop in of_stage:
                            loop.batch.Finish()
                options = ROOT.RDF.RSnapshotOptions()
                options.fLazy = True
                options.fOutputFormat = ROOT.RDF.ESnapshotOutputFormat.kTTree
                # flushed every cluster, not every 30 MB (ROOT's default holds that much in baskets per
                # tree); the partition is rewritten by uproot anyway
                options.fAutoFlush = CLUSTER_SIZE
                # lazy results must stay referenced: a dropped one is never written
                with flashsim_errors():
                    snapshots = [node.Snapshot("Events", str(part), columns, options)
                                 for node, part in zip(nodes, snapshot_paths, strict=True)]
                count = gen.Count()
                skipped = {name: nodes[0].Sum(f"_flashsim_{name}_skippedGen") for name in provenance["collections"]} \
                    if bad_gen == "skip" else {}
                if distributed:  # one distributed run fills every action; the progress bar is Dask's (stdout)
                    with contextlib.redirect_stdout(sys.stdout if progress else io.StringIO()), flashsim_errors():
                        events = int(count.GetValue())
                    parts = [part for path in snapshot_paths for part in partition_files(path)]
                else:
                    if progress and not loops:
                        ROOT.RDF.Experimental.AddProgressBar(ROOT.RDF.AsRNode(gen))
                    watch_room(ROOT, count, output, snapshot_paths, inputs, oversample)
                    with interruptible(ROOT, count), flashsim_errors(), write_errors_raised(ROOT):
                        events = int(count.GetValue())
                        for snapshot in snapshots:
                            snapshot.GetValue()
                skipped_gen = {name: int(result.GetValue()) for name, result in skipped.items()}
                provenance["bad_gen"] = {"policy": bad_gen, **({"skipped_gen_objects": skipped_gen}
                                                                 if bad_gen == "skip" else {})}
                rewrite_start = time.perf_counter()
                with flashsim_errors(), write_errors_raised(ROOT):
                    write_nanoaod(parts, temporary)
                rewrite_seconds = time.perf_counter() - rewrite_start
                with flashsim_errors(), write_errors_raised(ROOT):
                    write_bookkeeping(ROOT, temporary, inputs, provenance)
                    if output_format == "rntuple":
                        to_rntuple(ROOT, temporary)
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
