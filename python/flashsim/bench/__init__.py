"""``flashsim bench``: the simulation's event rate, measured side by side in one run, on what users run.

Default input: Pythia ttbar generated on the fly (``--input`` for a file); default bundle: the one
shipped with the package (``--bundle toy`` for the toy). Every row does the same work on the same gen
events and networks: read the gen columns, derived conditioning, efficiency, ODE, label heads,
inverse transforms, merge and sort; writing is excluded from every row and timed once apart
(``flashsim simulate`` of the same file).

1. this project, per event (``--batch-events 1``);
2. this project, cross-event batching (B events per thread at once; one event loop per stage when
   collections are built from other simulated ones, the batches a later stage reads kept as
   ``flashsim simulate`` keeps them);
3. the baseline a CMS FlashSim user runs today (RDataFrame -> arrays -> PyTorch batches of 10,000,
   the ODE in Python with torch tensors; :mod:`flashsim.bench.pytorch_baseline`), with the same
   method and steps, and with batch-wide dopri5 at rtol = atol = 1e-5 as their flow-matching paper;
4. the ceiling: ONNX Runtime alone on the same networks at batch 1000, for the rows row 2 ran
   through each network (:mod:`flashsim.bench.ceiling`).

Rows 1-3 at each ``--threads`` count; ratios printed against row 1 at the same threads. Results go to
``bench.json`` and ``bench.png`` in ``--out``. ``--dask-local N`` compares instead N threads with
a local Dask cluster of N worker processes.
"""

import contextlib
import io
import json
import sys
import tempfile
import time
from pathlib import Path

__all__ = ["HELP", "add_arguments", "bench_cross_event", "bench_dask", "bench_per_event", "run"]

HELP = "measure the event rate of the simulation (per event, cross-event, the PyTorch baseline, the ceiling)"


def add_arguments(parser):
    parser.add_argument("--input", help="gen-level file (default: Pythia ttbar made now, --events of them)")
    parser.add_argument("--bundle", help="model bundle directory, or 'toy' (default: the shipped bundle)")
    parser.add_argument("--events", type=int, default=2000, help="events to generate (default: %(default)s)")
    parser.add_argument("--threads", default="1,2", help="comma-separated thread counts (default: %(default)s)")
    parser.add_argument("--batch-events", type=int, default=None, help="B of the cross-event rows (default: "
                        "flashsim simulate's)")
    parser.add_argument("--ode", action="append", default=[], metavar="METHOD:STEPS|dopri5:TOL|distilled",
                        help="more solvers for rows 1, 2 and 4 (e.g. euler:20; distilled: the bundle's few-step "
                             "networks); the bundle's is always in")
    parser.add_argument("--no-baseline", action="store_true", help="skip row 3 (PyTorch)")
    parser.add_argument("--rss", action="store_true",
                        help="also the peak RSS of flashsim simulate at 10k and 100k events (input replicated)")
    parser.add_argument("--out", default=".", help="folder for bench.json and bench.png (default: .)")
    parser.add_argument("--dask-local", type=int, metavar="N",
                        help="compare N threads in one process with a local Dask cluster of N worker processes")


def _every_collection(bundle) -> str:
    """An expression reading one column of every collection: the counters, and one branch of
    each event-level collection (PuppiMET_pt, ...), which adds 0 to the count."""
    from flashsim.bundle import read_manifest

    terms = []
    for collection in read_manifest(bundle)["collections"]:
        name = collection["name"]
        source = collection["sources"][0]
        if source.get("kind") == "event":
            terms.append(f"0 * double({name}_{source['targets'][0]['branch']})")
        else:
            terms.append(f"double(n{name})")
    return " + ".join(terms)


@contextlib.contextmanager
def _threads(ROOT, n):
    if n > 1:
        ROOT.EnableImplicitMT(n)
    try:
        yield
    finally:
        if n > 1:
            ROOT.DisableImplicitMT()


