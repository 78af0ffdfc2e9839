"""Sensitivity of the two-sample test (issue "The validation report's two-sample test"): the AUC it
gives for known distortions of the reference detector against itself, for the report's test
(flashsim.validate.two_sample.two_sample_test: boosted trees stopped early on the loss of 10% of the
training rows, and an MLP, their log-odds weighted by stacking; "new trees" and "new MLP" are its two parts alone)
and the two it replaces (the report's old MLP, 20,000 objects at most, 20 epochs; the quality
script's old HistGradientBoostingClassifier, 200 trees at learning rate 0.1).

A is the reference (detector seed 201), B the same gen events with detector seed 202, distorted:
jet pt x 1.01 / 1.02 / 1.05; the jet response widened by 5% / 10% around its median (matched
jets); Muon_tightId flipped in 2% / 5% of muons; the tight pileup-ID decision flipped in 2% / 5% of
jets (their Jet_puIdDisc mirrored across the tight working point: NanoAOD v15 has the discriminant,
not the flags). "none" is the control (B undistorted), for jets and for muons. Every
old test sees the rows it had (reco variables, matched flag, matched gen pt/eta/phi; the old
trees also the pileup), the new one those of flashsim.validate.two_sample_rows (the same plus
the response to the matched gen object and the pileup).

    PYTHONPATH= .venv/bin/python benchmarks/two_sample_sensitivity.py --reference full_ttbar_201_20k.root \
        --control full_ttbar_201_20k_seed202.root --events 3000 20000 [--seeds 0 1] [--json out.json]
"""

import argparse
import json
import time

import numpy as np

DISTORTIONS = [("none (Jet)", None, "Jet"), ("none (Muon)", None, "Muon"),
               ("jet pt x1.01", "scale", 1.01), ("jet pt x1.02", "scale", 1.02),
               ("jet pt x1.05", "scale", 1.05), ("jet resolution +5%", "resolution", 0.05),
               ("jet resolution +10%", "resolution", 0.10), ("Muon_tightId flipped in 2%", "flip", 0.02),
               ("Muon_tightId flipped in 5%", "flip", 0.05),
               ("Jet_puIdDisc tight decision flipped in 2%", "pileup_id", 0.02),
               ("Jet_puIdDisc tight decision flipped in 5%", "pileup_id", 0.05)]
TESTS = ("new", "new_trees", "new_mlp", "old_mlp", "old_trees")


def _tables(path, collection, events):
    from flashsim.validate import samples as smp
    from flashsim.validate.performance import object_table

    types = smp.branch_types(path)
    groups = smp.comparable_groups(types, types)
    variables = [v for v in groups[collection]["variables"]]
    branches = variables + [f"n{collection}", "Pileup_nPU"] + smp.gen_branches(types, {collection: None})
    sample = smp.read_sample(path, branches, events)
    table = object_table(sample, collection, variables)
    counts = np.asarray(sample.arrays[f"n{collection}"], np.int64)
    n_pu = np.repeat(np.asarray(sample.arrays["Pileup_nPU"], np.float64), counts)
    return table, n_pu, variables


def _distort(table, kind, amount, seed):
    from dataclasses import replace

    cols = dict(table.columns)
    if kind == "scale":
        cols["Jet_pt"] = cols["Jet_pt"] * amount
    elif kind == "resolution":
        m = table.matched
        r = cols["Jet_pt"] / np.where(m, table.gen_pt, 1.0)
        centre = np.median(r[m])
        cols["Jet_pt"] = np.where(m, table.gen_pt * (centre + (r - centre) * (1 + amount)), cols["Jet_pt"])
    elif kind == "flip":
        flip = np.random.default_rng(seed).uniform(size=len(cols["Muon_tightId"])) < amount
        cols["Muon_tightId"] = np.where(flip, 1.0 - cols["Muon_tightId"], cols["Muon_tightId"])
    elif kind == "pileup_id":  # the discriminant mirrored across the tight working point, in atanh so that it
        # stays in (-1, 1): the jets' tight decision flips, the further from the cut the further it goes
        from flashsim.refsim.parameters import value

        tight = np.arctanh(value("jet.puid_wp")[2])
        disc = cols["Jet_puIdDisc"]
        flip = np.random.default_rng(seed).uniform(size=len(disc)) < amount
        mirrored = np.tanh(2 * tight - np.arctanh(np.clip(disc, -1 + 1e-6, 1 - 1e-6)))
        cols["Jet_puIdDisc"] = np.where(flip, mirrored, disc)
    return replace(table, columns=cols)


def _old_mlp(xa, xb, ea, eb, seed):
    """The report's test before: MLP (64 wide, 20 epochs), events subsampled to 20,000 objects."""
    from flashsim.validate.two_sample import two_sample_auc

    def keep(e):
        n = len(e)
        if n <= 20000:
            return np.ones(n, dtype=bool)
        events = np.unique(e)
        chosen = np.random.default_rng(seed).permutation(events)[: int(len(events) * 20000 / n)]
        return np.isin(e, chosen)

    ka, kb = keep(ea), keep(eb)
    return two_sample_auc(xa[ka], xb[kb], ea[ka], eb[kb], seed=seed, epochs=20).auc


