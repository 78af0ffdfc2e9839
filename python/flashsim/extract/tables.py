"""Extraction of efficiency and property tables (see :func:`extract`)."""

import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from flashsim.errors import InputError

__all__ = ["NO_BRANCHES", "SourceTables", "Table", "extract", "left_out_lines"]

_ID = ["run", "luminosityBlock", "event"]
_GEN_COLLECTIONS = ("GenPart", "GenJet", "GenJetAK8")
NO_BRANCHES = "the input has no branches of its collection"  # the reason a source is left out


@dataclass
class Table:
    """Rows of one network's training data, physical (untransformed) values.

    Attributes:
        columns: {conditioning input column: [rows]} (the catalogue's ``Input.column``; ``@index``
            is the gen index or slot number).
        event: [rows] event group id (the same for every row of an event), for the split.
        label: [rows] 1 reconstructed / 0 not (efficiency tables), else None.
        targets: {reco branch: [rows]} (property tables).
        index: [rows] index of the gen object in its collection (matched/unmatched sources).
    """

    columns: dict
    event: np.ndarray
    label: np.ndarray | None = None
    targets: dict = field(default_factory=dict)
    index: np.ndarray | None = None  # [rows] the gen object's index in its collection (object sources)

    def __len__(self):
        return len(self.event)


@dataclass
class SourceTables:
    efficiency: Table | None  # None for event-level sources
    properties: Table


def _group_ids(run, lumi, event):
    key = np.stack([run.astype(np.int64), lumi.astype(np.int64), event.astype(np.int64)], axis=1)
    _, ids = np.unique(key, axis=0, return_inverse=True)
    return ids.reshape(-1).astype(np.int64)


def _finite(source, kind, values: dict):
    for name, v in values.items():
        bad = ~np.isfinite(np.asarray(v, dtype=np.float64))
        if bad.any():
            raise InputError(f"{source}: {kind} column {name!r} has {int(bad.sum())} non-finite values (NaN or inf) "
                             f"out of {len(v)}; fix or filter the input first")


def _needed_branches(sources):
    """(gen-side columns, reco branches) the sources read, derived columns excluded."""
    from flashsim.catalogue import DERIVED
    from flashsim.rdf.operations import cut

    derived = {d["column"] for d in DERIVED}
    gen, reco = [], []
    for s in sources:
        for c in s.columns():
            if c != "@index":
                gen.append(c)
        if s.kind in ("matched", "unmatched"):
            gen += [f"{s.gen_collection}_eta", f"{s.gen_collection}_phi", f"{s.gen_collection}_pt"]
        prefix = s.collection
        reco += [f"{prefix}_{t.branch}" for t in s.targets] + [f"{prefix}_{c.branch}" for c in s.copies]
        if s.kind == "matched":
            reco.append(f"{prefix}_{s.index_branch}")
        for selection in (s.select, s.reco_select):  # e.g. Jet_genJetIdx < 0 for pileup jets
            if selection:
                names = sorted(cut(selection, f"{s.key} selection")[1])
                gen += [n for n in names if not n.startswith(f"{prefix}_")]
                reco += [n for n in names if n.startswith(f"{prefix}_")]
        if s.kind in ("unmatched", "slots"):
            reco += [f"{prefix}_eta", f"{prefix}_phi"]
    gen = [c for c in dict.fromkeys(gen)]
    return [c for c in gen if c not in derived], [c for c in gen if c in derived], list(dict.fromkeys(reco))


def _reco_select_columns(sources):
    from flashsim.rdf.operations import cut

    out = {}
    for s in sources:
        if s.reco_select:
            out[f"__reco_{s.key}"] = f"ROOT::RVec<bool>({cut(s.reco_select, f'{s.key} reco selection')[0]})"
        if s.select:
            out[f"__select_{s.key}"] = f"ROOT::RVec<bool>({cut(s.select, f'{s.key} selection')[0]})"
        if s.kind == "unmatched":
            c, g = s.collection, s.gen_collection
            out[f"__pair_{s.key}"] = (f"ROOT::RVecI(flashsim::Neighbours::ClosestIndex({c}_eta, {c}_phi, "
                                      f"{g}_eta, {g}_phi, {s.fake_radius}f))")
    return out


