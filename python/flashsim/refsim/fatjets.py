"""AK8 jets from GenJetAK8: response, soft-drop mass and N-subjettiness driven by the number of
hard-process quarks inside the jet (prongs), and ParticleNet-like Xbb/top/W scores."""

import numpy as np
from scipy.special import expit

from flashsim.refsim.gen import FROM_HARD_PROCESS, IS_LAST_COPY, hadron_flavour_of_pdgid
from flashsim.refsim.geometry import in_dead_cell, in_hem
from flashsim.refsim.matching import sum_within, wrap_phi
from flashsim.refsim.objects import Objects
from flashsim.refsim.parameters import value as par

__all__ = ["fatjets", "hard_partons"]


def hard_partons(gen):
    """Per gen AK8 jet: (hard-process quarks, those of them that are b quarks, b hadrons) within
    fatjet.prong_dr: the prongs that drive its substructure and its Xbb score (FlashSim conditions
    on the same counts, flashsim.catalogue.gen)."""
    gj = gen.genjet_ak8
    eta, phi = gj["eta"], gj["phi"]
    gp = gen.genpart
    flags = gp["statusFlags"].astype(np.int64)
    hard_q = ((flags & FROM_HARD_PROCESS) != 0) & ((flags & IS_LAST_COPY) != 0) & (
        gp["abs_pdg"] <= 5) & (gp["abs_pdg"] >= 1)
    hadrons = hadron_flavour_of_pdgid(gp["abs_pdg"])
    # every HF hadron of the chain counts once per flavour: keep the last copies only
    last = (flags & IS_LAST_COPY) != 0
    cand = hard_q | ((hadrons > 0) & last)
    sub = gp.take(cand)
    r = par("fatjet.prong_dr")
    ones = np.ones(len(sub))
    is_q = hard_q[cand]
    is_b = is_q & (sub["abs_pdg"] == 5)
    n_prong = sum_within(gj.event, eta, phi, sub.event, sub["eta"], sub["phi"], ones * is_q, gen.n, r)
    n_bq = sum_within(gj.event, eta, phi, sub.event, sub["eta"], sub["phi"], ones * is_b, gen.n, r)
    # b hadrons inside the jet drive Xbb and the subjet b tags (NanoAOD v15 stores their count on
    # GenJetAK8, not on FatJet: kept private here)
    n_bh = sum_within(gj.event, eta, phi, sub.event, sub["eta"], sub["phi"], ones * (hadrons[cand] == 5), gen.n, r)
    return n_prong, n_bq, n_bh


def fatjets(gen, rng, rho) -> Objects:
    """Reco AK8 jets (unsorted) with genJetAK8Idx = the gen jet's index."""
    gj = gen.genjet_ak8
    ev, key = gj.event, gj["index"]
    pt, eta, phi, mass = gj["pt"], gj["eta"], gj["phi"], gj["mass"]
    n_prong, n_bq, n_bh = hard_partons(gen)

    z = rng.normal("fatjet", ev, key, 15)
    u = rng.uniform("fatjet", ev, key, 2)
    s_term, c_term = par("fatjet.resolution")
    sigma = np.sqrt(s_term**2 / pt + c_term**2)
    dead = in_dead_cell(eta, phi) | in_hem(eta, phi)
    response = np.where(dead, 0.85, 1.0) * (1 + sigma * z[:, 0])
    response = np.where(u[:, 0] < 0.08, response * (1 + 0.15 * np.log(u[:, 1])), response)
    reco_pt = pt * np.maximum(response, 0.05)
    keep = (reco_pt > par("fatjet.min_pt")) & (np.abs(eta) < 2.5)

    prongs = np.minimum(n_prong, 3)
    msd_res = par("fatjet.msd_resolution")
    groomed = np.where(prongs >= 2, 0.95, 0.25 + 0.45 * expit(z[:, 1]))
    msd = np.maximum(mass * groomed * response * (1 + msd_res * z[:, 2]), 0.0)
    tau21 = np.clip(np.where(prongs >= 2, 0.38, 0.66) + 0.11 * z[:, 3], 0.05, 1.0)
    tau32 = np.clip(np.where(prongs >= 3, 0.55, 0.78) + 0.09 * z[:, 4], 0.05, 1.0)
    tau1 = np.clip((mass / pt) * (0.45 + 0.1 * z[:, 5]), 0.005, 0.8)
    tau2 = tau1 * tau21
    tau3 = tau2 * tau32
    tau4 = tau3 * np.clip(0.82 + 0.07 * z[:, 6], 0.1, 1.0)
    xbb = expit(-3.0 + 2.4 * np.minimum(n_bq, 2) + 1.2 * (n_bh >= 2) + 0.6 * (n_bh == 1)
                + 1.0 * z[:, 7])
    top = expit(-3.0 + 3.2 * ((prongs >= 3) & (msd > 130) & (msd < 220)) + 1.0 * (prongs >= 2)
                + 0.9 * z[:, 8])
    w = expit(-2.6 + 3.0 * ((prongs == 2) & (msd > 60) & (msd < 110)) + 0.9 * z[:, 9])
    n_const = np.clip(np.rint(35 + 14 * np.log(pt / 200) + 6 * prongs + 6 * z[:, 10]), 2, 255)
    area = 2.01 + 0.05 * z[:, 11]
    raw = np.clip(0.05 + 0.8 * rho[ev] * area / (pt * np.maximum(response, 0.05)), 0, 0.9)
    jets = Objects(
        ev, pt=reco_pt, eta=eta + 0.005 * z[:, 12], phi=phi + 0.005 * z[:, 13],
        mass=np.maximum(mass * response * (1 + 0.08 * z[:, 14]), 0), msoftdrop=msd,
        tau1=tau1, tau2=tau2, tau3=tau3, tau4=tau4, n2b1=np.clip(0.08 + 0.3 * tau21 +
                                                                   0.03 * z[:, 4], 0, 1),
        particleNet_XbbVsQCD=xbb, particleNetWithMass_TvsQCD=top,
        particleNetWithMass_WvsQCD=w, area=area, rawFactor=raw,
        nConstituents=n_const.astype(np.int64), _nBHadrons=n_bh.astype(np.int64),
        hadronFlavour=gj["hadronFlavour"].astype(np.int64), genJetAK8Idx=key)
    jets = jets.take(keep)
    jets["phi"] = wrap_phi(jets["phi"])
    return jets