def bench_per_event(gen, bundle, threads, ode=None, check_values=True):
    """Row 1: (events, seconds, objects per event, ONNX Runtime calls per event, share of thread time in
    ONNX Runtime), the JIT excluded (a first loop)."""
    import flashsim.rdf

    ROOT = flashsim.rdf.load()
    with _threads(ROOT, threads):
        df = flashsim.rdf.simulate(ROOT.RDataFrame("Events", str(gen)), bundle, seed=1, ode=ode,
                                   check_values=check_values)
        df = df.Define("_bench_objects", _every_collection(bundle))  # RDataFrame computes only what is read
        df.Sum("_bench_objects").GetValue()  # JIT + first loop
        objects, events = df.Sum("_bench_objects"), df.Count()
        ROOT.flashsim.ResetOnnxRuntimeUsage()
        start = time.perf_counter()
        n = int(events.GetValue())
        seconds = time.perf_counter() - start
        ort = ROOT.flashsim.TotalOnnxRuntimeUsage()
    return {"events": n, "seconds": seconds, "objects_per_event": objects.GetValue() / n,
            "ort_calls_per_event": ort.calls / n, "ort_share": ort.seconds / (seconds * threads)}


def _cross_event_stages(ROOT, gen, bundle, batch_events, ode, folder):
    """Loop 1 of the cross-event mode, every stage: the CrossEventLoops (a bundle whose collections are built from
    other simulated ones has more than one; a stage that a later one reads keeps its batches in partition files
    under ``folder``, as ``flashsim simulate`` does, the last keeps nothing)."""
    import flashsim.rdf
    from flashsim.rdf.operations import cpp_bundle

    stages = 1 + max(int(c.stage) for c in cpp_bundle(bundle).Collections())  # the load-time build order
    if stages > 1:
        Path(folder).mkdir(parents=True, exist_ok=True)
    loops = []
    for k in range(stages):
        prefix = str(Path(folder) / f"stage{k}") if k + 1 < stages else ""
        loops.append(flashsim.rdf.gather_cross_event(
            ROOT.RDataFrame("Events", str(gen)), bundle, 1, batch_events=batch_events, partition_prefix=prefix,
            ode=ode, earlier_stages=[loop.batch for loop in loops]))
    return loops


def bench_cross_event(gen, bundle, threads, batch_events, ode=None):
    """Row 2: loop 1 of the cross-event mode (gather, simulate B events at once, merge and sort; nothing
    kept but what a later stage reads), every stage in turn, the JIT excluded (a first run). Also the rows each
    network ran (for row 4)."""
    import flashsim.rdf

    ROOT = flashsim.rdf.load()
    with _threads(ROOT, threads), tempfile.TemporaryDirectory() as folder:
        for attempt in ("jit", "timed"):
            loops = _cross_event_stages(ROOT, gen, bundle, batch_events, ode, Path(folder) / attempt)
            ROOT.flashsim.ResetOnnxRuntimeUsage()
            start = time.perf_counter()
            for loop in loops:  # one event loop per stage, its count booked just before (as flashsim simulate)
                n = int(loop.node.Filter("_flashsim_batch").Count().GetValue())
                loop.batch.Finish()
            seconds = time.perf_counter() - start
            ort = ROOT.flashsim.TotalOnnxRuntimeUsage()
            if attempt == "jit":
                continue
            usage = []
            objects = 0
            for collection in (c for loop in loops for c in loop.batch.Collections()):
                for simulator in collection.sources:
                    u = simulator.GetUsage()
                    spec = simulator.Spec()
                    usage.append({"collection": str(collection.name), "source": str(spec.name),
                                  "candidates": int(u.candidates), "objects": int(u.objects),
                                  "row_evaluations": int(u.rowEvaluations), "velocity_calls": int(u.velocityCalls),
                                  "max_row_evaluations": int(u.maxRowEvaluations),
                                  # objects drawn again below their collection's floor, and left out after it
                                  "redrawn": int(u.redrawn), "below_floor": int(u.belowFloor),
                                  "efficiency": str(spec.efficiencyModel), "velocity": str(simulator.VelocityModel()),
                                  "labels": str(spec.labels.model) if simulator.HasLabels() else ""})
                    if spec.kind != ROOT.flashsim.SourceKind.kEvent:  # as row 1: the objects of the collections
                        objects += int(u.objects) - int(u.belowFloor)  # those left out below the floor are not
    flowing = sum(u["objects"] for u in usage)
    return {"events": n, "seconds": seconds, "objects_per_event": objects / n, "ort_calls_per_event": ort.calls / n,
            "ort_share": ort.seconds / (seconds * threads), "networks": usage, "stages": len(loops),
            "velocity_calls_per_event": sum(u["velocity_calls"] for u in usage) / n,
            "evaluations_per_object_mean": sum(u["row_evaluations"] for u in usage) / max(1, flowing),
            "evaluations_per_object_max": max((u["max_row_evaluations"] for u in usage), default=0),
            "redrawn_per_event": sum(u["redrawn"] for u in usage) / n}


