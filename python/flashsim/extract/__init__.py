"""NanoAOD (gen + reco) -> training tables per (collection, source).

The derived gen columns and the selections are defined with RDataFrame from the catalogue's
expressions (the same the simulation defines), the needed columns are snapshotted to a slim
temporary file and paired with awkward arrays, vectorised.

>>> from flashsim.extract import extract                                    # doctest: +SKIP
>>> tables = extract(["full.root"], sources)                                # doctest: +SKIP
>>> tables["Jet_GenJet"].efficiency.label.mean()                            # doctest: +SKIP
"""

from flashsim.extract.tables import NO_BRANCHES, SourceTables, Table, extract, left_out_lines

__all__ = ["NO_BRANCHES", "SourceTables", "Table", "extract", "left_out_lines"]
