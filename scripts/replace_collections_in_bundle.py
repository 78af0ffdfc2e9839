"""Replaces some collections of a bundle by those of a bundle trained on the same files with
``flashsim train --collections`` (a retrain of a few collections after a catalogue change, without
retraining the others).

Both bundles must come from the same training files and config (the collections aside). Each named
collection's manifest entry is replaced in place (the collection order stays), its old network
files are removed and the new ones copied, its sources' provenance (catalogue decisions, training,
parity, reference outputs) replaced, and the derived columns its sources read added when missing.
A provenance edit records what was replaced and why.

    PYTHONPATH= .venv/bin/python scripts/replace_collections_in_bundle.py python/flashsim/bundle/default \
        work_default_bundle/tau_bundle --collections Tau --why "..."
"""

import argparse
import datetime
import shutil
import sys
from pathlib import Path

PER_SOURCE = ("catalogue", "training")       # provenance keyed by "<collection>_<source>"
PER_MODEL = ("parity", "parity_float32_rounding", "reference_outputs")  # keyed by network file


def _models(collection: dict) -> list:
    """The network files a collection's sources read."""
    from flashsim.bundle.reference_outputs import network_files

    return network_files({"collections": [collection]})


def _config_differences(a: dict, b: dict) -> list:
    """The config keys (collections aside) in which two training configs differ."""
    keys = (set(a) | set(b)) - {"collections"}
    return sorted(k for k in keys if a.get(k) != b.get(k))


def replace_collections(bundle: Path, partial: Path, names: list, why: str) -> list:
    from flashsim.bundle.manifest import read_manifest, write_manifest

    target, source = read_manifest(bundle), read_manifest(partial)
    given = sorted(s["file"] for s in source["provenance"]["samples"])
    trained = sorted(s["file"] for s in target["provenance"]["samples"])
    if given != trained:
        sys.exit(f"{partial} was trained on {given}, {bundle} on {trained}: not the same files")
    differ = _config_differences(target["provenance"]["config"], source["provenance"]["config"])
    if differ:
        sys.exit(f"{partial} and {bundle} were trained with different configs ({', '.join(differ)})")
    new = {c["name"]: c for c in source["collections"]}
    old = {c["name"]: c for c in target["collections"]}
    for name in names:
        if name not in new:
            sys.exit(f"{partial} has no collection {name} (it has {', '.join(new)})")
        if name not in old:
            sys.exit(f"{bundle} has no collection {name} to replace (it has {', '.join(old)})")
    prov, new_prov = target["provenance"], source["provenance"]
    done = []
    for name in names:
        for model in _models(old[name]):
            (bundle / model).unlink(missing_ok=True)
            for key in PER_MODEL:
                prov.get(key, {}).pop(model, None)
        for s in old[name]["sources"]:
            for key in PER_SOURCE:
                prov.get(key, {}).pop(f"{name}_{s['name']}", None)
        for model in _models(new[name]):
            shutil.copy2(partial / model, bundle / model)
            for key in PER_MODEL:
                if model in new_prov.get(key, {}):
                    prov.setdefault(key, {})[model] = new_prov[key][model]
        for s in new[name]["sources"]:
            for key in PER_SOURCE:
                if f"{name}_{s['name']}" in new_prov.get(key, {}):
                    prov.setdefault(key, {})[f"{name}_{s['name']}"] = new_prov[key][f"{name}_{s['name']}"]
        target["collections"] = [new[name] if c["name"] == name else c for c in target["collections"]]
        done.append(f"{name} ({', '.join(s['name'] for s in new[name]['sources'])})")
    have = {d["column"] for d in target.get("derived", [])}
    for d in source.get("derived", []):
        if d["column"] not in have:
            target.setdefault("derived", []).append(d)
            have.add(d["column"])
    seconds = sum(part.get("seconds", 0.0) for name in names for s in new[name]["sources"]
                  for part in new_prov.get("training", {}).get(f"{name}_{s['name']}", {}).values()
                  if isinstance(part, dict))
    prov.setdefault("edits", []).append(
        f"{datetime.date.today().isoformat()}: {', '.join(done)} retrained alone on the same files and config "
        f"({new_prov.get('command', 'flashsim train --collections')}; {seconds:.0f} s of training) and put in "
        f"place of the bundle's own: {why}")
    write_manifest(bundle, target)
    return done


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("bundle", type=Path, help="the bundle to change")
    parser.add_argument("partial", type=Path, help="the bundle trained with flashsim train --collections")
    parser.add_argument("--collections", required=True, help="comma-separated collections to replace")
    parser.add_argument("--why", required=True, help="what changed, for the provenance edit")
    args = parser.parse_args(argv)
    done = replace_collections(args.bundle, args.partial, args.collections.split(","), args.why)
    print(f"{args.bundle}: replaced {'; '.join(done)}")


if __name__ == "__main__":
    main()
