"""One call from NanoAOD files to a bundle: extract, fit, train, export (``flashsim train``)."""

import json
import platform
import time
from pathlib import Path

from flashsim.errors import InputError, ModelError

__all__ = ["file_metadata", "train_bundle"]



def _computable(postprocess, fitted) -> list:
    """The cross-references the trained bundle can compute: their collections simulated, and every branch of
    those collections they read written by the simulation (Photon_electronIdx reads Photon_genPartIdx, which
    only a matched Photon source writes; a bundle whose matched photons were left out must not read the
    input's)."""
    from flashsim.rdf.operations import define

    collections = {f.spec.collection for f in fitted}
    written = {f"n{c}" for c in collections}
    for f in fitted:
        s = f.spec
        written |= {f"{s.collection}_{b.branch}" for b in (*s.targets, *s.copies)}
        if s.index_branch and s.kind == "matched":
            written.add(f"{s.collection}_{s.index_branch}")
    out = []
    for entry in postprocess:
        if not set(entry["requires"]) <= collections:
            continue
        reads = [c for c in define(entry)[1] if c.split("_")[0] in collections or c[1:] in collections]
        if all(c in written for c in reads):  # in order: Jet_nMuons reads Muon_jetIdx, computed before it
            out.append(entry)
            written.add(entry["column"])
    return out

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


def _fit_one(spec, tables, config, seed):
    """(FittedSource or the SparseSourceError, seconds): one source, in this process or a worker."""
    from flashsim.train.fit import SparseSourceError, fit_source

    start = time.perf_counter()
    try:
        outcome = fit_source(spec, tables, config, seed=seed)
    except SparseSourceError as err:
        outcome = err
    return outcome, time.perf_counter() - start