def _missing_branches(sources, have) -> list:
    """The branches (identity, gen, derived columns' inputs, reco) that ``sources`` read and the file
    columns ``have`` lack."""
    from flashsim.catalogue import derived_columns, entry_inputs

    raw, derived_needed, reco = _needed_branches(sources)
    derived = derived_columns(derived_needed)
    dependencies = {c for d in derived for c in entry_inputs(d)} - {d["column"] for d in derived}
    return [c for c in dict.fromkeys(_ID + raw + sorted(dependencies) + reco) if c not in have]


def _follow(sources, df, files, skipped, postprocess):
    """The sources' targets and copies from the files' branches (catalogue.follow); the postprocess
    entries the files get go to ``postprocess`` (a list), their columns are not learnt. A source
    whose collection the files lack is left out (and recorded in ``skipped``: a reference-detector
    file has PuppiMET, not MET); none left is an InputError."""
    from flashsim.catalogue.follow import follow_file

    entries = follow_file(sources, {str(c): str(df.GetColumnType(c)) for c in df.GetColumnNames()})
    usable = [s for s in sources if s.targets]
    if not usable:
        raise InputError(f"{', '.join(files)}: has no reco branch of any catalogue collection "
                         f"({', '.join(dict.fromkeys(s.collection for s in sources))}); a NanoAOD file with gen and "
                         f"reco collections is required")
    if skipped is not None:
        skipped.update({s.key: NO_BRANCHES for s in sources if not s.targets})
    sources[:] = usable
    if postprocess is not None:
        postprocess[:] = entries


def _slim_file(inputs, sources, workdir: Path, max_events=None, skipped=None, postprocess=None):
    """Snapshot of every column the sources need (raw, derived, selections) to one slim file. The
    sources' targets follow the files (:func:`_follow`). With ``skipped`` (a dict), the sources
    whose branches are missing are removed from ``sources`` and recorded there; None is returned
    when none is left."""
    from flashsim.catalogue import derived_columns
    from flashsim.rdf import load

    ROOT = load()
    from flashsim.nanoaod.input_files import check_event_files

    files = [str(p) for p in inputs]
    check_event_files(files, "flashsim extract", rntuple=True)  # unreadable, truncated, no Events, schema changes
    df = ROOT.RDataFrame("Events", files)
    have = {str(c) for c in df.GetColumnNames()}
    if not any(f"{g}_pt" in have for g in _GEN_COLLECTIONS):
        wanted = ", ".join(f"{g}_pt" for g in _GEN_COLLECTIONS)
        raise InputError(f"{', '.join(files)}: has no gen collections (no {wanted}): training pairs each reco "
                         f"object with its gen object; a full-simulation NanoAOD file with its gen branches is needed")
    _follow(sources, df, files, skipped, postprocess)
    if not sources:
        return None
    if skipped is not None:  # a source whose branches the files lack is left out, with the reason
        usable = []
        for s in sources:
            lacking = _missing_branches([s], have)
            if lacking:
                skipped[s.key] = (f"{', '.join(Path(f).name for f in files)} lacks its branches {lacking[:6]}"
                                  f"{' ...' if len(lacking) > 6 else ''}")
            else:
                usable.append(s)
        sources[:] = usable
        if not sources:
            return None
    raw, derived_needed, reco = _needed_branches(sources)
    derived = derived_columns(derived_needed)
    missing = _missing_branches(sources, have)
    if missing:
        raise InputError(f"{', '.join(files)}: lacks the branches {missing} (needed by the sources "
                         f"{[s.key for s in sources]}); a NanoAOD file with gen and reco collections and their "
                         f"matching branches is required")
    if max_events:
        df = df.Range(int(max_events))
    from flashsim.rdf.operations import define

    for d in derived:
        df = df.Define(d["column"], define(d)[0])
    selections = _reco_select_columns(sources)
    for name, expression in selections.items():
        df = df.Define(name, expression)
    columns = list(dict.fromkeys(_ID + raw + [d["column"] for d in derived] + reco + list(selections)))
    out = workdir / "slim.root"
    options = ROOT.RDF.RSnapshotOptions()
    options.fCompressionLevel = 0
    options.fOutputFormat = ROOT.RDF.ESnapshotOutputFormat.kTTree  # also from an RNTuple input (read back by uproot)
    df.Snapshot("Events", str(out), columns, options)
    return out


