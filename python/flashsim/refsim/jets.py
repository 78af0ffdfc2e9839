"""AK4 jets from gen jets: response with flavour-dependent tails, cracks, dead cells, and the
reco attributes (PF energy fractions, constituents, DeepJet-like taggers, a quark-gluon score,
the pileup-ID discriminant, JEC and regression factors).

The attributes are built from a few latent quantities (true class, lepton content, constituent
count) so that they are correlated the way real jets are: taggers with each other and with the
muon/electron energy fractions, the quark-gluon scores with the constituent count. NanoAOD v15
has no jet ID branch: analyses compute it from the fractions and multiplicities (CMS's Run-3
recipe, python/flashsim/validate/analyses/JetId.hxx), which the model keeps realistic: charged
particles fade out over one jet radius beyond the tracker, HF jets are neutral hadrons, every jet
has a particle for each kind of energy it carries.
"""

import numpy as np
from scipy.special import expit, ndtr

from flashsim.refsim.geometry import in_dead_cell, in_hem
from flashsim.refsim.matching import sum_within, wrap_phi
from flashsim.refsim.objects import Objects
from flashsim.refsim.parameters import value as par

__all__ = ["CLASS_NAMES", "jet_attributes", "jet_class", "jets_from_genjets"]

CLASS_NAMES = ("b", "c", "light", "gluon", "pileup")
B, C, LIGHT, GLUON, PILEUP = range(5)
_TAGGER_OUTPUTS = ("b", "bb", "lepb", "c", "uds", "g")


def jet_class(hadron_flavour: np.ndarray, parton_flavour: np.ndarray) -> np.ndarray:
    """0 b, 1 c, 2 light quark, 3 gluon (from GenJet hadron and parton flavour)."""
    cls = np.where(np.abs(parton_flavour) == 21, GLUON, LIGHT)
    cls = np.where(hadron_flavour == 4, C, cls)
    return np.where(hadron_flavour == 5, B, cls)


def _eta_bin(abs_eta):
    edges = np.asarray(par("jet.resolution_eta_edges"))
    return np.clip(np.searchsorted(edges, abs_eta, side="right") - 1, 0, len(edges) - 2)


def relative_resolution(pt, abs_eta, n_pu):
    """sigma(pt)/pt = sqrt(N^2/pt^2 + S^2/pt + C^2), N^2 growing with pileup; cracks wider."""
    k = _eta_bin(abs_eta)
    n2 = np.asarray(par("jet.resolution_N"))[k] ** 2 + par("jet.resolution_N_pu") * n_pu
    s = np.asarray(par("jet.resolution_S"))[k]
    c = np.asarray(par("jet.resolution_C"))[k]
    sigma = np.sqrt(n2 / pt**2 + s**2 / pt + c**2)
    for lo, hi, _, widen in par("jet.crack_response"):
        sigma = np.where((abs_eta >= lo) & (abs_eta < hi), sigma * widen, sigma)
    return sigma


