"""``flashsim generate``: Pythia8 + FastJet events -> NanoAOD-style gen tree (standard library
imports only at the top, so ``flashsim --help`` stays fast)."""

from __future__ import annotations

import argparse
import sys

from flashsim.generate.pileup import DEFAULT_PILEUP
from flashsim.generate.processes import PROCESSES
from flashsim.generate.production import DEFAULT_EVENTS_PER_LUMI

__all__ = ["HELP", "add_arguments", "run"]

HELP = "generate gen-level events (Pythia8 + FastJet) into a NanoAOD-style gen tree"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--process",
        help=f"built-in process: {', '.join(PROCESSES)}; with --pythia-cmnd a free label "
        "recorded in the file (default 'custom')",
    )
    parser.add_argument("--events", "-n", type=int, required=True, help="number of events (> 0)")
    parser.add_argument("--seed", type=int, required=True, help="master seed (>= 0)")
    parser.add_argument("-o", "--output", required=True, help="output ROOT file (gen.root)")
    parser.add_argument("--jobs", "-j", type=int, default=1, help="worker processes (default 1)")
    parser.add_argument("--run", type=int, default=1, help="run number (default 1)")
    parser.add_argument(
        "--events-per-lumi",
        type=int,
        default=DEFAULT_EVENTS_PER_LUMI,
        help="events per luminosity block, each block has its own seed "
        f"(default {DEFAULT_EVENTS_PER_LUMI}); changing it changes the events",
    )
    parser.add_argument("--pthat-min", type=float, help="qcd, qcd_flat: minimum pthat in GeV (default 30, 15)")
    parser.add_argument("--pthat-max", type=float, help="qcd, qcd_flat: maximum pthat in GeV (default 1000, 3000)")
    parser.add_argument("--pythia-cmnd", metavar="FILE", help="a Pythia card: beams and process come from it")
    parser.add_argument(
        "--pileup",
        default=DEFAULT_PILEUP,
        help=f"pileup profile: uniform:LOW:HIGH | fixed:MU | none (default {DEFAULT_PILEUP})",
    )
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")


def run(args: argparse.Namespace) -> int:
    from flashsim.errors import InputError
    from flashsim.generate import generate

    if args.process is None and args.pythia_cmnd is None:
        raise InputError("--process is required (or --pythia-cmnd FILE)")
    path = generate(
        process=args.process or "custom",
        events=args.events,
        seed=args.seed,
        output=args.output,
        jobs=args.jobs,
        run=args.run,
        pthat_min=args.pthat_min,
        pthat_max=args.pthat_max,
        pythia_cmnd=args.pythia_cmnd,
        progress=not args.no_progress,
        events_per_lumi=args.events_per_lumi,
        pileup=args.pileup,
    )
    print(f"flashsim generate: wrote {args.events} events to {path}", file=sys.stderr)
    return 0