def _flat(jagged):
    import awkward as ak

    return ak.to_numpy(ak.flatten(jagged)).astype(np.float64)


def _broadcast(arrays, column, like):
    """A column per object of ``like`` (jagged): jagged arrays as they are, event scalars broadcast."""
    import awkward as ak

    values = arrays[column]
    if values.ndim == 1:
        values = ak.broadcast_arrays(values, like)[0]
    return _flat(values)


def _rank(event_of, key):
    """Rank of each row among the rows with the same (event, key), in their given order."""
    order = np.lexsort((np.arange(len(key)), key, event_of))
    e, k = event_of[order], key[order]
    start = np.ones(len(order), dtype=bool)
    start[1:] = (e[1:] != e[:-1]) | (k[1:] != k[:-1])
    first = np.maximum.accumulate(np.where(start, np.arange(len(order)), 0))
    rank = np.empty(len(order), dtype=np.int64)
    rank[order] = np.arange(len(order)) - first
    return rank


def _object_source(s, a, group):
    """matched / unmatched: efficiency rows per gen candidate, property rows per paired reco object."""
    import awkward as ak

    gen_like = a[f"{s.gen_collection}_pt"]
    n_gen = ak.to_numpy(ak.num(gen_like))
    gen_event = np.repeat(np.arange(len(n_gen)), n_gen)
    gen_start = np.concatenate([[0], np.cumsum(n_gen)[:-1]])
    local = np.arange(len(gen_event)) - gen_start[gen_event]
    candidate = _flat(a[f"__select_{s.key}"]).astype(bool) if s.select else np.ones(len(gen_event), dtype=bool)

    reco_like = a[f"{s.collection}_{s.targets[0].branch}"]
    n_reco = ak.to_numpy(ak.num(reco_like))
    reco_event = np.repeat(np.arange(len(n_reco)), n_reco)
    if s.kind == "matched":
        idx = _flat(a[f"{s.collection}_{s.index_branch}"]).astype(np.int64)
    else:
        idx = _flat(a[f"__pair_{s.key}"]).astype(np.int64)
    ok = (idx >= 0) & (idx < n_gen[reco_event])
    if s.reco_select:
        ok &= _flat(a[f"__reco_{s.key}"]).astype(bool)
    gen_flat = np.where(ok, gen_start[reco_event] + np.where(ok, idx, 0), -1)
    ok &= np.where(ok, candidate[np.maximum(gen_flat, 0)], False)
    rank = _rank(reco_event, np.where(ok, idx, -1))
    chosen = ok & (rank == s.occurrence)
    label = np.zeros(len(gen_event), dtype=np.float64)
    label[gen_flat[chosen]] = 1.0

    gen_columns = {c: (local.astype(np.float64) if c == "@index" else _broadcast(a, c, gen_like)) for c in s.columns()}
    cand = np.nonzero(candidate)[0]
    efficiency = Table({c: v[cand] for c, v in gen_columns.items()}, group[gen_event[cand]], label[cand],
                       index=local[cand])
    rows = gen_flat[chosen]
    reco_rows = np.nonzero(chosen)[0]
    targets = {b.branch: _flat(a[f"{s.collection}_{b.branch}"])[reco_rows] for b in (*s.targets, *s.copies)}
    properties = Table({c: v[rows] for c, v in gen_columns.items()}, group[gen_event[rows]], None, targets,
                       index=local[rows])
    return efficiency, properties


def _slots_source(s, a, group):
    import awkward as ak

    reco_like = a[f"{s.collection}_{s.targets[0].branch}"]
    selected = a[f"__reco_{s.key}"]
    n_reco = ak.to_numpy(ak.num(reco_like))
    reco_event = np.repeat(np.arange(len(n_reco)), n_reco)
    sel = _flat(selected).astype(bool)
    slot = _rank(reco_event, np.where(sel, 0, 1))  # position among the selected objects, by pt
    n_events = len(n_reco)
    count = np.bincount(reco_event[sel], minlength=n_events)

    def scalars(events, slots):
        out = {}
        for c in s.columns():
            out[c] = slots.astype(np.float64) if c == "@index" else ak.to_numpy(a[c]).astype(np.float64)[events]
        return out

    events = np.repeat(np.arange(n_events), s.slots)
    slots = np.tile(np.arange(s.slots), n_events)
    efficiency = Table(scalars(events, slots), group[events], (count[events] > slots).astype(np.float64))
    keep = np.nonzero(sel & (slot < s.slots))[0]
    targets = {b.branch: _flat(a[f"{s.collection}_{b.branch}"])[keep] for b in (*s.targets, *s.copies)}
    properties = Table(scalars(reco_event[keep], slot[keep]), group[reco_event[keep]], None, targets)
    return efficiency, properties


