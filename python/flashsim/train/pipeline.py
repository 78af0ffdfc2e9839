"""One call from NanoAOD files to a bundle: extract, fit, train, export (``flashsim train``)."""

import json
import platform
import time
from pathlib import Path

from flashsim.errors import InputError

__all__ = ["file_metadata", "train_bundle"]


def file_metadata(path) -> dict:
    """Events and the generator / reference-detector metadata (TNamed JSON) of one input file."""
    import uproot

    out = {"file": Path(path).name}
    with uproot.open(path) as f:
        out["events"] = int(f["Events"].num_entries)
        for name in ("flashsim_generate", "flashsim_refsim"):
            if name in f:
                try:
                    out[name] = json.loads(f[name].member("fTitle"))
                    out[name].pop("card", None)  # the Pythia card text: its source and process say enough
                except (ValueError, KeyError):
                    out[name] = str(f[name].member("fTitle"))
    return out


def train_bundle(inputs, output, config, command=None, log=print) -> dict:
    """Trains every catalogue source of ``config.collections`` on ``inputs`` and writes the bundle.

    Returns the manifest written to <output>/bundle.json.
    """
    from flashsim._version import __version__
    from flashsim.extract import extract
    from flashsim.train import catalogue
    from flashsim.train.export import export_bundle
    from flashsim.train.fit import SparseSourceError, fit_source

    inputs = [Path(p) for p in inputs]
    if not inputs:
        raise InputError("no input files to train on")
    samples = [file_metadata(p) for p in inputs]
    hashes = {s.get("flashsim_refsim", {}).get("parameter_hash") for s in samples if isinstance(
        s.get("flashsim_refsim"), dict)}
    if len(hashes) > 1:
        raise InputError(f"the inputs come from different reference-detector parameters {sorted(hashes)}; "
                         "regenerate them with one version")
    start = time.perf_counter()
    sources = catalogue.sources(config.collections)
    tables = extract(inputs, sources, max_events=config.max_events)
    log(f"extracted {len(sources)} sources from {len(inputs)} files in {time.perf_counter() - start:.1f} s")
    fitted, left_out = [], {}
    for i, spec in enumerate(sources):
        t0 = time.perf_counter()
        try:
            fitted.append(fit_source(spec, tables[spec.key], config, seed=config.seed * 1000 + i))
        except SparseSourceError as err:
            if not config.leave_out_sparse:
                raise
            left_out[spec.key] = str(err)
            log(f"{spec.key}: left out ({err})")
            continue
        rep = fitted[-1].report
        log(f"{spec.key}: efficiency {rep.get('efficiency', {}).get('rows', '-')} rows, "
            f"velocity field {rep['velocity_field']['rows']} rows, {time.perf_counter() - t0:.1f} s")
    collections = list(dict.fromkeys(f.spec.collection for f in fitted))
    used = [c for f in fitted for c in f.spec.columns()]
    provenance = {
        "code_version": __version__,
        "command": command,
        "config": config.to_json(),
        "samples": samples,
        "refsim_parameter_hash": hashes.pop() if hashes else None,
        "python": platform.python_version(),
        "training_seconds": None,
        "left_out": left_out,
    }
    manifest = export_bundle(output, fitted, catalogue.derived_columns(used), catalogue.postprocess(collections),
                             config.ode, provenance, config.name)
    manifest["provenance"]["training_seconds"] = round(time.perf_counter() - start, 1)
    from flashsim.bundle import write_manifest

    manifest.pop("format_version", None)
    write_manifest(output, manifest)
    return manifest
