"""Converts a bundle manifest of format 1 (derived columns, cross-references and selections as C++
text) to format 2 (named operations of the library and cuts), in place.

Every derived or postprocess column must be one the catalogue knows (flashsim.catalogue): its
entry there replaces the C++ text, after both are evaluated on the events of ``--check-on`` (a
reference-detector file with gen and reco collections) and found equal, value for value; every
selection must parse in the cut grammar. Nothing else of the manifest changes (no network is
touched); the conversion is recorded in provenance.edits.

    python scripts/upgrade_bundle_format.py BUNDLE_DIR --check-on full_ttbar_201.root [--events 2000]
"""

import argparse
import datetime
import json
import sys
from pathlib import Path

import numpy as np


def _catalogue_entries():
    from flashsim import catalogue

    return {e["column"]: e for e in catalogue.DERIVED + catalogue.postprocess(catalogue.COLLECTIONS)}


def _equal_on(ROOT, check_on, events, pairs):
    """Defines old and new expressions of every (column, old, new) on the events and compares them."""
    import uproot

    df = ROOT.RDataFrame("Events", str(check_on)).Range(events)
    names = []
    for column, old, new, derived in pairs:  # derived columns feed later ones: the new under the real name
        name = column if derived else f"_new_{column}"  # the file has the cross-references already
        df = df.Define(f"_old_{column}", old).Define(name, new)
        names += [f"_old_{column}", name]
    tmp = Path(check_on).with_name(f".upgrade_check_{Path(check_on).stem}.root")
    df.Snapshot("Events", str(tmp), names)
    try:
        with uproot.open(tmp) as f:
            arrays = f["Events"].arrays(names, library="np")
    finally:
        tmp.unlink()
    bad = []
    for column, _, _, derived in pairs:
        old, new = arrays[f"_old_{column}"], arrays[column if derived else f"_new_{column}"]
        if old.dtype == object:
            same = all(np.array_equal(a, b) for a, b in zip(old, new, strict=True))
        else:
            same = np.array_equal(old, new)
        if not same:
            bad.append(column)
    return bad


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("bundle")
    parser.add_argument("--check-on", required=True, help="a file with the gen and reco collections the entries read")
    parser.add_argument("--events", type=int, default=2000)
    args = parser.parse_args(argv)

    from flashsim.bundle import FORMAT_VERSION
    from flashsim.rdf import load
    from flashsim.rdf.operations import cut, define

    path = Path(args.bundle) / "bundle.json"
    manifest = json.loads(path.read_text())
    if manifest.get("format_version") != 1:
        print(f"{path}: format_version is {manifest.get('format_version')}, not 1: nothing to do", file=sys.stderr)
        return 1
    known = _catalogue_entries()
    pairs, converted = [], {}
    for key in ("derived", "postprocess"):
        converted[key] = []
        for entry in manifest.get(key, []):
            column = entry["column"]
            if column not in known:
                print(f"{path}: {key} column {column!r} is not in the catalogue: convert it by hand", file=sys.stderr)
                return 1
            new = {k: v for k, v in known[column].items()}
            if "requires" in entry:
                new["requires"] = entry["requires"]
            pairs.append((column, entry["expression"], define(new)[0], key == "derived"))
            converted[key].append(new)
    ROOT = load()
    ROOT.gInterpreter.Declare('#include "flashsim/rdf/Simulate.hxx"')
    bad = _equal_on(ROOT, args.check_on, args.events, pairs)
    if bad:
        print(f"{path}: the catalogue's operations differ from the manifest's C++ on {args.check_on}: {bad}",
              file=sys.stderr)
        return 1
    for c, collection in enumerate(manifest["collections"]):
        for s, source in enumerate(collection["sources"]):
            if "select" in source:
                cut(source["select"], f"collections[{c}].sources[{s}].select")
    manifest.update(converted)
    manifest["format_version"] = FORMAT_VERSION
    edits = manifest.setdefault("provenance", {}).setdefault("edits", [])
    edits.append({"date": datetime.date.today().isoformat(), "by": "scripts/upgrade_bundle_format.py",
                  "what": f"manifest format 1 -> {FORMAT_VERSION}: {len(pairs)} derived/postprocess columns as named "
                          f"operations (equal to the C++ text on {args.events} events of {Path(args.check_on).name}), "
                          "selections in the cut grammar; no network changed"})
    path.write_text(json.dumps(manifest, indent=2) + "\n")
    print(f"{path}: format {FORMAT_VERSION}, {len(pairs)} columns checked equal on {args.events} events")
    return 0


if __name__ == "__main__":
    sys.exit(main())