def bench_pytorch(gen, bundle, threads, ode):
    """Row 3: the CMS FlashSim user's chain (flashsim.bench.pytorch_baseline), torch on ``threads`` threads."""
    import numpy as np
    import torch

    from flashsim.bench.pytorch_baseline import TorchBackend
    from flashsim.bundle import read_manifest
    from flashsim.train.reference_sampler import NumpyNoise, sample_bundle

    previous = torch.get_num_threads()
    torch.set_num_threads(threads)
    try:
        backend = TorchBackend()
        sample_bundle(bundle, [gen], NumpyNoise(1), ode=ode, max_events=200, backend=backend)  # warm-up
        backend = TorchBackend()
        start = time.perf_counter()
        result = sample_bundle(bundle, [gen], NumpyNoise(1), ode=ode, backend=backend)
        for name, collection in result.items():  # sort, as the C++ merge does: by event, then pt descending
            if "pt" in collection:
                order = np.lexsort((-np.asarray(collection["pt"], np.float64), collection["event"]))
                result[name] = {k: np.asarray(v)[order] for k, v in collection.items()}
        seconds = time.perf_counter() - start
    finally:
        torch.set_num_threads(previous)
    import uproot

    with uproot.open(gen) as f:
        n = int(f["Events"].num_entries)
    objects = sum(len(c["event"]) for c in result.values())
    return {"events": n, "seconds": seconds, "objects_per_event": objects / n,
            "velocity_calls": backend.velocity_calls, "ode_settings": ode or read_manifest(bundle).get("ode", {})}


def bench_dask(gen, bundle, workers: int = 2):
    """The bundle's every collection on ``gen``, with ``workers`` threads in this process and then on a
    local Dask cluster of ``workers`` processes (distributed RDataFrame, per-event mode); returns rows
    (mode, first_seconds, events, events_per_second)."""
    import flashsim.rdf
    from flashsim.rdf.dask_cluster import dask_client

    ROOT = flashsim.rdf.load()
    expression = _every_collection(bundle)

    def one_run(make_df):
        nano = flashsim.rdf.simulate(make_df(), bundle, seed=1).Define("_bench_objects", expression)
        objects, events = nano.Sum("_bench_objects"), nano.Count()
        start = time.perf_counter()
        with contextlib.redirect_stdout(io.StringIO()):  # Dask's progress bar
            n = int(events.GetValue())
        objects.GetValue()
        return time.perf_counter() - start, n

    rows = []
    ROOT.EnableImplicitMT(workers)
    try:
        first, _ = one_run(lambda: ROOT.RDataFrame("Events", str(gen)))
        seconds, n = one_run(lambda: ROOT.RDataFrame("Events", str(gen)))
        rows.append((f"{workers} threads, one process", first, n, n / seconds))
    finally:
        ROOT.DisableImplicitMT()
    with dask_client(local_workers=workers) as client:
        first, _ = one_run(lambda: ROOT.RDataFrame("Events", str(gen.resolve()), executor=client))
        seconds, n = one_run(lambda: ROOT.RDataFrame("Events", str(gen.resolve()), executor=client))
        rows.append((f"{workers} local Dask workers", first, n, n / seconds))
    return rows


def _print_dask(rows) -> None:
    print(f"{'mode':<28} {'first run s':>11} {'events':>7} {'events/s':>9} {'x vs threads':>12}")
    for mode, first, events, rate in rows:
        print(f"{mode:<28} {first:11.2f} {events:7d} {rate:9.0f} {rate / rows[0][3]:12.2f}")


def _parse_ode(text):
    method, _, value = text.partition(":")
    if method == "dopri5":
        tol = float(value or 1e-5)
        return {"method": "dopri5", "rtol": tol, "atol": tol}
    if method == "distilled":  # the students' own steps
        return {"method": "distilled"}
    return {"method": method, "steps": int(value or 20)}


def _label(ode):
    if not ode:
        return "bundle"
    if ode["method"] == "distilled":
        return "distilled"
    return f"dopri5 {ode['rtol']:g}" if ode["method"] == "dopri5" else f"{ode['method']}-{ode['steps']}"


def _input(args, tmp: Path) -> Path:
    if args.input:
        return Path(args.input)
    from flashsim.generate import generate

    print(f"flashsim bench: generating {args.events} Pythia ttbar events", file=sys.stderr)
    return Path(generate("ttbar", args.events, output=tmp / "gen_ttbar.root", seed=12345, run=1, jobs=2,
                         progress=False))


