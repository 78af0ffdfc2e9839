"""Quality of a bundle against the reference detector on held-out events (issue 5, "Must show").

The Python reference sampler simulates the gen events of a reference file; the result is
compared with that file's reco objects (same gen events):

- per collection, the validation report's classifier two-sample test (flashsim.validate.two_sample:
  boosted trees and an MLP, their log-odds summed, on the report's rows, split by event, classes
  weighted equally, bootstrap error), with two controls: the reference against the reference
  detector run with another seed on the same gen events (should give ~0.5) and the same with jet pt
  x 1.03 (must be flagged); the same classifier's AUC in bins of the matched gen pt, and the AUC of
  each variable alone given the gen conditioning, ranked (what gives the sample away;
  ``--no-variables`` skips it);
- jet response (reco/gen pt of matched jets): mean and resolution in bins of gen pt and |eta|, with
  the bootstrap error of each difference, and the same for the control (the statistical floor);
- the jet response inside CMS's HEM15/16 hole and in the rest of the endcaps;
- Wasserstein-1 distance per variable, normalised by the reference standard deviation;
- efficiency in (gen pt, eta) bins of every matched source;
- MET against the jets: the correlation of the MET pt with the scalar sum of jet pt and the MET
  response in bins of that HT, simulation and control against the reference, with paired bootstrap errors.

    PYTHONPATH= .venv/bin/python benchmarks/quality_default_bundle.py --bundle python/flashsim/bundle/default \
        --reference full_ttbar_201.root --control full_ttbar_201_seed202.root [--events 20000] [--json out.json]
        [--flashsim nano.root]   # judge the C++ RDataFrame output instead of the Python sampler
        [--ode '{"method": "distilled"}']  # another solver than the bundle's (the Python sampler)
"""

import argparse
import json
import time

import awkward as ak
import numpy as np

from flashsim.bundle.manifest import source_branches

GEN = {"Jet": ("GenJet", "genJetIdx"), "Muon": ("GenPart", "genPartIdx"), "Electron": ("GenPart", "genPartIdx"),
       "Photon": ("GenPart", "genPartIdx"), "FatJet": ("GenJetAK8", "genJetAK8Idx"),
       "Tau": ("GenPart", "genPartIdx"), "LowPtElectron": ("GenPart", "genPartIdx"),
       # object collections without a gen link in NanoAOD: compared without gen values
       "FsrPhoton": (None, None), "SubJet": (None, None), "SV": (None, None)}
PT_BINS = [20, 30, 50, 100, 200, 1000]
ETA_BINS = [0, 1.3, 2.5, 3.0, 5.0]
# a bundle's event-level collection -> the reference detector's name for it since NanoAOD v15 (a bundle
# trained before still reads its reference); the physics model behind both is the same
V15_EVENT_NAMES = {"MET": "PuppiMET"}


def _branches(manifest, collection, only_type=None):
    """The branches a collection writes; with ``only_type`` those of that type ("Float_t": no IDs, flags, counts)."""
    coll = next(c for c in manifest["collections"] if c["name"] == collection)
    return [b for b, t in source_branches(coll["sources"][0]) if only_type in (None, t)]


def reference_objects(path, manifest, events, arrays):
    """{collection: {branch: flat, "event": row, "genIndex", "gen_pt", "gen_eta"}} from a reco file, for
    the branches of each manifest collection that the file has (the others are named once)."""
    import uproot

    out = {}
    with uproot.open(path) as f:
        tree = f["Events"]
        keys = set(tree.keys())
        for coll in manifest["collections"]:
            name = coll["name"]
            prefix = name
            if name not in GEN and not any(k.startswith(f"{name}_") for k in keys):
                prefix = V15_EVENT_NAMES.get(name, name)
            branches = [b for b in _branches(manifest, name) if f"{prefix}_{b}" in keys]
            absent = [b for b in _branches(manifest, name) if b not in branches]
            if absent:
                print(f"{path}: no {prefix}_{{{','.join(absent)}}}; {name} is compared without them")
            if name not in GEN:  # event level
                a = tree.arrays([f"{prefix}_{b}" for b in branches], entry_stop=events, library="np")
                out[name] = {b: a[f"{prefix}_{b}"].astype(np.float64) for b in branches}
                out[name]["event"] = np.arange(len(out[name][branches[0]]))
                continue
            gen, index = GEN[name]
            a = tree.arrays([f"{name}_{b}" for b in branches] + ([f"{name}_{index}"] if index else []),
                            entry_stop=events)
            counts = ak.to_numpy(ak.num(a[f"{name}_{branches[0]}"]))
            table = {b: ak.to_numpy(ak.flatten(a[f"{name}_{b}"])).astype(np.float64) for b in branches}
            table["event"] = np.repeat(np.arange(len(counts)), counts)
            table["genIndex"] = (ak.to_numpy(ak.flatten(a[f"{name}_{index}"])).astype(np.int64) if index
                                 else np.full(len(table["event"]), -1, dtype=np.int64))
            out[name] = table
    return out


