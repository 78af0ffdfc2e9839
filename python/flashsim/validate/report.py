"""The validation report: FlashSim (A) against a reference (B), for one or several processes.

``validate("nano.root", "reference.root", "report/")`` writes ``report/index.html`` (images in
``report/img/``) and ``report/metrics.json``. ``validate_processes`` does the same for several
(process, FlashSim file, reference file) triples; with a bundle, each process is marked as seen
or not seen in the bundle's training.
"""

from __future__ import annotations

import json
import os
import re
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from flashsim.errors import InputError
from flashsim.validate.sensitivity import reading

__all__ = ["ProcessPair", "file_process", "seen_in_training", "training_processes", "validate", "validate_processes"]

MAX_CORRELATION_VARIABLES = 30
# Variables with fewer entries go to the end of the ranking: their W1 null has heavy tails (a
# 40-entry FsrPhoton_phi sat 4 "sigma" up between two refsim seeds), so they would top the
# list of a perfect simulation while saying little.
MIN_RANKED_ENTRIES = 100


@dataclass(frozen=True)
class ProcessPair:
    """A process name and its two files: ``a`` (FlashSim) and ``b`` (reference); ``control``
    (optional): the reference's gen events through the reference detector with another seed,
    whose two-sample AUC against ``b`` is shown beside each collection's (the null)."""

    process: str
    a: str
    b: str
    control: str | None = None


def file_process(path) -> str | None:
    """The generator process recorded in a file (flashsim generate metadata), if any."""
    import uproot

    try:
        with uproot.open(path) as f:
            if "flashsim_generate" in f:
                return json.loads(f["flashsim_generate"].member("fTitle")).get("process")
    except (OSError, ValueError, KeyError):
        return None
    return None


def training_processes(bundle) -> list | None:
    """Processes a bundle was trained on: provenance "processes", else the generator process of
    each training sample (provenance "samples"); None when the manifest does not say."""
    from flashsim.bundle.manifest import read_manifest

    provenance = read_manifest(bundle).get("provenance", {})
    if isinstance(provenance.get("processes"), list):
        return [str(p) for p in provenance["processes"]]
    found = []
    for sample in provenance.get("samples", []) or []:
        meta = sample.get("flashsim_generate") if isinstance(sample, dict) else None
        if isinstance(meta, dict) and meta.get("process"):
            found.append(str(meta["process"]))
    return sorted(set(found)) or None


def seen_in_training(process: str, trained: list | None) -> str:
    """"yes", "no" or "unknown" (no bundle, or a manifest that does not list its processes)."""
    if trained is None:
        return "unknown"
    return "yes" if process in trained else "no"


def _slug(*parts) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", "__".join(str(p) for p in parts))


def _is_index(branch: str) -> bool:
    return bool(re.search(r"Idx\d?$", branch))


class _Writer:
    """Collects the figures to draw into img/, then draws them, in ``jobs`` processes."""

    def __init__(self, folder: Path, labels):
        self.img = folder / "img"
        self.img.mkdir(parents=True, exist_ok=True)
        self.labels = labels
        self.count = 0
        self.pending = []

    def path(self, *parts) -> tuple:
        name = _slug(*parts) + ".png"
        self.count += 1
        return self.img / name, f"img/{name}"

    def draw(self, function, *args, **kwargs):
        self.pending.append((function, args, kwargs))

    def flush(self, jobs: int) -> None:
        """Draws every pending figure. Workers are spawned, not forked: the parent may hold
        ROOT and torch state that a fork would copy half-initialised."""
        pending, self.pending = self.pending, []
        if jobs <= 1 or len(pending) < 20:
            for function, args, kwargs in pending:
                function(*args, **kwargs)
            return
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        with ProcessPoolExecutor(jobs, mp_context=multiprocessing.get_context("spawn")) as pool:
            for future in [pool.submit(_draw_chunk, pending[i::jobs]) for i in range(jobs)]:
                future.result()


def _draw_chunk(items):
    for function, args, kwargs in items:
        function(*args, **kwargs)