def _old_trees(xa, xb, ea, eb, seed):
    """The quality script's test before: HistGradientBoostingClassifier(200 trees, lr 0.1), half the events. The
    test events are the new test's (event_split; the old script drew its own half at random), so that the tests
    differ by their classifiers only, not by which events they score."""
    from sklearn.ensemble import HistGradientBoostingClassifier

    from flashsim.validate.two_sample import event_split, weighted_auc

    x = np.concatenate([xa, xb])
    y = np.concatenate([np.zeros(len(xa)), np.ones(len(xb))])
    ev = np.concatenate([ea, eb])
    w = np.where(y == 1, len(x) / (2 * len(xb)), len(x) / (2 * len(xa)))
    test = event_split(ev, 0.5, seed)
    clf = HistGradientBoostingClassifier(max_iter=200, learning_rate=0.1, random_state=seed)
    clf.fit(x[~test], y[~test], sample_weight=w[~test])
    return weighted_auc(clf.predict_proba(x[test])[:, 1], y[test], w[test])


def run(reference, control, events, seeds, log=print, only=None):
    from flashsim.validate.two_sample import two_sample_test
    from flashsim.validate.two_sample_rows import object_rows

    rows = []
    for n_events in events:
        tables = {c: (_tables(reference, c, n_events), _tables(control, c, n_events)) for c in ("Jet", "Muon")}
        for label, kind, amount in DISTORTIONS:
            if only and not any(o in label for o in only):
                continue
            collection = amount if kind is None else ("Muon" if kind == "flip" else "Jet")
            (ta, pa, variables), (tb, pb, _) = tables[collection]
            for seed in seeds:
                tb_d = _distort(tb, kind, amount, seed) if kind else tb
                xa, xb = object_rows(ta, variables, pa), object_rows(tb_d, variables, pb)
                ea, eb = ta.event_id, tb_d.event_id
                t0 = time.perf_counter()
                new = two_sample_test(xa, xb, ea, eb, seed=seed)
                t_new = time.perf_counter() - t0
                t0 = time.perf_counter()
                # the old rows: reco variables, matched flag, gen pt/eta/phi (no response, no pileup)
                oa, ob = xa[:, :len(variables) + 4], xb[:, :len(variables) + 4]
                old_mlp = _old_mlp(oa, ob, ea, eb, seed)
                t_mlp = time.perf_counter() - t0
                t0 = time.perf_counter()
                old_trees = _old_trees(np.c_[oa, xa[:, -1]], np.c_[ob, xb[:, -1]], ea, eb, seed)  # + pileup
                t_trees = time.perf_counter() - t0
                row = {"events": n_events, "distortion": label, "collection": collection, "seed": seed,
                       "objects": [len(ea), len(eb)], "new": new.auc, "new_error": new.auc_error, "trees": new.trees,
                       "new_trees": new.auc_by_classifier.get("trees", float("nan")),
                       "new_mlp": new.auc_by_classifier.get("mlp", float("nan")),
                       "old_mlp": old_mlp, "old_trees": old_trees,
                       "seconds": {"new": t_new, "old_mlp": t_mlp, "old_trees": t_trees}}
                rows.append(row)
                log(f"{n_events:6d} ev  {label:28s} seed {seed}: new {new.auc:.4f} +- {new.auc_error:.4f} "
                    f"(trees {row['new_trees']:.4f}, {new.trees} trees; MLP {row['new_mlp']:.4f}; {t_new:.0f} s)  "
                    f"old MLP {old_mlp:.4f} ({t_mlp:.0f} s)  "
                    f"old trees {old_trees:.4f} ({t_trees:.0f} s)")
    return rows


def summary(rows):
    """Mean AUC over seeds per (events, distortion, test)."""
    out = {}
    for r in rows:
        key = (r["events"], r["distortion"])
        entry = out.setdefault(key, {"n": 0, **{t: 0.0 for t in TESTS}, "new_error": 0.0})
        entry["n"] += 1
        for t in (*TESTS, "new_error"):
            entry[t] += r[t]
    for entry in out.values():
        for t in (*TESTS, "new_error"):
            entry[t] /= entry["n"]
    return out


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--reference", required=True, help="reference-detector file (seed A)")
    parser.add_argument("--control", required=True, help="the same gen events, reference detector with seed B")
    parser.add_argument("--events", type=int, nargs="+", default=[3000, 20000])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0])
    parser.add_argument("--only", nargs="+", help="only the distortions whose name contains one of these")
    parser.add_argument("--json", help="write every row here")
    args = parser.parse_args(argv)
    rows = run(args.reference, args.control, args.events, args.seeds, log=lambda s: print(s, flush=True),
               only=args.only)
    print("\n| events | distortion | new (report) | its trees | its MLP | old MLP | old trees |\n"
          "|---|---|---|---|---|---|---|")
    for (n, label), e in summary(rows).items():
        print(f"| {n} | {label} | {e['new']:.3f} +- {e['new_error']:.3f} | {e['new_trees']:.3f} | {e['new_mlp']:.3f} "
              f"| {e['old_mlp']:.3f} | {e['old_trees']:.3f} |")
    if args.json:
        with open(args.json, "w") as f:
            json.dump(rows, f, indent=1)


if __name__ == "__main__":
    main()
