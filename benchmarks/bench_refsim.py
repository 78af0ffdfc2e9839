"""Reference-detector throughput and memory (a benchmark, not a test).

    PYTHONPATH=python python benchmarks/bench_refsim.py [--gen ttbar.root] [--events 3000]
        [--replicate 10] [--sizes 5000,20000,60000]

Makes (or takes) a ttbar gen file, replicates it with new event numbers to reach a large
sample, and runs ``reference_detector`` pinned to one core in a fresh process per size: prints events/s
(whole job: read, detector, write) and the peak resident memory, which must not grow with the
number of events (the work is chunked).
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

_CHILD = r"""
import json, os, resource, sys, time
os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
from flashsim.refsim import reference_detector
src, dst, n, chunk = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
t0 = time.perf_counter()
info = reference_detector(src, dst, seed=1, max_events=n, chunk_size=chunk)
dt = time.perf_counter() - t0
print(json.dumps({"events": info["events"], "seconds": dt,
                  "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def replicate(src: str, dst: str, times: int) -> int:
    """Write ``times`` copies of src's Events (new event numbers) to dst; returns the count."""
    import awkward as ak
    import numpy as np
    import uproot

    from flashsim.nanoaod import set_counter_types
    from flashsim.refsim.writer import copy_small_tree, tree_layout

    with uproot.open(src) as fin, uproot.recreate(dst) as fout:
        tin = fin["Events"]
        scalars, collections, counter_types = tree_layout(tin)
        arrays = tin.arrays(library="ak", how=dict)
        n = tin.num_entries
        tree = None
        for k in range(times):
            data = {s: arrays[s] for s in scalars}
            data["event"] = arrays["event"] + np.uint64(k * 10_000_000)
            for coll, fields in collections.items():
                data[coll] = ak.zip({f: arrays[f"{coll}_{f}"] for f in fields})
            if tree is None:
                tree = fout.mktree("Events", {key: (v.type.content if isinstance(v, ak.Array)
                                                    else v.dtype) for key, v in data.items()})
                set_counter_types(tree, counter_types)
            tree.extend(data)
        for name in ("Runs", "LuminosityBlocks"):
            copy_small_tree(fin, fout, name)
    return n * times


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--gen", help="ttbar gen file (default: generate --events of ttbar)")
    parser.add_argument("--events", type=int, default=3000, help="ttbar events to generate")
    parser.add_argument("--replicate", type=int, default=20, help="copies of the gen file")
    parser.add_argument("--sizes", default="5000,20000,60000", help="events per run")
    parser.add_argument("--chunk-size", type=int, default=10_000)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        gen = args.gen
        if gen is None:
            from flashsim.generate import generate

            gen = os.path.join(tmp, "ttbar.root")
            generate("ttbar", args.events, seed=1, output=gen, jobs=os.cpu_count(),
                     progress=False)
        big = os.path.join(tmp, "ttbar_big.root")
        total = replicate(gen, big, args.replicate)
        print(f"input: {total} ttbar events ({args.replicate} copies of {gen})")
        print(f"{'events':>8} {'seconds':>8} {'events/s':>9} {'peak RSS [MB]':>14}")
        for n in (int(s) for s in args.sizes.split(",")):
            n = min(n, total)
            out = os.path.join(tmp, "full.root")
            res = subprocess.run([sys.executable, "-c", _CHILD, big, out, str(n),
                                  str(args.chunk_size)], capture_output=True, text=True,
                                 check=True)
            r = json.loads(res.stdout.strip().splitlines()[-1])
            print(f"{r['events']:>8} {r['seconds']:>8.2f} {r['events'] / r['seconds']:>9.0f} "
                  f"{r['peak_rss_mb']:>14.0f}")
    return 0


if __name__ == "__main__":
    t0 = time.perf_counter()
    code = main()
    print(f"(benchmark wall time {time.perf_counter() - t0:.0f} s, one core per run)")
    sys.exit(code)
