""""Learning is not trivial": a naive stand-in must be clearly distinguishable from refsim.

The naive stand-in smears every reco jet variable independently, drawing from the reference's
marginal distribution in bins of gen pt and |eta| (its quantile function per bin). It keeps
every one-dimensional distribution per bin and loses what a real model has to learn: the
flavour dependence, the correlations between variables, the integer relations. A classifier
two-sample test (flashsim.validate.two_sample, split by event, gen conditioning among the
inputs, balanced classes) must give jet AUC >= 0.75 against the reference, while the control
(the reference against itself with another seed) gives about 0.5 and a deliberately distorted
copy (jet pt x 1.1) is seen.

Run: ``python -m flashsim.refsim.naive_check gen.root [--events N]``.
"""

import argparse
import os
import tempfile

import numpy as np

from flashsim.refsim.matching import delta_phi

__all__ = ["GEN_CONDITIONING", "JET_TARGETS", "matched_jets", "naive_jets", "naive_check"]

GEN_CONDITIONING = ("pt", "eta", "phi", "mass", "hadronFlavour", "partonFlavour")
# reco variables compared; pt/mass as ratios and eta/phi as differences to the gen jet
JET_TARGETS = (
    "pt_ratio", "deta", "dphi", "mass_ratio", "area", "btagDeepFlavB", "btagDeepFlavCvB",
    "btagDeepFlavCvL", "btagDeepFlavQG", "btagPNetQvG", "chHEF", "neHEF", "chEmEF", "neEmEF", "muEF",
    "nConstituents", "chMultiplicity", "neMultiplicity", "nMuons", "nElectrons", "puIdDisc", "rawFactor",
    "PNetRegPtRawCorr")


def matched_jets(path: str) -> dict:
    """Reco jets matched to a gen jet, as flat arrays: ``event_id``, ``gen_index``,
    ``gen_<conditioning>`` and the targets of :data:`JET_TARGETS`."""
    import awkward as ak
    import uproot

    direct = [t for t in JET_TARGETS if t not in ("pt_ratio", "deta", "dphi", "mass_ratio")]
    with uproot.open(path) as f:
        a = f["Events"].arrays(
            ["run", "event", "Jet_genJetIdx", "Jet_pt", "Jet_eta", "Jet_phi", "Jet_mass"]
            + [f"Jet_{t}" for t in direct] + [f"GenJet_{g}" for g in GEN_CONDITIONING])
    idx = a["Jet_genJetIdx"]
    ok = idx >= 0
    event_id = (ak.to_numpy(a["run"]).astype(np.int64) * (1 << 40)
                + ak.to_numpy(a["event"]).astype(np.int64))
    counts = ak.to_numpy(ak.sum(ok, axis=1))
    out = {"event_id": np.repeat(event_id, counts)}
    out["gen_index"] = ak.to_numpy(ak.flatten(idx[ok])).astype(np.int64)
    safe = ak.where(ok, idx, 0)
    for g in GEN_CONDITIONING:
        out[f"gen_{g}"] = ak.to_numpy(ak.flatten(a[f"GenJet_{g}"][safe][ok])).astype(np.float64)
    reco = {v: ak.to_numpy(ak.flatten(a[f"Jet_{v}"][ok])).astype(np.float64)
            for v in ("pt", "eta", "phi", "mass")}
    out["pt_ratio"] = reco["pt"] / out["gen_pt"]
    out["deta"] = reco["eta"] - out["gen_eta"]
    out["dphi"] = delta_phi(reco["phi"], out["gen_phi"])
    out["mass_ratio"] = reco["mass"] / np.maximum(out["gen_mass"], 0.1)
    for t in direct:
        out[t] = ak.to_numpy(ak.flatten(a[f"Jet_{t}"][ok])).astype(np.float64)
    return out