def _fit_sources(sources, tables, config):
    """Yields (spec, FittedSource or SparseSourceError, seconds) as the sources finish (in
    catalogue order with one job).

    With ``config.jobs`` > 1 the sources are trained in that many worker processes (spawned:
    the parent has run ROOT), the largest first, each with its share of ``config.threads``;
    every source has its own seed, so the networks do not depend on ``jobs``.
    """
    seeds = [config.seed * 1000 + i for i in range(len(sources))]
    if config.jobs <= 1:
        for spec, seed in zip(sources, seeds, strict=True):
            yield spec, *_fit_one(spec, tables[spec.key], config, seed)
        return
    import dataclasses
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor, as_completed

    threads = max(1, (config.threads or config.jobs) // config.jobs)
    worker_config = dataclasses.replace(config, threads=threads, progress=False)
    size = {s.key: len(tables[s.key].properties) * len(s.targets) for s in sources}
    with ProcessPoolExecutor(config.jobs, mp_context=multiprocessing.get_context("spawn")) as pool:
        futures = {pool.submit(_fit_one, sources[i], tables[sources[i].key], worker_config, seeds[i]): i
                   for i in sorted(range(len(sources)), key=lambda i: -size[sources[i].key])}
        for future in as_completed(futures):
            yield sources[futures[future]], *future.result()


def train_bundle(inputs, output, config, command=None, log=print) -> dict:
    """Trains every catalogue source of ``config.collections`` on ``inputs`` and writes the bundle.

    Returns the manifest written to <output>/bundle.json.
    """
    from flashsim import catalogue
    from flashsim._version import __version__
    from flashsim.extract import extract, left_out_lines
    from flashsim.train.bundle_writer import export_bundle
    from flashsim.train.fit import SparseSourceError, check_flow_options

    inputs = [Path(p) for p in inputs]
    if not inputs:
        raise InputError("no input files to train on")
    sources = catalogue.sources(config.collections)
    for name, steps in config.transforms.items():  # the user's overrides of the catalogue's rules
        for spec in sources:
            if name.startswith(f"{spec.collection}_"):
                spec.overrides[name[len(spec.collection) + 1:]] = [dict(x) for x in steps]
    known = [s.key for s in catalogue.sources()]
    unknown = set(config.sources) - set(known)
    if unknown:
        raise InputError(f"training config: sources {sorted(unknown)} are not in the catalogue; expected some of "
                         f"{known}")
    for spec in sources:  # what does not depend on the files' branches: before anything is read
        check_flow_options(spec, config, targets=False)
    from flashsim.nanoaod.input_files import check_event_files

    check_event_files(inputs, "flashsim train", rntuple=True)  # unreadable, truncated, no Events, schema changes
    samples = [file_metadata(p) for p in inputs]
    hashes = {s.get("flashsim_refsim", {}).get("parameter_hash") for s in samples if isinstance(
        s.get("flashsim_refsim"), dict)}
    if len(hashes) > 1:
        raise InputError(f"the inputs come from different reference-detector parameters {sorted(hashes)}; "
                         "regenerate them with one version")
    start = time.perf_counter()
    # a source whose branches the files lack, or with no object at all, is left out with one line
    left_out: dict = {}
    postprocess: list = []  # the cross-references and sums the files have (catalogue.follow)
    tables = extract(inputs, sources, max_events=config.max_events, skipped=left_out, postprocess=postprocess)
    for line in left_out_lines(left_out):
        log(f"notice: {line}")
    if not tables:
        raise InputError(f"{', '.join(map(str, inputs))}: nothing to train: every source was left out "
                         f"({'; '.join(f'{k}: {v}' for k, v in list(left_out.items())[:4])}"
                         f"{' ...' if len(left_out) > 4 else ''})")
    sources = [s for s in sources if s.key in tables]
    for spec in sources:  # the targets are known now (the files' branches): the target weights
        check_flow_options(spec, config)
    log(f"extracted {len(sources)} sources from {len(inputs)} files in {time.perf_counter() - start:.1f} s")
    fitted = []
    for spec, outcome, seconds in _fit_sources(sources, tables, config):
        if isinstance(outcome, SparseSourceError):
            if not config.leave_out_sparse:
                raise outcome
            left_out[spec.key] = str(outcome)
            log(f"notice: {spec.key}: left out ({outcome})")
            continue
        fitted.append(outcome)
        rep = outcome.report
        log(f"{spec.key}: efficiency {rep.get('efficiency', {}).get('rows', '-')} rows, "
            f"velocity field {rep['velocity_field']['rows']} rows, "
            f"labels {rep.get('labels', {}).get('classes', '-')} classes, {seconds:.1f} s")
    order = {key: i for i, key in enumerate(known)}
    fitted.sort(key=lambda f: order[f.spec.key])  # the bundle lists the sources in catalogue order
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
        "left_out": dict(sorted(left_out.items(), key=lambda kv: order[kv[0]])),
        # what the training values decided: transforms adapted, flavours copied or learnt
        "catalogue": {f.spec.key: dict(f.spec.decisions) for f in fitted if f.spec.decisions},
    }
    arguments = {"derived": catalogue.derived_columns(used), "postprocess": _computable(postprocess, fitted),
                 "ode": config.ode, "provenance": provenance, "name": config.name}
    try:
        manifest = export_bundle(output, fitted, **arguments)
    except ModelError as err:  # a failed parity check: keep the trained networks, they cost an hour
        import torch

        kept = Path(output).parent / f"{Path(output).name}.fitted.pt"
        torch.save({"fitted": fitted, "used": used, "collections": collections, "export_bundle": arguments}, kept)
        raise ModelError(f"{err}; the trained sources are kept in {kept} (k = torch.load(...); "
                         "flashsim.train.bundle_writer.export_bundle(directory, k['fitted'], **k['export_bundle']))"
                         ) from None
    manifest["provenance"]["training_seconds"] = round(time.perf_counter() - start, 1)
    from flashsim.bundle import write_manifest

    manifest.pop("format_version", None)
    write_manifest(output, manifest)
    return manifest
