"""Small helpers for the refsim tests."""

import awkward as ak
import numpy as np


def flat(array):
    """All values of an awkward array as one numpy array."""
    return np.asarray(ak.to_numpy(ak.flatten(array, axis=None)))


def rewrite_gen(src, dst, drop=(), retype=None, entries=20):
    """Copy the first ``entries`` events of a gen file's Events tree to ``dst``, dropping the
    branches ``drop`` and casting those in ``retype`` ({branch: numpy dtype})."""
    import uproot

    retype = retype or {}
    with uproot.open(src) as f:
        arrays = f["Events"].arrays(library="ak", entry_stop=entries, how=dict)
    groups, data = {}, {}
    for name, arr in arrays.items():
        if name in drop or (name.startswith("n") and name[1:] in {k.split("_")[0]
                                                                  for k in arrays}):
            continue
        if name in retype:
            arr = ak.values_astype(arr, retype[name])
        if arr.ndim == 2:
            coll, field = name.split("_", 1)
            groups.setdefault(coll, {})[field] = arr
        else:
            data[name] = arr
    for coll, fields in groups.items():
        data[coll] = ak.zip(fields)
    with uproot.recreate(dst) as f:
        types = {k: v.type.content for k, v in data.items()}
        f.mktree("Events", types).extend(data)
