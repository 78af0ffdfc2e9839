"""PuppiMET, vertices, rho, AK8 jets, taus."""

import awkward as ak
import numpy as np
from refsim_testing import flat


def test_met_resolution_grows_with_pileup(dy):
    n_pu = flat(dy.Pileup_nPU)
    dx = flat(dy.PuppiMET_pt * np.cos(dy.PuppiMET_phi) - dy.GenMET_pt * np.cos(dy.GenMET_phi))
    low, high = np.std(dx[n_pu < 35]), np.std(dx[n_pu > 55])
    assert high > low, (low, high)


def test_met_covariance_and_significance(ttbar):
    xx, xy, yy = flat(ttbar.PuppiMET_covXX), flat(ttbar.PuppiMET_covXY), flat(ttbar.PuppiMET_covYY)
    assert np.all(xx > 0) and np.all(yy > 0) and np.all(xx * yy - xy**2 > 0)
    mx = flat(ttbar.PuppiMET_pt * np.cos(ttbar.PuppiMET_phi))
    my = flat(ttbar.PuppiMET_pt * np.sin(ttbar.PuppiMET_phi))
    sig = (mx * mx * yy - 2 * mx * my * xy + my * my * xx) / (xx * yy - xy**2)
    assert np.allclose(sig, flat(ttbar.PuppiMET_significance), rtol=1e-3)
    assert np.all(flat(ttbar.PuppiMET_sumEt) >= flat(ak.sum(ttbar.Jet_pt, axis=1)) - 1e-3)
    # neutrinos in ttbar: MET follows GenMET
    assert np.corrcoef(flat(ttbar.PuppiMET_pt), flat(ttbar.GenMET_pt))[0, 1] > 0.5


def test_vertices_and_rho_follow_pileup(ttbar):
    n_pu = flat(ttbar.Pileup_nPU)
    npvs = flat(ttbar.PV_npvs)
    good = flat(ttbar.PV_npvsGood)
    assert np.corrcoef(n_pu, npvs)[0, 1] > 0.9
    assert np.all((good >= 1) & (good <= npvs))
    rho = flat(ttbar.Rho_fixedGridRhoFastjetAll)
    assert np.corrcoef(n_pu, rho)[0, 1] > 0.7


def test_fatjets_follow_prongs(ttbar):
    assert ak.sum(ttbar.nFatJet) > 50
    idx = ttbar.FatJet_genJetAK8Idx
    assert ak.all((idx >= 0) & (idx < ttbar.nGenJetAK8))
    tau21 = flat(ttbar.FatJet_tau2 / ttbar.FatJet_tau1)
    assert np.all((tau21 > 0) & (tau21 <= 1.0 + 1e-6))
    msd = flat(ttbar.FatJet_msoftdrop)
    assert np.all(msd >= 0)
    top = flat(ttbar.FatJet_particleNetWithMass_TvsQCD)
    top_like = (msd > 140) & (msd < 210)
    assert top[top_like].mean() > top[~top_like].mean()


def test_taus_from_visible_gen_taus(ttbar):
    flav = flat(ttbar.Tau_genPartFlav)
    idx = ttbar.Tau_genPartIdx
    ok = idx >= 0
    assert np.all(flat(abs(ttbar.GenPart_pdgId[idx[ok]])) == 15)
    assert set(np.unique(flav)) <= {0, 5}
    vs_jet = flat(ttbar.Tau_rawDeepTau2018v2p5VSjet)
    assert np.median(vs_jet[flav == 5]) > np.median(vs_jet[flav == 0])
