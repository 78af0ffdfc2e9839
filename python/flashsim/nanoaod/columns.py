"""The columns of an ``Events`` TTree or RNTuple (uproot), read one way: their layout (jagged or
scalar, numeric type, counter) and their values in entry ranges. NanoAOD names: an RNTuple column
``X_f`` of lists is counted by ``nX``, as RDataFrame writes it.

    from flashsim.nanoaod.columns import EventColumns
    events = EventColumns(uproot.open("gen.root")["Events"])
    jagged, dtype, counter = events.layout("GenJet_pt")   # True, float32, "nGenJet"
"""

import numpy as np

__all__ = ["EventColumns", "branch_layout"]


def branch_layout(branch):
    """(jagged?, numpy dtype of the values, counter branch name or None) of an uproot branch."""
    interp = branch.interpretation
    content = getattr(interp, "content", None)
    if content is not None and hasattr(content, "from_dtype"):
        counter = branch.count_branch.name if branch.count_branch is not None else None
        return True, content.from_dtype.newbyteorder("="), counter
    if hasattr(interp, "from_dtype"):
        if interp.from_dtype.shape:
            return False, None, None
        return False, interp.from_dtype.newbyteorder("="), None
    return False, None, None


class EventColumns:
    """The columns of a TTree or an RNTuple, read the same way.

    keys(): column names; num_entries; layout(name): (jagged?, numpy dtype or None, counter column
    or None); arrays(start, stop): {column: awkward array}. An RNTuple column ``X_f`` of lists is
    counted by ``nX`` (NanoAOD naming) when the RNTuple has it.
    """

    def __init__(self, obj):
        self.obj = obj
        self.rntuple = "RNTuple" in type(obj).__name__
        self.num_entries = obj.num_entries
        self._layouts = self._rntuple_layouts() if self.rntuple else None
        self._names = list(self._layouts) if self.rntuple else list(obj.keys())

    def _rntuple_layouts(self) -> dict:
        """{field: layout} from the awkward form of the RNTuple (no entry read)."""
        import awkward as ak

        record = self.obj.arrays(entry_stop=0).layout.form
        names = set(record.fields)
        out = {}
        for name, form in zip(record.fields, record.contents, strict=True):
            jagged = isinstance(form, (ak.forms.ListOffsetForm, ak.forms.ListForm))
            leaf = form.content if jagged else form
            dtype = None
            if isinstance(leaf, ak.forms.NumpyForm) and not leaf.inner_shape:
                dtype = np.dtype("?" if leaf.primitive == "bool" else leaf.primitive)
            counter = f"n{name.split('_', 1)[0]}" if jagged else None
            out[name] = (jagged, dtype, counter if counter in names else None)
        return out

    def keys(self) -> list:
        return list(self._names)

    def layout(self, name: str):
        return self._layouts[name] if self.rntuple else branch_layout(self.obj[name])

    def arrays(self, start: int | None = None, stop: int | None = None) -> dict:
        if not self.rntuple:
            return self.obj.arrays(library="ak", entry_start=start, entry_stop=stop, how=dict)
        arrays = self.obj.arrays(entry_start=start, entry_stop=stop)
        return {name: arrays[name] for name in arrays.fields}