def _variable(writer, section, process, name, a, b, wa, wb, ea, eb, seed, title=None, edges=None, xlabel=None):
    from flashsim.validate.metrics import variable_metrics
    from flashsim.validate.plots import histogram_figure

    m = variable_metrics(name, a, b, wa, wb, ea, eb, seed=seed)
    path, rel = writer.path(process, name)
    writer.draw(histogram_figure, path, a, b, wa, wb, writer.labels, xlabel or name, edges=edges, title=title)
    section["figures"].append({"src": rel, "caption": name, "kind": "distribution"})
    return m


def _per_object(sample, collection, values):
    """A per-event array repeated for each object of ``collection``."""
    counts = np.asarray(sample.arrays[f"n{collection}"], np.int64)
    return np.repeat(np.asarray(values, np.float64), counts)


def _collection_auc(sa, sb, ta, tb, name, variables, seed, per_variable=False):
    """The two-sample test of one collection (flashsim.validate.two_sample_rows), with the
    event's pileup among the inputs when both samples have it; ``per_variable``: the ranking of
    each variable alone given the gen conditioning instead."""
    from flashsim.validate import two_sample_rows as rows

    pu = [_per_object(s, name, s.arrays["Pileup_nPU"]) if "Pileup_nPU" in s.arrays.fields else None
          for s in (sa, sb)]
    return (rows.variable_ranking if per_variable else rows.collection_test)(ta, tb, variables, seed, *pu)


