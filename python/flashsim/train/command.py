"""``flashsim train``: NanoAOD files (gen + reco) -> a model bundle."""

import sys

HELP = "train a model bundle on NanoAOD files with gen and reco collections"

__all__ = ["HELP", "add_arguments", "run"]


def add_arguments(parser):
    parser.add_argument("inputs", nargs="+", help="NanoAOD files (tree Events) with gen and reco collections")
    parser.add_argument("-o", "--output", required=True, help="bundle directory to write")
    parser.add_argument("--config", help="training config JSON (sizes, epochs, rows, collections, seed)")
    parser.add_argument("--collections", help="comma-separated collections (overrides the config)")
    parser.add_argument("--smoke", action="store_true",
                        help="tiny networks, a few optimiser steps each: a whole bundle in a minute or two (a first "
                             "try on one's own file, tests); not a usable bundle")
    parser.add_argument("--quiet", action="store_true", help="no progress bars")


def run(args) -> int:
    from flashsim.train.config import load_config, smoke_config
    from flashsim.train.pipeline import train_bundle

    config = load_config(args.config)
    if args.smoke:
        config = smoke_config(config)
    if args.collections:
        config.collections = [c.strip() for c in args.collections.split(",") if c.strip()]
    if args.quiet:
        config.progress = False
    command = getattr(args, "_command_line", None)  # set by flashsim.cli.main
    manifest = train_bundle(args.inputs, args.output, config, command=command, log=_quiet_log if args.quiet else print)
    print(f"flashsim train: wrote {args.output} ({sum(len(c['sources']) for c in manifest['collections'])} sources, "
          f"{manifest['provenance']['training_seconds']} s)")
    return 0


def _quiet_log(line):
    """--quiet: the notices only (sources left out), on stderr."""
    if line.startswith("notice:"):
        print(f"flashsim train: {line}", file=sys.stderr)
