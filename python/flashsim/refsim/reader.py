"""Checks of the gen-level input before anything is written, and the chunked read.

``Events`` may be a TTree or an RNTuple with the NanoAOD column names (``nGenJet``, ``GenJet_pt``,
... as RDataFrame reads them); both are read through one view, :class:`flashsim.nanoaod.columns.EventColumns`. A missing
tree or branch, or a branch of the wrong type or shape, raises
:class:`~flashsim.errors.InputError` naming the file and the branch, with what was expected
and what was found.
"""

import difflib
import os

from flashsim.errors import InputError
from flashsim.nanoaod.columns import EventColumns
from flashsim.nanoaod.input_files import one_line

__all__ = ["REQUIRED_BRANCHES", "iterate_chunks", "open_gen_tree"]

_FLOAT = ("float32", "float64")
_INT = ("int8", "int16", "int32", "int64")
_ANY_INT = _INT + ("uint8", "uint16", "uint32", "uint64")

# branch -> (jagged?, accepted dtypes). Integer widths differ between NanoAOD versions, so any
# width of the right signedness class is accepted where the value range allows it.
REQUIRED_BRANCHES = {
    "run": (False, ("uint32",) + _ANY_INT),
    "luminosityBlock": (False, ("uint32",) + _ANY_INT),
    "event": (False, ("uint64",) + _ANY_INT),
    "GenPart_pt": (True, _FLOAT), "GenPart_eta": (True, _FLOAT),
    "GenPart_phi": (True, _FLOAT), "GenPart_mass": (True, _FLOAT),
    "GenPart_pdgId": (True, _INT), "GenPart_status": (True, _INT),
    "GenPart_statusFlags": (True, _ANY_INT), "GenPart_genPartIdxMother": (True, _INT),
    "GenJet_pt": (True, _FLOAT), "GenJet_eta": (True, _FLOAT), "GenJet_phi": (True, _FLOAT),
    "GenJet_mass": (True, _FLOAT), "GenJet_partonFlavour": (True, _INT),
    "GenJet_hadronFlavour": (True, _ANY_INT),
    "GenJetAK8_pt": (True, _FLOAT), "GenJetAK8_eta": (True, _FLOAT),
    "GenJetAK8_phi": (True, _FLOAT), "GenJetAK8_mass": (True, _FLOAT),
    "GenJetAK8_hadronFlavour": (True, _ANY_INT),
    "GenVisTau_pt": (True, _FLOAT), "GenVisTau_eta": (True, _FLOAT),
    "GenVisTau_phi": (True, _FLOAT), "GenVisTau_mass": (True, _FLOAT),
    "GenVisTau_charge": (True, _INT), "GenVisTau_genPartIdxMother": (True, _INT),
    "GenVisTau_status": (True, _ANY_INT),
    "GenMET_pt": (False, _FLOAT), "GenMET_phi": (False, _FLOAT),
    "Pileup_nPU": (False, _ANY_INT), "Pileup_nTrueInt": (False, _FLOAT),
}


def _described(dtypes) -> str:
    """What REQUIRED_BRANCHES accepts, in words, NanoAOD's own type first."""
    if dtypes == _FLOAT:
        return "float32 or float64"
    kind = "signed integer" if set(dtypes) <= set(_INT) else "integer"
    return f"{kind} (NanoAOD: {dtypes[0]})" if dtypes.count(dtypes[0]) > 1 else kind


def open_gen_tree(path: str):
    """Open ``path`` with uproot and check its ``Events`` (a TTree or an RNTuple).

    Returns:
        (uproot file, :class:`EventColumns` of Events).
    Raises:
        InputError: missing file/tree/branch, wrong type or shape.
    """
    import uproot

    if not os.path.isfile(path):
        raise InputError(f"gen file {path!r} does not exist")
    try:
        # no array cache: every chunk is read once, and a cache would only hold memory
        file = uproot.open(path, array_cache=None)
    except Exception as err:  # uproot raises several types for non-ROOT input
        raise InputError(f"cannot open {path!r} as a ROOT file: {one_line(err)}") from None
    if "Events" not in file:
        file.close()
        raise InputError(f"{path!r} has no TTree 'Events' (found: {sorted(file.keys())[:10]})")
    try:
        obj = file["Events"]
        tree = EventColumns(obj) if hasattr(obj, "num_entries") else None
    except Exception as err:  # a truncated file: the directory reads, the tree does not
        file.close()
        raise InputError(f"cannot read {path}:Events (truncated or corrupt?): {one_line(err)}") from None
    if tree is None:
        file.close()
        raise InputError(f"{path}:Events is a {type(obj).__name__}; the reference detector reads a TTree "
                         "or an RNTuple Events")
    names = set(tree.keys())
    for name, (jagged, dtypes) in REQUIRED_BRANCHES.items():
        if name not in names:
            near = difflib.get_close_matches(name, names, n=3)
            hint = f"; nearest: {', '.join(near)}" if near else ""
            file.close()
            raise InputError(
                f"{path}:Events has no branch {name!r}, which the reference detector needs{hint}")
        is_jagged, dtype, _ = tree.layout(name)
        found = f"{'jagged ' if is_jagged else ''}{dtype}"
        want = f"{'jagged ' if jagged else 'scalar '}{_described(dtypes)}"
        if dtype is None or is_jagged != jagged or dtype.name not in dtypes:
            file.close()
            raise InputError(
                f"{path}:Events branch {name!r} has type {found}, expected {want} "
                f"(NanoAOD naming and types)")
    from flashsim.refsim.schema import COLLECTIONS, SCALARS

    ours = [f"n{c}" for c in COLLECTIONS] + [name for name, _, _ in SCALARS]
    reco = sorted(b for b in ours if b in names)
    if reco:
        file.close()
        raise InputError(
            f"{path}:Events already has reco branches ({', '.join(reco[:5])}); the reference detector "
            f"takes a gen-level file")
    if tree.num_entries == 0:
        file.close()
        raise InputError(f"{path}:Events has no entries")
    return file, tree


def iterate_chunks(tree, step: int):
    """Yield dicts branch -> awkward array of all branches, ``step`` events at a time (``tree``: an
    :class:`EventColumns`)."""
    for start in range(0, tree.num_entries, step):
        yield tree.arrays(start, min(start + step, tree.num_entries))