def add_gen(table, collection, arrays):
    """gen pt/eta (and phi when read) of the matched gen object (0 / -9 when unmatched) and the event's nPU."""
    n_pu = ak.to_numpy(arrays["Pileup_nPU"]).astype(np.float64)
    table["nPU"] = n_pu[table["event"]]
    if collection not in GEN:
        for var in ("GenMET_pt", "GenMET_phi"):
            table[var] = ak.to_numpy(arrays[var]).astype(np.float64)[table["event"]]
        return table
    gen = GEN[collection][0]
    if gen is None:  # no gen link (FsrPhoton, SubJet)
        table["gen_ok"] = np.zeros(len(table["event"]), dtype=bool)
        for var, fill in (("pt", 0.0), ("eta", -9.0), ("phi", -9.0)):
            table[f"gen_{var}"] = np.full(len(table["event"]), fill)
        return table
    for var, fill in (("pt", 0.0), ("eta", -9.0), ("phi", -9.0)):
        if var == "phi" and f"{gen}_phi" not in arrays.fields:  # only the HEM check needs it
            continue
        values = arrays[f"{gen}_{var}"]
        counts = ak.to_numpy(ak.num(values))
        start = np.concatenate([[0], np.cumsum(counts)[:-1]])
        flat = ak.to_numpy(ak.flatten(values)).astype(np.float64)
        idx = table["genIndex"]
        ok = (idx >= 0) & (idx < counts[table["event"]])
        table["gen_ok"] = ok
        table[f"gen_{var}"] = np.where(ok, flat[np.where(ok, start[table["event"]] + idx, 0)], fill)
    return table


def classifier_auc(a, b, name, columns, event_ids, seed=0, per_variable=False):
    """The report's two-sample test (flashsim.validate.two_sample_rows) of table ``a`` (label 0)
    against ``b``: the same rows, settings and bootstrap error as ``flashsim validate``.

    ``columns``: the reco branches (short names); ``event_ids``: [n_events] of the file, which
    the report's event split hashes. Returns the result dict (auc, auc_error, n_test, by_gen_pt, ...);
    with ``per_variable`` instead the ranking of each variable alone given the gen conditioning
    (two_sample_rows.variable_ranking)."""
    from flashsim.validate import two_sample_rows as rows

    names = [f"{name}_{c}" for c in columns]
    if name not in GEN:
        def event_columns(t):
            out = {f"{name}_{c}": t[c] for c in columns}
            return {**out, "GenMET_pt": t["GenMET_pt"], "GenMET_phi": t["GenMET_phi"], "Pileup_nPU": t["nPU"]}

        test = rows.event_variable_ranking if per_variable else rows.event_test
        return test(event_columns(a), event_columns(b), names, event_ids[a["event"]], event_ids[b["event"]], seed)
    ta, tb = (object_table(t, name, columns, event_ids) for t in (a, b))
    test = rows.variable_ranking if per_variable else rows.collection_test
    return test(ta, tb, names, seed, a["nPU"], b["nPU"])


def object_table(table, name, columns, event_ids):
    """A table of this script as the report's ObjectTable (gen values NaN when unmatched)."""
    from flashsim.validate.performance import ObjectTable

    ok = table["gen_ok"]
    gen = {v: np.where(ok, table[f"gen_{v}"], np.nan) for v in ("pt", "eta", "phi")}
    return ObjectTable({f"{name}_{c}": np.asarray(table[c], np.float64) for c in columns}, event_ids[table["event"]],
                       np.ones(len(ok)), gen["pt"], gen["eta"], gen["phi"])


def w1_normalised(a, b):
    """Wasserstein-1 between two 1D samples / std of ``a`` (the reference)."""
    q = np.linspace(0.0005, 0.9995, 2000)
    spread = np.std(a)
    if spread == 0:
        return 0.0 if np.allclose(np.quantile(b, q), a[0]) else float("inf")
    return float(np.mean(np.abs(np.quantile(a, q) - np.quantile(b, q))) / spread)