def _performance(writer, section, process, collection, sa, sb, ta, tb):
    """Efficiency, (eta, phi) map, response profiles and correlation matrices of a collection."""
    from flashsim.validate import performance as perf
    from flashsim.validate import plots

    labels = writer.labels
    out = {}
    selection = perf.gen_selection(sb, collection)
    if selection is not None:
        ga, gb = perf.gen_objects(sa, collection, selection), perf.gen_objects(sb, collection, selection)
        if len(gb["pt"]) >= 20 and len(ga["pt"]) >= 20:
            hi = max(np.quantile(gb["pt"], 0.99), selection.pt_min * 2)
            edges_pt = np.geomspace(max(selection.pt_min, 1.0), hi, 13)
            eta_max = float(np.ceil(np.quantile(np.abs(gb["eta"]), 0.99) * 2) / 2)
            edges_eta = np.linspace(-eta_max, eta_max, 21)
            curves = {}
            for key, edges in (("pt", edges_pt), ("eta", edges_eta)):
                ea = perf.binned_efficiency(ga[key], ga["reconstructed"], ga["weight"], edges)
                eb = perf.binned_efficiency(gb[key], gb["reconstructed"], gb["weight"], edges)
                curves[key] = (edges, ea[:2], eb[:2])
            what = f"{selection.gen}" + (f" |pdgId| {selection.pdg_id}" if selection.pdg_id else "")
            path, rel = writer.path(process, collection, "efficiency")
            writer.draw(plots.efficiency_figure, path, curves, labels, collection)
            section["figures"].append({"src": rel, "caption": f"{collection} efficiency of {what} "
                                       f"(pt > {selection.pt_min:.1f} GeV)", "kind": "efficiency"})
            edges_phi = np.linspace(-np.pi, np.pi, 13)
            e2 = np.linspace(-eta_max, eta_max, 13)

            def emap(g):
                tot = np.histogram2d(g["eta"], g["phi"], (e2, edges_phi), weights=g["weight"])[0]
                pas = np.histogram2d(g["eta"][g["reconstructed"]], g["phi"][g["reconstructed"]], (e2, edges_phi),
                                     weights=g["weight"][g["reconstructed"]])[0]
                with np.errstate(invalid="ignore", divide="ignore"):
                    return pas / tot

            path, rel = writer.path(process, collection, "efficiency_map")
            writer.draw(plots.efficiency_map_figure, path, e2, edges_phi, emap(ga), emap(gb), labels)
            section["figures"].append({"src": rel, "caption": f"{collection} efficiency in (eta, phi)",
                                       "kind": "efficiency"})
            out["efficiency"] = {"a": float(np.average(ga["reconstructed"], weights=ga["weight"])),
                                 "b": float(np.average(gb["reconstructed"], weights=gb["weight"])),
                                 "gen": what, "pt_min": selection.pt_min}
    pt = f"{collection}_pt"
    if pt in ta.columns and ta.matched.sum() >= 20 and tb.matched.sum() >= 20:
        profiles = {}
        hi = np.quantile(tb.gen_pt[tb.matched], 0.99)
        lo = max(np.quantile(tb.gen_pt[tb.matched], 0.01), 1.0)
        eta_max = float(np.ceil(np.quantile(np.abs(tb.gen_eta[tb.matched]), 0.99) * 2) / 2)
        for key, edges in (("pt", np.geomspace(lo, max(hi, 2 * lo), 11)), ("eta", np.linspace(-eta_max, eta_max, 11))):
            prof = []
            for t in (ta, tb):
                m = t.matched
                x = t.gen_pt[m] if key == "pt" else t.gen_eta[m]
                prof.append(perf.response_profile(x, t.columns[pt][m] / t.gen_pt[m], t.weight[m], edges))
            profiles[key] = (edges, prof[0], prof[1])
        path, rel = writer.path(process, collection, "response")
        writer.draw(plots.response_figure, path, profiles, labels, collection)
        section["figures"].append({"src": rel, "caption": f"{collection} pt response and resolution",
                                   "kind": "response"})
    floats = [v for v in ta.columns if not _is_index(v) and np.std(tb.columns[v]) > 0 and np.std(ta.columns[v]) > 0]
    floats = floats[:MAX_CORRELATION_VARIABLES]
    if len(floats) >= 2 and len(ta.event_id) > 10 and len(tb.event_id) > 10:
        ca = np.corrcoef(np.stack([ta.columns[v] for v in floats]))
        cb = np.corrcoef(np.stack([tb.columns[v] for v in floats]))
        path, rel = writer.path(process, collection, "correlation")
        writer.draw(plots.correlation_figure, path, floats, ca, cb, labels)
        section["figures"].append({"src": rel, "caption": f"{collection} correlations", "kind": "correlation"})
        out["correlation_max_abs_diff"] = float(np.nanmax(np.abs(ca - cb)))
    rocs = []
    for coll, score, sig, (sig_var, sig_vals), bkg, (bkg_var, bkg_vals) in perf.TAGGERS:
        names = [f"{coll}_{score}", f"{coll}_{sig_var}", f"{coll}_{bkg_var}"]
        if coll != collection or not all(n in ta.columns and n in tb.columns for n in names):
            continue
        pair = []
        for t in (ta, tb):
            flav_s = np.abs(t.columns[names[1]])
            flav_b = np.abs(t.columns[names[2]])
            pair.append(perf.roc_curve(t.columns[names[0]], np.isin(flav_s, sig_vals), np.isin(flav_b, bkg_vals),
                                       t.weight))
        if pair[0] is not None and pair[1] is not None:
            rocs.append((f"{score} {sig} vs {bkg}", pair[0], pair[1]))
    if rocs:
        path, rel = writer.path(process, collection, "roc")
        writer.draw(plots.roc_figure, path, rocs, labels)
        section["figures"].append({"src": rel, "caption": f"{collection} tagger ROC curves", "kind": "roc"})
        out["roc_auc"] = {name: {"a": ra.auc, "b": rb.auc} for name, ra, rb in rocs}
    return out


