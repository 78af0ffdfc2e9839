"""Small helpers for the refsim tests."""

import awkward as ak
import numpy as np

# ROOT type of flashsim.refsim.schema -> uproot's typename of a scalar branch (a jagged one adds "[]")
UPROOT_TYPENAMES = {"Float_t": "float", "Int_t": "int32_t", "UInt_t": "uint32_t", "Short_t": "int16_t",
                    "UShort_t": "uint16_t", "UChar_t": "uint8_t", "Bool_t": "bool", "ULong64_t": "uint64_t"}


def flat(array):
    """All values of an awkward array as one numpy array."""
    return np.asarray(ak.to_numpy(ak.flatten(array, axis=None)))


def rewrite_gen(src, dst, drop=(), retype=None, entries=20):
    """Copy the first ``entries`` events of a gen file's Events tree to ``dst``, dropping the
    branches ``drop`` and casting those in ``retype`` ({branch: numpy dtype})."""
    import uproot

    from flashsim.nanoaod import write_flat_events

    retype = retype or {}
    with uproot.open(src) as f:
        arrays = f["Events"].arrays(library="ak", entry_stop=entries, how=dict)
    kept = {name: ak.values_astype(arr, retype[name]) if name in retype else arr
            for name, arr in arrays.items() if name not in drop}
    write_flat_events(dst, kept)
