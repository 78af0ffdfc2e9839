"""The networks learn what they should, export to ONNX faithfully, and the loop behaves:
validation by event, early stopping, checkpoint + resume, NaN guard."""

import numpy as np
import pytest
import torch

from flashsim import InputError, TrainingError
from flashsim.models.efficiency import EfficiencyNetwork
from flashsim.models.flow_matching import flow_matching_loss, sample
from flashsim.models.training import TrainingConfig, split_by_group, train
from flashsim.models.velocity_field import VelocityField

FAST = dict(batch_size=256, learning_rate=3e-3, progress=False, threads=1)


def efficiency_data(n=6000, seed=0):
    g = torch.Generator().manual_seed(seed)
    cond = torch.randn((n, 2), generator=g)
    p = torch.sigmoid(2.0 * cond[:, 0] - 1.0)
    label = (torch.rand(n, generator=g) < p).float()
    return {"cond": cond, "label": label}, p


def efficiency_loss(model, batch, generator):
    return model.loss(batch["cond"], batch["label"])


def flow_loss(model, batch, generator):
    return flow_matching_loss(model, batch["x"], batch["cond"], generator)


def test_efficiency_learns_the_probability():
    data, p = efficiency_data()
    model = EfficiencyNetwork(2, hidden=32, layers=2)
    result = train(model, efficiency_loss, data, TrainingConfig(epochs=15, **FAST))
    with torch.no_grad():
        learnt = model.probability(data["cond"])[:, 0]
    assert (learnt - p).abs().mean() < 0.04
    assert result.best_validation_loss < 0.6


def test_flow_matching_learns_a_conditional_gaussian():
    """x | c ~ N(2c, 0.5^2) in 2D: samples of the trained flow have that mean and width."""
    g = torch.Generator().manual_seed(1)
    n = 8000
    cond = torch.randn((n, 1), generator=g)
    x = 2.0 * cond.repeat(1, 2) + 0.5 * torch.randn((n, 2), generator=g)
    model = VelocityField(2, 1, hidden=64, blocks=2)
    train(model, flow_loss, {"x": x, "cond": cond}, TrainingConfig(epochs=25, **FAST))
    c = torch.full((4000, 1), 0.7)
    out = sample(model, torch.randn((4000, 2), generator=g), c, method="midpoint", steps=20)
    assert torch.allclose(out.mean(0), torch.tensor([1.4, 1.4]), atol=0.1)
    assert torch.allclose(out.std(0), torch.tensor([0.5, 0.5]), atol=0.1)


@pytest.mark.parametrize("batch", [1, 2, 7, 1000])
def test_export_parity(tmp_path, batch):
    import onnxruntime

    torch.manual_seed(batch)
    field = VelocityField(5, 3, hidden=48, blocks=3)
    eff = EfficiencyNetwork(3, hidden=16, layers=2)
    field.export_onnx(tmp_path / "v.onnx")
    eff.export_onnx(tmp_path / "e.onnx")
    x, t, c = torch.randn(batch, 5), torch.rand(batch, 1), torch.randn(batch, 3)
    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = 1
    v = onnxruntime.InferenceSession(str(tmp_path / "v.onnx"), options).run(
        ["velocity"], {"x": x.numpy(), "t": t.numpy(), "cond": c.numpy()})[0]
    p = onnxruntime.InferenceSession(str(tmp_path / "e.onnx"), options).run(["probability"], {"cond": c.numpy()})[0]
    with torch.no_grad():
        assert np.abs(v - field(x, t, c).numpy()).max() <= 1e-5
        assert np.abs(p - eff.probability(c).numpy()).max() <= 1e-6


def test_default_velocity_field_size_and_graph(tmp_path):
    import onnx

    field = VelocityField(16, 12)
    assert 5e4 < sum(p.numel() for p in field.parameters()) < 2e5  # about 1e5, as CMS FlashSim's
    field.export_onnx(tmp_path / "v.onnx")
    assert len(onnx.load(str(tmp_path / "v.onnx")).graph.node) <= 30  # lean: no tracer bloat


def test_validation_split_keeps_events_whole():
    groups = np.repeat(np.arange(500), 4)
    mask = split_by_group(groups, 0.2, seed=3)
    assert abs(mask.mean() - 0.2) < 0.01
    for g in range(500):
        assert len(set(mask[groups == g])) == 1


def test_early_stopping_and_best_weights():
    data, _ = efficiency_data(2000)
    data["label"] = torch.bernoulli(torch.full((2000,), 0.5), generator=torch.Generator().manual_seed(2))  # noise
    model = EfficiencyNetwork(2, hidden=64, layers=3)
    result = train(model, efficiency_loss, data, TrainingConfig(epochs=60, patience=3, **FAST))
    assert result.stopped_early and result.epochs_run < 60
    assert result.best_epoch == result.epochs_run - 3


