"""Few-step students for a bundle that is already trained (``flashsim distil``).

``flashsim train`` with a ``distillation`` entry in its config makes the students beside the
networks it trains; this adds them to a bundle afterwards, from the files it was trained on (the
students learn the teacher's map on the training rows' conditioning, so those are the rows to use).
Each source's velocity field is read back from its ONNX file (the teacher), distilled, exported as
``<source>_velocity_distilled.onnx`` with its parity check and reference outputs, and named in
bundle.json (``velocity_field.distilled``); the ODE method ``distilled`` then runs it.
"""

import datetime
import json
import shutil
import time
from pathlib import Path

import numpy as np

from flashsim.errors import BundleError, InputError

__all__ = ["conditioning_rows", "distil_bundle", "make_distilled_default"]


def conditioning_rows(source: dict, properties, where: str) -> np.ndarray:
    """The velocity field's conditioning matrix [rows, c] (float32) of a manifest ``source`` on its
    extracted ``properties`` table, with the bundle's fitted conditioning transforms (gen columns read
    as float32, as the C++ reads them)."""
    from flashsim.train.fit import _matrix
    from flashsim.transforms import Transform

    for entry in source["conditioning"]:
        if entry["input"] not in properties.columns:
            raise InputError(f"{where}: the training files give no column {entry['input']!r} for the conditioning "
                             f"variable {entry['name']!r}")
    transforms = [Transform(e["transform"], f"{where} conditioning {e['name']}") for e in source["conditioning"]]
    return _matrix(transforms, properties.columns, [e["input"] for e in source["conditioning"]])


def _distil_one(teacher, cond, settings, seed, groups, threads, description):
    """(student, report, seconds): one source's student of ``teacher`` (a VelocityField), in this process
    or a worker."""
    from flashsim.models.distillation import distil

    begin = time.perf_counter()
    student, report = distil(teacher, cond, settings, seed, groups=groups, threads=threads, description=description)
    return student, report, time.perf_counter() - begin


