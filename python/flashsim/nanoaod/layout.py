"""How an Events tree's columns are written back with uproot, NanoAOD style: one layout for the
reference detector's writer (the gen branches it carries through) and for flashsim simulate's
rewrite of its Snapshot output.

    layout = events_layout(tree)         # a TTree or RNTuple (uproot) or EventColumns
    data = layout.data(tree.arrays(...))  # {scalar: array, collection: zipped record array}

A column ``X_field`` of lists belongs to collection ``X`` when it is counted by ``nX`` (the
counter its branch names), or, in an RDataFrame Snapshot (whose jagged branches are counted by
hidden leaves: ``R_rdf_sizeof_*``, ``nX_field``), when the tree has an ``nX`` column.
"""

from dataclasses import dataclass, field

import awkward as ak
import numpy as np

from flashsim.errors import InputError
from flashsim.nanoaod.columns import EventColumns

__all__ = ["EventsLayout", "events_layout"]


@dataclass
class EventsLayout:
    order: list = field(default_factory=list)  # scalars, bare arrays and collections, as they first appear
    collections: dict = field(default_factory=dict)  # {collection: [field]}
    counter_types: dict = field(default_factory=dict)  # {nX: numpy dtype of the input's counter}

    @property
    def scalars(self) -> list:
        return [name for name in self.order if name not in self.collections]

    def data(self, chunk) -> dict:
        """{scalar: array, collection: record array of its fields} of a chunk {column: array}."""
        return {name: ak.zip({f: chunk[f"{name}_{f}"] for f in self.collections[name]})
                if name in self.collections else chunk[name] for name in self.order}


def events_layout(tree) -> EventsLayout:
    """The :class:`EventsLayout` of ``tree``; InputError for a column of lists that belongs to no
    counted collection (it could not be written back as NanoAOD)."""
    tree = tree if isinstance(tree, EventColumns) else EventColumns(tree)
    names = tree.keys()
    present = set(names)
    layouts = {name: tree.layout(name) for name in names}
    out = EventsLayout()
    counters, of = set(), {}
    hidden = {layouts[n][2] for n in names if layouts[n][0]} - {None}  # a Snapshot's own counters are not written
    for name in names:
        jagged, _, counter = layouts[name]
        if not jagged:
            continue
        prefix = name.split("_", 1)[0]
        if counter == f"n{name}" or (counter is None and f"n{name}" in present):  # a bare array: LHEPdfWeight
            counters.add(f"n{name}")
            of[name] = name
            continue
        if counter is not None and name.startswith(counter[1:] + "_"):
            collection = counter[1:]
        elif "_" in name and f"n{prefix}" in present:  # a Snapshot tree: NanoAOD naming says which counter
            collection, counter = prefix, f"n{prefix}"
        elif counter is None:
            raise InputError(f"column {name!r} holds lists but has no counter column; cannot carry it through")
        else:
            raise InputError(f"branch {name!r} is counted by {counter!r} but is not named {counter[1:]}_<field>; "
                             "cannot carry it through")
        out.collections.setdefault(collection, []).append(name[len(collection) + 1:])
        counters.add(counter)
        of[name] = collection
    for name in names:  # in the input's order: a collection where its first field stands
        jagged, dtype, _ = layouts[name]
        if name in counters:
            out.counter_types[name] = np.dtype(dtype)
        elif name in hidden:
            continue
        elif not jagged:
            out.order.append(name)
        elif of[name] not in out.order:
            out.order.append(of[name])  # a collection, or a bare array written as itself
    return out
