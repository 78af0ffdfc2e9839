"""Writes NanoAOD files with uproot: the gen branches carried through with their types,
the reco collections with the types of :mod:`flashsim.refsim.schema`, every counter (the gen
ones included) as NanoAOD's Int_t, Runs/LuminosityBlocks and TNamed metadata.

uproot's quirks (RNTuple by default, the counter types, one cluster) are handled by
:mod:`flashsim.nanoaod` (tests/refsim check the types read back).
"""

import awkward as ak
import numpy as np

from flashsim.nanoaod import extend_in_clusters, make_events_tree, set_counter_types, tnamed
from flashsim.nanoaod.columns import EventColumns
from flashsim.nanoaod.layout import events_layout
from flashsim.refsim.schema import COLLECTIONS, COUNTER_TYPE, ROOT_TYPES, SCALARS

__all__ = ["NanoWriter", "copy_small_tree"]

def _jagged(values: np.ndarray, counts: np.ndarray) -> ak.Array:
    offsets = np.zeros(len(counts) + 1, dtype=np.int64)
    np.cumsum(counts, out=offsets[1:])
    layout = ak.contents.ListOffsetArray(ak.index.Index64(offsets),
                                         ak.contents.NumpyArray(values))
    return ak.Array(layout)


def _events_data(chunk, gen_layout, collections, scalars, n_events) -> dict:
    data = gen_layout.data(chunk)
    for coll, fields in COLLECTIONS.items():
        objs = collections[coll]
        counts = objs.counts(n_events)
        data[coll] = ak.zip({f: _jagged(objs[f].astype(ROOT_TYPES[t]), counts)
                             for f, t, _ in fields})
    for name, t, _ in SCALARS:
        data[name] = scalars[name].astype(ROOT_TYPES[t])
    return data


class NanoWriter:
    """Events writer: call :meth:`write` per chunk, then :meth:`close`.

    Args:
        file: an ``uproot.recreate`` file.
        gen_tree: the input Events tree (its branch grouping and counter types are kept).
    """

    def __init__(self, file, gen_tree):
        self.file = file
        self.layout = events_layout(gen_tree)
        self.tree = None

    def write(self, chunk, collections, scalars, n_events):
        data = _events_data(chunk, self.layout, collections, scalars, n_events)
        if self.tree is None:
            types = {k: v.type.content if isinstance(v, ak.Array) else v.dtype
                     for k, v in data.items()}
            # NanoAOD's counters are Int_t whatever the gen file wrote (flashsim generate: UInt_t)
            counters = list(self.layout.counter_types) + [f"n{c}" for c in COLLECTIONS]
            counter_types = dict.fromkeys(counters, ROOT_TYPES[COUNTER_TYPE])
            self.tree = make_events_tree(self.file, types, counter_types)
        extend_in_clusters(self.tree, data)

    def write_metadata(self, name: str, text: str):
        self.file[name] = tnamed(name, text)


def copy_small_tree(src_file, dst_file, name: str) -> None:
    """Copy a small tree (Runs, LuminosityBlocks) in one go, keeping branch types."""
    src = EventColumns(src_file[name])
    layout = events_layout(src)
    data = layout.data(src.arrays())
    types = {k: v.type.content for k, v in data.items()}
    tree = dst_file.mktree(name, types, title=name)
    set_counter_types(tree, layout.counter_types)
    if src.num_entries:
        tree.extend(data)