def _bins(table, edges_pt, edges_eta):
    ipt = np.clip(np.searchsorted(edges_pt, table["gen_pt"], side="right") - 1, 0,
                  len(edges_pt) - 2)
    ieta = np.clip(np.searchsorted(edges_eta, np.abs(table["gen_eta"]), side="right") - 1, 0,
                   len(edges_eta) - 2)
    return ipt * (len(edges_eta) - 1) + ieta


def naive_jets(fit: dict, apply: dict, seed: int = 0, n_pt_bins: int = 8) -> dict:
    """The naive stand-in: targets of ``apply``'s gen jets drawn independently per variable
    from ``fit``'s marginals in the same (gen pt, |gen eta|) bin."""
    rng = np.random.default_rng(seed)
    edges_pt = np.quantile(fit["gen_pt"], np.linspace(0, 1, n_pt_bins + 1))
    edges_pt[0], edges_pt[-1] = 0.0, np.inf
    edges_eta = np.array([0.0, 1.3, 2.5, 3.0, np.inf])
    b_fit = _bins(fit, edges_pt, edges_eta)
    b_apply = _bins(apply, edges_pt, edges_eta)
    out = {k: v for k, v in apply.items() if k not in JET_TARGETS}
    for t in JET_TARGETS:
        values = np.empty(len(b_apply))
        for b in np.unique(b_apply):
            pool = np.sort(fit[t][b_fit == b])
            rows = np.flatnonzero(b_apply == b)
            if len(pool) == 0:
                pool = np.sort(fit[t])
            # independent draw from the bin's empirical quantile function
            values[rows] = pool[rng.integers(0, len(pool), len(rows))]
        out[t] = values
    return out


def _features(table: dict) -> np.ndarray:
    cols = [table[f"gen_{g}"] for g in GEN_CONDITIONING] + [table[t] for t in JET_TARGETS]
    return np.stack(cols, axis=1)


def _common(a: dict, b: dict):
    """Rows of a and b for the gen jets matched in both (same gen conditioning)."""
    ka = a["event_id"] * 1000 + a["gen_index"]
    kb = b["event_id"] * 1000 + b["gen_index"]
    common, ia, ib = np.intersect1d(ka, kb, return_indices=True)
    return ({k: v[ia] for k, v in a.items()}, {k: v[ib] for k, v in b.items()})


def naive_check(reference: str, reference_other_seed: str, seed: int = 0) -> dict:
    """AUCs of reference vs naive stand-in and of the control (reference vs other seed).

    Args:
        reference, reference_other_seed: reference-detector outputs of the same gen file, two seeds.
    Returns:
        {"naive": ..., "control": ..., "distorted": ...} TwoSampleResults; "distorted" is the
        other seed with jet pt scaled by 1.1 (the metric must see it: DESIGN.md's check).
    """
    from flashsim.validate.two_sample import two_sample_auc

    ref, other = _common(matched_jets(reference), matched_jets(reference_other_seed))
    naive = naive_jets(other, ref, seed=seed)
    distorted = dict(other, pt_ratio=other["pt_ratio"] * 1.1)
    x_ref = _features(ref)
    return {
        name: two_sample_auc(x_ref, _features(sample), ref["event_id"], sample["event_id"],
                             seed=seed)
        for name, sample in (("naive", naive), ("control", other), ("distorted", distorted))
    }


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("gen", help="gen-level file (e.g. from flashsim generate ttbar)")
    parser.add_argument("--events", type=int, default=None, help="use the first N events")
    args = parser.parse_args(argv)
    from flashsim.refsim.process_file import reference_detector

    with tempfile.TemporaryDirectory() as tmp:
        a, b = os.path.join(tmp, "ref1.root"), os.path.join(tmp, "ref2.root")
        reference_detector(args.gen, a, seed=1, max_events=args.events)
        reference_detector(args.gen, b, seed=2, max_events=args.events)
        res = naive_check(a, b)
    for name, r in res.items():
        print(f"{name:9s} jet AUC {r.auc:.3f} (train {r.auc_train:.3f}; {r.n_test} test jets "
              f"from {r.n_test_events} events)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