class InterruptAtEpoch:
    """A loss that raises KeyboardInterrupt (Ctrl-C) when epoch ``epoch`` starts training."""

    def __init__(self, epoch):
        self.epoch, self.started, self.was_training = epoch, 0, False

    def __call__(self, model, batch, generator):
        if model.training and not self.was_training:
            self.started += 1
            if self.started == self.epoch:
                raise KeyboardInterrupt
        self.was_training = model.training
        return efficiency_loss(model, batch, generator)


def test_checkpoint_resume_matches_an_uninterrupted_run(tmp_path):
    data, _ = efficiency_data(3000)
    config = TrainingConfig(epochs=4, patience=10, **FAST)
    torch.manual_seed(0)
    full = train(EfficiencyNetwork(2, hidden=16, layers=2), efficiency_loss, data, config)
    torch.manual_seed(0)
    interrupted = EfficiencyNetwork(2, hidden=16, layers=2)
    with pytest.raises(KeyboardInterrupt):
        train(interrupted, InterruptAtEpoch(3), data, config, checkpoint=tmp_path / "ckpt.pt")
    assert torch.load(tmp_path / "ckpt.pt", weights_only=False)["state"]["epoch"] == 2
    resumed = train(interrupted, efficiency_loss, data, config, checkpoint=tmp_path / "ckpt.pt", resume=True)
    assert resumed.epochs_run == 4 and len(resumed.history) == 4
    np.testing.assert_allclose([h[1:] for h in resumed.history], [h[1:] for h in full.history], rtol=1e-6)


def test_resume_with_another_config_is_refused(tmp_path):
    data, _ = efficiency_data(500)
    model = EfficiencyNetwork(2, hidden=8, layers=1)
    train(model, efficiency_loss, data, TrainingConfig(epochs=1, **FAST), checkpoint=tmp_path / "c.pt")
    with pytest.raises(InputError, match="another training config"):
        train(model, efficiency_loss, data, TrainingConfig(epochs=3, **FAST), checkpoint=tmp_path / "c.pt",
              resume=True)


def test_non_finite_input_names_the_variable():
    data, _ = efficiency_data(500)
    data["cond"][10, 1] = float("nan")
    with pytest.raises(InputError, match="'GenJet_eta'"):
        train(EfficiencyNetwork(2), efficiency_loss, data, TrainingConfig(epochs=1, **FAST),
              names={"cond": ["GenJet_pt", "GenJet_eta"]})


def test_nan_loss_stops_training():
    data, _ = efficiency_data(500)
    with pytest.raises(TrainingError, match="nothing is exported"):
        train(EfficiencyNetwork(2), efficiency_loss, data, TrainingConfig(epochs=2, **{**FAST, "learning_rate": 1e30}))


def test_empty_selection():
    with pytest.raises(InputError, match="empty selection"):
        train(EfficiencyNetwork(2), efficiency_loss, {"cond": torch.zeros((0, 2)), "label": torch.zeros(0)},
              TrainingConfig(epochs=1, **FAST))


def test_moving_average_of_the_weights():
    """With ema, the kept weights are an average (not one step's weights), and the flow still learns."""
    g = torch.Generator().manual_seed(4)
    cond = torch.randn((3000, 1), generator=g)
    x = 2 * cond.repeat(1, 2) + 0.5 * torch.randn((3000, 2), generator=g)
    kept = {}
    for ema in (0.0, 0.95):
        torch.manual_seed(0)
        model = VelocityField(2, 1, hidden=16, blocks=1)
        result = train(model, flow_loss, {"x": x, "cond": cond}, TrainingConfig(epochs=8, patience=8, ema=ema, **FAST))
        assert result.best_validation_loss < 0.8 * result.history[0][2] or ema == 0.0
        kept[ema] = model.embed.weight.detach().clone()
    assert not torch.allclose(kept[0.0], kept[0.95])
    with pytest.raises(InputError, match="ema must be in"):
        train(VelocityField(2, 1, hidden=8, blocks=1), flow_loss, {"x": x, "cond": cond},
              TrainingConfig(epochs=1, ema=1.5, **FAST))


def test_parity_against_the_exact_network(tmp_path):
    """The export check compares ONNX with the network in float64: a faithful export passes with PyTorch's
    own float32 rounding beside it, an export of slightly other weights is refused."""
    from flashsim.errors import ModelError
    from flashsim.train.bundle_writer import PARITY_TOLERANCE, parity

    torch.manual_seed(3)
    field = VelocityField(5, 3, hidden=48, blocks=3)
    field.export_onnx(tmp_path / "v.onnx")
    inputs = {"x": 5, "t": 1, "cond": 3}
    difference, rounding = parity(field, tmp_path / "v.onnx", inputs)
    assert 0 < rounding < 1e-5 and difference <= max(PARITY_TOLERANCE, 2 * rounding)
    with torch.no_grad():
        for p in field.parameters():
            p.add_(1e-3 * torch.randn_like(p))
    with pytest.raises(ModelError, match=r"v\.onnx: ONNX and PyTorch differ by .* twice PyTorch's own float32 "
                                         r"rounding"):
        parity(field, tmp_path / "v.onnx", inputs)