def _event_source(s, a, group):
    import awkward as ak

    columns = {c: ak.to_numpy(a[c]).astype(np.float64) for c in s.columns()}
    targets = {b.branch: ak.to_numpy(a[f"{s.collection}_{b.branch}"]).astype(np.float64)
               for b in (*s.targets, *s.copies)}
    return None, Table(columns, group, None, targets)


_KINDS = {"matched": _object_source, "unmatched": _object_source, "slots": _slots_source, "event": _event_source}


def extract(inputs, sources, workdir=None, max_events=None, skipped: dict | None = None,
            postprocess: list | None = None) -> dict:
    """Training tables of every source. The sources' targets follow the files: each source (edited
    in place) gets the reco branches of its collection that the files have, with the catalogue's
    transform rules checked against the values, and its copies settled (catalogue.follow).

    Args:
        inputs: NanoAOD files with gen and reco collections (tree ``Events``).
        sources: catalogue entries (:class:`flashsim.catalogue.SourceSpec`).
        workdir: where the slim temporary file goes (a temporary directory by default).
        max_events: read at most this many events (all by default).
        skipped: None: a source whose other branches (gen, matching index) are missing, or whose
            selection is empty, is an InputError. A dict: such sources are left out and recorded
            in it ({key: why}); a real file need not have every collection of the catalogue. A
            source whose collection the files do not have at all is always left out (and recorded).
        postprocess: a list, filled with the postprocess entries (cross-references, ...) the
            files have and the simulated branches can compute.
    Returns:
        {source key: :class:`SourceTables`} (empty when every source was skipped).
    """
    import uproot

    from flashsim.catalogue.efficiency_edges import settle_efficiency_edges
    from flashsim.catalogue.follow import settle

    sources = list(sources)
    with tempfile.TemporaryDirectory(dir=workdir) as tmp:
        slim = _slim_file(inputs, sources, Path(tmp), max_events, skipped, postprocess)
        if slim is None:
            return {}
        with uproot.open(slim) as f:
            a = f["Events"].arrays()
    if len(a) == 0:
        raise InputError(f"{', '.join(map(str, inputs))}: no events to extract")
    group = _group_ids(*(np.asarray(a[c]) for c in _ID))
    out = {}
    for s in sources:
        efficiency, properties = _KINDS[s.kind](s, a, group)
        if len(properties) == 0 and skipped is not None:
            skipped[s.key] = f"the selection is empty: no reconstructed {s.collection} object of this source in " \
                             f"{len(a)} events"
            continue
        if len(properties) == 0:
            raise InputError(f"{s.key}: the selection is empty: no reconstructed {s.collection} object of this source "
                             f"in {len(a)} events ({', '.join(map(str, inputs))})")
        if efficiency is not None:
            _finite(s.key, "conditioning", efficiency.columns)
        _finite(s.key, "conditioning", properties.columns)
        _finite(s.key, "target", properties.targets)
        out[s.key] = SourceTables(efficiency, properties)
    settle([s for s in sources if s.key in out], {k: t.properties for k, t in out.items()})
    settle_efficiency_edges([s for s in sources if s.key in out], {k: t.efficiency for k, t in out.items()
                                                                   if t.efficiency is not None})
    return out


def left_out_lines(left_out: dict) -> list:
    """One line per source left out, except the sources whose collection the input does not have at
    all (a v12 file has no Photon, a reference-detector file no CaloMET): one line for all of them."""
    absent = [key for key, why in left_out.items() if why == NO_BRANCHES]
    lines = [f"{key}: left out ({why})" for key, why in left_out.items() if why != NO_BRANCHES]
    if absent:
        lines.append(f"left out, the input has no branches of their collection: {', '.join(absent)}")
    return lines
