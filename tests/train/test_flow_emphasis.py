"""The velocity field's emphasis options: balanced gen pt (rare rows repeated) and per-target loss
weights. Neither changes what the flow learns (the distribution given the conditioning), only
where its training effort goes."""

import awkward as ak
import numpy as np
import pytest
import torch
import uproot

from flashsim.errors import InputError


def test_balanced_repeats_the_rare_gen_pt_rows_up_to_the_cap():
    from flashsim.train.fit import balanced

    rng = np.random.default_rng(1)
    gen_pt = np.exp(rng.exponential(0.8, 20000) + np.log(20))  # steeply falling, like jets
    rows = np.arange(len(gen_pt))
    out = balanced(rows, gen_pt, 6)
    assert np.array_equal(np.unique(out), rows)  # every row is kept
    repeats = np.bincount(out, minlength=len(rows))
    assert repeats.min() == 1 and repeats.max() == 6
    low, high = gen_pt < 40, gen_pt > 150
    assert repeats[low].mean() < 1.5 and repeats[high].mean() > 4
    # the flatter log(pt): the high-pt share of the rows grows
    assert high[out].mean() > 3 * high.mean()
    assert np.array_equal(balanced(rows, gen_pt, 1), rows)  # 1: off
    assert np.array_equal(balanced(rows[:0], gen_pt, 6), rows[:0])


def test_loss_weights_name_the_unknown_branch():
    from flashsim.catalogue import sources
    from flashsim.catalogue.follow import follow_file
    from flashsim.train.fit import loss_weights

    jet = next(s for s in sources() if s.key == "Jet_GenJet")
    follow_file([jet], {f"Jet_{b}": "ROOT::VecOps::RVec<Float_t>" for b in ("pt", "eta", "phi", "area")})
    w = loss_weights(jet.flow_targets, {"pt": 4, "eta": 4}, "here")
    assert w.mean() == pytest.approx(1.0) and w[0] == pytest.approx(4 * w[-1]) and w[2] == pytest.approx(w[-1])
    assert loss_weights(jet.flow_targets, {}, "here") is None
    with pytest.raises(InputError, match=r"here: target_weights names \['energy'\].*expected some of \['pt'"):
        loss_weights(jet.flow_targets, {"energy": 2}, "here")


def test_weighted_flow_matching_loss():
    from flashsim.models.flow_matching import flow_matching_loss

    x1, cond = torch.randn(256, 2), torch.randn(256, 1)

    def field(xt, t, c):
        return torch.zeros_like(xt)

    def loss(weights):
        return flow_matching_loss(field, x1, cond, torch.Generator().manual_seed(3), weights)

    assert loss(torch.ones(2)) == pytest.approx(float(loss(None)))
    # zero field: the loss is the mean of (x1 - x0)^2 per variable, weighted
    per_variable = [loss(torch.tensor([2.0, 0.0])), loss(torch.tensor([0.0, 2.0]))]
    assert float(sum(per_variable)) / 2 == pytest.approx(float(loss(None)), rel=1e-6)
    assert float(per_variable[0]) != pytest.approx(float(per_variable[1]), rel=1e-3)


@pytest.mark.parametrize("network, message", [
    ({"balance": 0.5}, r"balance 0.5: expected a number >= 1"),
    ({"balance": "yes"}, r"balance 'yes': expected a number >= 1"),
    ({"target_weights": {"pt": -1}}, r"target_weights \{'pt': -1\}: expected \{branch: weight > 0\}"),
    ({"target_weights": [4]}, r"target_weights \[4\]: expected"),
])
def test_bad_emphasis_in_the_config(network, message):
    from flashsim.train.config import load_config

    with pytest.raises(InputError, match=message):
        load_config({"sources": {"Jet_GenJet": {"velocity_field": network}}})


def test_emphasis_that_does_not_fit_the_source_stops_before_extraction(tmp_path):
    from flashsim.train.config import load_config
    from flashsim.train.pipeline import train_bundle

    config = load_config({"collections": ["Jet"], "sources": {"Jet_Pileup": {"velocity_field": {"balance": 4}}}})
    missing = tmp_path / "never_read.root"  # the check comes first: the file is not even opened
    with pytest.raises(InputError, match=r"Jet_Pileup velocity_field: balance 4 needs the gen pt"):
        train_bundle([missing], tmp_path / "b", config, log=lambda *a: None)
    assert not (tmp_path / "b").exists()


def test_weights_of_a_branch_the_files_lack_stop_before_training(train_sample, tmp_path):
    """The targets follow the files: a weight for a branch they do not have is an error once they are
    read, before any network is trained."""
    from flashsim.train.config import load_config
    from flashsim.train.pipeline import train_bundle

    config = load_config({"collections": ["Jet"], "progress": False,
                          "sources": {"Jet_GenJet": {"velocity_field": {"target_weights": {"energy": 2}}}}})
    logged = []
    with pytest.raises(InputError, match=r"Jet_GenJet velocity_field: target_weights names \['energy'\]"):
        train_bundle([train_sample[1]], tmp_path / "b", config, log=logged.append)
    assert not (tmp_path / "b").exists() and not any("velocity field" in line for line in logged)


def test_tiny_training_with_emphasis(train_sample, tiny_config, tmp_path):
    """A real (tiny) training with both options: the bundle is written and its provenance keeps them."""
    from flashsim.bundle import read_manifest
    from flashsim.train.config import load_config
    from flashsim.train.pipeline import train_bundle

    emphasis = {"balance": 4, "target_weights": {"pt": 4}}
    config = load_config({**tiny_config, "max_rows": 10**6, "collections": ["Jet"],
                          "sources": {"Jet_GenJet": {"velocity_field": emphasis}}})
    logged = []
    train_bundle([train_sample[1]], tmp_path / "b", config, log=logged.append)
    manifest = read_manifest(tmp_path / "b")
    assert manifest["provenance"]["config"]["sources"]["Jet_GenJet"]["velocity_field"] == emphasis
    # the balanced rows: more velocity-field rows than matched reco jets in the sample
    line = next(x for x in logged if x.startswith("Jet_GenJet:"))
    rows = int(line.split("velocity field ")[1].split(" rows")[0])
    with uproot.open(train_sample[1]) as f:
        matched = int(ak.sum(f["Events"]["Jet_genJetIdx"].array() >= 0))
    assert rows > matched
