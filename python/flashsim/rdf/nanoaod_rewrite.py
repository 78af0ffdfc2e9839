"""The NanoAOD file of flashsim simulate from its event loop's Snapshot files: the columns written,
the Events arrays rewritten as NanoAOD leaf lists (uproot), Runs/LuminosityBlocks and the
provenance (Bookkeeping.hxx), and the RNTuple variant.
"""

import json
from collections.abc import Sequence
from pathlib import Path

__all__ = ["METADATA_NAME", "output_columns", "to_rntuple", "write_bookkeeping", "write_nanoaod"]

METADATA_NAME = "flashsim_simulate"


def to_rntuple(ROOT, path: Path) -> None:
    """Rewrites the finished NanoAOD file ``path`` with Events, Runs and LuminosityBlocks as
    RNTuples (RDataFrame Snapshot, one thread so the entries keep their order), the TNamed
    provenance copied."""
    converted = path.with_name(f"{path.name}.rntuple")
    try:
        if ROOT.IsImplicitMTEnabled():  # the caller's setting is restored by simulate_file
            ROOT.DisableImplicitMT()
        options = ROOT.RDF.RSnapshotOptions()
        options.fOutputFormat = ROOT.RDF.ESnapshotOutputFormat.kRNTuple
        for k, name in enumerate(("Events", "Runs", "LuminosityBlocks")):
            options.fMode = "RECREATE" if k == 0 else "UPDATE"
            ROOT.RDataFrame(name, str(path)).Snapshot(name, str(converted), "", options)
        source = ROOT.TFile.Open(str(path), "READ")
        target = ROOT.TFile.Open(str(converted), "UPDATE")
        try:
            target.WriteObject(source.Get(METADATA_NAME), METADATA_NAME)
        finally:
            target.Close()
            source.Close()
        converted.replace(path)
    finally:
        converted.unlink(missing_ok=True)


def output_columns(gen, nano, manifest: dict, dropped=()) -> list[str]:
    """run/luminosityBlock/event, the gen branches in input order (less ``dropped``: the reco
    branches that --replace-reco leaves out), then the simulated columns (no hidden
    ``_flashsim_*`` ones, no derived gen-level conditioning)."""
    derived = {d["column"] for d in manifest.get("derived", [])}
    dropped = set(dropped)
    columns = ["run", "luminosityBlock", "event"]
    for name in map(str, gen.GetColumnNames()):
        if name not in columns and name not in dropped and not name.startswith("R_rdf_sizeof_"):
            columns.append(name)
    for name in map(str, nano.GetDefinedColumnNames()):
        if name not in columns and not name.startswith("_flashsim_") and name not in derived:
            columns.append(name)
    return columns


def write_bookkeeping(ROOT, output: Path, inputs: Sequence[Path], provenance: dict) -> None:
    """Runs and LuminosityBlocks (copied from the inputs, else counted from their Events) and
    the provenance TNamed, added to ``output`` by the C++ that macros/simulate.C uses too
    (flashsim/rdf/Bookkeeping.hxx)."""
    files = ROOT.std.vector["std::string"]([str(p) for p in inputs])
    ROOT.flashsim.Bookkeeping.Write(files, str(output), METADATA_NAME, json.dumps(provenance, sort_keys=True))


def write_nanoaod(parts: Sequence[Path], output: Path) -> None:
    """Concatenates the Events trees of ``parts`` into ``output`` as NanoAOD arrays (see module doc)."""
    import uproot

    from flashsim.nanoaod import CLUSTER_SIZE, extend_in_clusters, make_events_tree
    from flashsim.nanoaod.layout import events_layout

    # bounded memory: two clusters at a time, and no array cache (uproot's fills up to 100 MB of
    # arrays that are read once): measured flat from 20,000 to 300,000 entries
    entries_per_chunk = 2 * CLUSTER_SIZE
    with uproot.recreate(output) as out:
        events = None
        for part in parts:
            with uproot.open(part, array_cache=None, object_cache=None) as f:
                tree = f["Events"]
                layout = events_layout(tree)
                n = tree.num_entries
                for start in range(0, max(n, 1), entries_per_chunk):
                    chunk = tree.arrays(entry_start=start, entry_stop=min(n, start + entries_per_chunk),
                                        library="ak", how=dict)
                    data = layout.data(chunk)
                    if events is None:
                        types = {k: v.type.content for k, v in data.items()}
                        events = make_events_tree(out, types, counter_types=layout.counter_types)
                    extend_in_clusters(events, data)