def _process(pair: ProcessPair, writer, collections, max_events, seed, with_auc, with_analyses, log,
             with_variable_auc=False):
    from flashsim.validate import performance as perf
    from flashsim.validate import samples as smp

    types_a, types_b = smp.branch_types(pair.a), smp.branch_types(pair.b)
    groups = smp.comparable_groups(types_a, types_b)
    if not groups:
        raise InputError(f"{pair.a} and {pair.b} share no reco collection or event group to compare (gen-level "
                         "files? validate compares reco NanoAOD)")
    if collections:
        unknown = [c for c in collections if c not in groups]
        if unknown:
            raise InputError(f"collections {', '.join(unknown)} are not in both {pair.a} and {pair.b}; "
                             f"shared: {', '.join(groups)}")
        groups = {c: groups[c] for c in collections}
    branches = [v for g in groups.values() for v in g["variables"]]
    branches += [f"n{c}" for c, g in groups.items() if g["kind"] == "collection"]
    branches += [b for b in smp.gen_branches(types_b, groups) if b in types_a]
    sa = smp.read_sample(pair.a, branches, max_events)
    sb = smp.read_sample(pair.b, branches, max_events)
    sc = None
    if pair.control and with_auc:
        types_c = smp.branch_types(pair.control)
        lacking = [b for b in branches if b not in types_c]
        if lacking:
            raise InputError(f"control {pair.control} lacks {', '.join(lacking[:8])}"
                             + (f" and {len(lacking) - 8} more" if len(lacking) > 8 else "")
                             + f" (it must be {pair.b} made again with another seed)")
        sc = smp.read_sample(pair.control, branches, max_events)
        if not np.array_equal(np.sort(sc.event_id), np.sort(sb.event_id)):
            raise InputError(f"control {pair.control} does not hold the events of {pair.b} (run, luminosityBlock, "
                             "event): it must be the same gen events through the reference with another seed")
    result = {"files": {"a": pair.a, "b": pair.b, **({"control": pair.control} if pair.control else {})},
              "events": {"a": sa.n_events, "b": sb.n_events},
              "collections": {}, "analyses": {}}
    # what one file has and the other lacks (a bundle that simulates fewer collections or branches, a
    # real NanoAOD version with other branches), each variable listed once, on its side
    for side, mine, other in (("a", types_a, types_b), ("b", types_b, types_a)):
        everything = smp.comparable_groups(mine, mine)
        lacking = {g: [v for v in info["variables"] if v not in other]
                   for g, info in everything.items() if not collections or g in collections}
        result[f"only_in_{side}"] = {g: v for g, v in lacking.items() if v}
    sections = []
    metrics = []
    for name, group in groups.items():
        t0 = time.perf_counter()
        section = {"title": f"{pair.process}: {name}", "anchor": _slug(pair.process, name), "figures": []}
        notes = [f"only in {label}: {', '.join(result[f'only_in_{side}'][name])}"
                 for side, label in zip("ab", writer.labels, strict=True) if result[f"only_in_{side}"].get(name)]
        if notes:
            section["note"] = "; ".join(notes)

        info = {"kind": group["kind"], "variables": {}}
        if group["kind"] == "collection":
            ta = perf.object_table(sa, name, group["variables"])
            tb = perf.object_table(sb, name, group["variables"])
            counts = (np.asarray(sa.arrays[f"n{name}"], np.float64), np.asarray(sb.arrays[f"n{name}"], np.float64))
            m = _variable(writer, section, pair.process, f"n{name}", *counts, sa.weight, sb.weight, sa.event_id,
                          sb.event_id, seed)
            info["variables"][m.name] = m
            for v in group["variables"]:
                m = _variable(writer, section, pair.process, v, ta.columns[v], tb.columns[v], ta.weight, tb.weight,
                              ta.event_id, tb.event_id, seed)
                info["variables"][v] = m
            info.update(_performance(writer, section, pair.process, name, sa, sb, ta, tb))
            auc_vars = [v for v in group["variables"] if not _is_index(v)]
            if with_auc and auc_vars:
                info["auc"] = _collection_auc(sa, sb, ta, tb, name, auc_vars, seed)
                if sc is not None:
                    tc = perf.object_table(sc, name, group["variables"])
                    info["auc_control"] = _collection_auc(sc, sb, tc, tb, name, auc_vars, seed)
                if with_variable_auc:
                    info["variable_auc"] = _collection_auc(sa, sb, ta, tb, name, auc_vars, seed, per_variable=True)
        else:
            cols_a = {v: np.asarray(sa.arrays[v], np.float64) for v in group["variables"]}
            cols_b = {v: np.asarray(sb.arrays[v], np.float64) for v in group["variables"]}
            for v in group["variables"]:
                info["variables"][v] = _variable(writer, section, pair.process, v, cols_a[v], cols_b[v], sa.weight,
                                                 sb.weight, sa.event_id, sb.event_id, seed)
            if with_auc:
                info["auc"] = _event_auc(sa, sb, group["variables"], seed)
                if sc is not None:
                    info["auc_control"] = _event_auc(sc, sb, group["variables"], seed)
                if with_variable_auc:
                    info["variable_auc"] = _event_auc(sa, sb, group["variables"], seed, per_variable=True)
        if info.get("auc"):
            info["auc_reading"] = reading(info["auc"], info.get("auc_control"), sb.n_events)
        result["collections"][name] = info
        metrics += [(pair.process, name, m) for m in info["variables"].values()]
        sections.append(section)
        log(f"  {pair.process} {name}: {len(info['variables'])} variables"
            + (f", AUC {info['auc']['auc']:.3f} +- {info['auc']['auc_error']:.3f}" if info.get("auc") else "")
            + (f" (control {info['auc_control']['auc']:.3f})" if info.get("auc_control") else "")
            + f" ({time.perf_counter() - t0:.1f} s)")
    if with_analyses:
        for analysis, section, ares, ams in _analyses(pair, writer, max_events, seed):
            result["analyses"][analysis] = ares
            if section:
                sections.append(section)
            metrics += [(pair.process, analysis, m) for m in ams]
            sel = ares.get("selected", {})
            log(f"  {pair.process} {analysis}: " + (ares["skipped"] if "skipped" in ares else
                                                     f"selected {sel['a']:.0f} / {sel['b']:.0f}"))
    return result, sections, metrics