def _simulate_command(gen, bundle, batch_events, threads, tmp):
    """The whole ``flashsim simulate`` (two loops, writing, the NanoAOD rewrite), JIT included."""
    from flashsim.rdf.nanoaod_file import simulate_file

    summary = simulate_file(gen, tmp / "nano.root", bundle, seed=1, threads=threads, batch_events=batch_events,
                            progress=False)
    return {"events": summary.events, "seconds": summary.seconds, "rewrite_seconds": summary.rewrite_seconds}


def _peak_rss(gen, bundle, events, tmp) -> dict:
    """Peak RSS (MB) of a ``flashsim simulate`` process on ``events`` events (the input replicated).

    The child's VmHWM (/proc/<pid>/status, its high-water mark since exec) polled until it exits, not
    the ``ru_maxrss`` of wait4: that counts the forked copy of this process before the exec, so
    after rows 1-4 it read this benchmark's own 1.6 GB whatever the child did (measured)."""
    import subprocess
    import time

    import uproot

    with uproot.open(gen) as f:
        per_file = int(f["Events"].num_entries)
    copies = max(1, -(-events // per_file))
    out = tmp / f"rss_{events}.root"
    cmd = [sys.executable, "-m", "flashsim", "simulate", *[str(gen)] * copies, "-o", str(out),
           "--bundle", str(bundle), "--seed", "1", "--no-progress"]
    peak_kb = 0
    with open(tmp / f"rss_{events}.stderr", "w+") as stderr:
        process = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=stderr)
        while process.poll() is None:
            try:
                with open(f"/proc/{process.pid}/status") as status:
                    hwm = [line for line in status if line.startswith("VmHWM:")]
                peak_kb = max(peak_kb, int(hwm[0].split()[1])) if hwm else peak_kb
            except OSError:  # gone between poll() and open()
                pass
            time.sleep(0.1)
        if process.returncode != 0:
            stderr.seek(0)
            raise RuntimeError(f"{' '.join(cmd)} failed: {stderr.read()[-2000:]}")
    out.unlink(missing_ok=True)
    return {"events": per_file * copies, "peak_rss_mb": peak_kb / 1024}


def run(args) -> int:
    from flashsim.bench.ceiling import ceiling
    from flashsim.bundle import default_bundle, read_manifest
    from flashsim.bundle.toy import write_toy_bundle, write_toy_gen_tree
    from flashsim.rdf.nanoaod_file import DEFAULT_BATCH_EVENTS

    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    batch_events = args.batch_events or DEFAULT_BATCH_EVENTS
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        if args.bundle == "toy":
            bundle = write_toy_bundle(tmp / "bundle")
            gen = Path(args.input) if args.input else write_toy_gen_tree(tmp / "gen.root", args.events)
        else:
            bundle = Path(args.bundle) if args.bundle else default_bundle()
            gen = _input(args, tmp)
        threads = [int(t) for t in args.threads.split(",")]
        print(f"flashsim bench: input {gen}, bundle {bundle}", file=sys.stderr)
        if args.dask_local is not None:
            _print_dask(bench_dask(gen, bundle, args.dask_local))
            return 0
        bundle_ode = read_manifest(bundle).get("ode", {})
        odes = [None] + [_parse_ode(o) for o in args.ode]
        rows = []
        for ode in odes:
            for n in threads:
                rows.append({"row": 1, "mode": "per event", "threads": n, "ode": _label(ode),
                             **bench_per_event(gen, bundle, n, ode)})
                cross = bench_cross_event(gen, bundle, n, batch_events, ode)
                networks = cross.pop("networks")
                stages = f", {cross['stages']} stages" if cross["stages"] > 1 else ""
                rows.append({"row": 2, "mode": f"cross-event B={batch_events}{stages}", "threads": n,
                             "ode": _label(ode), **cross})
                if n == threads[0]:
                    rows.append({"row": 4, "mode": "ONNX Runtime alone, batch 1000", "ode": _label(ode),
                                 **ceiling(networks, threads=1, events=cross["events"])})
                if n == 2 and 2 in threads:
                    rows.append({"row": 4, "mode": "ONNX Runtime alone, batch 1000", "ode": _label(ode),
                                 **ceiling(networks, threads=2, events=cross["events"])})
        if not args.no_baseline:
            for ode in (bundle_ode, {"method": "dopri5", "rtol": 1e-5, "atol": 1e-5}):
                for n in threads:
                    rows.append({"row": 3, "mode": "PyTorch baseline", "threads": n,
                                 "ode": _label(ode) if ode is not bundle_ode else "bundle",
                                 **bench_pytorch(gen, bundle, n, ode)})
        writing = _simulate_command(gen, bundle, batch_events, 1, tmp)
        rss = [_peak_rss(gen, bundle, e, tmp) for e in (10_000, 100_000)] if args.rss else []
    for r in rows:
        r["events_per_second"] = r["events"] / r["seconds"]
        r["objects_per_second"] = r["events_per_second"] * r.get("objects_per_event", 0.0)
    report = {"input": str(args.input or f"Pythia ttbar, {args.events} events"), "bundle": str(args.bundle or
              "default"), "bundle_ode": bundle_ode, "batch_events": batch_events, "rows": rows,
              "simulate_command": writing, "peak_rss": rss}
    _print(report)
    (out / "bench.json").write_text(json.dumps(report, indent=1))
    _plot(report, out / "bench.png")
    return 0


def _print(report) -> None:
    rows = report["rows"]
    per_event = {(r["ode"], r.get("threads")): r["events_per_second"] for r in rows if r["row"] == 1}
    print(f"{'row':>3}  {'mode':<32} {'ode':<14} {'thr':>3} {'events':>7} {'events/s':>9} {'objects/s':>10} "
          f"{'x row 1':>8}")
    for r in rows:
        base = per_event.get((r["ode"], r.get("threads", 1)))
        ratio = f"{r['events_per_second'] / base:8.2f}" if base else f"{'':>8}"
        print(f"{r['row']:>3}  {r['mode']:<32} {r['ode']:<14} {r.get('threads', 1):>3} {r['events']:>7} "
              f"{r['events_per_second']:9.0f} {r['objects_per_second']:10.0f} {ratio}")
    by = {(r["row"], r["ode"], r.get("threads", 1)): r["events_per_second"] for r in rows}
    for (row, ode, n), rate in sorted(by.items()):
        if row == 2 and (4, ode, n) in by:
            print(f"row 2 / row 4 ({ode}, {n} thread(s)): {rate / by[(4, ode, n)]:.2f}")
        if row == 2 and (3, ode, n) in by:
            print(f"row 2 / row 3 ({ode}, {n} thread(s)): {rate / by[(3, ode, n)]:.2f}")
        if row == 2 and n == 2 and (2, ode, 1) in by:
            print(f"row 2, 2 threads / 1 thread ({ode}): {rate / by[(2, ode, 1)]:.2f}")
    for r in rows:
        if r["row"] == 2:
            print(f"row 2 ({r['ode']}, {r['threads']} thread(s)): {r['velocity_calls_per_event']:.2f} velocity-field "
                  f"network calls per event, evaluations per object mean {r['evaluations_per_object_mean']:.1f} "
                  f"max {r['evaluations_per_object_max']}")
    bundle_cross = by.get((2, "bundle", 1))
    dopri_torch = by.get((3, "dopri5 1e-05", 1))
    if bundle_cross and dopri_torch:
        print(f"row 2 (bundle solver) / row 3 (dopri5 1e-5), 1 thread: {bundle_cross / dopri_torch:.2f}")
    w = report["simulate_command"]
    print(f"flashsim simulate (cross-event, 1 thread, JIT and writing included): {w['events']} events in "
          f"{w['seconds']:.2f} s = {w['events'] / w['seconds']:.0f} events/s "
          f"(NanoAOD rewrite {w['rewrite_seconds']:.2f} s)")
    for r in report["peak_rss"]:
        print(f"peak RSS of flashsim simulate on {r['events']} events: {r['peak_rss_mb']:.0f} MB")


def _plot(report, path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    rows = report["rows"]
    labels = [f"{r['row']}: {r['mode']}\n{r['ode']}, {r.get('threads', 1)} thr" for r in rows]
    fig, ax = plt.subplots(figsize=(8, 0.45 * len(rows) + 1.5))
    colours = {1: "tab:grey", 2: "tab:blue", 3: "tab:orange", 4: "tab:green"}
    ax.barh(range(len(rows)), [r["events_per_second"] for r in rows], color=[colours[r["row"]] for r in rows])
    ax.set_yticks(range(len(rows)), labels, fontsize=7)
    ax.invert_yaxis()
    ax.set_xlabel("events / s")
    ax.set_title(f"flashsim bench: {report['input']}", fontsize=9)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
