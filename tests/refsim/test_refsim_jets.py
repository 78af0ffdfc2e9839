"""Jets: flavour-dependent taggers, resolution vs eta, dead cells, pileup jets, fractions, IDs."""

import awkward as ak
import numpy as np
from refsim_testing import flat

from flashsim.validate.two_sample import weighted_auc


def test_btag_separates_b_from_light(ttbar):
    matched = ttbar.Jet_genJetIdx >= 0
    central = abs(ttbar.Jet_eta) < 2.4
    sel = matched & central
    flav = flat(ttbar.Jet_hadronFlavour[sel])
    score = flat(ttbar.Jet_btagDeepFlavB[sel])
    keep = (flav == 5) | (flav == 0)
    auc = weighted_auc(score[keep], flav[keep] == 5)
    assert auc > 0.9, auc
    # medium working point: b efficiency ~70-95%, light mistag ~1%
    assert 0.65 < (score[flav == 5] > 0.277).mean() < 0.97
    assert (score[flav == 0] > 0.277).mean() < 0.05
    # charm sits in between, and CvL separates c from light
    assert (score[flav == 0] > 0.277).mean() < (score[flav == 4] > 0.277).mean() < (
        score[flav == 5] > 0.277).mean()
    cvl = flat(ttbar.Jet_btagDeepFlavCvL[sel])
    keep_c = (flav == 4) | (flav == 0)
    assert weighted_auc(cvl[keep_c], flav[keep_c] == 4) > 0.7


def test_taggers_and_scores_in_range(ttbar):
    for name in ("btagDeepFlavB", "btagDeepFlavCvB", "btagDeepFlavCvL", "btagDeepFlavQG",
                 "chHEF", "neHEF", "chEmEF", "neEmEF", "muEF"):
        x = flat(ttbar[f"Jet_{name}"])
        assert np.all((x >= 0) & (x <= 1)), name
    qgl = flat(ttbar.Jet_qgl)
    assert np.all(((qgl >= 0) & (qgl <= 1)) | (qgl == -1))
    disc = flat(ttbar.Jet_puIdDisc)
    assert np.all((disc >= -1) & (disc <= 1))


def test_energy_fractions_sum_to_one(ttbar):
    total = (ttbar.Jet_chHEF + ttbar.Jet_neHEF + ttbar.Jet_chEmEF + ttbar.Jet_neEmEF
             + ttbar.Jet_muEF)
    assert np.allclose(flat(total), 1.0, atol=1e-4)
    # no tracks outside the tracker: no charged fractions there
    fwd = abs(ttbar.Jet_eta) > 2.6
    assert np.all(flat(ttbar.Jet_chHEF[fwd]) == 0)
    assert np.all(flat(ttbar.Jet_nConstituents) == flat(ttbar.Jet_chMultiplicity)
                  + flat(ttbar.Jet_neMultiplicity))


def test_jet_id_is_discrete_and_follows_fractions(ttbar):
    jet_id = flat(ttbar.Jet_jetId)
    assert set(np.unique(jet_id)) <= {0, 2, 6}
    central = flat(abs(ttbar.Jet_eta) <= 2.6)
    lep = flat((ttbar.Jet_muEF >= 0.8) | (ttbar.Jet_chEmEF >= 0.8))
    assert np.all(jet_id[central & lep] != 6)
    assert set(np.unique(flat(ttbar.Jet_puId))) <= {0, 4, 6, 7}


def test_quark_gluon_variables_correlate(ttbar):
    sel = (ttbar.Jet_genJetIdx >= 0) & (abs(ttbar.Jet_eta) < 2.4) & (ttbar.Jet_hadronFlavour == 0)
    parton = flat(abs(ttbar.Jet_partonFlavour[sel]))
    qgl = flat(ttbar.Jet_qgl[sel])
    n = flat(ttbar.Jet_nConstituents[sel])
    gluon = parton == 21
    assert gluon.sum() > 50 and (~gluon).sum() > 50
    assert np.median(qgl[gluon]) < np.median(qgl[~gluon])
    assert np.corrcoef(qgl, n)[0, 1] < -0.3
    qg = flat(ttbar.Jet_btagDeepFlavQG[sel])
    assert np.corrcoef(qg, n)[0, 1] > 0.2


