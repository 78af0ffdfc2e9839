"""ONNX Runtime on CPU computes each row of the shipped networks bit-identically at every batch size.

Cross-event batching runs the networks of many events in one call and promises output
bit-identical to one event at a time; that holds only if a row's result does not depend on the
batch it is in. ONNX Runtime's CPU kernels (MLAS GEMM) give that on this project's machines
(x86-64, AVX2/AVX-512); it is not promised across instruction sets, nor for CUDA. This checks it
through the C++ OnnxModel the simulation uses (one intra-op thread, all graph optimisations),
for every network of the default bundle, at batch sizes 1 to 4096."""

import onnx
import pytest

from flashsim.bundle import default_bundle, read_manifest
from flashsim.bundle.reference_outputs import network_files

SIZES = (1, 2, 3, 5, 16, 17, 64, 255, 1000, 4096)
ROWS = 4096

CPP = r"""
#include "flashsim/OnnxModel.hxx"
#include <algorithm>
#include <cstring>
#include <random>
namespace flashsim_test {
/// Rows of a [ROWS]-row random input whose outputs at batch `size` differ in any bit from batch ROWS.
inline std::size_t RowsThatDiffer(const std::string &path, const std::vector<std::string> &inputNames,
                                  const std::vector<long> &inputFeatures, const std::string &outputName,
                                  long outputFeatures, std::size_t rows, std::size_t size)
{
   std::vector<flashsim::TensorSpec> in, out{{outputName, outputFeatures}};
   for (std::size_t i = 0; i < inputNames.size(); ++i)
      in.push_back({inputNames[i], inputFeatures[i]});
   flashsim::OnnxModel model(path, in, out);
   std::mt19937 rng(7);
   std::normal_distribution<float> normal;
   std::vector<std::vector<float>> x(in.size());
   for (std::size_t i = 0; i < in.size(); ++i) {
      x[i].resize(rows * in[i].features);
      for (auto &v : x[i])
         v = inputNames[i] == "t" ? std::uniform_real_distribution<float>(0.f, 1.f)(rng) : normal(rng);
   }
   std::vector<float> whole(rows * outputFeatures), part(rows * outputFeatures);
   std::vector<const float *> ptr(in.size());
   for (std::size_t i = 0; i < in.size(); ++i)
      ptr[i] = x[i].data();
   float *o[] = {whole.data()};
   model.Run(rows, ptr.data(), o);
   for (std::size_t start = 0; start < rows; start += size) {
      const std::size_t n = std::min(size, rows - start);
      for (std::size_t i = 0; i < in.size(); ++i)
         ptr[i] = x[i].data() + start * in[i].features;
      float *p[] = {part.data() + start * outputFeatures};
      model.Run(n, ptr.data(), p);
   }
   std::size_t differ = 0;
   for (std::size_t r = 0; r < rows; ++r)
      differ += std::memcmp(whole.data() + r * outputFeatures, part.data() + r * outputFeatures,
                            outputFeatures * sizeof(float)) != 0;
   return differ;
}
}
"""


def _signature(path):
    graph = onnx.load(str(path)).graph
    features = lambda v: v.type.tensor_type.shape.dim[1].dim_value  # noqa: E731
    return [(i.name, features(i)) for i in graph.input], (graph.output[0].name, features(graph.output[0]))


@pytest.fixture(scope="module")
def rows_that_differ(ROOT):
    ROOT.gInterpreter.Declare(CPP)
    return ROOT.flashsim_test.RowsThatDiffer


@pytest.mark.parametrize("name", sorted(network_files(read_manifest(default_bundle()))))
def test_every_row_is_bit_identical_at_every_batch_size(rows_that_differ, name):
    path = default_bundle() / name
    inputs, (output, width) = _signature(path)
    differ = {size: int(rows_that_differ(str(path), [n for n, _ in inputs], [f for _, f in inputs], output, width,
                                         ROWS, size)) for size in SIZES}
    assert all(v == 0 for v in differ.values()), f"{name}: rows whose outputs change with the batch size: {differ}"


def test_the_check_can_fail(rows_that_differ, tmp_path):
    """A network that mixes rows (a softmax over the batch) is caught."""
    from onnx import TensorProto, helper

    x = helper.make_tensor_value_info("cond", TensorProto.FLOAT, ["batch", 3])
    y = helper.make_tensor_value_info("probability", TensorProto.FLOAT, ["batch", 3])
    graph = helper.make_graph([helper.make_node("Softmax", ["cond"], ["probability"], axis=0)], "mix", [x], [y])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    onnx.save(model, tmp_path / "mix.onnx")
    assert rows_that_differ(str(tmp_path / "mix.onnx"), ["cond"], [3], "probability", 3, 64, 1) > 0
    assert rows_that_differ(str(tmp_path / "mix.onnx"), ["cond"], [3], "probability", 3, 64, 64) == 0
