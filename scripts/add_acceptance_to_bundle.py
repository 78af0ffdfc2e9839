"""Adds the detector-acceptance rules (flashsim.catalogue.acceptance) to a bundle trained before them.

The rules change no network: they are found in the training files' values, as `flashsim train`
now does, and applied by the simulation after the merge. This re-reads the training files with the
bundle's own config and writes each collection's rules into its manifest, with a provenance edit.

    PYTHONPATH= .venv/bin/python scripts/add_acceptance_to_bundle.py python/flashsim/bundle/default \
        work_default_bundle/big_full_ttbar_111.root ...   # the files of the bundle's provenance command
"""

import argparse
import datetime
import sys
from pathlib import Path


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("bundle")
    parser.add_argument("inputs", nargs="+", help="the bundle's training files")
    args = parser.parse_args(argv)

    from flashsim import catalogue
    from flashsim.bundle.manifest import read_manifest, write_manifest
    from flashsim.extract import extract
    from flashsim.train.config import load_config

    manifest = read_manifest(args.bundle)
    trained = [s["file"] for s in manifest["provenance"]["samples"]]
    given = [Path(p).name for p in args.inputs]
    if sorted(trained) != sorted(given):
        sys.exit(f"the bundle was trained on {trained}, not {given}")
    config = load_config(manifest["provenance"]["config"])
    bundled = {c["name"]: {s["name"] for s in c["sources"]} for c in manifest["collections"]}
    sources = [s for s in catalogue.sources(config.collections) if s.name in bundled.get(s.collection, ())]
    extract(args.inputs, sources, max_events=config.max_events, skipped={}, postprocess=[])
    added = []
    for coll in manifest["collections"]:
        spec = next((s for s in sources if s.collection == coll["name"]), None)
        if spec is None or not spec.acceptance:
            continue
        coll["acceptance"] = [dict(r) for r in spec.acceptance]
        for s in coll["sources"]:  # the decisions, as train_bundle records them
            key = f"{coll['name']}_{s['name']}"
            decided = next(x for x in sources if x.key == key).decisions
            manifest["provenance"]["catalogue"].setdefault(key, {}).update(
                {k: v for k, v in decided.items() if k.endswith(" acceptance")})
        added.append(f"{coll['name']}: " + ", ".join(
            f"{r['branch']} = {r['value']:g} beyond |eta| {r['abs_above']:.4g}" for r in coll["acceptance"]))
        print(added[-1])
    if added:
        manifest["provenance"].setdefault("edits", []).append(
            f"{datetime.date.today()}: acceptance rules added after training from its training files "
            f"(scripts/add_acceptance_to_bundle.py; no network changed): {'; '.join(added)}")
        write_manifest(args.bundle, manifest)


if __name__ == "__main__":
    main()