def jets_from_genjets(gen, rng, rho) -> tuple[Objects, Objects]:
    """Reco jets matched to gen jets (genJetIdx = the gen jet's index), before pt sorting, and
    the gen jets lost to the reconstruction efficiency (dead cells, matching), for the MET.

    Args:
        gen: :class:`~flashsim.refsim.gen.GenEvent`; rng: :class:`EventRandom`;
        rho: [n_events] fixedGridRhoFastjetAll.
    """
    gj = gen.genjet
    ev, key = gj.event, gj["index"]
    pt, eta, phi = gj["pt"], gj["eta"], gj["phi"]
    abs_eta = np.abs(eta)
    n_pu = gen.n_pu[ev]
    cls = jet_class(gj["hadronFlavour"], gj["partonFlavour"])

    # Lepton content of the gen jet (gen jets include leptons and photons).
    gp = gen.genpart
    lep = gp.take(gp["final"] & (gp["pt"] > 1.0) & np.isin(gp["abs_pdg"], (11, 13, 22)))
    frac = {}
    for name, pdg in (("mu", 13), ("e", 11), ("gamma", 22)):
        frac[name] = np.minimum(
            sum_within(ev, eta, phi, lep.event, lep["eta"], lep["phi"], lep["pt"], gen.n, 0.4,
                       mask_b=lep["abs_pdg"] == pdg) / pt, 1.0)

    u = rng.uniform("jet.response", ev, key, 4)
    z = rng.normal("jet.smear", ev, key, 5)

    # Response: Gaussian core + flavour-dependent low tail + small high tail.
    mean = np.ones(len(gj))
    for lo, hi, factor, _ in par("jet.crack_response"):
        mean = np.where((abs_eta >= lo) & (abs_eta < hi), mean * factor, mean)
    g_a, g_s = par("jet.gluon_response")
    mean = np.where(cls == GLUON, mean * (1 - (1 - g_a) * np.exp(-pt / g_s)), mean)
    dead = in_dead_cell(eta, phi) | in_hem(eta, phi)
    mean = np.where(dead, mean * par("jet.dead_cell_response"), mean)
    sigma = relative_resolution(pt, abs_eta, n_pu)
    response = mean * (1 + sigma * z[:, 0])
    p_tail = np.array([par("jet.tail_probability")[c] for c in CLASS_NAMES[:4]])[cls]
    p_tail = np.where(frac["mu"] > 0.02, par("jet.tail_with_muon"), p_tail)
    tail_mean = np.array([par("jet.tail_mean")[c] for c in CLASS_NAMES[:4]])[cls]
    loss = -tail_mean * np.log(u[:, 1])
    response = np.where(u[:, 0] < p_tail, response * np.maximum(1 - loss, 0.05), response)
    p_high, w_high = par("jet.high_tail")
    response = np.where(u[:, 2] < p_high, response * (1 + w_high * np.abs(z[:, 4])), response)
    reco_pt = pt * np.maximum(response, 0.01)

    plateau, deficit, scale = par("jet.match_efficiency")
    eff = plateau * (1 - deficit * np.exp(-np.maximum(pt - 10, 0) / scale))
    eff = np.where(in_dead_cell(eta, phi), eff * par("jet.dead_cell_efficiency"), eff)
    in_acceptance = abs_eta < par("detector.calo_eta")
    reconstructed = u[:, 3] < eff
    keep = reconstructed & (reco_pt > par("jet.min_pt")) & in_acceptance
    lost = gj.take(~reconstructed & in_acceptance & (pt > par("jet.min_pt")))

    a_ang, b_ang = par("jet.angular_resolution")
    s_ang = np.sqrt((a_ang / pt) ** 2 + b_ang**2)
    reco_eta = eta + s_ang * z[:, 1]
    reco_phi = wrap_phi(phi + s_ang * z[:, 2])
    reco_mass = np.maximum(gj["mass"] * response * (1 + par("jet.mass_resolution") * z[:, 3]), 0)

    jets = Objects(
        ev, pt=reco_pt, eta=reco_eta, phi=reco_phi, mass=reco_mass,
        genJetIdx=key, hadronFlavour=gj["hadronFlavour"].astype(np.int64),
        partonFlavour=gj["partonFlavour"].astype(np.int64), _class=cls, _key=key,
        _gen_pt=pt, _gen_phi=phi, _frac_mu=frac["mu"], _frac_e=frac["e"], _frac_gamma=frac["gamma"],
        _pileup=np.zeros(len(gj), dtype=bool))
    jets = jets.take(keep)
    jet_attributes(jets, rng, rho, gen.n_pu, "jet")
    return jets, lost


