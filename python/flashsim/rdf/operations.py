"""The bundle's named operations and cut grammar (manifest format 2), from Python.

One implementation, in C++ (cpp/include/flashsim/BundleOperations.hxx): the training's extraction
defines its derived columns and selections with the same expressions that the simulation defines
from a bundle, and a manifest can only compose what the library provides. ``flashsim::Bundle``
(:func:`cpp_bundle`) reads a whole bundle the way the simulation does, format 1 included where the
user trusts it.
"""

import json

__all__ = ["cpp_bundle", "cut", "define", "names"]


def _cpp():
    from flashsim.rdf.plugin import load

    return load().flashsim


def _translated(err):
    from flashsim.rdf.local_graph import translated_error

    return translated_error(err)


def _call(function, *args):
    try:
        return function(*args)
    except Exception as err:
        translated = _translated(err)
        if translated is None:
            raise
        raise translated from None


def define(entry: dict, where: str = "") -> tuple[str, list[str]]:
    """(RDataFrame expression, columns it reads) of a derived or postprocess entry
    (``{"column": ..., "op": ..., <parameters>}``); BundleError naming ``where`` if it is wrong."""
    column = _call(_cpp().Operations.Define, json.dumps(entry), where or f"column '{entry.get('column')}'")
    return str(column.expression), [str(c) for c in column.inputs]


def cut(text: str, where: str = "") -> tuple[str, list[str]]:
    """(RDataFrame expression, columns it reads) of a selection in the cut grammar, e.g.
    ``"GenPart_status == 1 && abs(GenPart_pdgId) == 13 && GenPart_pt > 2"``."""
    parsed = _call(_cpp().Operations.ParseCut, text, where or "cut")
    return str(parsed.expression), [str(c) for c in parsed.inputs]


def names() -> list[str]:
    """The registry's operations."""
    return [str(n) for n in _cpp().Operations.Names()]


def cpp_bundle(directory, allow_bundle_code: bool = False):
    """The C++ ``flashsim::Bundle`` of ``directory`` (its ``Derived()``, ``Postprocess()`` and the
    sources' ``select`` hold the RDataFrame expressions); ``allow_bundle_code``: also a format-1
    bundle whose entries are C++ text (a decision to trust its author)."""
    return _call(_cpp().Bundle, str(directory), bool(allow_bundle_code))