def _response_stats(r):
    q16, q50, q84 = np.quantile(r, [0.16, 0.5, 0.84])
    return r.mean(), (q84 - q16) / 2 / q50


def jet_response(ref, sim, n_boot=200, seed=0):
    """Mean and resolution ((q84 - q16) / 2 / median) of reco/gen pt of matched jets per (gen pt, |eta|)
    bin with >= 100 jets on both sides, and the statistical error of their relative differences
    (bootstrap of the jets of both samples)."""
    rng = np.random.default_rng(seed)
    rows = []
    for lo, hi in zip(PT_BINS[:-1], PT_BINS[1:], strict=True):
        for elo, ehi in zip(ETA_BINS[:-1], ETA_BINS[1:], strict=True):
            samples = []
            for t in (ref, sim):
                m = (t["genIndex"] >= 0) & (t["gen_pt"] >= lo) & (t["gen_pt"] < hi) & \
                    (np.abs(t["gen_eta"]) >= elo) & (np.abs(t["gen_eta"]) < ehi)
                samples.append(t["pt"][m] / t["gen_pt"][m])
            if min(len(r) for r in samples) < 100:
                continue
            (mean_ref, res_ref), (mean_sim, res_sim) = (_response_stats(r) for r in samples)
            boot = np.array([[b / a - 1 for a, b in zip(*(_response_stats(rng.choice(r, len(r))) for r in samples),
                                                         strict=True)] for _ in range(n_boot)])
            rows.append({"pt": [lo, hi], "abs_eta": [elo, ehi], "n_ref": len(samples[0]), "n_sim": len(samples[1]),
                         "mean_ref": mean_ref, "mean_sim": mean_sim, "mean_rel_diff": mean_sim / mean_ref - 1,
                         "mean_rel_diff_se": float(boot[:, 0].std()),
                         "resolution_ref": res_ref, "resolution_sim": res_sim,
                         "resolution_rel_diff": res_sim / res_ref - 1,
                         "resolution_rel_diff_se": float(boot[:, 1].std())})
    return rows


def hem_response(ref, sim, n_boot=200, seed=0):
    """Median and mean reco/gen pt of matched jets (gen pt > 30 GeV) inside CMS's HEM15/16 box and in
    the rest of the endcaps (1.3 <= |eta| < 3.2): a network that cannot draw the box spreads the
    hole's energy loss over the whole endcap (too high inside, too low outside)."""
    from flashsim.catalogue.gen import HEM_REGION
    from flashsim.refsim.geometry import in_any_region

    responses = {}
    for t in (ref, sim):
        inside = in_any_region(t["gen_eta"], t["gen_phi"], [HEM_REGION])
        endcap = (np.abs(t["gen_eta"]) >= 1.3) & (np.abs(t["gen_eta"]) < 3.2)
        jets = (t["genIndex"] >= 0) & (t["gen_pt"] >= 30)
        response = t["pt"] / np.where(jets, t["gen_pt"], 1.0)
        for region, where in (("inside HEM15/16", inside), ("endcaps outside it", endcap & ~inside)):
            responses.setdefault(region, []).append(response[jets & where])
    rng = np.random.default_rng(seed)
    rows = []
    for region, samples in responses.items():
        stats = [(np.median(x), np.mean(x)) for x in samples]
        boot = np.array([[np.median(b) / np.median(a) - 1, np.mean(b) / np.mean(a) - 1]
                         for a, b in ((rng.choice(samples[0], len(samples[0])), rng.choice(samples[1], len(samples[1])))
                                      for _ in range(n_boot))])
        (med_ref, mean_ref), (med_sim, mean_sim) = stats
        rows.append({"region": region, "n_ref": len(samples[0]), "n_sim": len(samples[1]),
                     "median_ref": med_ref, "median_sim": med_sim, "median_rel_diff": med_sim / med_ref - 1,
                     "mean_ref": mean_ref, "mean_sim": mean_sim, "mean_rel_diff": mean_sim / mean_ref - 1,
                     "se": boot.std(axis=0).tolist()})
    return rows


HT_BINS = [0.0, 100.0, 200.0, 400.0, 700.0, np.inf]


