"""Jets: flavour-dependent taggers, resolution vs eta, dead cells, pileup jets, fractions, the jet
ID that CMS's recipe gives on them."""

import awkward as ak
import numpy as np
from refsim_testing import flat

from flashsim.refsim.parameters import value as par
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
    qvg = flat(ttbar.Jet_btagPNetQvG)  # NanoAOD v15's ParticleNet convention: [0, 1], -1 without a score
    assert np.all(((qvg >= 0) & (qvg <= 1)) | (qvg == -1))
    disc = flat(ttbar.Jet_puIdDisc)
    assert np.all((disc >= -1) & (disc <= 1))


def test_energy_fractions_sum_to_one(ttbar):
    total = (ttbar.Jet_chHEF + ttbar.Jet_neHEF + ttbar.Jet_chEmEF + ttbar.Jet_neEmEF
             + ttbar.Jet_muEF)
    assert np.allclose(flat(total), 1.0, atol=1e-4)
    # no tracks more than a jet radius beyond the tracker: no charged fractions there
    edge = par("detector.tracker_eta") + par("jet.tracker_fade")
    fwd = abs(ttbar.Jet_eta) > edge
    assert np.all(flat(ttbar.Jet_chHEF[fwd]) == 0) and np.all(flat(ttbar.Jet_chEmEF[fwd]) == 0)
    # but the cone still reaches into it just beyond its edge, as real PUPPI jets do
    fade = (abs(ttbar.Jet_eta) > 2.6) & (abs(ttbar.Jet_eta) < edge)
    assert 0.1 < np.median(flat(ttbar.Jet_chHEF[fade])) < 0.6
    assert np.all(flat(ttbar.Jet_nConstituents) == flat(ttbar.Jet_chMultiplicity)
                  + flat(ttbar.Jet_neMultiplicity))


def test_cms_jet_id_keeps_real_jets(ttbar_gen, full_file):
    """NanoAOD v15 has no Jet_jetId: analyses apply CMS's Run-3 recipe to the fractions and
    multiplicities (flashsim::nanoaod::JetId). Jets of real particles that are not mostly a lepton
    pass its tight ID as in CMS (about 98-99%) in every eta region."""
    from flashsim.validate.analyses.toy import declare_analyses

    ROOT = declare_analyses()
    df = ROOT.RDF.AsRNode(ROOT.RDataFrame("Events", str(full_file(ttbar_gen))))
    cols = ROOT.flashsim.nanoaod.DefineJetId(df, "id").AsNumpy(["id", "Jet_eta", "Jet_genJetIdx", "Jet_muEF",
                                                                 "Jet_chEmEF"])
    jets = {k: np.concatenate([np.asarray(v, dtype=np.float64) for v in cols[k]]) for k in cols}
    flags = jets["id"].astype(int)
    assert set(np.unique(flags)) <= {0, 2, 6}
    tight = (flags & 2) != 0
    hadronic = (jets["Jet_genJetIdx"] >= 0) & (jets["Jet_muEF"] < 0.5) & (jets["Jet_chEmEF"] < 0.5)
    aeta = np.abs(jets["Jet_eta"])
    assert tight[hadronic].mean() > 0.98, tight[hadronic].mean()
    for lo, hi in ((0, 2.6), (2.6, 3.0), (3.0, 5.0)):
        sel = hadronic & (aeta > lo) & (aeta <= hi)
        assert sel.sum() > 100 and tight[sel].mean() > 0.96, (lo, hi, sel.sum(), tight[sel].mean())


def test_quark_gluon_variables_correlate(ttbar):
    sel = (ttbar.Jet_genJetIdx >= 0) & (abs(ttbar.Jet_eta) < 2.4) & (ttbar.Jet_hadronFlavour == 0)
    parton = flat(abs(ttbar.Jet_partonFlavour[sel]))
    qvg = flat(ttbar.Jet_btagPNetQvG[sel])
    n = flat(ttbar.Jet_nConstituents[sel])
    gluon = parton == 21
    assert gluon.sum() > 50 and (~gluon).sum() > 50
    assert np.median(qvg[gluon]) < np.median(qvg[~gluon])
    assert np.corrcoef(qvg, n)[0, 1] < -0.3
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


def test_pt_regression_is_a_factor_on_the_raw_pt(ttbar):
    """Jet_PNetRegPtRawCorr multiplies the raw pt (NanoAOD v15): the regressed pt follows the gen jet
    more closely than the corrected pt does."""
    idx = ttbar.Jet_genJetIdx
    ok = (idx >= 0) & (ttbar.Jet_pt > 30) & (abs(ttbar.Jet_eta) < 2.4)
    gen_pt = flat(ttbar.GenJet_pt[ak.where(ok, idx, 0)][ok])
    pt = flat(ttbar.Jet_pt[ok])
    regressed = pt * flat(1 - ttbar.Jet_rawFactor[ok]) * flat(ttbar.Jet_PNetRegPtRawCorr[ok])
    assert np.all(flat(ttbar.Jet_PNetRegPtRawCorr) > 0)

    def width(x):
        q16, q84 = np.percentile(x, [16, 84])
        return (q84 - q16) / 2

    assert abs(np.median(regressed / gen_pt) - 1) < 0.05
    assert width(regressed / gen_pt) < 0.9 * width(pt / gen_pt)