def _event_auc(sa, sb, variables, seed, per_variable=False):
    """The two-sample test of an event group (one row per event), GenMET and pileup among the
    inputs when read; ``per_variable``: each variable alone instead."""
    from flashsim.validate import two_sample_rows as rows
    from flashsim.validate.samples import EVENT_CONDITIONING

    def columns(s):
        extra = [g for g in EVENT_CONDITIONING if g in s.arrays.fields]
        return {v: np.asarray(s.arrays[v], np.float64) for v in list(variables) + extra}

    test = rows.event_variable_ranking if per_variable else rows.event_test
    return test(columns(sa), columns(sb), variables, sa.event_id, sb.event_id, seed)


def _analyses(pair, writer, max_events, seed):
    """Runs each toy analysis on both files; yields (name, section, result, metrics)."""
    from flashsim.validate.analyses import ANALYSES, analysis_observables, missing_columns
    from flashsim.validate.analyses.toy import declare_analyses

    ROOT = declare_analyses()
    for name, analysis in ANALYSES.items():
        missing = set()
        for path in (pair.a, pair.b):
            missing |= set(missing_columns(ROOT.RDataFrame("Events", str(path)).GetColumnNames(), name))
        if missing:
            yield name, None, {"skipped": f"missing columns {', '.join(sorted(missing))}"}, []
            continue
        obs_a = analysis_observables(pair.a, name, max_events)
        obs_b = analysis_observables(pair.b, name, max_events)
        res = {"title": analysis.title, "events": {"a": obs_a["n_events"], "b": obs_b["n_events"]},
               "selected": {"a": float(obs_a["weight"].sum()), "b": float(obs_b["weight"].sum())}}
        if len(obs_a["weight"]) < 5 or len(obs_b["weight"]) < 5:
            res["skipped"] = (f"too few selected events ({len(obs_a['weight'])} / {len(obs_b['weight'])}) "
                              "for distributions")
            yield name, None, res, []
            continue
        section = {"title": f"{pair.process}: toy analysis {analysis.title}", "anchor": _slug(pair.process, name),
                   "figures": [], "note": f"selected events: {writer.labels[0]} {res['selected']['a']:.0f}, "
                                          f"{writer.labels[1]} {res['selected']['b']:.0f} "
                                          f"(of {obs_a['n_events']} / {obs_b['n_events']})"}
        ms = []
        for obs in analysis.observables:
            edges = None
            if obs in analysis.ranges:
                edges = np.linspace(*analysis.ranges[obs], 21)
            ms.append(_variable(writer, section, pair.process, f"{name}:{obs}", obs_a[obs], obs_b[obs], obs_a["weight"],
                                obs_b["weight"], obs_a["event_id"], obs_b["event_id"], seed, title=analysis.title,
                                edges=edges, xlabel=obs))
        res["variables"] = {m.name: m.to_json() for m in ms}
        yield name, section, res, ms


def validate(nano, reference, output, **options) -> dict:
    """Report of one FlashSim file against one reference file; see :func:`validate_processes`.

    The process name is read from the reference file's generator metadata, else its file name.
    """
    process = file_process(reference) or Path(reference).stem
    return validate_processes([ProcessPair(process, str(nano), str(reference))], output, **options)


