"""Physics content on small samples: flavour, resonance peaks from the leptons, MET, jets."""

import awkward as ak
import numpy as np
import pytest
import uproot

IS_PROMPT, FROM_HARD_PROCESS, IS_LAST_COPY = 0, 8, 13


def _events(path):
    with uproot.open(path) as f:
        return f["Events"].arrays()


def _bit(flags, bit):
    return ((flags >> bit) & 1) == 1


def _is_any(pdg_id, abs_ids):
    aid = np.abs(pdg_id)
    out = aid < 0
    for code in abs_ids:
        out = out | (aid == code)
    return out


def _hard_leptons(ev, abs_ids):
    """Final-state, last-copy leptons from the hard process."""
    flags = ev.GenPart_statusFlags
    sel = (
        _bit(flags, FROM_HARD_PROCESS)
        & _bit(flags, IS_LAST_COPY)
        & (ev.GenPart_status == 1)
        & _is_any(ev.GenPart_pdgId, abs_ids)
    )
    return ev.GenPart_pt[sel], ev.GenPart_eta[sel], ev.GenPart_phi[sel], ev.GenPart_mass[sel]


def _pair_mass(pt, eta, phi, mass):
    """Invariant mass of the events with exactly two leptons: [n_pairs] (numpy)."""
    two = ak.num(pt) == 2
    pt, eta, phi, mass = (
        ak.to_numpy(ak.flatten(x[two])).reshape(-1, 2).astype(np.float64) for x in (pt, eta, phi, mass)
    )
    px, py, pz = pt * np.cos(phi), pt * np.sin(phi), pt * np.sinh(eta)
    e = np.sqrt(px**2 + py**2 + pz**2 + mass**2)
    return np.sqrt(np.maximum(e.sum(1) ** 2 - px.sum(1) ** 2 - py.sum(1) ** 2 - pz.sum(1) ** 2, 0))


def _b_jet_fraction(ev):
    return float(np.mean(ak.to_numpy(ak.flatten(ev.GenJet_hadronFlavour)) == 5))


def test_b_jets_in_ttbar_rare_in_dy(gen_file):
    ttbar = _events(gen_file("ttbar", 200))
    dy = _events(gen_file("dy", 200))
    f_tt, f_dy = _b_jet_fraction(ttbar), _b_jet_fraction(dy)
    assert f_tt > 0.15, f_tt  # two b jets among ~8 jets per event
    assert f_dy < 0.05, f_dy
    # Parton flavour agrees with hadron flavour for most b jets of ttbar.
    b = ttbar.GenJet_hadronFlavour == 5
    assert np.mean(np.abs(ak.to_numpy(ak.flatten(ttbar.GenJet_partonFlavour[b]))) == 5) > 0.7
    # c jets exist too; light jets carry a quark or gluon parton flavour.
    assert ak.any(ttbar.GenJet_hadronFlavour == 4)
    light = ak.to_numpy(ak.flatten(ttbar.GenJet_partonFlavour[ttbar.GenJet_hadronFlavour == 0]))
    assert set(np.unique(np.abs(light))) <= {0, 1, 2, 3, 4, 5, 21}


def test_dy_dilepton_mass_peaks_at_mz(gen_file):
    mass = _pair_mass(*_hard_leptons(_events(gen_file("dy", 200)), [11, 13]))
    assert mass.size > 100  # ee and mumu are 2/3 of the decays
    assert np.median(mass) > 50  # m_ll > 50 GeV at generation (FSR can lower single events)
    counts, edges = np.histogram(mass, bins=np.arange(50, 151, 4))
    peak = 0.5 * (edges[np.argmax(counts)] + edges[np.argmax(counts) + 1])
    assert 86 <= peak <= 96, peak
    assert abs(np.median(mass) - 91.2) < 3


def test_vbf_dimuon_mass_peaks_at_mh(gen_file):
    ev = _events(gen_file("vbf_hmumu", 100))
    mass = _pair_mass(*_hard_leptons(ev, [13]))
    assert mass.size >= 95
    assert abs(np.median(mass) - 125.0) < 1.5
    assert np.mean(np.abs(mass - 125.0) < 5) > 0.8  # the rest lost energy to FSR photons
    # The two outgoing VBF quarks of the hard process are far apart in eta.
    quark = (ev.GenPart_status == 23) & (np.abs(ev.GenPart_pdgId) <= 5)
    eta = ev.GenPart_eta[quark]
    assert ak.all(ak.num(eta) == 2)
    assert np.median(np.abs(ak.to_numpy(eta[:, 0] - eta[:, 1]))) > 2.5


def test_ttbar_met_and_leptons(gen_file):
    ev = _events(gen_file("ttbar", 200))
    pt, *_ = _hard_leptons(ev, [11, 13])
    n = ak.to_numpy(ak.num(pt))
    assert np.all(n <= 2) and np.mean(n >= 1) > 0.2  # e/mu from W -> l nu (and tau -> l)
    met = ak.to_numpy(ev.GenMET_pt)
    assert np.median(met[n >= 1]) > 30  # a neutrino with each W -> l nu
    assert np.all(ak.num(ev.GenJet_pt) > 0)
    assert ak.all(ev.GenJet_pt >= 10) and ak.all(ev.GenJetAK8_pt >= 100)
    assert ak.all(ev.GenJet_pt[:, :-1] >= ev.GenJet_pt[:, 1:])  # sorted by pt


