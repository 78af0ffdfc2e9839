"""Few-step students (flashsim.models.distillation): their Euler steps land where the teacher's
accurate solution does, far closer than the teacher's own few Euler steps; a student rebuilt from
its ONNX file is the same network; bad settings are refused with the key named."""

import numpy as np
import pytest
import torch

from flashsim.errors import InputError, ModelError
from flashsim.models.distillation import DistillationConfig, check_distillation, distil, teacher_states
from flashsim.models.velocity_field import VelocityField
from flashsim.ode import integrate


def _curved_teacher():
    """A random residual field, scaled up so that its paths bend (few Euler steps go astray)."""
    torch.manual_seed(3)
    field = VelocityField(2, 1, hidden=32, blocks=2)
    with torch.no_grad():
        field.readout.weight.mul_(6.0)
    return field.eval()


def _solve(field, z, cond, **ode):
    c = torch.from_numpy(cond)

    def v(t, x, rows):
        return field(x, t[:, None].to(x.dtype), c if rows is None else c[rows])

    with torch.no_grad():
        return integrate(v, torch.from_numpy(z), **ode).x.numpy()


@pytest.mark.parametrize("method", ["trajectory", "reflow"])
def test_a_student_follows_the_teacher_in_two_steps(method):
    teacher = _curved_teacher()
    rng = np.random.default_rng(0)
    cond = rng.uniform(-1, 1, size=(6000, 1)).astype(np.float32)
    config = DistillationConfig(method=method, steps=2, teacher={"method": "rk4", "steps": 16}, pairs=6000,
                                min_pairs=1, epochs=60, batch_size=256, learning_rate=2e-3, patience=60, ema=0.0)
    student, report = distil(teacher, cond, config, seed=1)
    assert report["method"] == method and report["pairs"] == 6000 and report["epochs"] >= 1
    z = rng.standard_normal((2000, 2)).astype(np.float32)
    held = rng.uniform(-1, 1, size=(2000, 1)).astype(np.float32)
    exact = _solve(teacher, z, held, method="rk4", steps=64)
    teacher_two = np.abs(_solve(teacher, z, held, method="euler", steps=2) - exact).mean()
    student_two = np.abs(_solve(student, z, held, method="distilled", steps=2) - exact).mean()
    assert teacher_two > 0.1  # the teacher's paths are curved: two Euler steps of it miss
    assert student_two < teacher_two / 3, (method, student_two, teacher_two)


def test_teacher_states_are_the_solution_at_the_students_grid():
    teacher = _curved_teacher()
    rng = np.random.default_rng(1)
    z = rng.standard_normal((50, 2)).astype(np.float32)
    cond = rng.uniform(-1, 1, size=(50, 1)).astype(np.float32)
    states = teacher_states(teacher, z, cond, 4, {"method": "rk4", "steps": 16})
    assert states.shape == (50, 5, 2)
    np.testing.assert_array_equal(states[:, 0], z)
    np.testing.assert_allclose(states[:, -1], _solve(teacher, z, cond, method="rk4", steps=16), atol=1e-5)
    half = _solve(teacher, z, cond, method="rk4", steps=8, t1=0.5)
    np.testing.assert_allclose(states[:, 2], half, atol=1e-5)


def test_a_field_read_back_from_onnx_is_the_same_network(tmp_path):
    teacher = _curved_teacher()
    teacher.export_onnx(tmp_path / "v.onnx")
    again = VelocityField.from_onnx(tmp_path / "v.onnx")
    x, t, c = torch.randn(7, 2), torch.rand(7, 1), torch.randn(7, 1)
    with torch.no_grad():
        np.testing.assert_array_equal(again(x, t, c).numpy(), teacher(x, t, c).numpy())
    (tmp_path / "bad.onnx").write_bytes(b"not onnx")
    with pytest.raises(ModelError, match="bad.onnx: not a readable ONNX file"):
        VelocityField.from_onnx(tmp_path / "bad.onnx")


@pytest.mark.parametrize("values, match", [
    ({"method": "progressive"}, "method 'progressive'; expected one of trajectory, reflow"),
    ({"steps": 0}, "steps 0: expected an integer >= 1"),
    ({"steps": 3, "teacher": {"method": "rk4", "steps": 16}}, "teacher steps 16 must be a multiple of the student's 3"),
    ({"teacher": {"method": "heun"}}, "teacher: unknown ODE method 'heun'"),
    ({"epoch": 3}, r"unknown keys \['epoch'\]"),
    ("fast", "expected"),
])
def test_bad_settings_are_named(values, match):
    with pytest.raises(InputError, match=match):
        check_distillation(values, "cfg.json: distillation")
    assert check_distillation(None, "cfg") is None
    assert check_distillation({"steps": 2}, "cfg").teacher == {"method": "dopri5", "rtol": 1e-5, "atol": 1e-5}
