"""Checks of input files, before any event loop: one clear line for every way a file can be bad.

Read with uproot (no ROOT, so no recovery messages from a truncated file): the file exists, is a
ROOT file whose directory reads (not truncated, not a zombie), holds ``Events`` as a TTree (or
an RNTuple where the caller reads those), and every file of a chain has the same columns with the
same types as the first one.

    from flashsim.nanoaod.input_files import check_event_files
    kinds = check_event_files(["gen1.root", "gen2.root"], "flashsim simulate", rntuple=True)
"""

from __future__ import annotations

import os
from collections.abc import Sequence

from flashsim.errors import InputError

__all__ = ["check_event_files", "event_schema", "one_line"]


def one_line(err) -> str:
    """An exception's text on one line (uproot's messages span several)."""
    return " ".join(str(err).split()) or type(err).__name__


def _is_rntuple(obj) -> bool:
    return "RNTuple" in type(obj).__name__


def event_schema(path, rntuple: bool = False) -> tuple[str, dict]:
    """("ttree" | "rntuple", {column: type name}) of a file's ``Events``; InputError naming the
    file and what is wrong."""
    import uproot

    path = str(path)
    if not os.path.exists(path):
        raise InputError(f"input {path!r} does not exist")
    if not os.path.isfile(path):
        raise InputError(f"input {path!r} is not a file")
    try:
        with uproot.open(path) as f:
            classes = f.classnames(recursive=False)
            names = {key.split(";")[0]: cls for key, cls in classes.items()}
            if "Events" not in names:
                found = ", ".join(sorted(names)[:10]) or "nothing"
                raise InputError(f"input {path!r} has no TTree 'Events' (it has: {found})")
            events = f["Events"]
            if _is_rntuple(events):
                if not rntuple:
                    raise InputError(f"{path}: Events is an RNTuple; this command reads a TTree Events (every "
                                     "flashsim command that reads events reads both)")
                return "rntuple", {name: "" for name in events.keys()}
            if not isinstance(events, uproot.behaviors.TTree.TTree):
                raise InputError(f"{path}: Events is a {names['Events']}, expected a TTree"
                                 + (" or an RNTuple" if rntuple else ""))
            schema = dict(events.typenames())
    except InputError:
        raise
    except Exception as err:  # uproot raises OSError, ValueError, DeserializationError ... for bad bytes
        raise InputError(f"input {path!r} is not a readable ROOT file (truncated or corrupt?): {one_line(err)}") \
            from None
    return "ttree", schema


def check_event_files(paths: Sequence, command: str, rntuple: bool = False) -> list:
    """Checks every file of a chain (see the module doc); returns their kinds.

    Raises:
        InputError: no file, a missing/unreadable/truncated file, no Events or Events of another
            kind, a file whose columns or types differ from the first file's (naming both and up to
            five columns), a chain mixing TTrees and RNTuples.
    """
    paths = [str(p) for p in paths]
    if not paths:
        raise InputError(f"{command}: no input file given")
    kinds, first = [], None
    for path in paths:
        kind, schema = event_schema(path, rntuple)
        kinds.append(kind)
        if first is None:
            first = (path, kind, schema)
            continue
        path0, kind0, schema0 = first
        if kind != kind0:
            raise InputError(f"{path}: Events is a {kind}, but {path0}'s is a {kind0}: a chain takes one kind")
        differing = sorted(set(schema) ^ set(schema0)) + sorted(k for k in set(schema) & set(schema0)
                                                                  if schema[k] != schema0[k])
        if differing:
            shown = ", ".join(f"{k} ({schema0.get(k, 'absent')} -> {schema.get(k, 'absent')})" for k in differing[:5])
            more = f" and {len(differing) - 5} more" if len(differing) > 5 else ""
            raise InputError(f"{path}: its Events columns differ from those of {path0}, the chain's first file: "
                             f"{shown}{more}")
    return kinds