def validate_processes(pairs, output, *, label_a: str = "FlashSim", label_b: str = "Reference",
                       collections=None, max_events: int | None = None, bundle=None, seed: int = 0,
                       with_auc: bool = True, with_analyses: bool = True, with_variable_auc: bool = True,
                       jobs: int | None = None, log=print) -> dict:
    """Writes <output>/index.html, <output>/img/*.png and <output>/metrics.json.

    Args:
        pairs: ProcessPair (or (process, a, b[, control]) tuples), A = FlashSim, B = reference,
            control = the reference made again with another detector seed (optional).
        collections: reco collections / event groups to compare (None: every one both files have).
        max_events: read at most this many events per file.
        bundle: a model bundle folder; its manifest says which processes were seen in training.
        with_auc: run the classifier two-sample test per collection (boosted trees and an MLP, their
            log-odds weighted by stacking: flashsim.validate.two_sample; against the control too when a pair has one).
        with_analyses: run the toy analyses (ROOT RDataFrame).
        with_variable_auc: with ``with_auc``, also the two-sample test of each variable alone given the
            gen conditioning, ranked (what gives a sample away; one test per variable).
        jobs: processes drawing the figures (None: the number of CPUs, at most 4).
    Returns:
        the content of metrics.json.
    """
    from flashsim.nanoaod.input_files import event_schema
    from flashsim.validate.html import write_html

    start = time.perf_counter()
    pairs = [p if isinstance(p, ProcessPair) else ProcessPair(*p) for p in pairs]
    pairs = [ProcessPair(str(p.process), str(p.a), str(p.b), str(p.control) if p.control else None) for p in pairs]
    if not pairs:
        raise InputError("nothing to validate: no (FlashSim, reference) pair given")
    for p in pairs:
        for path in (p.a, p.b, p.control):
            if path is None:
                continue
            if not Path(path).is_file():
                raise InputError(f"{path}: no such file")
            event_schema(path, rntuple=True)  # before anything is written: a truncated or corrupt file
    names = [p.process for p in pairs]
    if len(set(names)) != len(names):
        raise InputError(f"process names must be unique, got {names}")
    output = Path(output)
    output.mkdir(parents=True, exist_ok=True)
    trained = training_processes(bundle) if bundle else None
    writer = _Writer(output, (label_a, label_b))
    report = {"labels": {"a": label_a, "b": label_b}, "bundle": str(bundle) if bundle else None,
              "training_processes": trained, "processes": {}}
    all_sections, all_metrics = [], []
    for pair in pairs:
        log(f"validate: {pair.process}: {pair.a} vs {pair.b}")
        result, sections, metrics = _process(pair, writer, collections, max_events, seed, with_auc, with_analyses, log,
                                             with_variable_auc=with_auc and with_variable_auc)
        result["seen_in_training"] = seen_in_training(pair.process, trained)
        for info in result["collections"].values():
            info["variables"] = {k: m.to_json() for k, m in info["variables"].items()}
        report["processes"][pair.process] = result
        all_sections += sections
        all_metrics += metrics
    t0 = time.perf_counter()
    jobs = min(os.cpu_count() or 1, 4) if jobs is None else jobs
    writer.flush(jobs)
    log(f"validate: drew {writer.count} figures in {time.perf_counter() - t0:.1f} s ({jobs} processes)")
    ranked = sorted((t for t in all_metrics if np.isfinite(t[2].w1)),
                    key=lambda t: (min(t[2].n_a, t[2].n_b) < MIN_RANKED_ENTRIES, -t[2].excess))
    report["ranking"] = [{"process": p, "group": g, **m.to_json(),
                          "few_entries": min(m.n_a, m.n_b) < MIN_RANKED_ENTRIES} for p, g, m in ranked]
    report["figures"] = writer.count
    report["seconds"] = round(time.perf_counter() - start, 1)
    (output / "metrics.json").write_text(json.dumps(report, indent=1, default=_json_default) + "\n")
    write_html(output / "index.html", report, all_sections)
    log(f"validate: {writer.count} figures, {report['seconds']} s -> {output / 'index.html'}")
    return report


def _json_default(x):
    if isinstance(x, np.generic):
        return x.item()
    raise TypeError(f"not JSON serialisable: {type(x)}")
