"""Reading two NanoAOD files for comparison: which collections they share, and their arrays.

A *collection* is a counter ``nX`` with ``X_var`` arrays (Jet, Muon, ...); an *event group* is a
reco prefix without a counter (PuppiMET_pt, PuppiMET_phi, ... -> "PuppiMET"), one row per event; the
missing-momentum groups (MET, PuppiMET, RawPuppiMET, ...: :func:`is_missing_momentum`) are compared
with GenMET among the conditioning. Gen branches (Gen*, Pileup_*) and bookkeeping (run, event,
FlashSim_*) are never compared.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from flashsim.errors import InputError

__all__ = ["EVENT_CONDITIONING", "GEN_MATCH", "GenMatch", "Sample", "branch_types", "comparable_groups", "event_ids",
           "gen_branches", "is_missing_momentum", "read_sample"]

_BOOKKEEPING = ("run", "luminosityBlock", "event", "genWeight", "FlashSim_copy", "FlashSim_weight")
WEIGHT_BRANCH = "FlashSim_weight"


@dataclass(frozen=True)
class GenMatch:
    """How a reco collection points at its gen truth: ``X_<index>`` indexes ``gen``."""

    index: str
    gen: str


# NanoAOD's matching branches (docs/nanoaod-branches.md); a collection absent here has no
# efficiency / response plots and only its own variables in the classifier.
GEN_MATCH = {
    "Jet": GenMatch("genJetIdx", "GenJet"),
    "FatJet": GenMatch("genJetAK8Idx", "GenJetAK8"),
    "Muon": GenMatch("genPartIdx", "GenPart"),
    "Electron": GenMatch("genPartIdx", "GenPart"),
    "Photon": GenMatch("genPartIdx", "GenPart"),
    "Tau": GenMatch("genPartIdx", "GenPart"),
    "LowPtElectron": GenMatch("genPartIdx", "GenPart"),
}


@dataclass
class Sample:
    """One file's arrays. ``arrays``: awkward record array of the branches read;
    ``weight``: [n_events] event weights (FlashSim_weight when oversampled, else 1);
    ``event_id``: [n_events] int64 identity shared by files made from the same gen events."""

    path: str
    arrays: object
    weight: np.ndarray
    event_id: np.ndarray
    branches: dict = field(default_factory=dict)

    @property
    def n_events(self) -> int:
        return len(self.weight)


def _is_gen(name: str) -> bool:
    """Generator level (flashsim.nanoaod.gen_level: GenPart, SubGenJetAK8, HTXS, ...) or bookkeeping:
    not compared as reco."""
    from flashsim.nanoaod.gen_level import is_gen_level

    return is_gen_level(name) or name in _BOOKKEEPING


def is_missing_momentum(group: str) -> bool:
    """Whether reco event group ``group`` is a missing transverse momentum (MET, PuppiMET,
    RawPuppiMET, CaloMET, TrkMET, DeepMETResolutionTune, ...: NanoAOD names them all *MET*), whose
    gen truth is GenMET."""
    return "MET" in group and not _is_gen(f"{group}_pt")


def _numeric(interp) -> bool:
    import uproot

    if isinstance(interp, uproot.interpretation.jagged.AsJagged):
        interp = interp.content
    return isinstance(interp, uproot.interpretation.numerical.AsDtype) and interp.to_dtype.kind in "biuf"


def branch_types(path: str) -> dict:
    """Numeric branch name -> 'jagged' | 'scalar' of the Events tree."""
    import uproot

    from flashsim.nanoaod.input_files import event_schema

    kind, _ = event_schema(path, rntuple=True)  # one clear line for a missing, truncated or corrupt file
    tree = uproot.open(path)["Events"]
    if kind == "rntuple":
        return _rntuple_types(tree)
    out = {}
    for name, branch in tree.items(filter_typename=None):
        if "/" in name or not _numeric(branch.interpretation):
            continue
        jagged = isinstance(branch.interpretation, uproot.interpretation.jagged.AsJagged)
        out[name] = "jagged" if jagged else "scalar"
    return out


def _rntuple_types(ntuple) -> dict:
    """branch_types of an RNTuple Events: its numeric fields, jagged (var * number) or scalar."""
    from flashsim.nanoaod.columns import EventColumns

    columns = EventColumns(ntuple)
    out = {}
    for name in columns.keys():
        jagged, dtype, _ = columns.layout(name)
        if dtype is not None and dtype.kind in "biuf":
            out[name] = "jagged" if jagged else "scalar"
    return out


def comparable_groups(types_a: dict, types_b: dict) -> dict:
    """Reco collections and event groups present in both files -> their shared variables.

    Returns {name: {"kind": "collection" | "event", "variables": [branch, ...]}}, variables
    in the order of file A; collections first, in NanoAOD order of appearance.
    """
    shared = [n for n in types_a if n in types_b and not _is_gen(n)]
    counters = {n[1:] for n in shared if n.startswith("n") and types_a[n] == "scalar"
                and any(m.startswith(n[1:] + "_") for m in shared)}
    groups: dict = {}
    for name in shared:
        # a counter (nJet), or a per-branch copy of one that some skims write (nJet_pt)
        if name.startswith("n") and (name[1:] in counters or name[1:].split("_", 1)[0] in counters):
            continue
        prefix = name.split("_", 1)[0]
        if "_" not in name:
            continue
        kind = "collection" if prefix in counters else "event"
        if kind == "collection" and types_a[name] != "jagged":
            continue
        if kind == "event" and types_a[name] != "scalar":
            continue
        groups.setdefault(prefix, {"kind": kind, "variables": []})["variables"].append(name)
    order = sorted(groups, key=lambda g: groups[g]["kind"] != "collection")
    return {g: groups[g] for g in order}


def event_ids(arrays) -> np.ndarray:
    """[n_events] int64 from (run, luminosityBlock, event) of an awkward record array or a dict
    of arrays; equal for the same gen event."""
    fields = arrays.fields if hasattr(arrays, "fields") else list(arrays)
    run = np.asarray(arrays["run"]).astype(np.int64)
    lumi = np.asarray(arrays["luminosityBlock"]).astype(np.int64) if "luminosityBlock" in fields else 0
    event = np.asarray(arrays["event"]).astype(np.int64)
    return (run << 44) ^ (lumi << 28) ^ event


# the gen conditioning of an event group's two-sample test (GenMET for the missing-momentum groups)
EVENT_CONDITIONING = ("GenMET_pt", "GenMET_phi", "Pileup_nPU")


def gen_branches(types: dict, groups: dict) -> list:
    """The gen branches a comparison of ``groups`` needs (kinematics of the matched gen
    collections, GenPart's identity, GenMET, the pileup), those present in the file."""
    wanted = set(EVENT_CONDITIONING)
    for name in groups:
        match = GEN_MATCH.get(name)
        if match:
            for v in ("pt", "eta", "phi", "pdgId", "status"):
                wanted.add(f"{match.gen}_{v}")
    return sorted(b for b in wanted if b in types)


def read_sample(path: str, branches: list, max_events: int | None = None) -> Sample:
    """Reads ``branches`` (+ run/lumi/event and FlashSim_weight when present) of tree Events."""
    import uproot

    types = branch_types(path)
    extra = [b for b in ("run", "luminosityBlock", "event", WEIGHT_BRANCH) if b in types]
    missing = [b for b in ("run", "event") if b not in types]
    if missing:
        raise InputError(f"{path}: tree Events has no {', '.join(missing)} branch (needed to pair events)")
    with uproot.open(path) as f:
        arrays = f["Events"].arrays(sorted(set(branches) | set(extra)), entry_stop=max_events)
    n = len(arrays)
    weight = (np.asarray(arrays[WEIGHT_BRANCH], dtype=np.float64) if WEIGHT_BRANCH in arrays.fields
              else np.ones(n))
    return Sample(path=str(path), arrays=arrays, weight=weight, event_id=event_ids(arrays),
                  branches={b: types[b] for b in branches})