def jet_attributes(jets: Objects, rng, rho, n_pu, stream: str) -> None:
    """Adds the reco attributes to ``jets`` (which has pt, eta, phi, _class, _key, _gen_pt,
    _frac_mu, _frac_e, _frac_gamma). ``stream`` separates the random numbers of jet sources."""
    ev, key = jets.event, jets["_key"]
    pt, eta = jets["pt"], jets["eta"]
    abs_eta = np.abs(eta)
    cls = jets["_class"]
    z = rng.normal(stream + ".attributes", ev, key, 23)
    tracker = abs_eta < par("detector.tracker_eta")
    # share of the jet's charged particles inside the tracker: the cone still overlaps it beyond its edge
    cover = np.clip(1 - (abs_eta - par("detector.tracker_eta")) / par("jet.tracker_fade"), 0, 1)
    hf = abs_eta > par("detector.hf_eta")

    # Constituent count: gluon jets have more; drives the QvG score, QG tagger, multiplicities.
    cq = par("jet.constituents")
    a = np.select([cls == GLUON, cls == PILEUP], [cq["gluon"][0], cq["pileup"][0]], cq["quark"][0])
    b = np.select([cls == GLUON, cls == PILEUP], [cq["gluon"][1], cq["pileup"][1]], cq["quark"][1])
    n_mean = a + b * np.log(np.maximum(pt, 10) / 10)
    n_const = np.clip(np.rint(n_mean + 1.2 * np.sqrt(n_mean) * z[:, 0]), 1, 255)

    # PF energy fractions: lepton content first, the rest shared by a logistic-normal draw.
    mu_ef = np.clip(jets["_frac_mu"] * (1 + 0.05 * z[:, 1]), 0, 1)
    e_ef = np.clip(jets["_frac_e"] * (1 + 0.05 * z[:, 2]), 0, 1 - mu_ef)
    g_ef = np.clip(jets["_frac_gamma"] * (1 + 0.05 * z[:, 3]), 0, 1 - mu_ef - e_ef)
    rest = np.clip(1 - mu_ef - e_ef - g_ef, 0, 1)
    means = par("jet.fraction_means")
    spread = par("jet.fraction_spread")
    logit = np.stack([np.log(means[k]) + spread * z[:, 4 + i]
                      for i, k in enumerate(("chHEF", "neHEF", "chEmEF", "neEmEF"))], axis=1)
    logit[:, 3] += np.where(cls == GLUON, 0.25, 0.0) + 0.3 * z[:, 8]
    logit[:, 0] += np.where(cls == PILEUP, -0.9, 0.0) - 0.3 * z[:, 8]
    logit[:, 1] += np.where(cls == PILEUP, 0.5, 0.0)
    with np.errstate(divide="ignore"):  # log(0) = -inf: no charged share outside the tracker
        logit[:, [0, 2]] += np.log(cover)[:, None]
    w = np.exp(logit - logit.max(axis=1, keepdims=True))
    w /= w.sum(axis=1, keepdims=True)
    ch_hef = rest * w[:, 0]
    ne_hef = rest * w[:, 1]
    ch_em = rest * w[:, 2] + e_ef * cover  # an electron without a track is a neutral EM deposit
    ne_em = rest * w[:, 3] + g_ef + e_ef * (1 - cover)
    # HF candidates enter PUPPI jets as neutral hadrons: there the EM energy is mostly in neHEF
    to_hadrons = np.where(hf, (1 - par("jet.hf_em_share")) * ne_em, 0.0)
    ne_hef, ne_em = ne_hef + to_hadrons, ne_em - to_hadrons

    # Charged / neutral multiplicities share the constituent count; charged energy needs a charged
    # particle and neutral energy a neutral one.
    p_ch = np.clip(0.15 + 0.75 * (ch_hef + ch_em), 0, 1) * cover
    n_ch = np.clip(np.rint(n_const * p_ch + np.sqrt(n_const * p_ch * (1 - p_ch)) * z[:, 9]),
                   0, n_const)
    n_ch = np.where(ch_hef + ch_em > 0, np.maximum(n_ch, 1), n_ch)
    n_ne = np.clip(n_const - n_ch, np.where(ne_hef + ne_em > 0, 1, 0), 255 - n_ch)
    n_const = n_ch + n_ne

    # DeepJet-like outputs: softmax over [b, bb, lepb, c, uds, g] logits.
    table = par("jet.tagger_logits")
    means_l = np.array([table[c] for c in CLASS_NAMES])[cls]
    power = np.where(tracker, 1.0, par("jet.tagger_forward_scale"))
    power = power * (1 - 0.3 * np.exp(-(pt - 15) / 30))
    s_own, s_shared = par("jet.tagger_noise")
    shared = z[:, 10]
    logits = power[:, None] * means_l + s_own * z[:, 11:17]
    logits[:, :3] += s_shared * shared[:, None]
    logits[:, 4:] -= s_shared * shared[:, None]
    no_sv = par("jet.tagger_no_sv")
    p_no_sv = np.select([cls == B, cls == C], [no_sv["b"], no_sv["c"]], 0.0)
    lost_sv = ndtr(z[:, 20]) < p_no_sv  # ndtr(normal) is uniform
    logits[:, :3] -= 2.5 * lost_sv[:, None]
    logits[:, 3] -= 1.0 * lost_sv
    logits[:, 2] += par("jet.tagger_lepton_weight") * (mu_ef + e_ef) * tracker
    dq = (n_const - n_mean) / np.sqrt(n_mean)
    logits[:, 5] += 0.6 * dq
    logits[:, 4] -= 0.6 * dq
    pr = np.exp(logits - logits.max(axis=1, keepdims=True))
    pr /= pr.sum(axis=1, keepdims=True)
    p_b = pr[:, 0] + pr[:, 1] + pr[:, 2]
    jets["btagDeepFlavB"] = p_b
    jets["btagDeepFlavCvB"] = pr[:, 3] / (pr[:, 3] + p_b)
    jets["btagDeepFlavCvL"] = pr[:, 3] / (pr[:, 3] + pr[:, 4] + pr[:, 5])
    jets["btagDeepFlavQG"] = pr[:, 5] / (pr[:, 5] + pr[:, 4])

    # ParticleNet-like quark (udsbc) vs gluon score from the multiplicity (plus shape noise), in
    # [0, 1]; -1 (no score) outside |eta| < 4.7.
    qg_power = np.where(tracker, 1.0, 0.5)
    qvg = expit(qg_power * (-1.1 * dq - 1.2 * np.where(cls == GLUON, 1, 0)
                            + 0.6 + 0.9 * z[:, 17]))
    jets["btagPNetQvG"] = np.where(abs_eta < par("detector.calo_eta"), qvg, -1.0)

    # Pileup jet ID: low for pileup jets, improving with pt, weaker forward.
    base = np.where(cls == PILEUP, -1.0, 0.9 + 0.8 * np.log(np.maximum(pt, 15) / 15))
    jets["puIdDisc"] = np.tanh(np.where(tracker, base, 0.5 * base) + 0.6 * z[:, 18])

    # JEC factor (offset from rho * area + relative response) and the pt regression, which NanoAOD
    # v15 gives as a factor on the raw pt.
    area_m, area_s = par("jet.area")
    area = area_m + area_s * z[:, 19] - 0.02 * np.exp(-pt / 20)
    k_off, c0, c1, s1 = par("jet.jec_offset")
    rel = (c0 + c1 * np.exp(-pt / s1)) * (1 + 0.5 * abs_eta / 4.7)
    raw_pt = pt * (1 - rel) - k_off * rho[ev] * area
    jets["rawFactor"] = np.clip(1 - raw_pt / pt + 0.01 * z[:, 21], 0.0, 0.95)
    shrink, noise = par("jet.bregression")
    gen_ratio = np.where(cls == PILEUP, 1.0, jets["_gen_pt"] / pt)
    breg = 1 + shrink * (gen_ratio - 1) + noise * z[:, 22] + np.where(cls == B, 0.04, 0.0)
    jets["PNetRegPtRawCorr"] = np.clip(breg, 0.5, 2.0) / (1 - jets["rawFactor"])

    jets["area"] = area
    jets["chHEF"], jets["neHEF"], jets["chEmEF"], jets["neEmEF"], jets["muEF"] = (
        ch_hef, ne_hef, ch_em, ne_em, mu_ef)
    jets["nConstituents"] = n_const.astype(np.int64)
    jets["chMultiplicity"] = n_ch.astype(np.int64)
    jets["neMultiplicity"] = n_ne.astype(np.int64)