def met_against_jets(samples, met, gen_met, n_events, min_pt=30.0, n_boot=200, seed=0):
    """MET against the jets (issue "Every collection": the reference detector builds MET from its jets):
    for each sample ({label: tables}, one of them "reference") the Pearson correlation of the MET pt with
    the event's scalar sum of jet pt (jets above ``min_pt``, the sample's own jets), and the MET response
    <MET pt> / <GenMET pt> in bins of that HT. Errors: a paired bootstrap of the events (the samples share
    their gen events) on each difference to the reference."""
    per = {}
    for label, tables in samples.items():
        jets = tables["Jet"]
        keep = jets["pt"] > min_pt
        ht = np.bincount(jets["event"][keep], weights=jets["pt"][keep], minlength=n_events)
        pt = np.zeros(n_events)
        pt[tables[met]["event"]] = tables[met]["pt"]
        per[label] = (ht, pt)
    rng = np.random.default_rng(seed)
    boots = [rng.integers(0, n_events, n_events) for _ in range(n_boot)]

    def corr(ht, pt, rows):
        return float(np.corrcoef(ht[rows], pt[rows])[0, 1])

    def response(ht, pt, rows, lo, hi):
        m = (ht[rows] >= lo) & (ht[rows] < hi)
        return float(pt[rows][m].mean() / gen_met[rows][m].mean()) if m.sum() >= 20 else np.nan

    every = np.arange(n_events)
    out = {"met": met, "min_jet_pt": min_pt, "correlation": {}, "response": []}
    for label, (ht, pt) in per.items():
        entry = {"value": corr(ht, pt, every)}
        if label != "reference":
            entry["minus_reference_se"] = float(np.std([corr(ht, pt, b) - corr(*per["reference"], b) for b in boots]))
        out["correlation"][label] = entry
    for lo, hi in zip(HT_BINS[:-1], HT_BINS[1:], strict=True):
        row = {"ht": [lo, hi]}
        for label, (ht, pt) in per.items():
            row[label] = {"n": int(((ht >= lo) & (ht < hi)).sum()), "response": response(ht, pt, every, lo, hi)}
            if label != "reference":
                diffs = [response(ht, pt, b, lo, hi) / response(*per["reference"], b, lo, hi) - 1 for b in boots]
                row[label]["rel_diff"] = row[label]["response"] / row["reference"]["response"] - 1
                row[label]["rel_diff_se"] = float(np.nanstd(diffs))
        out["response"].append(row)
    return out


def print_met_against_jets(m):
    c = m["correlation"]
    others = [k for k in c if k != "reference"]
    print(f"MET against the jets (jets above {m['min_jet_pt']:.0f} GeV): corr({m['met']}_pt, HT) reference "
          f"{c['reference']['value']:.3f}, " + ", ".join(
              f"{k} {c[k]['value']:.3f} ({c[k]['value'] - c['reference']['value']:+.3f} +- "
              f"{c[k]['minus_reference_se']:.3f})" for k in others))
    for row in m["response"]:
        if not np.isfinite(row["reference"]["response"]):
            continue
        print(f"  HT {row['ht']} ({row['reference']['n']} events): <MET>/<GenMET> reference "
              f"{row['reference']['response']:.3f}, " + ", ".join(
                  f"{k} {row[k]['response']:.3f} ({100 * row[k]['rel_diff']:+.1f} +- "
                  f"{100 * row[k]['rel_diff_se']:.1f}%)" for k in others))


def print_diagnostics(entry, top=8):
    """The AUC in bins of the matched gen pt and the variables that give the sample away most."""
    if entry["by_gen_pt"]:
        print("  by gen pt: " + ", ".join(f"{b['bin']} {b['auc']:.3f} +- {b['auc_error']:.3f} ({b['n_test']})"
                                          for b in entry["by_gen_pt"]))
    if entry.get("variables"):
        print("  alone given gen: " + ", ".join(f"{v['variable'].split('_', 1)[1]} {v['auc']:.3f} +- "
                                               f"{v['auc_error']:.3f}" for v in entry["variables"][:top]))


def print_hem(rows):
    for x in rows:
        print(f"Jet response {x['region']} (gen pt > 30 GeV, {x['n_ref']} jets): median {x['median_ref']:.4f} -> "
              f"{x['median_sim']:.4f} ({100 * x['median_rel_diff']:+.2f} +- {100 * x['se'][0]:.2f}%), mean "
              f"{x['mean_ref']:.4f} -> {x['mean_sim']:.4f} ({100 * x['mean_rel_diff']:+.2f} +- "
              f"{100 * x['se'][1]:.2f}%)")


