"""``flashsim reference gen.root -o full.root [--seed S]``: the reference detector (``flashsim
fullsim``, its old name, is a deprecated alias)."""

HELP = "reference detector: gen-level file -> NanoAOD reco collections (the training truth)"

__all__ = ["HELP", "add_arguments", "run"]


def add_arguments(parser) -> None:
    parser.add_argument("input", help="gen-level ROOT file (tree Events, NanoAOD naming)")
    parser.add_argument("-o", "--output", required=True, help="output ROOT file")
    parser.add_argument("--seed", type=int,
                        help="detector seed (default: derived from the input's generator provenance, one seed per "
                             "sample; required for an input without one)")
    parser.add_argument("--chunk-size", type=int, default=10_000,
                        help="events per chunk; memory grows with it (default 10000)")
    parser.add_argument("--max-events", type=int, default=None, help="stop after N events")
    parser.add_argument("--quiet", action="store_true", help="no progress bar")


def run(args) -> int:
    from flashsim.refsim.process_file import reference_detector

    info = reference_detector(args.input, args.output, seed=args.seed, chunk_size=args.chunk_size,
                   max_events=args.max_events, progress=not args.quiet)
    print(f"reference: {info['events']} events -> {args.output} in {info['seconds']:.1f} s "
          f"(parameter hash {info['parameter_hash'][:12]}, seed {info['seed']})")
    return 0