def _distilled(jobs_in, jobs, threads):
    """Yields (key, source, (student, report, seconds)) for each (key, source, arguments) of ``jobs_in``:
    in order in this process with one job; with more, in that many spawned worker processes (the parent
    has run ROOT), the most rows first, each with its share of ``threads``. Every source has its own
    seed, so the students do not depend on ``jobs``."""
    if jobs <= 1:
        for key, source, arguments in jobs_in:
            yield key, source, _distil_one(*arguments, threads, f"{key} distillation")
        return
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor, as_completed

    share = max(1, (threads or jobs) // jobs)
    with ProcessPoolExecutor(jobs, mp_context=multiprocessing.get_context("spawn")) as pool:
        futures = {pool.submit(_distil_one, *arguments, share, f"{key} distillation"): (key, source)
                   for key, source, arguments in sorted(jobs_in, key=lambda j: -len(j[2][1]))}
        for future in as_completed(futures):
            yield *futures[future], future.result()


def distil_bundle(bundle, inputs, output, settings, seed: int = 1, threads=None, collections=None, command=None,
                  max_rows: int = 400_000, make_default: bool = False, log=print, jobs: int = 1) -> dict:
    """Copies ``bundle`` to ``output`` (unless they are one folder) and adds a few-step student to
    every velocity field of ``collections`` (all by default). Returns the manifest written.

    Args:
        inputs: the NanoAOD files the bundle was trained on (their conditioning rows).
        settings: a DistillationConfig (or its dict).
        max_rows: at most this many training rows per source (whole events), as ``flashsim train``'s.
        make_default: the bundle's ODE method becomes ``distilled`` (every source must then have a student).
        jobs: sources distilled at once, in worker processes (``threads`` shared among them).
    """
    from flashsim import catalogue
    from flashsim.bundle.manifest import read_manifest, write_manifest
    from flashsim.extract import extract
    from flashsim.models.distillation import check_distillation
    from flashsim.models.velocity_field import VelocityField
    from flashsim.train.bundle_writer import _checked
    from flashsim.train.fit import _subset
    from flashsim.train.pipeline import file_metadata

    settings = check_distillation(settings, "distillation")
    bundle, output = Path(bundle), Path(output)
    manifest = read_manifest(bundle)
    have = [c["name"] for c in manifest["collections"]]
    wanted = list(collections or have)
    unknown = sorted(set(wanted) - set(have))
    if unknown:
        raise InputError(f"{bundle}: has no collections {unknown}; it has {have}")
    if make_default and set(have) - set(wanted) - {c["name"] for c in manifest["collections"] if all(
            "distilled" in s["velocity_field"] for s in c["sources"])}:
        raise InputError(f"{bundle}: the ODE method 'distilled' as the default needs a student for every source; "
                         f"distil all collections ({have})")
    inputs = [Path(p) for p in inputs]
    if not inputs:
        raise InputError("flashsim distil: no input files (the files the bundle was trained on)")
    from flashsim.nanoaod.input_files import check_event_files

    check_event_files(inputs, "flashsim distil", rntuple=True)
    trained = sorted(s["file"] for s in manifest.get("provenance", {}).get("samples", []))
    given = sorted(p.name for p in inputs)
    if trained and given != trained:
        log(f"notice: {bundle} was trained on {trained}; distilling on {given}")
    if output.resolve() != bundle.resolve():
        if output.exists():
            raise InputError(f"{output} exists; choose a new folder (or the bundle itself to add to it in place)")
        shutil.copytree(bundle, output)
    start = time.perf_counter()
    tables = extract(inputs, catalogue.sources(wanted), skipped={}, postprocess=[])
    log(f"extracted {len(tables)} sources from {len(inputs)} files in {time.perf_counter() - start:.1f} s")
    provenance = manifest.setdefault("provenance", {})
    parities, table, reports = {}, {}, {}
    jobs_in = []
    for i, (collection, source) in enumerate((c, s) for c in manifest["collections"] if c["name"] in wanted
                                             for s in c["sources"]):
        key = f"{collection['name']}_{source['name']}"
        if key not in tables:
            raise InputError(f"{', '.join(map(str, inputs))}: no rows of {key}, whose velocity field is to be "
                             "distilled")
        props = tables[key].properties
        rows = _subset(props, max_rows, np.random.default_rng(seed * 1000 + i))
        cond = conditioning_rows(source, props, key)[rows]
        path = output / source["velocity_field"]["model"]
        teacher = VelocityField.from_onnx(path)
        if teacher.n_conditioning != cond.shape[1]:
            raise BundleError(f"{path}: takes {teacher.n_conditioning} conditioning variables, bundle.json lists "
                              f"{cond.shape[1]} for {key}")
        jobs_in.append((key, source, (teacher, cond, settings, seed * 1000 + i, props.event[rows])))
    for key, source, (student, report, seconds) in _distilled(jobs_in, jobs, threads):
        reports[key] = report
        path = output / f"{key}_velocity_distilled.onnx"
        student.export_onnx(path)
        _checked(student, path, {"x": student.n_targets, "t": 1, "cond": student.n_conditioning}, parities, table)
        source["velocity_field"]["distilled"] = {"model": path.name, "steps": settings.steps,
                                                 "method": settings.method}
        log(f"{key}: {report['pairs']} pairs, teacher {report['teacher_seconds']} s, student {report['seconds']} s "
            f"({seconds:.1f} s)")
    reports = {key: reports[key] for key, _, _ in jobs_in}  # catalogue order, whatever finished first
    provenance.setdefault("parity", {}).update({k: v[0] for k, v in parities.items()})
    provenance.setdefault("parity_float32_rounding", {}).update({k: v[1] for k, v in parities.items()})
    provenance.setdefault("reference_outputs", {}).update(table)
    if make_default:
        _distilled_default(manifest)
    seconds = round(time.perf_counter() - start, 1)
    earlier = provenance.get("distillation")
    run = {"date": datetime.date.today().isoformat(), "command": command, "settings": settings.to_json(), "seed": seed,
           "samples": [file_metadata(p) for p in inputs], "seconds": seconds}
    if earlier:  # a bundle distilled before (some collections again): the students it keeps keep their reports
        kept = {k: v for k, v in earlier.get("sources", {}).items() if k not in reports}
        if kept:
            past = {k: v for k, v in earlier.items() if k not in ("sources", "earlier")}
            run["earlier"] = earlier.get("earlier", []) + [dict(past, students=sorted(kept))]
            reports = {**kept, **reports}
    provenance["distillation"] = dict(run, sources=reports)
    provenance.setdefault("edits", []).append(
        f"{datetime.date.today().isoformat()}: few-step students ({settings.method}, {settings.steps} Euler steps) of "
        f"{len(jobs_in)} velocity fields ({', '.join(wanted)}) added ({command or 'flashsim.train.distil_bundle'}; "
        f"{seconds} s)"
        + ("; the ODE method distilled made the default" if make_default else ""))
    manifest.pop("format_version", None)
    write_manifest(output, manifest)
    return manifest


def _distilled_default(manifest) -> None:
    manifest["provenance"].setdefault("ode_before_distillation", manifest.get("ode"))
    manifest["ode"] = {"method": "distilled"}


def make_distilled_default(bundle, why: str) -> dict:
    """Makes the ODE method ``distilled`` the default of an already distilled ``bundle`` (in place; every
    source must have its student), as ``flashsim distil --make-default`` does, with ``why`` in the
    provenance edit. Returns the manifest written."""
    from flashsim.bundle.manifest import read_manifest, write_manifest

    manifest = read_manifest(bundle)
    missing = [f"{c['name']} <- {s['name']}" for c in manifest["collections"] for s in c["sources"]
               if "distilled" not in s["velocity_field"]]
    if missing:
        raise InputError(f"{bundle}: the ODE method 'distilled' as the default needs a student for every source; "
                         f"{', '.join(missing)} have none (flashsim distil)")
    before = manifest.get("ode")
    _distilled_default(manifest)
    manifest["provenance"].setdefault("edits", []).append(
        f"{datetime.date.today().isoformat()}: the ODE method distilled made the default (it was {before}): {why}")
    manifest.pop("format_version", None)
    write_manifest(bundle, manifest)
    return manifest


def settings_from(path_or_none, method=None, steps=None):
    """The DistillationConfig dict of ``flashsim distil``: a JSON file's, then --method/--steps."""
    values = {}
    if path_or_none:
        try:
            values = json.loads(Path(path_or_none).read_text())
        except (OSError, json.JSONDecodeError) as err:
            raise InputError(f"cannot read the distillation settings {path_or_none}: {err}") from None
    if method:
        values["method"] = method
    if steps:
        values["steps"] = steps
    return values
