"""A synthetic NanoAOD file in the layout of another version: every branch, name and type, of a
branch list (nanoaod_v15_branches.tsv), filled from a real file of another version (the v12 ttbar
file: its events, gen collections and the reco branches both versions share) and, for what the
real file lacks, with plausible values (kinematics in range, flags 0/1, indices -1).

Photons (the v12 skim has none) are placed on the leading GenJet's direction, unmatched, so that
every object collection of the catalogue has objects to learn.
"""

from pathlib import Path

import awkward as ak
import numpy as np
import uproot

from flashsim.nanoaod import write_flat_events

__all__ = ["read_branch_list", "write_synthetic"]

DATA = Path(__file__).resolve().parent
_DTYPES = {"bool": np.bool_, "float": np.float32, "double": np.float64, "int8_t": np.int8, "uint8_t": np.uint8,
           "int16_t": np.int16, "uint16_t": np.uint16, "int32_t": np.int32, "uint32_t": np.uint32,
           "int64_t": np.int64, "uint64_t": np.uint64}


def read_branch_list(path) -> dict:
    """{branch: type} of a branch list (tab separated name and type, ``#`` comments)."""
    out = {}
    for line in Path(path).read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            name, kind = line.split("\t")[:2]
            out[name] = kind
    return out


def _values(name, n, rng):
    field = name.split("_", 1)[1] if "_" in name else name
    if field == "eta":
        return rng.uniform(-2.4, 2.4, n)
    if field == "phi":
        return rng.uniform(-np.pi, np.pi, n)
    if field == "pt":
        return rng.uniform(20.0, 100.0, n)
    if "Idx" in field:
        return np.full(n, -1)
    return rng.uniform(0.0, 1.0, n)


def _photons(real, rng):
    """One unmatched photon per event with a GenJet, along the leading GenJet, at half its pt."""
    has = ak.to_numpy(ak.num(real["GenJet_pt"])) > 0
    counts = has.astype(np.int64)
    lead = {k: ak.to_numpy(ak.fill_none(ak.firsts(real[f"GenJet_{k}"]), 0.0)) for k in ("pt", "eta", "phi")}
    kinematics = {"pt": 0.5 * lead["pt"], "eta": lead["eta"], "phi": lead["phi"]}
    return counts, {k: v[has] for k, v in kinematics.items()}


def write_synthetic(path, branch_list=DATA / "nanoaod_v15_branches.tsv", template=DATA / "nano_tt_v12.root",
                    seed=1):
    """Writes ``path``: the branches of ``branch_list`` (names and types), filled from ``template``."""
    rng = np.random.default_rng(seed)
    wanted = read_branch_list(branch_list)
    with uproot.open(template) as f:
        tree = f["Events"]
        real = {k: tree[k].array() for k in tree.keys() if k in wanted or k.startswith("n")}
        real.update({k: tree[k].array() for k in ("GenJet_pt", "GenJet_eta", "GenJet_phi")})
    n_events = len(real["event"])
    counts = {}
    for name, kind in wanted.items():
        if kind.endswith("[]"):
            coll = name.split("_", 1)[0]
            if f"n{coll}" in real:
                counts[coll] = ak.to_numpy(real[f"n{coll}"]).astype(np.int64)
    photon_counts, photon = _photons(real, rng)
    counts["Photon"] = photon_counts
    groups, data = {}, {}
    for name, kind in wanted.items():
        dtype = _DTYPES[kind.rstrip("[]")]
        if name.startswith("n") and name[1:] in counts:
            continue  # a counter: written by uproot for its collection
        if kind.endswith("[]") and "_" not in name:  # LHEPdfWeight, PSWeight: their own lists
            data[name] = ak.values_astype(real[name], dtype) if name in real else ak.Array([[]] * n_events)
            continue
        if kind.endswith("[]"):
            coll, field = name.split("_", 1)
            n = counts.setdefault(coll, np.zeros(n_events, dtype=np.int64))
            if coll == "Photon" and field in photon:
                flat = photon[field]
            elif name in real and ak.to_numpy(ak.num(real[name])).tolist() == n.tolist():
                flat = ak.to_numpy(ak.flatten(real[name]))
            else:
                flat = _values(name, int(n.sum()), rng)
            if dtype is np.bool_:
                flat = np.asarray(flat) > 0.5
            groups.setdefault(coll, {})[field] = ak.unflatten(np.asarray(flat).astype(dtype), n)
        else:
            values = ak.to_numpy(real[name]) if name in real and real[name].ndim == 1 else _values(name, n_events, rng)
            if dtype is np.bool_:
                values = np.asarray(values) > 0.5
            data[name] = np.asarray(values).astype(dtype)
    for coll, fields in groups.items():
        data.update({f"{coll}_{field}": values for field, values in fields.items()})
    return write_flat_events(path, data)  # uproot's Int_t counters, as NanoAOD v12-v15
