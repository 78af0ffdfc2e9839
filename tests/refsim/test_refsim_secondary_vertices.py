"""Secondary vertices of the reference detector (issue "Every collection"): from the weak decays of b and c
hadrons inside jets, few in light jets, with NanoAOD's selection, geometry and cross-references."""

import awkward as ak
import numpy as np

from flashsim.refsim.parameters import value as par


def _flat(a):
    return ak.to_numpy(ak.flatten(a)).astype(np.float64)


def test_vertices_come_from_heavy_flavour_jets(ttbar):
    has = ttbar.Jet_nSVs >= 1
    central = (abs(ttbar.Jet_eta) < 2.4) & (ttbar.Jet_pt > 30)
    share = {f: float(ak.mean(has[central & (ttbar.Jet_hadronFlavour == f)])) for f in (5, 4, 0)}
    # CMS's inclusive vertex finder: ~65-70% of b jets, ~30% of c jets, ~1% of light jets
    assert 0.5 < share[5] < 0.85 and 0.15 < share[4] < 0.45 and share[0] < 0.05, share
    assert share[5] > share[4] > share[0]
    # a B that decays to a D makes two vertices in one jet (the cascade)
    b = ttbar.Jet_nSVs[central & (ttbar.Jet_hadronFlavour == 5)]
    assert 0.05 < float(ak.mean(b >= 2)) < 0.4


def test_nanoaod_selection_and_geometry(ttbar):
    assert ak.all(ttbar.SV_dlenSig > par("sv.min_significance"))
    dxy = np.hypot(_flat(ttbar.SV_x - ttbar.PV_x), _flat(ttbar.SV_y - ttbar.PV_y))
    np.testing.assert_allclose(dxy, _flat(ttbar.SV_dxy), rtol=1e-4, atol=1e-6)  # the flight from the PV, float32
    dlen = np.hypot(dxy, _flat(ttbar.SV_z - ttbar.PV_z))
    np.testing.assert_allclose(dlen, _flat(ttbar.SV_dlen), rtol=1e-3, atol=1e-5)
    assert np.all(_flat(ttbar.SV_dlen) >= _flat(ttbar.SV_dxy) * (1 - 1e-5))
    # b hadrons fly millimetres: c*tau = 455 um times beta*gamma of a few
    assert 0.1 < np.median(_flat(ttbar.SV_dlen)) < 1.5
    n = _flat(ttbar.SV_ntracks)
    assert n.min() >= 2
    ndof = _flat(ttbar.SV_ndof)  # 2 sum(w) - 3 of the adaptive fit's track weights
    assert np.all(ndof <= 2 * n - 3 + 1e-4) and np.all(ndof >= 1.6 * n - 3 - 1e-4)
    assert np.all((_flat(ttbar.SV_pAngle) >= 0) & (_flat(ttbar.SV_pAngle) <= np.pi))
    assert set(np.unique(_flat(ttbar.SV_charge))) <= {-3, -2, -1, 0, 1, 2, 3}
    assert ak.all(ttbar.SV_mass > 0) and ak.all(ttbar.SV_mass < 6)


def _closest(eta, phi, to_eta, to_phi, radius):
    """Per object of (eta, phi) the index of the closest of (to_eta, to_phi) within radius, else -1 (one event)."""
    if not len(to_eta):
        return np.full(len(eta), -1)
    d = np.hypot(eta[:, None] - to_eta[None, :], np.angle(np.exp(1j * (phi[:, None] - to_phi[None, :]))))
    best = np.argmin(d, axis=1)
    return np.where(d[np.arange(len(eta)), best] < radius, best, -1)


def test_cross_references(ttbar):
    for ev in range(300):
        sv_eta, sv_phi = np.asarray(ttbar.SV_eta[ev]), np.asarray(ttbar.SV_phi[ev])
        for owner in ("Jet", "Tau"):
            owner_of = _closest(sv_eta, sv_phi, np.asarray(ttbar[f"{owner}_eta"][ev]),
                                np.asarray(ttbar[f"{owner}_phi"][ev]), 0.4)
            n = int(ttbar[f"n{owner}"][ev])
            counts = np.bincount(owner_of[owner_of >= 0], minlength=n)
            assert np.array_equal(counts, np.asarray(ttbar[f"{owner}_nSVs"][ev]))
            for rank, branch in ((0, "svIdx1"), (1, "svIdx2")):
                expected = [np.flatnonzero(owner_of == j)[rank] if np.sum(owner_of == j) > rank else -1
                            for j in range(n)]
                assert np.array_equal(expected, np.asarray(ttbar[f"{owner}_{branch}"][ev])), (ev, owner, branch)
        for lepton in ("Muon", "Electron"):
            nearest = _closest(np.asarray(ttbar[f"{lepton}_eta"][ev]), np.asarray(ttbar[f"{lepton}_phi"][ev]),
                               sv_eta, sv_phi, 0.4)
            heavy = np.isin(np.asarray(ttbar[f"{lepton}_genPartFlav"][ev]), (4, 5))
            assert np.array_equal(np.where(heavy, nearest, -1), np.asarray(ttbar[f"{lepton}_svIdx"][ev]))
    # muons from b decays share their hadron's vertex often, prompt muons never
    heavy = (ttbar.Muon_genPartFlav == 5) & (ttbar.Muon_pt > 5)
    assert float(ak.mean(ttbar.Muon_svIdx[heavy] >= 0)) > 0.2
    assert ak.all(ttbar.Muon_svIdx[ttbar.Muon_genPartFlav == 1] == -1)