def print_response(label, rows):
    mean_ok = sum(abs(x["mean_rel_diff"]) <= 0.01 for x in rows)
    res_ok = sum(abs(x["resolution_rel_diff"]) <= 0.05 for x in rows)
    mean_2se = sum(abs(x["mean_rel_diff"]) <= max(0.01, 2 * x["mean_rel_diff_se"]) for x in rows)
    res_2se = sum(abs(x["resolution_rel_diff"]) <= max(0.05, 2 * x["resolution_rel_diff_se"]) for x in rows)
    print(f"Jet response, {label}: {len(rows)} bins, mean within 1% in {mean_ok} (1% or 2 SE: {mean_2se}), "
          f"resolution within 5% in {res_ok} (5% or 2 SE: {res_2se})")
    for x in rows:
        print(f"  pt {x['pt']} |eta| {x['abs_eta']} n {x['n_ref']}: mean {x['mean_ref']:.4f} -> {x['mean_sim']:.4f} "
              f"({100 * x['mean_rel_diff']:+.2f} +- {100 * x['mean_rel_diff_se']:.2f}%), resolution "
              f"{x['resolution_ref']:.4f} -> {x['resolution_sim']:.4f} ({100 * x['resolution_rel_diff']:+.1f} "
              f"+- {100 * x['resolution_rel_diff_se']:.1f}%)")


def _binned_rates(ref_pt, ref_eta, ref_label, sim_pt, sim_eta, sim_label, pt_bins, eta_bins):
    """Reco fraction per (pt, eta) bin with >= 100 candidates on both sides: reference vs simulation."""
    rows, ok = [], 0
    for lo, hi in zip(pt_bins[:-1], pt_bins[1:], strict=True):
        for elo, ehi in zip(eta_bins[:-1], eta_bins[1:], strict=True):
            m = (ref_pt >= lo) & (ref_pt < hi) & (ref_eta >= elo) & (ref_eta < ehi)
            ms = (sim_pt >= lo) & (sim_pt < hi) & (sim_eta >= elo) & (sim_eta < ehi)
            n, n_sim = int(m.sum()), int(ms.sum())
            if min(n, n_sim) < 100:
                continue
            p_ref, p_sim = ref_label[m].mean(), sim_label[ms].mean()
            se = np.sqrt(p_ref * (1 - p_ref) / n + p_sim * (1 - p_sim) / n_sim)
            good = abs(p_ref - p_sim) <= max(2 * se, 0.02)
            ok += good
            rows.append({"pt": [lo, hi], "eta": [float(elo), float(ehi)], "n": n, "n_sim": n_sim, "ref": float(p_ref),
                         "sim": float(p_sim), "ok": bool(good)})
    if not rows:
        return None
    return {"bins": len(rows), "fraction_ok": ok / len(rows),
            "worst": max(rows, key=lambda r: abs(r["ref"] - r["sim"]))}


def _rates_on_simulated_candidates(e, sim, name, source, pt_bins, eta_bins):
    """A source built from simulated objects (SV <- Jet: the first and second vertex of each jet): its rate per
    candidate in (candidate pt, eta) bins, the reference's on its jets against the simulation's on FlashSim's own
    (different objects: the rates, not the candidates, are compared). The candidate index is the position in the
    collection sorted by pt, as the staged sampler's friend tree holds it."""
    parent = sim[source["gen_collection"]]
    ev = np.asarray(parent["event"], dtype=np.int64)
    pt, eta = np.asarray(parent["pt"], np.float64), np.asarray(parent["eta"], np.float64)
    order = np.lexsort((-pt, ev))
    ev, pt, eta = ev[order], pt[order], eta[order]
    first = np.searchsorted(ev, ev, side="left")
    position = np.arange(len(ev)) - first
    t = sim[name]
    mine = t["source"] == source["name"]
    produced = set(zip(np.asarray(t["event"])[mine].tolist(), np.asarray(t["candidate"])[mine].tolist(), strict=True))
    label = np.array([(int(a), int(b)) in produced for a, b in zip(ev, position, strict=True)], dtype=bool)
    g = source["gen_collection"]
    return _binned_rates(e.columns[f"{g}_pt"], e.columns[f"{g}_eta"], e.label, pt, eta, label, pt_bins, eta_bins)


