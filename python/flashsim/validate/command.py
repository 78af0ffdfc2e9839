"""``flashsim validate``: the validation report of FlashSim against a reference NanoAOD."""

import argparse
import sys

HELP = "compare a FlashSim NanoAOD with a reference one: HTML report (figures) + metrics.json"

__all__ = ["HELP", "add_arguments", "run"]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("nano", nargs="?", help="FlashSim NanoAOD file (A)")
    parser.add_argument("reference", nargs="?", help="reference NanoAOD file of the same gen events (B)")
    parser.add_argument("-o", "--output", required=True, help="report folder (index.html, img/, metrics.json)")
    parser.add_argument("--process", nargs=3, action="append", metavar=("NAME", "NANO", "REFERENCE"), default=[],
                        help="a process and its two files; repeat to compare several processes in one report")
    parser.add_argument("--control", metavar="REFERENCE2",
                        help="the reference's gen events through the reference detector with another seed: the "
                             "two-sample test's null, shown beside each AUC (with NANO REFERENCE)")
    parser.add_argument("--label-a", default="FlashSim", help="name of sample A in the report (default FlashSim)")
    parser.add_argument("--label-b", default="Reference", help="name of sample B in the report (default Reference)")
    parser.add_argument("--collections", nargs="+", metavar="NAME",
                        help="collections / event groups to compare (default: every one both files have)")
    parser.add_argument("--max-events", type=int, default=None, help="read at most N events per file")
    parser.add_argument("--bundle", default=None,
                        help="model bundle: its manifest says which processes were seen in training")
    parser.add_argument("--seed", type=int, default=0, help="seed of the classifier tests and null estimates")
    parser.add_argument("--no-auc", action="store_true", help="skip the classifier two-sample tests")
    parser.add_argument("--no-variable-auc", action="store_true",
                        help="skip the two-sample test of each variable alone given gen (one test per variable)")
    parser.add_argument("--no-analyses", action="store_true", help="skip the toy analyses (ROOT)")


def run(args) -> int:
    from flashsim.errors import InputError
    from flashsim.validate.report import ProcessPair, file_process, validate_processes

    pairs = [ProcessPair(*p) for p in args.process]
    if (args.nano is None) != (args.reference is None):
        raise InputError("give both NANO and REFERENCE, or neither (then --process NAME NANO REFERENCE)")
    if args.nano is not None:
        from pathlib import Path

        pairs.insert(0, ProcessPair(file_process(args.reference) or Path(args.reference).stem, args.nano,
                                    args.reference, args.control))
    elif args.control is not None:
        raise InputError("--control goes with NANO REFERENCE (the reference it is the null of)")
    if not pairs:
        raise InputError("nothing to compare: give NANO REFERENCE or --process NAME NANO REFERENCE")
    if args.max_events is not None and args.max_events < 1:
        raise InputError(f"--max-events must be >= 1, got {args.max_events}")

    def log(msg):
        print(msg, file=sys.stderr, flush=True)

    validate_processes(pairs, args.output, label_a=args.label_a, label_b=args.label_b,
                       collections=args.collections, max_events=args.max_events, bundle=args.bundle, seed=args.seed,
                       with_auc=not args.no_auc, with_analyses=not args.no_analyses,
                       with_variable_auc=not args.no_variable_auc, log=log)
    print(f"{args.output}/index.html")
    return 0