def test_resolution_widens_with_eta(ttbar):
    idx = ttbar.Jet_genJetIdx
    ok = idx >= 0
    gen_pt = ttbar.GenJet_pt[ak.where(ok, idx, 0)]
    ratio = flat((ttbar.Jet_pt / gen_pt)[ok])
    gpt = flat(gen_pt[ok])
    aeta = flat(abs(ttbar.Jet_eta[ok]))
    window = (gpt > 30) & (gpt < 80)

    def width(mask):
        q16, q84 = np.percentile(ratio[window & mask], [16, 84])
        return (q84 - q16) / 2

    barrel, crack, forward = width(aeta < 1.3), width((aeta > 2.5) & (aeta < 3.0)), width(
        aeta > 3.0)
    assert barrel < crack, (barrel, crack)
    assert barrel < forward, (barrel, forward)


def test_b_jets_have_a_low_response_tail(ttbar):
    idx = ttbar.Jet_genJetIdx
    ok = (idx >= 0) & (ttbar.Jet_pt > 40)
    ratio = flat((ttbar.Jet_pt / ttbar.GenJet_pt[ak.where(ok, idx, 0)])[ok])
    flav = flat(ttbar.Jet_hadronFlavour[ok])
    tail_b = (ratio[flav == 5] < 0.8).mean()
    tail_l = (ratio[flav == 0] < 0.8).mean()
    assert tail_b > 1.5 * tail_l, (tail_b, tail_l)


def test_efficiency_drops_in_dead_cells(ttbar_gen):
    """Gen jets of real events, rotated in phi so that many cross the dead cells."""
    from flashsim.refsim.gen import GenEvent
    from flashsim.refsim.geometry import in_dead_cell
    from flashsim.refsim.jets import jets_from_genjets
    from flashsim.refsim.random_streams import EventRandom
    from flashsim.refsim.reader import iterate_chunks, open_gen_tree

    f, tree = open_gen_tree(str(ttbar_gen))
    chunk = next(iterate_chunks(tree, 1000))
    f.close()
    inside, outside = [0, 0], [0, 0]
    for k in range(24):
        shifted = dict(chunk)
        shifted["GenJet_phi"] = (chunk["GenJet_phi"] + k * 2 * np.pi / 24 + np.pi) % (
            2 * np.pi) - np.pi
        gen = GenEvent(shifted)
        rng = EventRandom(k, gen.run, gen.lumi, gen.event)
        jets, lost = jets_from_genjets(gen, rng, np.full(gen.n, 20.0))
        gj = gen.genjet
        sel = (gj["pt"] > 40) & (np.abs(gj["eta"]) < 2.4)
        dead = in_dead_cell(gj["eta"], gj["phi"])
        reco = np.zeros(len(gj), dtype=bool)
        flat_of = np.cumsum(gj.counts(gen.n)) - gj.counts(gen.n)
        reco[flat_of[jets.event] + jets["genJetIdx"]] = True
        inside[0] += (reco & sel & dead).sum()
        inside[1] += (sel & dead).sum()
        outside[0] += (reco & sel & ~dead).sum()
        outside[1] += (sel & ~dead).sum()
    assert inside[1] > 100
    eff_in, eff_out = inside[0] / inside[1], outside[0] / outside[1]
    assert eff_out > 0.95
    assert eff_in < 0.7 * eff_out, (eff_in, eff_out)


def test_pileup_jets_grow_with_npu(ttbar):
    n_fake = flat(ak.sum(ttbar.Jet_genJetIdx < 0, axis=1))
    n_pu = flat(ttbar.Pileup_nPU)
    low, high = n_fake[n_pu < 35].mean(), n_fake[n_pu > 55].mean()
    assert high > 1.4 * low, (low, high)
    fake = ttbar.Jet_genJetIdx < 0
    assert np.all(flat(ttbar.Jet_hadronFlavour[fake]) == 0)
    assert np.all(flat(ttbar.Jet_partonFlavour[fake]) == 0)
    # pileup jets have a low pileup-ID discriminant
    assert np.median(flat(ttbar.Jet_puIdDisc[fake])) < np.median(flat(ttbar.Jet_puIdDisc[~fake]))


def test_jets_sorted_by_pt_above_threshold(ttbar):
    pt = ttbar.Jet_pt
    assert ak.all(pt[:, 1:] <= pt[:, :-1])
    assert ak.all(pt > 15)
    for coll in ("Muon", "Electron", "Photon", "FatJet"):
        p = ttbar[f"{coll}_pt"]
        assert ak.all(p[:, 1:] <= p[:, :-1]), coll
