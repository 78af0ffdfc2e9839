"""Benchmark of gen-level production: events/s per process and where the time goes.

For each process, one luminosity block of N events is produced in this process (one core) and
timed in four parts: Pythia initialisation (once per block), Pythia event generation, the
extraction (flat record, GenPart truth and pruning, GenVisTau, GenMET, flavour ghosts) and the
FastJet clustering (AK4 + AK8 with ghosts, flavour). Optionally the full ``generate`` (with
writing, and --jobs) is timed too.

    PYTHONPATH=python .venv/bin/python benchmarks/bench_generate.py --events 500
    PYTHONPATH=python .venv/bin/python benchmarks/bench_generate.py --process ttbar --jobs 2
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

PROCESSES = ("ttbar", "dy", "wjets", "qcd", "vbf_hmumu", "zh_llbb")


def bench_block(process: str, events: int, seed: int) -> dict:
    from flashsim.generate.events import BlockRequest, generate_block
    from flashsim.generate.pileup import parse_pileup
    from flashsim.generate.processes import process_card
    from flashsim.generate.seeding import LumiBlock

    request = BlockRequest(process_card(process), seed, 1, LumiBlock(0, 0, events), parse_pileup("none"))
    start = time.perf_counter()
    result = generate_block(request)
    total = time.perf_counter() - start
    return {"total": total, **result.timing}


def bench_full(process: str, events: int, seed: int, jobs: int) -> float:
    """Wall time of the whole ``generate`` (workers' start, writing included), with the events
    cut into ``jobs`` luminosity blocks so that every job gets one."""
    from flashsim.generate import generate

    per_lumi = -(-events // jobs)
    with tempfile.TemporaryDirectory() as folder:
        start = time.perf_counter()
        generate(
            process, events, seed, Path(folder) / "bench.root", jobs=jobs, progress=False, events_per_lumi=per_lumi
        )
        return time.perf_counter() - start


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--process", nargs="*", default=list(PROCESSES), choices=PROCESSES)
    parser.add_argument("--events", type=int, default=500, help="events per process (one block)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--jobs", type=int, default=0, help="also time generate() with J jobs")
    args = parser.parse_args(argv)

    # Warm the imports so that the first process does not pay for them.
    import awkward  # noqa: F401
    import fastjet  # noqa: F401
    import pythia8mc  # noqa: F401

    print(f"one block of {args.events} events per process, one core", file=sys.stderr)
    header = (
        f"{'process':<10} {'ev/s':>7} {'ev/s gen':>9} | {'init s':>6} {'pythia':>7} "
        f"{'extract':>7} {'cluster':>7} | {'pythia %':>8} {'extract %':>9} {'cluster %':>9}"
    )
    if args.jobs:
        header += f" | {'ev/s generate(jobs=' + str(args.jobs) + ')':>24}"
    print(header)
    for process in args.process:
        t = bench_block(process, args.events, args.seed)
        work = t["pythia_init"] + t["pythia"] + t["extraction"] + t["clustering"]
        line = (
            f"{process:<10} {args.events / t['total']:7.1f} {args.events / t['pythia']:9.1f} | "
            f"{t['pythia_init']:6.2f} {t['pythia']:7.2f} {t['extraction']:7.2f} "
            f"{t['clustering']:7.2f} | {100 * (t['pythia_init'] + t['pythia']) / work:7.1f}% "
            f"{100 * t['extraction'] / work:8.1f}% {100 * t['clustering'] / work:8.1f}%"
        )
        if args.jobs:
            full = bench_full(process, args.events, args.seed, args.jobs)
            line += f" | {args.events / full:24.1f}"
        print(line, flush=True)
    print(
        "ev/s: whole block (init + Pythia + extraction + clustering); ev/s gen: Pythia's event generation alone",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
