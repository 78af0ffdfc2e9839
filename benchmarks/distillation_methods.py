"""Few-step students of one source's velocity field, method against method (issue "Few-step sampling").

For one source of a bundle: its conditioning rows from the training files, a tenth of the events held out;
students made by ``flashsim.models.distillation`` on the rest (each ``method:k`` given); then, on the
held-out rows, the sample of each student and of the teacher's own few-step solvers compared with the
teacher's per-row dopri5 at 1e-5 from the same noise: the median over the flow variables of the median
|x - x(dopri5)| in units of the variable's spread (the flow's standardised space), and a classifier's AUC
of (sample, conditioning) against dopri5 samples from other noise (split by row pair; the dopri5-vs-dopri5
line is its control).

    PYTHONPATH= .venv/bin/python benchmarks/distillation_methods.py --bundle python/flashsim/bundle/default \
        --source Muon_GenMuon --students trajectory:4,reflow:4,trajectory:2,trajectory:1 \
        work_default_bundle/big_full_ttbar_111.root ...   # the files the bundle was trained on
"""

import argparse
import json
import time
from pathlib import Path

import numpy as np


def _sample(field, z, cond, **ode):
    import torch

    from flashsim.models.flow_matching import sample

    return sample(field, torch.from_numpy(z), torch.from_numpy(cond), **ode).numpy()


def _auc(a, b, cond, seed=0):
    from sklearn.ensemble import HistGradientBoostingClassifier
    from sklearn.metrics import roc_auc_score

    x = np.concatenate([np.hstack([a, cond]), np.hstack([b, cond])])
    y = np.r_[np.zeros(len(a)), np.ones(len(b))]
    pair = np.random.default_rng(seed).permutation(len(a)) < len(a) // 2  # both rows of a pair on one side
    train = np.r_[pair, pair]
    clf = HistGradientBoostingClassifier(max_iter=200, random_state=seed).fit(x[train], y[train])
    return float(roc_auc_score(y[~train], clf.predict_proba(x[~train])[:, 1]))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("inputs", nargs="+", help="the files the bundle was trained on")
    parser.add_argument("--bundle", required=True)
    parser.add_argument("--source", required=True, help="e.g. Muon_GenMuon")
    parser.add_argument("--students", default="trajectory:4,reflow:4,trajectory:2,trajectory:1")
    parser.add_argument("--pairs", type=int, default=100_000)
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--held-out", type=int, default=20_000, help="held-out rows compared at most")
    parser.add_argument("--json")
    args = parser.parse_args(argv)

    from flashsim import catalogue
    from flashsim.bundle import read_manifest
    from flashsim.extract import extract
    from flashsim.models.distillation import DistillationConfig, distil
    from flashsim.models.velocity_field import VelocityField
    from flashsim.train.distil_bundle import conditioning_rows

    manifest = read_manifest(args.bundle)
    collection, name = args.source.split("_", 1)
    source = next(s for c in manifest["collections"] if c["name"] == collection for s in c["sources"]
                  if s["name"] == name)
    props = extract(args.inputs, catalogue.sources([collection]), skipped={}, postprocess=[])[args.source].properties
    cond, event = conditioning_rows(source, props, args.source), np.asarray(props.event).astype(np.int64)
    held = (event * 2654435761 % 1000) < 100  # a tenth of the events, by a hash of their id
    teacher = VelocityField.from_onnx(Path(args.bundle) / source["velocity_field"]["model"])
    test = cond[held][:args.held_out]
    rng = np.random.default_rng(7)
    z1, z2, z3 = (rng.standard_normal((len(test), teacher.n_targets)).astype(np.float32) for _ in range(3))
    exact = _sample(teacher, z1, test, method="dopri5", rtol=1e-5, atol=1e-5)
    other = _sample(teacher, z2, test, method="dopri5", rtol=1e-5, atol=1e-5)
    spread = exact.std(axis=0)
    out = {"source": args.source, "held_out_rows": len(test), "pairs": args.pairs, "epochs": args.epochs, "rows": {}}

    def row(label, evaluations, x):
        distance = np.median(np.abs(x - exact), axis=0) / spread
        out["rows"][label] = {"evaluations": evaluations, "distance": float(np.median(distance)),
                              "distance_max": float(distance.max()), "auc": _auc(x, other, test)}
        r = out["rows"][label]
        print(f"{label:<28} {evaluations:>3} evaluations  distance {r['distance']:.4f} (max {r['distance_max']:.4f})"
              f"  AUC {r['auc']:.3f}", flush=True)

    row("dopri5 1e-5, other noise", 0, _sample(teacher, z3, test, method="dopri5", rtol=1e-5, atol=1e-5))
    for method, steps, evaluations in (("midpoint", 16, 32), ("euler", 4, 4), ("midpoint", 2, 4), ("rk4", 1, 4),
                                       ("euler", 1, 1)):
        row(f"teacher {method}-{steps}", evaluations, _sample(teacher, z1, test, method=method, steps=steps))
    for spec in args.students.split(","):
        method, k = spec.split(":")
        config = DistillationConfig(method=method, steps=int(k), pairs=args.pairs, min_pairs=args.pairs,
                                    epochs=args.epochs)
        start = time.perf_counter()
        student, report = distil(teacher, cond[~held], config, seed=11, groups=event[~held])
        out.setdefault("reports", {})[spec] = {**report, "wall_seconds": round(time.perf_counter() - start, 1)}
        for steps in ([1, 2, 4] if method == "reflow" else [int(k)]):
            row(f"{method} student k={k}, euler-{steps}", steps, _sample(student, z1, test, method="euler",
                                                                          steps=steps))
    if args.json:
        Path(args.json).write_text(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
