"""Jet clustering with flavour ghosts: ghosts change no jet, flavours follow the hadrons."""

import awkward as ak
import numpy as np
import pytest

from flashsim.generate.genjets import AK4, AK8, _group_argmax, cluster_jets, flavour_ghosts
from flashsim.generate.particles import ParticleRecord, has_quark, pt_eta_phi
from flashsim.generate.processes import process_card
from flashsim.generate.pythia_run import configured_pythia, run_batch


@pytest.fixture(scope="module")
def ttbar_record():
    card = process_card("ttbar")
    return ParticleRecord.from_batch(run_batch(configured_pythia(card, seed=7), 40, card))


def _delta_r(eta1, phi1, eta2, phi2):
    dphi = np.mod(phi1 - phi2 + np.pi, 2 * np.pi) - np.pi
    return np.hypot(eta1 - eta2, dphi)


def test_ghosts_change_no_jet(ttbar_record):
    import fastjet

    rec = ttbar_record
    g_index, g_kind = flavour_ghosts(rec)
    with_ghosts = cluster_jets(rec, g_index, g_kind)
    without = cluster_jets(rec, g_index[:0], g_kind[:0])
    for jd in (AK4, AK8):
        a, b = with_ghosts[jd.name], without[jd.name]
        assert np.array_equal(a.counts, b.counts)
        for col in ("pt", "eta", "phi", "mass"):
            np.testing.assert_allclose(a.columns[col], b.columns[col], rtol=1e-5, atol=1e-4)
    # And the same as a plain FastJet run on the visible particles.
    vis = rec.is_final & ~rec.is_invisible
    counts = np.bincount(rec.event_index[vis], minlength=rec.n_events)
    four = ak.unflatten(
        ak.zip({"px": rec.px[vis], "py": rec.py[vis], "pz": rec.pz[vis], "E": rec.e[vis]}),
        counts,
    )
    cs = fastjet.ClusterSequence(four, fastjet.JetDefinition(fastjet.antikt_algorithm, 0.4))
    jets = cs.inclusive_jets(min_pt=10.0)
    pt = np.sort(ak.to_numpy(ak.flatten(np.hypot(jets.px, jets.py))))
    np.testing.assert_allclose(np.sort(with_ghosts["GenJet"].columns["pt"]), pt, rtol=1e-5)


def test_hadron_flavour_follows_the_hadrons(ttbar_record):
    rec = ttbar_record
    g_index, g_kind = flavour_ghosts(rec)
    jets = cluster_jets(rec, g_index, g_kind)["GenJet"]
    cols = jets.columns
    jet_event = np.repeat(np.arange(rec.n_events), jets.counts)
    b_idx = g_index[g_kind == 1]
    assert np.all(has_quark(rec.abs_id[b_idx], 5))
    _, b_eta, b_phi = pt_eta_phi(rec.px[b_idx], rec.py[b_idx], rec.pz[b_idx])
    b_event = rec.event_index[b_idx]
    # Distance from each jet to the nearest weakly decaying b hadron of its event.
    near = np.full(jet_event.size, np.inf)
    for j in range(jet_event.size):
        same = b_event == jet_event[j]
        if same.any():
            near[j] = _delta_r(cols["eta"][j], cols["phi"][j], b_eta[same], b_phi[same]).min()
    b_jet = cols["hadronFlavour"] == 5
    assert b_jet.sum() >= 40  # two b jets per ttbar event, most above 10 GeV
    assert np.mean(near[b_jet] < 0.5) > 0.95
    assert np.mean(near[~b_jet] > 0.2) > 0.97
    assert set(np.unique(cols["hadronFlavour"])) <= {0, 4, 5}
    assert cols["hadronFlavour"].dtype == np.uint8 and cols["partonFlavour"].dtype == np.int16


def test_group_argmax():
    group = np.array([2, 0, 2, 2, 0])
    key = np.array([1.0, 5.0, 3.0, 2.0, 7.0])
    assert _group_argmax(group, key, 4).tolist() == [4, -1, 2, -1]
    assert _group_argmax(group[:0], key[:0], 2).tolist() == [-1, -1]


def test_card_without_hadronisation(tmp_path):
    """No hadrons: no flavour ghosts, jets of partons, still a valid file."""
    import uproot

    from flashsim.generate import generate

    card = tmp_path / "partons.cmnd"
    card.write_text("HardQCD:all = on\nPhaseSpace:pTHatMin = 50.\nHadronLevel:all = off\n")
    out = generate("partons", 10, 1, tmp_path / "p.root", pythia_cmnd=card, progress=False)
    with uproot.open(out) as f:
        ev = f["Events"].arrays()
    assert ak.all(ak.num(ev.GenJet_pt) >= 1)
    assert ak.all(ev.GenJet_hadronFlavour == 0)


def test_card_without_event_record(tmp_path):
    from flashsim.errors import InputError
    from flashsim.generate import generate

    card = tmp_path / "nothing.cmnd"
    card.write_text("HardQCD:all = on\nPhaseSpace:pTHatMin = 50.\nPartonLevel:all = off\n")
    with pytest.raises(InputError, match="event record is empty"):
        generate("nothing", 10, 1, tmp_path / "p.root", pythia_cmnd=card, progress=False)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["nothing.cmnd"]