def efficiency_bins(ref_tables, sim, arrays, manifest):
    """Per matched source: reco fraction per (gen pt, eta) bin, reference vs simulation."""
    out = {}
    pt_bins = [2, 5, 10, 20, 30, 50, 100, 200, 1000]
    eta_bins = np.linspace(-5, 5, 11)
    for coll in manifest["collections"]:
        for s in coll["sources"]:
            key = f"{coll['name']}_{s['name']}"
            # matched sources, and the unmatched ones whose candidates are gen objects (a real tau from its
            # GenVisTau, an FSR photon from its gen photon, a fake from its GenJet); with the Python sampler,
            # which says which candidate made each object
            gen_candidates = s.get("gen_collection", "").startswith("Gen") and "source" in sim[coll["name"]]
            if s.get("kind", "matched") not in ("matched", "unmatched") or key not in ref_tables:
                continue
            if s.get("kind") == "unmatched" and not gen_candidates:
                if "source" in sim[coll["name"]] and s.get("gen_collection") in sim:  # SV <- Jet, SubJet <- FatJet
                    rates = _rates_on_simulated_candidates(ref_tables[key].efficiency, sim, coll["name"], s,
                                                           pt_bins, eta_bins)
                    if rates:
                        out[key] = rates
                continue
            e = ref_tables[key].efficiency
            gen_pt = e.columns[f"{s['gen_collection']}_pt"]
            gen_eta = e.columns[f"{s['gen_collection']}_eta"]
            # the simulation's label: this source produced an object from the candidate
            t = sim[coll["name"]]
            if "source" in t:  # the Python reference sampler says which source made each object
                mine = t["source"] == s["name"]
                produced = set(zip(t["event"][mine].tolist(), t["candidate"][mine].tolist(), strict=True))
                label = np.array([(int(ev), int(i)) in produced
                                  for ev, i in zip(e.columns["__event_row"], e.index, strict=True)])
            else:  # a NanoAOD file: count the reco objects pointing at each gen object
                from collections import Counter

                count = Counter(zip(t["event"].tolist(), t["genIndex"].tolist(), strict=True))
                needed = 2 if s["name"] == "Duplicate" else 1  # a duplicate is a second reco object
                label = np.array([count[(int(ev), int(i))] >= needed
                                  for ev, i in zip(e.columns["__event_row"], e.index, strict=True)])
            rows, ok = [], 0
            for lo, hi in zip(pt_bins[:-1], pt_bins[1:], strict=True):
                for elo, ehi in zip(eta_bins[:-1], eta_bins[1:], strict=True):
                    m = (gen_pt >= lo) & (gen_pt < hi) & (gen_eta >= elo) & (gen_eta < ehi)
                    n = int(m.sum())
                    if n < 100:
                        continue
                    p_ref, p_sim = e.label[m].mean(), label[m].mean()
                    se = np.sqrt(p_ref * (1 - p_ref) / n + p_sim * (1 - p_sim) / n)
                    good = abs(p_ref - p_sim) <= max(2 * se, 0.02)
                    ok += good
                    rows.append({"pt": [lo, hi], "eta": [float(elo), float(ehi)], "n": n, "ref": float(p_ref),
                                 "sim": float(p_sim), "ok": bool(good)})
            if rows:
                out[key] = {"bins": len(rows), "fraction_ok": ok / len(rows), "worst": max(
                    rows, key=lambda r: abs(r["ref"] - r["sim"]))}
    return out


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--bundle", required=True)
    parser.add_argument("--reference", required=True, help="held-out reference-detector file (gen + reco)")
    parser.add_argument("--control", required=True, help="the same gen events, reference detector with another seed")
    parser.add_argument("--events", type=int, default=None)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--ode", type=json.loads, default=None,
                        help='solver of the Python sampler instead of the bundle\'s, e.g. \'{"method": "dopri5", '
                             '"rtol": 1e-5, "atol": 1e-5}\' or \'{"method": "distilled"}\'')
    parser.add_argument("--json", help="write the figures here")
    parser.add_argument("--no-variables", action="store_true",
                        help="skip the per-variable AUCs (each variable alone given gen; about 2 s a variable at "
                             "20,000 ttbar events)")
    parser.add_argument("--study", action="store_true",
                        help="only what a study of solvers or seeds compares (benchmarks/solver_pareto.py): each "
                             "collection's AUC with its error and W1; no controls (they do not depend on the "
                             "simulation: one full run gives them), no kinematics/continuous split, response, MET "
                             "or efficiency")
    parser.add_argument("--allow-bundle-code", action="store_true",
                        help="also read a format-1 bundle whose entries are C++ text (trust its author)")
    parser.add_argument("--collections", type=lambda text: text.split(","), default=None,
                        help="with --study: only these collections of the bundle, e.g. Muon,Electron,FsrPhoton "
                             "(a collection built from others needs them listed too)")
    parser.add_argument("--flashsim", help="judge this NanoAOD file (flashsim simulate of the reference's gen events, "
                                           "one thread: same order) instead of the Python reference sampler")
    args = parser.parse_args(argv)

    from flashsim import catalogue
    from flashsim.bundle import read_manifest
    from flashsim.extract import extract
    from flashsim.train.reference_sampler import NumpyNoise, gen_arrays, sample_bundle
    from flashsim.validate import samples as smp

    manifest = read_manifest(args.bundle)
    if args.collections:
        unknown = sorted(set(args.collections) - {c["name"] for c in manifest["collections"]})
        if unknown or not args.study:
            parser.error(f"--collections: {unknown} not in the bundle" if unknown else "--collections needs --study")
        manifest["collections"] = [c for c in manifest["collections"] if c["name"] in args.collections]
    start = time.perf_counter()
    arrays = gen_arrays([args.reference], args.bundle, args.events, allow_bundle_code=args.allow_bundle_code)
    n_events = len(arrays)
    gen_cols = uproot_read(args.reference, ["run", "luminosityBlock", "event", "Pileup_nPU", "GenMET_pt",
                                            "GenMET_phi"] + sorted({
        f"{g}_{v}" for g, _ in GEN.values() if g for v in ("pt", "eta", "phi")}), n_events)
    if args.flashsim:
        _check_same_events(args.reference, args.flashsim, n_events)
        sim = reference_objects(args.flashsim, manifest, n_events, gen_cols)
    else:
        sim = sample_bundle(args.bundle, [args.reference], NumpyNoise(args.seed), arrays=arrays, ode=args.ode,
                            collections=args.collections)
    sim_seconds = time.perf_counter() - start
    ref = reference_objects(args.reference, manifest, n_events, gen_cols)
    control = reference_objects(args.control, manifest, n_events, gen_cols)
    result = {"events": n_events, "simulation_seconds": round(sim_seconds, 1), "seed": args.seed,
              "ode": {**manifest.get("ode", {}), **(args.ode or {})}, "collections": {}}
    event_ids = smp.event_ids({k: ak.to_numpy(gen_cols[k]) for k in ("run", "luminosityBlock", "event")})
    for name in ref:
        r = add_gen(ref[name], name, gen_cols)
        s = {k: np.asarray(v, dtype=np.float64) if k not in ("source", "event", "genIndex", "candidate") else v
             for k, v in sim[name].items()}
        index = GEN.get(name, (None, None))[1]
        if index in s:  # the gen index is a copied branch (Tau_genPartIdx: the GenVisTau's mother), not the source's
            s["genIndex"] = np.asarray(s[index]).astype(np.int64)
        s = add_gen(s, name, gen_cols)
        c = add_gen(control[name], name, gen_cols)
        branches = [b for b in _branches(manifest, name) if b in r]  # those the reference has
        entry = {"n_ref": len(r["event"]), "n_sim": len(s["event"])}

        def auc(a, columns, key, r=r, name=name, entry=entry):  # A (label 0) against the reference, as the report
            test = classifier_auc(a, r, name, columns, event_ids)
            entry[key], entry[f"{key}_error"] = test["auc"], test["auc_error"]
            return test

        full = auc(s, branches, "auc")
        entry["n_test"] = full["n_test"]
        entry["by_gen_pt"] = full.get("by_gen_pt", [])
        entry["w1"] = {b: w1_normalised(r[b], s[b]) for b in branches}
        w = np.array([v for v in entry["w1"].values() if np.isfinite(v)])
        entry["w1_median"], entry["w1_max"] = float(np.median(w)), float(np.max(w))
        entry["w1_worst"] = max(entry["w1"], key=lambda k: entry["w1"][k])
        if args.study:
            result["collections"][name] = entry
            print(f"{name}: AUC {entry['auc']:.3f} +- {entry['auc_error']:.3f}, W1/std median "
                  f"{entry['w1_median']:.3f} max {entry['w1_max']:.3f} ({entry['w1_worst']})", flush=True)
            continue
        auc(c, branches, "auc_control_same_detector")
        kinematic = [b for b in ("pt", "eta", "phi", "mass") if b in branches]
        if name not in GEN:
            kinematic = branches[:2]
        # the same test on the kinematics only: separates "the response" from "the attributes"
        auc(s, kinematic, "auc_kinematics")
        # and on the continuous (Float_t) branches only: separates the IDs, flags and counts
        auc(s, [b for b in _branches(manifest, name, "Float_t") if b in r], "auc_continuous")
        if name == "Jet":
            distorted = dict(c)
            distorted["pt"] = c["pt"] * 1.03
            auc(distorted, branches, "auc_control_pt_x1.03")
            entry["response"] = jet_response(r, s)
            entry["response_control"] = jet_response(r, c)
            entry["hem"] = hem_response(r, s)
        if not args.no_variables:
            entry["variables"] = classifier_auc(s, r, name, branches, event_ids, per_variable=True)
        result["collections"][name] = entry
        print(f"{name}: AUC {entry['auc']:.3f} +- {entry['auc_error']:.3f}, "
              f"kinematics only {entry['auc_kinematics']:.3f}, "
              f"continuous only {entry['auc_continuous']:.3f} "
              f"(control same detector {entry['auc_control_same_detector']:.3f}"
              + (f", pt x1.03 {entry['auc_control_pt_x1.03']:.3f}" if name == "Jet" else "")
              + f"), W1/std median {entry['w1_median']:.3f} max {entry['w1_max']:.3f} ({entry['w1_worst']}), "
              f"objects ref {entry['n_ref']} sim {entry['n_sim']}", flush=True)
        print_diagnostics(entry)
    if args.study:
        if args.json:
            with open(args.json, "w") as f:
                json.dump(result, f, indent=1, default=float)
        return result
    jets = result["collections"]["Jet"]
    print_response("simulation vs reference", jets["response"])
    print_response("control: reference with another seed vs reference", jets["response_control"])
    print_hem(jets["hem"])
    met = next((n for n in ref if "MET" in n and "pt" in ref[n]), None)
    if met is not None:
        result["met_against_jets"] = met_against_jets(
            {"reference": ref, "simulation": sim, "control": control}, met,
            ak.to_numpy(gen_cols["GenMET_pt"]).astype(np.float64), n_events)
        print_met_against_jets(result["met_against_jets"])
    tables = extract([args.reference], catalogue.sources(), max_events=n_events)
    _add_event_rows(tables, args.reference, n_events)
    result["efficiency"] = efficiency_bins(tables, sim, arrays, manifest)
    for key, e in result["efficiency"].items():
        print(f"efficiency {key}: {e['bins']} bins with >= 100 gen objects, {100 * e['fraction_ok']:.0f}% within "
              f"2 SE or 0.02; worst {e['worst']}")
    if args.json:
        with open(args.json, "w") as f:
            json.dump(result, f, indent=1, default=float)
    return result


