"""OnnxModel: parity with PyTorch at several batch sizes, and every load-time check."""

import numpy as np
import pytest

from flashsim.bundle.toy import TOY_CONDITIONING, TOY_TARGETS
from flashsim.bundle.toy import toy_networks as tiny_networks

N_COND, N_TARGET = len(TOY_CONDITIONING), len(TOY_TARGETS)

RUN_HELPER = r"""
#include "flashsim/OnnxModel.hxx"
namespace flashsim_test {
inline flashsim::OnnxModel *LoadVelocityField(const std::string &path, int d, int c)
{
   return new flashsim::OnnxModel(path, {{"x", d}, {"t", 1}, {"cond", c}}, {{"velocity", d}});
}
inline void RunVelocityField(const flashsim::OnnxModel &model, std::size_t rows, const float *x, const float *t,
                             const float *cond, float *out)
{
   const float *in[] = {x, t, cond};
   float *outs[] = {out};
   model.Run(rows, in, outs);
}
}
"""


@pytest.fixture(scope="module")
def cpp(ROOT):
    ROOT.gInterpreter.Declare(RUN_HELPER)
    return ROOT.flashsim_test


@pytest.mark.parametrize("batch", [1, 2, 7, 1000])
def test_velocity_field_matches_pytorch(cpp, tiny_bundle, batch):
    import torch

    _, velocity = tiny_networks()
    rng = np.random.default_rng(batch)
    x = rng.normal(size=(batch, N_TARGET)).astype(np.float32)
    t = rng.uniform(size=(batch, 1)).astype(np.float32)
    cond = rng.normal(size=(batch, N_COND)).astype(np.float32)
    with torch.no_grad():
        expected = velocity(torch.cat([torch.from_numpy(a) for a in (x, t, cond)], dim=1)).numpy()
    model = cpp.LoadVelocityField(str(tiny_bundle / "jet_velocity.onnx"), N_TARGET, N_COND)
    out = np.zeros((batch, N_TARGET), dtype=np.float32)
    cpp.RunVelocityField(model, batch, x, t, cond, out)
    assert np.abs(out - expected).max() <= 1e-5


def load(cpp, path, d=N_TARGET, c=N_COND):
    return cpp.LoadVelocityField(str(path), d, c)


def test_missing_file(cpp, tmp_path):
    with pytest.raises(Exception, match=r"ONNX model file '.*nowhere.onnx' does not exist"):
        load(cpp, tmp_path / "nowhere.onnx")


def test_corrupt_file(cpp, tmp_path):
    path = tmp_path / "corrupt.onnx"
    path.write_bytes(b"this is not a protobuf" * 10)
    with pytest.raises(Exception, match=r"cannot load ONNX model '.*corrupt.onnx'"):
        load(cpp, path)


def test_wrong_feature_count(cpp, tiny_bundle):
    with pytest.raises(Exception, match=r"input 'x' has 4 features, expected 5"):
        load(cpp, tiny_bundle / "jet_velocity.onnx", d=5)


def test_wrong_number_of_inputs(cpp, tiny_bundle):
    # the efficiency network has one input, a velocity field needs three
    with pytest.raises(Exception, match=r"jet_efficiency.onnx': has 1 inputs, expected 3 \(x, t, cond\)"):
        load(cpp, tiny_bundle / "jet_efficiency.onnx")


def test_wrong_input_name(cpp, tmp_path):
    import torch

    from flashsim.onnx_graphs import export_mlp

    path = export_mlp(torch.nn.Sequential(torch.nn.Linear(8, 4)), tmp_path / "renamed.onnx",
                      [("x", 4), ("time", 1), ("cond", 3)], "velocity")
    with pytest.raises(Exception, match=r"input 'time' is not one of the expected inputs \(x, t, cond\)"):
        load(cpp, path)


def test_missing_onnxruntime_library_is_a_clear_error(tiny_bundle, gen_tree):
    """A user-given ONNX Runtime that does not exist: an error naming it, no fallback, no crash."""
    import os
    import subprocess
    import sys

    script = (
        "import ROOT, flashsim.rdf\n"
        "from flashsim.errors import RuntimeLibraryError\n"
        "try:\n"
        f"    flashsim.rdf.simulate(ROOT.RDataFrame('Events', r'{gen_tree}'), r'{tiny_bundle}', seed=1)\n"
        "except RuntimeLibraryError as err:\n"
        "    print('ERROR:', err)\n"
    )
    env = dict(os.environ, FLASHSIM_ONNXRUNTIME_LIBRARY="/nonexistent/libonnxruntime.so.1")
    proc = subprocess.run([sys.executable, "-W", "ignore", "-c", script], env=env, capture_output=True,
                          text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert "ERROR: flashsim: cannot load the ONNX Runtime library; tried:" in proc.stdout
    assert "/nonexistent/libonnxruntime.so.1" in proc.stdout
    assert "FLASHSIM_ONNXRUNTIME_LIBRARY" in proc.stdout


def test_sessions_are_shared_per_file(ROOT, tiny_bundle, tmp_path):
    """Two loads of one file and signature give one session; a changed file gives a new one."""
    import shutil

    def spec(name, n):
        s = ROOT.flashsim.TensorSpec()
        s.name, s.features = name, n
        return s

    def shared(path):
        return ROOT.flashsim.OnnxModel.Shared(str(path), [spec("cond", N_COND)], [spec("probability", 1)],
                                              ROOT.flashsim.OnnxModel.Options())

    path = tmp_path / "eff.onnx"
    shutil.copy(tiny_bundle / "jet_efficiency.onnx", path)
    a, b = shared(path), shared(path)
    assert ROOT.addressof(a) == ROOT.addressof(b)
    import os

    os.utime(path, ns=(1, 1))  # another modification time: the file may have changed
    assert ROOT.addressof(shared(path)) != ROOT.addressof(a)
