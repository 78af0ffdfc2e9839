"""``flashsim simulate gen.root -o nano.root``: the main job, a gen-level file to NanoAOD.

Standard library imports only at the top, so ``flashsim --help`` never starts ROOT.
"""

import argparse
import sys

__all__ = ["HELP", "add_arguments", "run"]

HELP = "simulate the reco collections of a bundle on a gen-level file -> NanoAOD (RDataFrame, C++)"

from flashsim.ode.options import METHODS as _METHODS  # noqa: E402  (no heavy import: the ODE checks only)


def _collections(text: str) -> list[str]:
    names = [name.strip() for name in text.split(",") if name.strip()]
    if not names:
        raise argparse.ArgumentTypeError("expected a comma-separated list such as Jet,Muon")
    return names


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("inputs", nargs="+", metavar="gen.root", help="gen-level ROOT file(s), tree Events")
    parser.add_argument("-o", "--output", required=True, help="output NanoAOD file (written atomically)")
    parser.add_argument("--bundle", help="model bundle directory (default: the bundle shipped with the package)")
    parser.add_argument("--threads", "-t", type=int,
                        help="RDataFrame threads; 1 keeps the input order, 0 uses all cores (default 1)")
    parser.add_argument("--seed", type=int,
                        help="simulation seed (default: derived from the inputs' generator provenance, one seed "
                             "per sample; required for inputs without one)")
    parser.add_argument("--oversample", "-k", type=int, default=1,
                        help="K independent reco realisations per gen event, weight 1/K (default 1)")
    parser.add_argument("--collections", type=_collections, help="only these collections, e.g. Jet,Muon")
    ode = parser.add_argument_group("ODE solver (default: the bundle's settings)")
    ode.add_argument("--ode-method", choices=_METHODS,
                     help="integration method; distilled: the bundle's few-step networks (velocity_field.distilled)")
    ode.add_argument("--ode-steps", type=int, help="steps of euler, midpoint, rk4")
    ode.add_argument("--rtol", type=float, help="relative tolerance of dopri5")
    ode.add_argument("--atol", type=float, help="absolute tolerance of dopri5")
    parser.add_argument("--bad-gen", choices=("stop", "skip"), default="stop",
                        help="a gen object with a NaN/inf value or a negative pt, mass or energy: stop with an error "
                             "naming it (default), or skip it (left out of the simulation, counted)")
    parser.add_argument("--replace-reco", action="store_true",
                        help="re-simulate a full-simulation NanoAOD file: keep its generator-level branches (Gen*, "
                             "LHE*, Generator_*, Pileup_*, genWeight, run/luminosityBlock/event, ...), drop every "
                             "reco branch, simulate; then `flashsim validate` compares with the file itself")
    parser.add_argument("--allow-bundle-code", action="store_true",
                        help="also read a bundle of manifest format 1, whose derived columns, cross-references and "
                             "selections are C++ text that is compiled and run here: a trust decision, only for a "
                             "bundle whose author you trust (format 2 bundles are data)")
    parser.add_argument("--format", choices=("ttree", "rntuple"), default="ttree",
                        help="output Events/Runs/LuminosityBlocks as TTrees (default, NanoAOD today) or RNTuples")
    parser.add_argument("--batch-events", type=int, metavar="B",
                        help="cross-event batching: each thread simulates B events at once, one network call per "
                             "ODE stage for all their objects (default 256; the output is bit-identical for every "
                             "B); 1: one event at a time")
    parser.add_argument("--device", choices=("cpu", "cuda"), default="cpu", help="ONNX Runtime device (default cpu)")
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")
    dask = parser.add_argument_group("distributed RDataFrame on Dask (inputs and output folder seen by every worker)")
    where = dask.add_mutually_exclusive_group()
    where.add_argument("--dask", metavar="SCHEDULER_ADDRESS", help="run on the Dask cluster of this scheduler")
    where.add_argument("--dask-local", type=int, metavar="N", help="run on a local Dask cluster of N worker processes")


def ode_options(args, bundle_ode: dict) -> dict | None:
    """The --ode-* options as a ``simulate(ode=...)`` dict (None: the bundle's settings), checked
    against the method they apply to."""
    from flashsim.errors import InputError
    from flashsim.ode import check_ode_options

    given = {k: v for k, v in (("method", args.ode_method), ("steps", args.ode_steps), ("rtol", args.rtol),
                                ("atol", args.atol)) if v is not None}
    if not given:
        return None
    method = given.get("method", bundle_ode.get("method", "midpoint"))
    adaptive = method == "dopri5"
    if method == "distilled":
        if set(given) - {"method"}:
            raise InputError("--ode-method distilled runs each source's few-step network at the steps it was distilled "
                             "for; it takes no --ode-steps, --rtol or --atol")
        return check_ode_options({"method": method})
    if adaptive and "steps" in given:
        raise InputError("--ode-steps applies to euler, midpoint and rk4; dopri5 takes --rtol/--atol")
    if not adaptive and ({"rtol", "atol"} & set(given)):
        raise InputError(f"--rtol/--atol apply to dopri5, not to {method} (use --ode-steps)")
    settings = {"method": method}
    for key in (("rtol", "atol") if adaptive else ("steps",)):
        value = given.get(key, bundle_ode.get(key))
        if value is not None:
            settings[key] = value
    return check_ode_options(settings)


def run(args) -> int:
    from contextlib import nullcontext
    from pathlib import Path

    from flashsim.bundle import default_bundle, read_manifest
    from flashsim.errors import InputError
    from flashsim.rdf.nanoaod_file import simulate_file

    bundle = Path(args.bundle) if args.bundle else default_bundle()
    ode = ode_options(args, read_manifest(bundle).get("ode", {}))
    distributed = args.dask is not None or args.dask_local is not None
    if distributed and args.threads is not None:
        raise InputError("--threads applies to one process; on Dask the workers set the parallelism")
    if distributed:
        from flashsim.rdf.dask_cluster import dask_client

        cluster = dask_client(args.dask, args.dask_local)
    else:
        cluster = nullcontext()
    with cluster as executor:
        summary = simulate_file(args.inputs, args.output, bundle, seed=args.seed,
                                threads=1 if args.threads is None else args.threads, oversample=args.oversample,
                                ode=ode, collections=args.collections, progress=not args.no_progress,
                                device=args.device, executor=executor, output_format=args.format,
                                bad_gen=args.bad_gen, replace_reco=args.replace_reco, batch_events=args.batch_events,
                                allow_bundle_code=args.allow_bundle_code)
    copies = f" x {summary.oversample} copies = {summary.entries} entries" if summary.oversample > 1 else ""
    where = f"{summary.workers} Dask worker(s)" if summary.workers else f"{summary.threads or 'all'} thread(s)"
    skipped = (f"; left out {sum(summary.skipped_gen.values())} gen candidates with bad values ("
               + ", ".join(f"{k} {v}" for k, v in summary.skipped_gen.items() if v) + ")"
               if sum(summary.skipped_gen.values()) else "")
    for notice in summary.notices:
        print(f"flashsim simulate: notice: {notice}", file=sys.stderr)
    print(f"flashsim simulate: {summary.events} events{copies} -> {summary.output} in {summary.seconds:.2f} s "
          f"({summary.events_per_second:.1f} events/s, {where}, seed {summary.seed}){skipped}")
    sys.stdout.flush()
    return 0