def _check_same_events(reference, flashsim, events):
    ids = [uproot_read(path, ["run", "luminosityBlock", "event"], events) for path in (reference, flashsim)]
    for name in ("run", "luminosityBlock", "event"):
        if not np.array_equal(ak.to_numpy(ids[0][name]), ak.to_numpy(ids[1][name])):
            raise SystemExit(f"{flashsim}: its events are not those of {reference} in the same order "
                             "(simulate the reference's gen events with one thread)")


def uproot_read(path, branches, events):
    import uproot

    with uproot.open(path) as f:
        return f["Events"].arrays(branches, entry_stop=events)


def _add_event_rows(tables, path, events):
    """The extraction's event group ids -> row numbers of the file (for pairing with the sampler)."""
    import uproot

    from flashsim.extract.tables import _group_ids

    with uproot.open(path) as f:
        a = f["Events"].arrays(["run", "luminosityBlock", "event"], entry_stop=events, library="np")
    group = _group_ids(a["run"], a["luminosityBlock"], a["event"])
    row_of_group = np.empty(group.max() + 1, dtype=np.int64)
    row_of_group[group] = np.arange(len(group))
    for t in tables.values():
        if t.efficiency is not None:
            t.efficiency.columns["__event_row"] = row_of_group[t.efficiency.event]


if __name__ == "__main__":
    main()
