"""Steps versus quality: each ODE solver setting of the default bundle, judged against the reference detector.

For every (method, steps) or dopri5 tolerance and every noise seed: ``flashsim simulate`` of the
held-out gen events (cross-event mode, one thread: the whole command's events/s), then
``quality_default_bundle.py --flashsim`` (classifier AUC per collection with its bootstrap error, median
and maximum W1/std), and the per-object distance to per-row dopri5 at ``--exact`` given the same noise
(the same seed draws the same efficiency and noise numbers, so the objects are the same: matched by
event and gen index; |x - x_exact| in units of each variable's reference spread, median and 99% quantile
over objects and continuous variables). Writes a JSON and a Pareto plot (events/s against the mean
Jet AUC and against the distance).

    PYTHONPATH= .venv/bin/python benchmarks/solver_pareto.py --gen gen_ttbar_201.root \
        --reference full_ttbar_201.root --control full_ttbar_201_seed202.root --work pareto \
        --configs euler:10,euler:20,midpoint:8,midpoint:16,rk4:4,rk4:8,dopri5:1e-3,dopri5:1e-5 --seeds 11,12,13

``distilled`` among the configs runs the bundle's few-step students (``flashsim distil``).
"""

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
MATCH = {"Jet": "genJetIdx", "Muon": "genPartIdx", "Electron": "genPartIdx", "Photon": "genPartIdx",
         "FatJet": "genJetAK8Idx"}


def _ode_args(config):
    if config == "distilled":  # the bundle's few-step students, at the steps they were distilled for
        return ["--ode-method", "distilled"]
    method, value = config.split(":")
    if method == "dopri5":
        return ["--ode-method", "dopri5", "--rtol", value, "--atol", value]
    return ["--ode-method", method, "--ode-steps", value]


def _simulate(gen, out, config, seed, bundle, collections=None):
    cmd = [sys.executable, "-m", "flashsim", "simulate", str(gen), "-o", str(out), "--seed", str(seed),
           "--no-progress", *(["--bundle", str(bundle)] if bundle else []), *_ode_args(config),
           *(["--collections", collections] if collections else [])]
    start = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - start


