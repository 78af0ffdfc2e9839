"""The catalogue follows the training files: a source's targets are the reco branches the files have.

:func:`follow_file` gives every source the numeric branches of its collection in the files (all of
them, except cross-references, what is copied from the gen object, and what a postprocess entry
computes), each with the transform of :func:`flashsim.catalogue.rules.steps_for` or the source's
override. After extraction, :func:`settle` checks the choices against the training values: a
transform's domain (:func:`flashsim.catalogue.rules.adapt`) and whether a copied flavour really is
the gen object's (:data:`COPY_AGREEMENT` of the matched objects), else it is learnt. What was
decided is kept in ``SourceSpec.decisions`` (the bundle's ``provenance.catalogue``).

    types = {"Jet_pt": "ROOT::VecOps::RVec<Float_t>", ...}     # RDataFrame column types of the files
    follow_file(specs, types)
"""

import dataclasses

import numpy as np

from flashsim.catalogue.acceptance import settle_acceptance
from flashsim.catalogue.floors import settle_floors
from flashsim.catalogue.gen import entry_inputs
from flashsim.catalogue.relations import settle_relations
from flashsim.catalogue.rules import FLOAT_TYPES, adapt, is_cross_reference, root_type, steps_for
from flashsim.catalogue.spec import Target, label
from flashsim.catalogue.working_points import settle_working_points

__all__ = ["COPY_AGREEMENT", "collection_branches", "computed_columns", "follow_file", "settle"]

COPY_AGREEMENT = 0.99  # a flavour is copied when it equals the gen object's for this share of matched objects


def collection_branches(collection: str, column_types: dict, event: bool) -> dict:
    """{field: NanoAOD type} of the numeric branches ``<collection>_<field>`` in ``column_types``:
    arrays for an object collection, scalars for an event-level one; gen-level ones excluded."""
    from flashsim.nanoaod.gen_level import is_gen_level

    prefix = f"{collection}_"
    out = {}
    for name, column_type in column_types.items():
        if not name.startswith(prefix) or is_gen_level(name):
            continue
        branch_type, per_object = root_type(column_type)
        if branch_type is not None and per_object != event:
            out[name[len(prefix):]] = branch_type
    return out


def follow_file(sources, column_types: dict) -> list:
    """Sets each source's ``targets`` (and keeps the ``copies`` the files have) from the files'
    branches ``column_types`` ({name: RDataFrame column type}); returns the postprocess entries the
    files get (:func:`computed_columns`), whose columns are not learnt. A source whose collection
    the files lack keeps no target."""
    from flashsim.catalogue import COLLECTIONS, postprocess

    _set_targets(sources, column_types)
    simulated = {f"{s.collection}_{b.branch}" for s in sources for b in (*s.targets, *s.copies)}
    # the gen index a matched source writes (Electron_genPartIdx: the gen object, -1 for the other sources)
    simulated |= {f"{s.collection}_{s.index_branch}" for s in sources if s.index_branch and s.kind == "matched"}
    entries = computed_columns(postprocess(COLLECTIONS), column_types, simulated)
    computed = {e["column"] for e in entries}
    for s in sources:
        s.targets = [t for t in s.targets if f"{s.collection}_{t.branch}" not in computed]
    return entries


def _set_targets(sources, column_types):
    for s in sources:
        event = s.kind == "event"
        branches = collection_branches(s.collection, column_types, event)
        s.copies = [dataclasses.replace(c, type=branches[c.branch]) for c in s.copies if c.branch in branches]
        copied = {c.branch for c in s.copies}
        targets = []
        for field, branch_type in branches.items():
            if is_cross_reference(field) or field in copied:
                continue
            steps = s.overrides.get(field) or steps_for(s.collection, field, branch_type, s.gen_collection, event)
            targets.append(Target(field, branch_type, steps))
        s.targets = targets


