"""Cross-references between simulated collections (bundle "postprocess"): computed from the
simulated objects with the Neighbours helpers, never learnt."""

__all__ = ["POSTPROCESS"]


def _closest(a, b, radius):
    return {"column": f"{a}_{b[0].lower() + b[1:]}Idx", "requires": [a, b],
            "expression": f"flashsim::Neighbours::ClosestIndex({a}_eta, {a}_phi, {b}_eta, {b}_phi, {radius}f)"}


def _nth(jet_branch, other, n):
    """Jet_muonIdx1/2: the n-th object of ``other`` whose <other>_jetIdx is this jet, else -1."""
    return {"column": f"Jet_{jet_branch}{n + 1}", "requires": ["Jet", other],
            "expression": f"flashsim::Neighbours::InverseIndex({other}_jetIdx, Jet_pt.size(), {n})"}


def _count(jet_branch, other):
    """Jet_nMuons: how many objects of ``other`` point at this jet (stops at 255, UChar_t)."""
    return {"column": f"Jet_{jet_branch}", "requires": ["Jet", other],
            "expression": f"flashsim::Neighbours::CountPointing({other}_jetIdx, Jet_pt.size())"}


POSTPROCESS = [
    _closest("Muon", "Jet", 0.4),
    _closest("Electron", "Jet", 0.4),
    _closest("Photon", "Jet", 0.4),
    _closest("Electron", "Photon", 0.1),
    _closest("Photon", "Electron", 0.1),
    _nth("muonIdx", "Muon", 0), _nth("muonIdx", "Muon", 1),
    _nth("electronIdx", "Electron", 0), _nth("electronIdx", "Electron", 1),
    _count("nMuons", "Muon"), _count("nElectrons", "Electron"),
]
