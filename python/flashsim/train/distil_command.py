"""``flashsim distil``: few-step students for the velocity fields of a trained bundle."""

HELP = "add few-step (distilled) velocity networks to a trained bundle, run by --ode-method distilled"

__all__ = ["HELP", "add_arguments", "run"]


def add_arguments(parser):
    parser.add_argument("bundle", help="the trained bundle directory")
    parser.add_argument("inputs", nargs="+", help="the NanoAOD files the bundle was trained on")
    parser.add_argument("-o", "--output", required=True,
                        help="bundle directory to write (a copy with the students); the bundle itself adds them "
                             "in place")
    parser.add_argument("--config", help="distillation settings JSON (flashsim.models.distillation.DistillationConfig)")
    parser.add_argument("--method", choices=("trajectory", "reflow"), help="distillation method (default trajectory)")
    parser.add_argument("--steps", type=int, help="the students' Euler steps (default 4)")
    parser.add_argument("--collections", help="comma-separated collections (default: all of the bundle)")
    parser.add_argument("--seed", type=int, default=1, help="seed of the noise and the training (default 1)")
    parser.add_argument("--threads", type=int, help="PyTorch threads (shared among the --jobs)")
    parser.add_argument("--jobs", type=int, default=1,
                        help="sources distilled at once in worker processes (default 1; the students do not depend "
                             "on it)")
    parser.add_argument("--make-default", action="store_true",
                        help="the bundle's ODE method becomes distilled (the students run unless --ode-method says "
                             "otherwise)")


def run(args) -> int:
    from flashsim.train.distil_bundle import distil_bundle, settings_from

    collections = [c.strip() for c in args.collections.split(",") if c.strip()] if args.collections else None
    command = getattr(args, "_command_line", None)  # set by flashsim.cli.main
    manifest = distil_bundle(args.bundle, args.inputs, args.output, settings_from(args.config, args.method, args.steps),
                             seed=args.seed, threads=args.threads, collections=collections, command=command,
                             make_default=args.make_default, jobs=args.jobs)
    run = manifest["provenance"]["distillation"]
    now = sum(len(c["sources"]) for c in manifest["collections"] if not collections or c["name"] in collections)
    print(f"flashsim distil: wrote {args.output} ({now} students distilled now, {len(run['sources'])} in all, "
          f"{run['seconds']} s)")
    return 0