def computed_columns(entries, file_branches, simulated) -> list:
    """The postprocess ``entries`` (in order) that files with ``file_branches`` get: those whose
    column the files have and whose inputs are ``simulated`` or computed by an earlier entry. The
    others are left to the flow (a v12 file has Jet_nConstituents but not the multiplicities it
    is the sum of) or not written (a column the files do not have)."""
    have = set(simulated)
    out = []
    for entry in entries:
        if entry["column"] in file_branches and set(entry_inputs(entry)) <= have:
            out.append(entry)
            have.add(entry["column"])
    return out


def settle(specs, tables) -> None:
    """Checks the sources' transforms and copies against their property tables (``tables``: {key:
    Table} of physical values; ``Table.targets`` also holds the reco values of the copied branches,
    ``Table.columns`` their gen columns) and records the changes in each ``spec.decisions``.

    Every source of a collection writes the same branches in the same roles (the simulation merges
    them), so a copy that one source's objects contradict is learnt by all sources of its collection."""
    agreement = {}
    for spec in specs:
        table = tables[spec.key]
        targets = []
        for t in spec.targets:
            steps, why = (t.steps, None) if t.is_label else adapt(t.steps, table.targets[t.branch])
            if why:
                spec.decisions[t.branch] = why
            targets.append(Target(t.branch, t.type, steps))
        spec.targets = targets
        for c in spec.copies:
            reco = np.asarray(table.targets[c.branch], dtype=np.float64)
            wanted = np.asarray(table.columns[c.gen], dtype=np.float64) if c.gen else np.full(len(reco), c.fallback)
            agreement[spec.key, c.branch] = float(np.mean(reco == wanted)) if len(reco) else 1.0
    _settle_sums(specs, tables)
    settle_acceptance(specs, tables)
    settle_floors(specs, tables)
    learnt = {(spec.collection, c.branch) for spec in specs for c in spec.copies
              if agreement[spec.key, c.branch] < COPY_AGREEMENT}
    for spec in specs:
        kept = []
        for c in spec.copies:
            share = 100 * agreement[spec.key, c.branch]
            source = c.gen or f"the fallback {c.fallback:g}"
            if (spec.collection, c.branch) not in learnt:
                kept.append(c)
                spec.decisions[c.branch] = f"copied from {source}: equal for {share:.2f}% of the objects"
                continue
            # a float (Tau_mass, the GenVisTau's in the reference detector) by the flow, with its rule
            steps = (spec.overrides.get(c.branch) or steps_for(spec.collection, c.branch, c.type, spec.gen_collection)
                     if c.type in FLOAT_TYPES else label())
            spec.targets.append(Target(c.branch, c.type, steps))
            why = "" if share < 100 * COPY_AGREEMENT else f", as for another source of {spec.collection}"
            spec.decisions[c.branch] = (f"learnt{why}: equal to {source} for {share:.2f}% of the objects here "
                                        f"(copied at >= {100 * COPY_AGREEMENT:g}%)")
        spec.copies = kept
    settle_working_points(specs, tables)
    settle_relations(specs, tables)


SUM_AGREEMENT = 0.99  # a group is rescaled to sum to 1 when it does so (within 1e-3) for this share of objects


def _settle_sums(specs, tables):
    """Keeps a source's ``sum_to_one`` groups whose branches are all flow targets and sum to 1 for at
    least SUM_AGREEMENT of the training objects of every source of the collection."""
    share = {}
    for spec in specs:
        flow = {t.branch for t in spec.flow_targets}
        for group in spec.sum_to_one:
            key = (spec.collection, tuple(group))
            if not set(group) <= flow:
                share[key] = 0.0
                continue
            total = sum(np.asarray(tables[spec.key].targets[b], dtype=np.float64) for b in group)
            here = float(np.mean(np.abs(total - 1.0) < 1e-3)) if len(total) else 1.0
            share[key] = min(share.get(key, 1.0), here)
    for spec in specs:
        kept = [g for g in spec.sum_to_one if share[(spec.collection, tuple(g))] >= SUM_AGREEMENT]
        for g in spec.sum_to_one:
            name = "+".join(g)
            spec.decisions[name] = ("rescaled to sum to 1: " if g in kept else "not rescaled: ") + \
                f"sum to 1 for {100 * share[(spec.collection, tuple(g))]:.2f}% of the objects (least of the sources)"
        spec.sum_to_one = kept
