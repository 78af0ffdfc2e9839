"""Cross-references between simulated collections (bundle "postprocess"): computed from the
simulated objects with the registry's operations (the Neighbours helpers), never learnt."""

__all__ = ["POSTPROCESS"]


def _closest(a, b, radius):
    return {"column": f"{a}_{b[0].lower() + b[1:]}Idx", "requires": [a, b],
            "op": "closest_index", "from": a, "to": b, "radius": radius}


def _same_gen(a, b):
    """Electron_photonIdx / Photon_electronIdx: the object of ``b`` made from the same gen particle (the
    reference detector's shared supercluster: an electron and its supercluster's photon from one gen
    electron, a converted photon and its electron from one gen photon), else -1."""
    return {"column": f"{a}_{b[0].lower() + b[1:]}Idx", "requires": [a, b],
            "op": "same_gen_index", "from": a, "to": b, "index": "genPartIdx"}


def _nth(jet_branch, other, n):
    """Jet_muonIdx1/2: the n-th object of ``other`` whose <other>_jetIdx is this jet, else -1."""
    return {"column": f"Jet_{jet_branch}{n + 1}", "requires": ["Jet", other],
            "op": "inverse_index", "index": f"{other}_jetIdx", "size_of": "Jet_pt", "rank": n}


def _count(jet_branch, other):
    """Jet_nMuons: how many objects of ``other`` point at this jet (stops at 255, UChar_t)."""
    return {"column": f"Jet_{jet_branch}", "requires": ["Jet", other],
            "op": "count_pointing", "index": f"{other}_jetIdx", "size_of": "Jet_pt"}


def _inverse_closest(a, b, branch, radius, rank):
    """FatJet_subJetIdx1/2: the ``rank``-th object of ``b`` whose closest object of ``a`` is this one."""
    return {"column": f"{a}_{branch}", "requires": [a, b], "op": "inverse_closest_index", "from": b, "to": a,
            "radius": radius, "rank": rank}


def _vertices_of(owner):
    """Jet_nSVs, Jet_svIdx1/2 (Tau_ in v15): the SVs whose closest ``owner`` within 0.4 is this one, the first two."""
    return [{"column": f"{owner}_nSVs", "requires": [owner, "SV"], "op": "count_closest", "from": "SV", "to": owner,
             "radius": 0.4},
            *(_inverse_closest(owner, "SV", f"svIdx{rank + 1}", 0.4, rank) for rank in (0, 1))]


def _vertex_of(lepton):
    """Muon_svIdx, Electron_svIdx: the closest SV within 0.4 of a lepton from a b or c hadron, else -1."""
    return {"column": f"{lepton}_svIdx", "requires": [lepton, "SV"], "op": "closest_index", "from": lepton,
            "to": "SV", "radius": 0.4, "select": f"{lepton}_genPartFlav == 4 || {lepton}_genPartFlav == 5"}


POSTPROCESS = [
    _closest("Muon", "Jet", 0.4),
    _closest("Electron", "Jet", 0.4),
    _closest("Photon", "Jet", 0.4),
    _same_gen("Electron", "Photon"),
    _same_gen("Photon", "Electron"),
    _nth("muonIdx", "Muon", 0), _nth("muonIdx", "Muon", 1),
    _nth("electronIdx", "Electron", 0), _nth("electronIdx", "Electron", 1),
    _count("nMuons", "Muon"), _count("nElectrons", "Electron"),
    _closest("Tau", "Jet", 0.4),
    _closest("FsrPhoton", "Muon", 0.5),
    {"column": "Muon_fsrPhotonIdx", "requires": ["Muon", "FsrPhoton"], "op": "inverse_index",
     "index": "FsrPhoton_muonIdx", "size_of": "Muon_pt", "rank": 0},
    _same_gen("LowPtElectron", "Electron"),
    _same_gen("LowPtElectron", "Photon"),
    _inverse_closest("FatJet", "SubJet", "subJetIdx1", 0.8, 0),
    _inverse_closest("FatJet", "SubJet", "subJetIdx2", 0.8, 1),
    *_vertices_of("Jet"), *_vertices_of("Tau"), _vertex_of("Muon"), _vertex_of("Electron"),
]
