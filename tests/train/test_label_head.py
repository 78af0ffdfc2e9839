"""The label head (models/labels.py): joint configurations of the discrete branches, a classifier
that learns sharp rules on the flow's output, and the bundle checks of its manifest entry."""

import json
import shutil

import numpy as np
import pytest

from flashsim.errors import BundleError, ModelError
from flashsim.models.labels import LabelNetwork, configurations
from flashsim.train.reference_sampler import NumpyNoise, draw_classes, softmax_weights


def test_configurations_keep_the_frequent_ones_and_move_the_rare_to_the_nearest():
    values = np.array([[0, 1, 2]] * 50 + [[1, 1, 2]] * 30 + [[0, 0, 0]] * 15 + [[1, 1, 0]] * 5)
    table, classes, moved = configurations(values, max_classes=3)
    assert table.tolist() == [[0, 1, 2], [1, 1, 2], [0, 0, 0]]
    assert np.array_equal(table[classes[:95]], values[:95])
    # [1, 1, 0] differs from [1, 1, 2] in one branch, from the others in two
    assert np.all(classes[95:] == 1) and moved == pytest.approx(0.05)
    table, classes, moved = configurations(values, max_classes=10)
    assert len(table) == 4 and moved == 0 and np.array_equal(table[classes], values)


def test_softmax_is_stable_for_large_logits():
    p = softmax_weights(np.array([[1000.0, 1000.0 + np.log(3.0)], [-5.0, -5.0]]))
    assert np.allclose(p / p.sum(axis=1, keepdims=True), [[0.25, 0.75], [0.5, 0.5]])


def test_numpy_noise_has_one_stream_per_source():
    """Retraining one source changes how many numbers it draws; the other sources must keep theirs."""
    ids, idx = np.zeros((5, 3)), np.arange(5)
    alone = NumpyNoise(7).normal(ids, "Muon", "GenMuon", idx, 4)
    after_jets = NumpyNoise(7)
    after_jets.uniform(ids, "Jet", "GenJet", np.arange(11))
    np.testing.assert_array_equal(after_jets.normal(ids, "Muon", "GenMuon", idx, 4), alone)
    assert not np.array_equal(NumpyNoise(8).normal(ids, "Muon", "GenMuon", idx, 4), alone)
    assert not np.array_equal(NumpyNoise(7).normal(ids, "Muon", "GenJet", idx, 4), alone)


def test_draw_classes_follows_the_probabilities():
    p = np.array([[0.2, 0.5, 0.3]] * 4)
    u = np.array([0.1, 0.3, 0.75, 0.9999])
    assert draw_classes(p, u).tolist() == [0, 1, 2, 2]
    rng = np.random.default_rng(1)
    drawn = draw_classes(np.tile([[0.2, 0.5, 0.3]], (20000, 1)), rng.uniform(size=20000))
    assert np.allclose(np.bincount(drawn) / 20000, [0.2, 0.5, 0.3], atol=0.015)


def test_the_head_learns_a_sharp_rule_on_the_flow_output():
    """flag a = (x0 > 0.3) exactly; flag b random with p = sigmoid(2 cond0): the drawn a must follow
    the rule (a smeared flow would not), and b its probability."""
    import torch

    from flashsim.models.training import TrainingConfig, train

    rng = np.random.default_rng(3)
    n = 6000
    x = rng.normal(size=(n, 2)).astype(np.float32)
    cond = rng.normal(size=(n, 1)).astype(np.float32)
    a = x[:, 0] > 0.3
    b = rng.uniform(size=n) < 1 / (1 + np.exp(-2 * cond[:, 0]))
    table, classes, _ = configurations(np.stack([a, b], axis=1), max_classes=8)
    net = LabelNetwork(2, 1, len(table), hidden=32, layers=2)
    train(net, lambda m, batch, g: m.loss(batch["x"], batch["cond"], batch["label"]),
          {"x": torch.from_numpy(x), "cond": torch.from_numpy(cond), "label": torch.from_numpy(classes)},
          TrainingConfig(epochs=40, batch_size=256, learning_rate=5e-3, patience=40, progress=False, threads=1))
    x_new = rng.normal(size=(n, 2)).astype(np.float32)
    cond_new = rng.normal(size=(n, 1)).astype(np.float32)
    with torch.no_grad():
        p = net.probability(torch.from_numpy(x_new), torch.from_numpy(cond_new)).numpy()
    drawn = table[draw_classes(p, rng.uniform(size=n))]
    rule = x_new[:, 0] > 0.3
    assert np.mean(drawn[:, 0] == rule) > 0.97
    far = np.abs(x_new[:, 0] - 0.3) > 0.2
    assert np.mean(drawn[far, 0] == rule[far]) > 0.995
    p_b = 1 / (1 + np.exp(-2 * cond_new[:, 0]))
    for lo, hi in ((-3, -0.5), (-0.5, 0.5), (0.5, 3)):
        sel = (cond_new[:, 0] > lo) & (cond_new[:, 0] < hi)
        assert abs(drawn[sel, 1].mean() - p_b[sel].mean()) < 0.04


def _edited(tiny_bundle, tmp_path, edit):
    target = tmp_path / "bundle"
    shutil.copytree(tiny_bundle, target)
    manifest = json.loads((target / "bundle.json").read_text())
    muon = next(c for c in manifest["collections"] if c["name"] == "Muon")  # NanoAOD v15 jets have no flags
    edit(muon["sources"][0]["labels"])
    (target / "bundle.json").write_text(json.dumps(manifest))
    return target


@pytest.mark.parametrize(("edit", "error", "message"), [
    (lambda labels: labels["values"][0].append(1), BundleError,
     r"collections\[\d\].sources\[0\].labels.values\[0\]: expected a list of \d+ numbers"),
    (lambda labels: labels["values"].pop(), ModelError,
     r"Muon_GenMuon_labels.onnx': output 'logits' has \d+ features, expected \d+"),
    (lambda labels: labels["branches"][0].update(type="Byte"), BundleError,
     r"labels.branches\[0\].type: unknown branch type 'Byte'"),
])
def test_bad_label_head(ROOT, train_sample, tiny_bundle, tmp_path, edit, error, message):
    import flashsim.rdf

    bundle = _edited(tiny_bundle, tmp_path, edit)
    df = ROOT.RDataFrame("Events", str(train_sample[0]))
    with pytest.raises(error, match=message):
        flashsim.rdf.simulate(df, bundle, seed=1)
