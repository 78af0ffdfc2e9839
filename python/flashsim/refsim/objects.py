"""A flat collection of objects (one row per object, an event index per row) and pt sorting."""

import numpy as np

__all__ = ["Objects"]


class Objects:
    """Columns of equal length plus ``event`` (index of the object's event in the chunk).

    Rows are kept grouped by event (``event`` non-decreasing) once :meth:`sorted_by_pt` or
    :meth:`concat` has been called.
    """

    def __init__(self, event, **columns):
        self.event = np.asarray(event, dtype=np.int64)
        self.columns = {k: np.asarray(v) for k, v in columns.items()}

    def __len__(self):
        return len(self.event)

    def __getitem__(self, name):
        return self.columns[name]

    def __setitem__(self, name, values):
        self.columns[name] = np.asarray(values)

    def __contains__(self, name):
        return name in self.columns

    def take(self, index) -> "Objects":
        """Rows ``index`` (an integer array or a boolean mask)."""
        return Objects(self.event[index], **{k: v[index] for k, v in self.columns.items()})

    @staticmethod
    def concat(parts: list["Objects"]) -> "Objects":
        """Rows of all parts, grouped by event (stable: part order kept inside an event)."""
        names = set(parts[0].columns)
        for p in parts[1:]:
            if set(p.columns) != names:
                missing = names.symmetric_difference(p.columns)
                raise ValueError(f"cannot concatenate collections: columns differ in {missing}")
        event = np.concatenate([p.event for p in parts])
        order = np.argsort(event, kind="stable")
        cols = {k: np.concatenate([p.columns[k] for p in parts])[order] for k in names}
        return Objects(event[order], **cols)

    def sorted_by_pt(self, n_events: int):
        """Rows sorted by event, then by decreasing pt.

        Returns:
            (sorted Objects, local index of each *original* row in its event after sorting).
        """
        order = np.lexsort((-self.columns["pt"], self.event))
        out = self.take(order)
        counts = np.bincount(out.event, minlength=n_events)
        starts = np.zeros(n_events, dtype=np.int64)
        np.cumsum(counts[:-1], out=starts[1:])
        local_sorted = np.arange(len(out), dtype=np.int64) - starts[out.event]
        new_local = np.empty(len(out), dtype=np.int64)
        new_local[order] = local_sorted
        return out, new_local

    def counts(self, n_events: int) -> np.ndarray:
        return np.bincount(self.event, minlength=n_events)
