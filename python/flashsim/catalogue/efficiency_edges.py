"""Efficiency edges: where no training candidate of a source was ever reconstructed.

A jet beyond the tracker (|eta| > 2.5 plus its radius) has no secondary vertex, a gen muon beyond the muon
chambers no reco muon: the efficiency is exactly 0 there. A network learns such an edge only approximately
and extrapolates beyond its last training candidates: default bundle v13 gave 21% of the simulated jets at
|eta| 4-5 a secondary vertex, the reference none. Where a source's efficiency table shows its candidates
never reconstructed beyond an edge of the candidate's |eta| (its conditioning variable named ``eta``), the
bundle records it (source field ``efficiency_edge``: {"input": <the eta column>, "abs_above": edge}) and the
simulation sets the efficiency to 0 there (``flashsim::EfficiencyEdge`` in C++, the reference sampler alike).

The edge is found as the acceptance edges are (flashsim.catalogue.acceptance.acceptance_edge): at least
ACCEPTANCE_AGREEMENT of the candidates beyond it are not reconstructed, they are at least ACCEPTANCE_MIN_ROWS
and ACCEPTANCE_MIN_SHARE of all, and inside it the source reconstructs some candidates.
"""

import numpy as np

from flashsim.catalogue.acceptance import acceptance_edge

__all__ = ["ETA_CONDITIONING", "efficiency_edge", "settle_efficiency_edges"]

ETA_CONDITIONING = "eta"  # the conditioning variable whose input column is the candidate's pseudorapidity


def efficiency_edge(abs_eta, reconstructed) -> float | None:
    """The |eta| beyond which the candidates are (almost) never reconstructed, or None."""
    found = acceptance_edge(abs_eta, np.asarray(reconstructed, dtype=np.float64))
    return None if found is None or found[1] != 0.0 else found[0]


def settle_efficiency_edges(specs, tables) -> None:
    """Sets ``spec.efficiency_edge`` ({input, abs_above} or None) from each source's efficiency table
    (``tables``: {key: Table with ``label``}), and records it in ``spec.decisions``."""
    for spec in specs:
        table = tables.get(spec.key)
        eta = next((c.column for c in spec.conditioning if c.name == ETA_CONDITIONING), None)
        if table is None or table.label is None or eta is None or spec.kind not in ("matched", "unmatched"):
            continue
        abs_eta = np.abs(np.asarray(table.columns[eta], dtype=np.float64))
        label = np.asarray(table.label, dtype=np.float64)
        edge = efficiency_edge(abs_eta, label)
        if edge is None:
            continue
        spec.efficiency_edge = {"input": eta, "abs_above": edge}
        beyond = abs_eta > edge
        spec.decisions["efficiency edge"] = (
            f"efficiency 0 where |{eta}| > {edge:.4g}: {int(label[beyond].sum())} of the {int(beyond.sum())} training "
            f"candidates there reconstructed")