@pytest.mark.parametrize(
    ("process", "check"),
    [
        ("wjets", "met"),
        ("qcd", "jets"),
        ("zh_llbb", "zh"),
    ],
)
def test_other_processes(gen_file, process, check):
    ev = _events(gen_file(process, 60))
    assert len(ev) == 60
    if check == "met":
        # One W -> l nu per event: a hard-process neutrino, GenMET of order mW/2.
        nu = _is_any(ev.GenPart_pdgId, [12, 14, 16]) & _bit(ev.GenPart_statusFlags, 7)
        assert ak.all(ak.sum(nu, axis=1) == 1)
        assert np.median(ak.to_numpy(ev.GenMET_pt)) > 20
    elif check == "jets":
        lead = ak.to_numpy(ak.fill_none(ak.firsts(ev.GenJet_pt), 0.0))
        assert np.median(lead) > 25  # pthat > 30 GeV
        assert ak.all(np.abs(ev.GenPart_pdgId[_bit(ev.GenPart_statusFlags, 7)]) != 15)
    else:
        mass = _pair_mass(*_hard_leptons(ev, [11, 13]))
        assert abs(np.median(mass) - 91.2) < 4
        assert _b_jet_fraction(ev) > 0.15
        higgs = ev.GenPart_pdgId == 25
        assert ak.all(ak.any(higgs, axis=1))


def test_qcd_pthat_range_is_applied(gen_file):
    low = _events(gen_file("qcd", 40))
    high = _events(gen_file("qcd", 40, pthat_min=300.0, pthat_max=400.0))
    lead_low = ak.to_numpy(ak.fill_none(ak.firsts(low.GenJet_pt), 0.0))
    lead_high = ak.to_numpy(ak.fill_none(ak.firsts(high.GenJet_pt), 0.0))
    assert np.median(lead_high) > 200 > np.median(lead_low)
    # Generator_binvar is pthat: inside the requested range.
    pthat = ak.to_numpy(high.Generator_binvar)
    assert np.all((pthat >= 300) & (pthat <= 400))
    assert np.all(ak.to_numpy(low.Generator_binvar) >= 30)
    assert np.all((low.Generator_x1 > 0) & (low.Generator_x1 < 1))


def _mother_id(ev, idx):
    mother = ev.GenPart_genPartIdxMother[idx]
    return ev.GenPart_pdgId[ak.where(mother >= 0, mother, 0)]


@pytest.mark.parametrize("process", ["qcd_flat", "gamma_jets", "zjets_boosted", "zbb_boosted", "zprime_tt", "zprime_ww",
                                     "zprime_ll"])
def test_corner_processes(gen_file, process):
    """The training mixture's corners of phase space: each makes what its name says, at high pt."""
    ev = _events(gen_file(process, 30))
    assert len(ev) == 30
    lead = ak.to_numpy(ak.fill_none(ak.firsts(ev.GenJet_pt), 0.0))
    weight = ak.to_numpy(ev.genWeight)
    assert np.all(weight > 0)
    if process in ("qcd_flat", "gamma_jets", "zjets_boosted", "zbb_boosted"):  # biased pthat: weighted, a high spectrum
        assert weight.min() < 0.5 * weight.max()
        pthat = ak.to_numpy(ev.Generator_binvar)
        assert np.median(pthat) > {"qcd_flat": 60, "gamma_jets": 40, "zjets_boosted": 130,
                                   "zbb_boosted": 190}[process]
    if process == "qcd_flat":
        assert np.median(lead) > 60  # the unbiased 15 GeV spectrum would sit near 20
    elif process == "gamma_jets":
        photon = (ev.GenPart_pdgId == 22) & _bit(ev.GenPart_statusFlags, FROM_HARD_PROCESS) & \
            _bit(ev.GenPart_statusFlags, IS_LAST_COPY)
        assert np.mean(ak.to_numpy(ak.any(photon & (ev.GenPart_pt > 20), axis=1))) > 0.9
    elif process == "zjets_boosted":
        mass = _pair_mass(*_hard_leptons(ev, [11, 13]))
        assert mass.size >= 10 and abs(np.median(mass) - 91.2) < 5
        assert np.median(lead) > 80
    elif process == "zbb_boosted":  # a boosted Z -> b bbar: its decay products inside one AK8 gen jet, b flavour
        daughters = ak.to_numpy(ak.flatten(np.abs(ev.GenPart_pdgId[_mother_id(ev, ak.local_index(ev.GenPart_pdgId))
                                                                    == 23])))
        assert set(np.unique(daughters)) <= {5, 23}, np.unique(daughters)
        z_pt = ak.to_numpy(ak.fill_none(ak.max(ev.GenPart_pt[ev.GenPart_pdgId == 23], axis=1), 0.0))
        assert np.median(z_pt) > 150
        b_fat = ak.any((ev.GenJetAK8_hadronFlavour == 5) & (ev.GenJetAK8_pt > 150), axis=1)
        assert np.mean(ak.to_numpy(b_fat)) > 0.5
    else:
        zprime = ev.GenPart_mass[ev.GenPart_pdgId == 32]
        assert ak.all(ak.num(zprime) >= 1)
        assert np.all(ak.to_numpy(ak.firsts(zprime)) > 400)
        daughters = ak.to_numpy(ak.flatten(np.abs(ev.GenPart_pdgId[_mother_id(ev, ak.local_index(ev.GenPart_pdgId))
                                                                    == 32])))
        allowed = {"zprime_tt": {6, 32}, "zprime_ww": {24, 32}, "zprime_ll": {11, 13, 15, 32, 22}}[process]
        assert set(np.unique(daughters)) <= allowed, np.unique(daughters)
        if process != "zprime_ll":
            assert np.median(ak.to_numpy(ak.fill_none(ak.firsts(ev.GenJetAK8_pt), 0.0))) > 250
