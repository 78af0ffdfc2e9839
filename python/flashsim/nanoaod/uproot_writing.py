"""Writing NanoAOD-like TTrees with uproot, and the three things uproot does differently.

1. ``file[name] = ...`` writes an RNTuple since uproot 5.7: trees are declared with ``mktree``.
2. Counters of jagged branches come out as Int_t, as in CMS NanoAOD v12-v15 (``nJet/I``); a
   writer that must keep another type (an input's) switches them right after the tree is declared
   (:func:`set_counter_types`, with uproot's private cascade, as uproot's own ``add_branches``
   does; tests read the types back).
3. The tree has one cluster, so ROOT's implicit MT gives RDataFrame one task and one thread:
   the tree declares clusters of ``CLUSTER_SIZE`` entries (fAutoFlush) and
   :func:`extend_in_clusters` cuts the baskets at those boundaries.
"""

import numpy as np

__all__ = [
    "CLUSTER_SIZE", "extend_in_clusters", "make_events_tree", "read_json_tnamed", "set_counter_types", "tnamed",
    "types_of", "write_flat_events",
]

CLUSTER_SIZE = 1000  # entries per cluster: an RDataFrame task under implicit MT

_LEAF_LETTER = {np.dtype(">i4"): "I", np.dtype(">u4"): "i", np.dtype(">i2"): "S",
                np.dtype(">u2"): "s", np.dtype(">u1"): "b", np.dtype(">i1"): "B",
                np.dtype(">i8"): "L", np.dtype(">u8"): "l"}


def tnamed(name: str, title: str):
    """A TNamed (e.g. JSON metadata in its title) that uproot can write and ROOT can read."""
    import uproot

    tobject = uproot.models.TObject.Model_TObject.empty()
    named = uproot.models.TNamed.Model_TNamed.empty()
    named._deeply_writable = True
    named._bases.append(tobject)
    named._members["fName"] = name
    named._members["fTitle"] = title
    return named


def read_json_tnamed(path, name: str) -> dict:
    """The JSON held in the title of the TNamed ``name`` of a file (provenance metadata)."""
    import json

    import uproot

    from flashsim.errors import InputError

    try:
        with uproot.open(path) as f:
            title = f[name].member("fTitle")
    except (OSError, KeyError, ValueError) as err:
        raise InputError(f"{path}: no readable {name!r} metadata ({err})") from err
    return json.loads(title)


def set_counter_types(tree, types: dict) -> None:
    """Switch counters of a freshly declared uproot tree to the given dtypes (before writing)."""
    cascade = tree._cascading
    changed = False
    for datum in cascade._branch_data:
        if datum.get("kind") == "counter" and datum["fName"] in types:
            dtype = np.dtype(types[datum["fName"]]).newbyteorder(">")
            if dtype != datum["dtype"]:
                datum["dtype"] = dtype
                datum["fTitle"] = f"{datum['fName']}/{_LEAF_LETTER[dtype]}"
                changed = True
    if changed:
        # mktree already wrote the TTree metadata: write it again so each counter's TLeaf
        # carries the new type.
        old = cascade._key.seek_location
        cascade.write_anew(tree._file.sink)
        tree._file._move_tree(old, cascade._key.seek_location)


def make_events_tree(file, types: dict, counter_types: dict | None = None, cluster_size: int = CLUSTER_SIZE,
                     name: str = "Events", **kwargs):
    """mktree + NanoAOD counter types (Int_t unless ``counter_types`` says otherwise) + clusters.

    Args:
        types: branch name -> dtype or awkward type (a record type makes a collection).
        counter_types: counter name -> dtype overriding Int_t (e.g. to keep an input's).
    """
    tree = file.mktree(name, types, title=name, **kwargs)
    if counter_types:
        set_counter_types(tree, counter_types)
    tree._cascading._metadata["fAutoFlush"] = int(cluster_size)
    return tree


def extend_in_clusters(tree, data: dict, cluster_size: int = CLUSTER_SIZE) -> None:
    """tree.extend(data) in pieces that end on the tree's cluster boundaries."""
    n = len(next(iter(data.values())))
    start = 0
    while start < n:
        room = cluster_size - tree.num_entries % cluster_size
        stop = min(n, start + room)
        tree.extend({key: value[start:stop] for key, value in data.items()})
        start = stop


def types_of(data: dict) -> dict:
    """The mktree type specification of a dict of NumPy/awkward arrays."""
    return {key: value.type.content if hasattr(value, "layout") else np.asarray(value).dtype
            for key, value in data.items()}


def write_flat_events(path, arrays: dict):
    """Write ``arrays`` ({NanoAOD branch: NumPy/awkward array}, as uproot reads a tree with
    ``how=dict``) as a TTree Events: the jagged branches ``X_f`` zipped into collection ``X`` (uproot
    then writes their counter ``nX``), the given counters left out. Returns ``path``."""
    import awkward as ak
    import uproot

    prefixes = {k.split("_", 1)[0] for k in arrays if "_" in k}
    groups, data = {}, {}
    for name, arr in arrays.items():
        if name.startswith("n") and name[1:] in prefixes:
            continue
        if arr.ndim == 2 and "_" in name:  # LHEPdfWeight, PSWeight: a list of their own (counter nPSWeight)
            coll, var = name.split("_", 1)
            groups.setdefault(coll, {})[var] = arr
        else:
            data[name] = arr
    for coll, fields in groups.items():
        data[coll] = ak.zip(fields)
    with uproot.recreate(path) as f:
        f.mktree("Events", types_of(data)).extend(data)
    return path
