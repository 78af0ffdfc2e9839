"""Adds catalogue rules found in the training files to a bundle trained before them: the detector-acceptance
rules (``--rule acceptance``, flashsim.catalogue.acceptance; default bundle v9), the reco thresholds
(``--rule floor``, flashsim.catalogue.floors; default bundle v13) or the sources' efficiency edges
(``--rule efficiency_edge``, flashsim.catalogue.efficiency_edges; default bundle v13).

The rules change no network: they are found in the training files' values, as `flashsim train`
now does, and applied by the simulation. This re-reads the training files with the bundle's own config
(the catalogue's extraction, which settles every rule) and writes each collection's rules of the chosen
kind into its manifest, with a provenance edit.

    PYTHONPATH= .venv/bin/python scripts/add_rules_to_bundle.py --rule floor python/flashsim/bundle/default \
        work_default_bundle/big_full_ttbar_111.root ...   # the files of the bundle's provenance command
"""

import argparse
import datetime
import sys
from pathlib import Path


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rule", choices=("acceptance", "floor", "efficiency_edge"), required=True,
                        help="which rules to add")
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
    if args.rule == "efficiency_edge":  # a rule of each source
        for coll in manifest["collections"]:
            for s in coll["sources"]:
                key = f"{coll['name']}_{s['name']}"
                spec = next(x for x in sources if x.key == key)
                if spec.efficiency_edge:
                    s["efficiency_edge"] = dict(spec.efficiency_edge)
                    manifest["provenance"]["catalogue"].setdefault(key, {})["efficiency edge"] = \
                        spec.decisions["efficiency edge"]
                    added.append(f"{key}: efficiency 0 beyond |{spec.efficiency_edge['input']}| "
                                 f"{spec.efficiency_edge['abs_above']:.4g}")
                    print(added[-1])
    for coll in manifest["collections"] if args.rule != "efficiency_edge" else []:
        spec = next((s for s in sources if s.collection == coll["name"]), None)
        found = None if spec is None else getattr(spec, args.rule)
        if not found:
            continue
        coll[args.rule] = [dict(r) for r in found] if args.rule == "acceptance" else dict(found)
        suffix = f" {args.rule}"
        for s in coll["sources"]:  # the decisions, as train_bundle records them
            key = f"{coll['name']}_{s['name']}"
            decided = next(x for x in sources if x.key == key).decisions
            manifest["provenance"]["catalogue"].setdefault(key, {}).update(
                {k: v for k, v in decided.items() if k.endswith(suffix)})
        if args.rule == "acceptance":
            added.append(f"{coll['name']}: " + ", ".join(
                f"{r['branch']} = {r['value']:g} beyond |eta| {r['abs_above']:.4g}" for r in found))
        else:
            added.append(f"{coll['name']}: {found['branch']} >= {found['min']:.6g} "
                         f"(redrawn up to {found['redraws']} times)")
        print(added[-1])
    if added:
        what = {"acceptance": "acceptance rules", "floor": "reco thresholds (floor)",
                "efficiency_edge": "efficiency edges"}[args.rule]
        manifest["provenance"].setdefault("edits", []).append(
            f"{datetime.date.today()}: {what} added after training from its training files "
            f"(scripts/add_rules_to_bundle.py --rule {args.rule}; no network changed): {'; '.join(added)}")
        write_manifest(args.bundle, manifest)

if __name__ == "__main__":
    main()
