"""GenPart pruning and truth: what is kept, consistent mothers, statusFlags, GenVisTau links."""

import awkward as ak
import numpy as np
import pytest
import uproot

B = {
    name: bit
    for bit, name in enumerate(
        [
            "isPrompt",
            "isDecayedLeptonHadron",
            "isTauDecayProduct",
            "isPromptTauDecayProduct",
            "isDirectTauDecayProduct",
            "isDirectPromptTauDecayProduct",
            "isDirectHadronDecayProduct",
            "isHardProcess",
            "fromHardProcess",
            "isHardProcessTauDecayProduct",
            "isDirectHardProcessTauDecayProduct",
            "fromHardProcessBeforeFSR",
            "isFirstCopy",
            "isLastCopy",
            "isLastCopyBeforeFSR",
        ]
    )
}


def _events(path):
    with uproot.open(path) as f:
        return f["Events"].arrays()


@pytest.fixture(scope="module")
def ttbar(gen_file):
    return _events(gen_file("ttbar", 200))


@pytest.fixture(scope="module")
def dy(gen_file):
    return _events(gen_file("dy", 200))


def _flag(ev, name):
    return ((ev.GenPart_statusFlags >> B[name]) & 1) == 1


def _is_b_hadron(pdg_id):
    aid = np.abs(pdg_id)
    return ((aid // 100) % 10 == 5) | ((aid // 1000) % 10 == 5)


def test_flag_bits_match_the_library():
    from flashsim.generate.genpart import FLAG_BITS

    assert FLAG_BITS == B


@pytest.mark.parametrize("sample", ["ttbar", "dy"])
def test_mother_indices_are_consistent(request, sample):
    ev = request.getfixturevalue(sample)
    mother = ev.GenPart_genPartIdxMother
    assert ak.all((mother >= -1) & (mother < ev.nGenPart))
    assert ak.all(mother != ak.local_index(mother))  # nobody is their own mother
    # Following the mothers always ends (no cycles): walk up at most nGenPart steps.
    idx = ak.local_index(mother)
    for _ in range(int(ak.max(ev.nGenPart))):
        safe = ak.where(idx >= 0, idx, 0)
        idx = ak.where(idx >= 0, mother[safe], -1)
    assert ak.all(idx == -1)
    # Copies of a particle point to the previous kept copy: same pdgId as the mother.
    has_mother = mother >= 0
    copy = ~_flag(ev, "isFirstCopy") & has_mother & (ev.GenPart_status == 1)
    mother_id = ev.GenPart_pdgId[ak.where(has_mother, mother, 0)]
    assert ak.mean(mother_id[copy] == ev.GenPart_pdgId[copy]) > 0.95


def test_ttbar_keeps_tops_bosons_hard_process(ttbar):
    pid = ttbar.GenPart_pdgId
    hard = _flag(ttbar, "isHardProcess")
    last_top = (np.abs(pid) == 6) & _flag(ttbar, "isLastCopy")
    assert ak.all(ak.sum(last_top, axis=1) == 2)
    assert ak.all(ak.sum((np.abs(pid) == 24) & _flag(ttbar, "isLastCopy"), axis=1) == 2)
    assert ak.all(ak.sum(hard & (np.abs(pid) == 5), axis=1) >= 2)  # t -> W b
    assert ak.all(ak.sum(hard & (ttbar.GenPart_status == 21), axis=1) == 2)  # incoming
    # Hard-process particles are prompt; last-copy tops have Pythia status 62.
    assert ak.all(_flag(ttbar, "isPrompt")[hard])
    assert set(np.unique(ak.to_numpy(ak.flatten(ttbar.GenPart_status[last_top])))) == {62}


def test_heavy_flavour_hadrons_and_their_leptons_are_kept(ttbar):
    """Non-prompt muons/electrons from b decays are in GenPart, with a b hadron ancestor."""
    pid = ttbar.GenPart_pdgId
    b_hadron = _is_b_hadron(pid)
    assert ak.all(ak.any(b_hadron, axis=1))
    assert ak.all(ttbar.GenPart_status[b_hadron & _flag(ttbar, "isLastCopy")] == 2)

    lep = ((np.abs(pid) == 13) | (np.abs(pid) == 11)) & (ttbar.GenPart_status == 1)
    nonprompt = lep & ~_flag(ttbar, "isPrompt") & ~_flag(ttbar, "isTauDecayProduct")
    assert ak.sum(nonprompt) > 50
    # Walk up the mothers of every non-prompt lepton: a heavy-flavour hadron is found.
    mother = ttbar.GenPart_genPartIdxMother
    idx = ak.where(nonprompt, mother, -1)
    found_b = ak.zeros_like(idx, dtype=bool)
    found_hf = ak.zeros_like(idx, dtype=bool)
    for _ in range(20):
        safe = ak.where(idx >= 0, idx, 0)
        anc = ak.where(idx >= 0, pid[safe], 0)
        found_b = found_b | _is_b_hadron(anc)
        aid = np.abs(anc)
        found_hf = found_hf | _is_b_hadron(anc) | ((aid // 100) % 10 == 4) | ((aid // 1000) % 10 == 4)
        idx = ak.where(idx >= 0, mother[safe], -1)
    # Muons: pi+- and K+- do not decay at generator level (c*tau > 10 mm), so non-prompt muons
    # come from heavy flavour; electrons also come from pi0/eta Dalitz decays.
    muon = nonprompt & (np.abs(pid) == 13)
    assert ak.mean(found_hf[muon]) > 0.9
    assert ak.sum(found_b[muon]) > 10
    # Their nearest kept ancestor is a decayed hadron: the direct-hadron-decay flag is set.
    assert ak.mean(_flag(ttbar, "isDirectHadronDecayProduct")[nonprompt]) > 0.9


def test_dy_prompt_leptons_flags(dy):
    pid, flags = dy.GenPart_pdgId, dy.GenPart_statusFlags
    del flags
    lep = ((np.abs(pid) == 11) | (np.abs(pid) == 13)) & (dy.GenPart_status == 1)
    hard_final = lep & _flag(dy, "fromHardProcess") & _flag(dy, "isLastCopy")
    assert ak.all(_flag(dy, "isPrompt")[hard_final])
    n = ak.sum(hard_final, axis=1)
    assert set(np.unique(ak.to_numpy(n))) <= {0, 2}
    # Each hard-process lepton has exactly one first copy (status 23) flagged isHardProcess.
    hard_lep = (np.abs(pid) >= 11) & (np.abs(pid) <= 16) & _flag(dy, "isHardProcess")
    assert ak.all(ak.sum(hard_lep, axis=1) == 2)
    # Exactly one copy of each hard-process lepton is the last copy before FSR.
    before_fsr = (np.abs(pid) >= 11) & (np.abs(pid) <= 16) & _flag(dy, "fromHardProcessBeforeFSR")
    assert ak.all(ak.sum(before_fsr, axis=1) == 2)
    # Z bosons: several copies, one first and one last.
    z = pid == 23
    assert ak.all(ak.sum(z & _flag(dy, "isFirstCopy"), axis=1) == ak.sum(z & _flag(dy, "isLastCopy"), axis=1))


def test_dy_taus_and_visible_taus(dy):
    pid = dy.GenPart_pdgId
    tau_prod = _flag(dy, "isPromptTauDecayProduct")
    assert ak.all(_flag(dy, "isTauDecayProduct")[tau_prod])
    assert ak.sum(tau_prod) > 0
    assert ak.all(~_flag(dy, "isPrompt")[tau_prod])
    assert ak.sum(_flag(dy, "isDirectHardProcessTauDecayProduct")) > 0
    # GenVisTau: its mother index points to a tau in GenPart; charge +-1; pt > 10 GeV.
    mother = dy.GenVisTau_genPartIdxMother
    assert ak.sum(dy.nGenVisTau) > 10
    assert ak.all(np.abs(pid[mother]) == 15)
    assert ak.all(np.sign(pid[mother]) == -dy.GenVisTau_charge)
    assert ak.all(dy.GenVisTau_pt > 10)
    modes = set(np.unique(ak.to_numpy(ak.flatten(dy.GenVisTau_status))))
    assert modes <= {0, 1, 2, 10, 11, 15} and {0, 1, 10} <= modes
    # Visible mass below the tau mass (up to float rounding).
    assert ak.all(dy.GenVisTau_mass < 1.78)


def test_photons_pruned(ttbar):
    # (photons of kept tau decay chains are kept whatever their pt)
    photon = (ttbar.GenPart_pdgId == 22) & (ttbar.GenPart_status == 1) & ~_flag(ttbar, "isTauDecayProduct")
    pt = ttbar.GenPart_pt[photon]
    prompt = _flag(ttbar, "isPrompt")[photon]
    assert ak.all((pt > 10) | (prompt & (pt > 2)))
    assert ak.sum(photon) > 0


def test_no_beams_or_system_lines(ttbar):
    pid = ttbar.GenPart_pdgId
    assert not ak.any(pid == 90)
    assert not ak.any(ttbar.GenPart_status == 4)
    assert not ak.any((pid == 2212) & (np.abs(ttbar.GenPart_eta) > 1000))


def test_b_hadrons_lead_back_to_b_quarks(ttbar):
    """A b hadron made by string fragmentation has the string's b quark as its mother (not
    whichever parton opens the string), so heavy-flavour ancestry can be followed."""
    pid, mother = ttbar.GenPart_pdgId, ttbar.GenPart_genPartIdxMother
    mother_id = ak.where(mother >= 0, pid[ak.where(mother >= 0, mother, 0)], 0)
    primary = _is_b_hadron(pid) & _flag(ttbar, "isFirstCopy") & ~_is_b_hadron(mother_id)
    assert ak.sum(primary) > 200
    assert ak.mean(np.abs(mother_id[primary]) == 5) > 0.85
