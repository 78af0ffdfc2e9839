"""``flashsim bench``: the simulation's event rate, measured side by side in one run.

Every configuration runs on the same input in this process, so the ratios printed (threads,
solvers) hold even on a noisy shared machine; the absolute rates are this machine's.
The JIT of the RDataFrame graph is timed apart (first loop) from the event rate (second loop).
``--dask-local N`` compares instead N threads in this process with a local Dask cluster of N
worker processes running the same graph as a distributed RDataFrame.
"""

import contextlib
import io
import sys
import tempfile
import time
from pathlib import Path

__all__ = ["HELP", "add_arguments", "bench_dask", "bench_simulate", "run"]

HELP = "measure the event rate of the simulation (threads and ODE solvers side by side)"


def add_arguments(parser):
    parser.add_argument("--input", help="gen-level file (default: a synthetic GenJet tree)")
    parser.add_argument("--bundle", help="model bundle (default: the toy bundle)")
    parser.add_argument("--events", type=int, default=20000, help="synthetic events (default: %(default)s)")
    parser.add_argument("--threads", default="1,2", help="comma-separated thread counts (default: %(default)s)")
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


def bench_simulate(gen, bundle, threads=(1, 2), odes=None):
    """Simulates every collection of ``bundle`` on ``gen``; returns rows (threads, ode, jit_seconds, events,
    events_per_second, reco objects per event,
    share of the thread time inside ONNX Runtime, ONNX Runtime calls per event)."""
    import flashsim.rdf

    ROOT = flashsim.rdf.load()
    odes = odes or [None, "no value checks", {"method": "euler", "steps": 20}, {"method": "rk4", "steps": 5},
                    {"method": "dopri5", "rtol": 1e-5, "atol": 1e-5}]
    rows = []
    for n in threads:
        if n > 1:
            ROOT.EnableImplicitMT(n)
        for ode in odes:
            # "no value checks": the bundle's solver without the gen-input and finite-output checks,
            # beside the default row: what the checks cost
            checks = ode != "no value checks"
            df = flashsim.rdf.simulate(ROOT.RDataFrame("Events", str(gen)), bundle, seed=1,
                                       ode=ode if checks else None, check_values=checks)
            # RDataFrame computes only what an action needs: touch every collection of the bundle
            df = df.Define("_bench_objects", _every_collection(bundle))
            start = time.perf_counter()
            df.Sum("_bench_objects").GetValue()  # JIT + first loop
            first = time.perf_counter() - start
            n_objects = df.Sum("_bench_objects")
            events = df.Count()
            ROOT.flashsim.ResetOnnxRuntimeUsage()
            start = time.perf_counter()
            events.GetValue()
            seconds = time.perf_counter() - start
            ort = ROOT.flashsim.TotalOnnxRuntimeUsage()
            label = "bundle default" if ode is None else (ode if isinstance(ode, str) else
                                                          ",".join(f"{k}={v}" for k, v in ode.items()))
            rows.append((n, label, first - seconds, int(events.GetValue()), events.GetValue() / seconds,
                         n_objects.GetValue() / events.GetValue(), ort.seconds / (seconds * n),
                         ort.calls / events.GetValue()))
        if n > 1:
            ROOT.DisableImplicitMT()
    return rows


def bench_dask(gen, bundle, workers: int = 2):
    """The bundle's every collection on ``gen``, with ``workers`` threads in this process and then on a
    local Dask cluster of ``workers`` processes (distributed RDataFrame); returns rows (mode,
    first_seconds, events, events_per_second). The first run of each includes the JIT (on every
    worker for Dask); the rate comes from a second run of a new graph, which for Dask still pays
    what every distributed run pays (scheduling, building and jitting the graph in each task)."""
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


def run(args) -> int:
    from flashsim.bundle.toy import write_toy_bundle, write_toy_gen_tree

    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        gen = Path(args.input) if args.input else write_toy_gen_tree(tmp / "gen.root", args.events)
        bundle = Path(args.bundle) if args.bundle else write_toy_bundle(tmp / "bundle")
        threads = [int(t) for t in args.threads.split(",")]
        print(f"flashsim bench: simulate, input {gen if args.input else f'synthetic ({args.events} events)'}, "
              f"bundle {bundle if args.bundle else 'toy'}", file=sys.stderr)
        if args.dask_local is not None:
            _print_dask(bench_dask(gen, bundle, args.dask_local))
            return 0
        rows = bench_simulate(gen, bundle, threads)
    base = {row[1]: row[4] for row in rows if row[0] == threads[0]}
    print(f"{'threads':>7}  {'ode':<34} {'jit s':>6} {'events':>7} {'events/s':>9} {'obj/ev':>7} "
          f"{'ORT share':>9} {'ORT calls/ev':>12} {'x vs ' + str(threads[0]) + ' thr':>10}")
    for n, label, jit, events, rate, per_event, share, calls in rows:
        print(f"{n:>7}  {label:<34} {jit:6.2f} {events:7d} {rate:9.0f} {per_event:7.2f} {share:9.0%} {calls:12.1f} "
              f"{rate / base[label]:10.2f}")
    return 0
