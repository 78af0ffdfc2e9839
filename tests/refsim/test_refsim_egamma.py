"""Electrons and photons: sources, conversions, IDs consistent with the features, links."""

import awkward as ak
import numpy as np
from refsim_testing import flat


def test_electron_sources(ttbar):
    flav = flat(ttbar.Electron_genPartFlav)
    idx = ttbar.Electron_genPartIdx
    ok = idx >= 0
    pdg = flat(abs(ttbar.GenPart_pdgId[ak.where(ok, idx, 0)])[ok])
    fl = flav[flat(ok)]
    # conversions point to the gen photon, the others to a gen electron
    assert np.all(pdg[fl == 22] == 22)
    assert np.all(pdg[fl != 22] == 11)
    assert {1, 5, 22}.issubset(set(np.unique(flav)))
    assert np.all(flav[~flat(ok)] == 0)  # jet fakes
    assert (~flat(ok)).sum() > 0


def test_conversions_fail_the_conversion_veto(ttbar):
    flav = flat(ttbar.Electron_genPartFlav)
    veto = flat(ttbar.Electron_convVeto)
    lost = flat(ttbar.Electron_lostHits)
    assert veto[flav == 1].mean() > 0.95
    assert veto[flav == 22].mean() < 0.5
    assert lost[flav == 22].mean() > lost[flav == 1].mean()


def test_working_points_follow_the_mva(dy):
    mva = flat(dy.Electron_mvaIso)
    wp80, wp90 = flat(dy.Electron_mvaIso_WP80), flat(dy.Electron_mvaIso_WP90)
    assert not np.any(wp80 & ~wp90)
    assert np.all(mva[wp80] > mva[~wp90].max(initial=-1))
    prompt = flat(dy.Electron_genPartFlav) == 1
    assert 0.65 < wp80[prompt].mean() < 0.95
    assert wp90[prompt].mean() > wp80[prompt].mean()
    cut = flat(dy.Electron_cutBased)
    assert set(np.unique(cut)) <= {0, 1, 2, 3, 4}
    assert (cut[prompt] >= 3).mean() > 0.6


def test_electron_photon_links_are_mutual(ttbar):
    for ev in range(len(ttbar)):
        e_ph = ttbar.Electron_photonIdx[ev].to_list()
        ph_e = ttbar.Photon_electronIdx[ev].to_list()
        for i, j in enumerate(e_ph):
            if j >= 0:
                assert ph_e[j] == i
        for j, i in enumerate(ph_e):
            if i >= 0:
                assert e_ph[i] == j
        if ev > 300:
            break
    assert ak.sum(ttbar.Electron_photonIdx >= 0) > 20


def test_photons_from_electrons_have_pixel_seeds(dy):
    flav = flat(dy.Photon_genPartFlav)
    pixel = flat(dy.Photon_pixelSeed)
    veto = flat(dy.Photon_electronVeto)
    assert (flav == 11).sum() > 50
    assert pixel[flav == 11].mean() > 0.8
    assert veto[flav == 11].mean() < 0.2
    assert set(np.unique(flav)) <= {0, 1, 11}
    assert set(np.unique(flat(dy.Photon_cutBased))) <= {0, 1, 2, 3}
