"""``flashsim extract``: NanoAOD files -> training tables per source (NumPy .npz files)."""

import sys

HELP = "extract training tables (efficiency and properties per collection and source) from NanoAOD files"

__all__ = ["HELP", "add_arguments", "run"]


def add_arguments(parser):
    parser.add_argument("inputs", nargs="+", help="NanoAOD files (tree Events) with gen and reco collections")
    parser.add_argument("-o", "--output", required=True, help="directory for one <Collection>_<Source>.npz per source")
    parser.add_argument("--collections", help="comma-separated collections (default: all of the catalogue)")
    parser.add_argument("--max-events", type=int, help="read at most this many events")


def run(args) -> int:
    from pathlib import Path

    import numpy as np

    from flashsim import catalogue
    from flashsim.errors import InputError
    from flashsim.extract import extract, left_out_lines

    collections = [c.strip() for c in args.collections.split(",")] if args.collections else None
    skipped: dict = {}
    tables = extract(args.inputs, catalogue.sources(collections), max_events=args.max_events, skipped=skipped)
    if not tables:  # one line, not one per source
        first = next(iter(skipped.items()), ("", ""))
        raise InputError(f"{', '.join(args.inputs)}: no source of the catalogue can be extracted; all "
                         f"{len(skipped)} were left out (e.g. {first[0]}: {first[1]})")
    for line in left_out_lines(skipped):
        print(f"flashsim extract: notice: {line}", file=sys.stderr)
    out = Path(args.output)
    out.mkdir(parents=True, exist_ok=True)
    for key, t in tables.items():
        arrays = {f"properties/{k}": v for k, v in t.properties.columns.items()}
        arrays.update({f"properties/target/{k}": v for k, v in t.properties.targets.items()})
        arrays["properties/event"] = t.properties.event
        if t.efficiency is not None:
            arrays.update({f"efficiency/{k}": v for k, v in t.efficiency.columns.items()})
            arrays["efficiency/label"] = t.efficiency.label
            arrays["efficiency/event"] = t.efficiency.event
        np.savez_compressed(out / f"{key}.npz", **arrays)
        n_eff = len(t.efficiency) if t.efficiency is not None else 0
        print(f"{key}: {n_eff} efficiency rows, {len(t.properties)} property rows")
    return 0