def _distance(path, exact, reference):
    """Per collection: median and 99% quantile of |x - x_exact| / std_reference over matched objects and
    Float_t variables."""
    import awkward as ak
    import uproot

    out = {}
    with uproot.open(path) as a, uproot.open(exact) as b, uproot.open(reference) as r:
        ta, tb, tr = a["Events"], b["Events"], r["Events"]
        for coll, index in MATCH.items():
            names = [k for k in ta.keys() if k.startswith(f"{coll}_") and k in tb.keys() and k in tr.keys()
                     and ta[k].interpretation.content.to_dtype.kind == "f"] if f"n{coll}" in ta.keys() else []
            if not names or f"{coll}_{index}" not in ta.keys():
                continue
            xa = ta.arrays(names + [f"{coll}_{index}"])
            xb = tb.arrays(names + [f"{coll}_{index}"])
            spread = {n: float(np.std(ak.to_numpy(ak.flatten(tr[n].array())))) for n in names}
            ratios = []
            for e in range(len(xa)):
                ia, ib = np.asarray(xa[f"{coll}_{index}"][e]), np.asarray(xb[f"{coll}_{index}"][e])
                common = np.intersect1d(ia[ia >= 0], ib[ib >= 0])
                if not len(common):
                    continue
                pa = {g: k for k, g in enumerate(ia)}
                pb = {g: k for k, g in enumerate(ib)}
                ka = [pa[g] for g in common]
                kb = [pb[g] for g in common]
                for n in names:
                    if spread[n] > 0:
                        ratios.append(np.abs(np.asarray(xa[n][e])[ka] - np.asarray(xb[n][e])[kb]) / spread[n])
            if ratios:
                values = np.concatenate(ratios)
                out[coll] = {"median": float(np.median(values)), "q99": float(np.quantile(values, 0.99))}
    return out


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--gen", required=True)
    parser.add_argument("--reference", required=True)
    parser.add_argument("--control", required=True)
    parser.add_argument("--bundle", default=None)
    parser.add_argument("--configs", default="euler:10,euler:20,midpoint:8,midpoint:16,rk4:4,rk4:8,dopri5:1e-3,"
                                             "dopri5:1e-5")
    parser.add_argument("--exact", default="dopri5:1e-6", help="the reference solver of the distance")
    parser.add_argument("--seeds", default="11")
    parser.add_argument("--distance-seeds", default=None,
                        help="the seeds whose per-object distance is computed (each needs its own --exact run; "
                             "default: the first seed)")
    parser.add_argument("--work", default="pareto")
    parser.add_argument("--controls", action="store_true",
                        help="the first run is judged in full (the controls, the jet response, MET, efficiency); "
                             "the others only by their AUCs and W1 (quality_default_bundle.py --study)")
    parser.add_argument("--json", default="pareto.json")
    parser.add_argument("--collections", default=None,
                        help="only these collections, e.g. Muon,Electron,FsrPhoton after a retrain of some: each "
                             "object's noise and efficiency draws depend on its own key, so they come out as in the "
                             "whole bundle's run (a collection built from others needs them listed too)")
    args = parser.parse_args(argv)
    from flashsim.bundle import default_bundle

    bundle = Path(args.bundle) if args.bundle else default_bundle()
    work = Path(args.work)
    work.mkdir(parents=True, exist_ok=True)
    seeds = [int(s) for s in args.seeds.split(",")]
    distance_seeds = [int(s) for s in args.distance_seeds.split(",")] if args.distance_seeds else seeds[:1]
    result = {"configs": {}, "exact": args.exact, "seeds": seeds, "distance_seeds": distance_seeds}
    for seed in distance_seeds:
        exact = work / f"exact_{seed}.root"
        if not exact.exists():
            _simulate(args.gen, exact, args.exact, seed, args.bundle, args.collections)
    for config in args.configs.split(","):
        runs = []
        for seed in seeds:
            out = work / f"{config.replace(':', '_')}_{seed}.root"
            quality = work / f"{config.replace(':', '_')}_{seed}.json"
            kept = work / f"{config.replace(':', '_')}_{seed}.run.json"
            if kept.exists():  # done by an earlier call (resumed)
                runs.append(json.loads(kept.read_text()))
                continue
            if out.exists() and quality.exists():  # simulated and judged, its time not kept: events/s left out
                seconds = None
            else:
                seconds = _simulate(args.gen, out, config, seed, args.bundle, args.collections)
                # the controls are the same for every solver and seed: with --controls, the first run gives them
                first = (config, seed) == (args.configs.split(",")[0], seeds[0])
                study = [] if args.controls and first else ["--study"]
                subprocess.run([sys.executable, str(HERE / "quality_default_bundle.py"), "--bundle", str(bundle),
                                "--reference", args.reference, "--control", args.control, "--flashsim", str(out),
                                "--json", str(quality), "--no-variables", *study,
                                *(["--collections", args.collections] if args.collections else [])], check=True,
                               stdout=subprocess.DEVNULL)
            q = json.loads(quality.read_text())
            runs.append({"seed": seed, "seconds": seconds, "events": q["events"],
                         "auc": {c: v["auc"] for c, v in q["collections"].items()},
                         "auc_error": {c: v["auc_error"] for c, v in q["collections"].items()},
                         "w1_median": {c: v["w1_median"] for c, v in q["collections"].items()},
                         "distance": _distance(out, work / f"exact_{seed}.root", args.reference)
                         if seed in distance_seeds else None})
            kept.write_text(json.dumps(runs[-1]))
            out.unlink()
        collections = list(runs[0]["auc"])
        measured = [r for r in runs if r["distance"] is not None]
        timed = [r["events"] / r["seconds"] for r in runs if r["seconds"]]
        summary = {"events_per_second": float(np.mean(timed)) if timed else float("nan"),
                   "auc_mean": {c: float(np.mean([r["auc"][c] for r in runs])) for c in collections},
                   "auc_spread": {c: float(np.std([r["auc"][c] for r in runs])) for c in collections},
                   "auc_error": {c: float(np.mean([r["auc_error"][c] for r in runs])) for c in collections},
                   "w1_median": {c: float(np.mean([r["w1_median"][c] for r in runs])) for c in collections},
                   "distance_median": {c: float(np.mean([r["distance"][c]["median"] for r in measured]))
                                       for c in (measured[0]["distance"] if measured else {})},
                   "distance_q99": {c: float(np.mean([r["distance"][c]["q99"] for r in measured]))
                                    for c in (measured[0]["distance"] if measured else {})},
                   "runs": runs}
        result["configs"][config] = summary
        line = " ".join(f"{c} {summary['auc_mean'][c]:.3f}" for c in collections)
        first = next(iter(summary["distance_median"]), "Jet")
        print(f"{config:<12} {summary['events_per_second']:6.0f} ev/s  AUC {line}  distance {first} "
              f"{summary['distance_median'].get(first, float('nan')):.4f} (q99 "
              f"{summary['distance_q99'].get(first, float('nan')):.3f})", flush=True)
        Path(args.json).write_text(json.dumps(result, indent=1))
    _plot(result, Path(args.json).with_suffix(".png"))


def _plot(result, path):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 2, figsize=(10, 4))
    for config, s in result["configs"].items():
        if "Jet" not in s["auc_mean"]:  # a study of some collections (--collections): no Jet plot
            continue
        rate = s["events_per_second"]
        axes[0].errorbar(rate, s["auc_mean"]["Jet"], yerr=s["auc_error"]["Jet"], fmt="o")
        axes[0].annotate(config, (rate, s["auc_mean"]["Jet"]), fontsize=7)
        if "Jet" in s["distance_median"]:
            axes[1].plot(rate, s["distance_median"]["Jet"], "o")
            axes[1].annotate(config, (rate, s["distance_median"]["Jet"]), fontsize=7)
    axes[0].set(xlabel="flashsim simulate events/s (1 thread)", ylabel="Jet AUC vs reference detector")
    axes[1].set(xlabel="flashsim simulate events/s (1 thread)", ylabel=f"Jet |x - x({result['exact']})| / std, median",
                yscale="log")
    fig.tight_layout()
    fig.savefig(path, dpi=120)


if __name__ == "__main__":
    main()
