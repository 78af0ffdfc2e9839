"""Row 4 of ``flashsim bench``: ONNX Runtime alone on the same networks, the ceiling of any driver.

For each network of the bundle, the rows that the cross-event run pushed through it (candidates
through the efficiency network, objects times their evaluations through the velocity field,
objects through the label head) are timed as plain ``OnnxModel::Run`` calls at batch 1000 on random
inputs, through the C++ OnnxModel the simulation uses; at N threads, N threads each run their own
batches at once. The sum is the time a perfect driver would need for those events.
"""

import onnx

__all__ = ["ceiling", "seconds_per_row"]

BATCH = 1000

_CPP = r"""
#include "flashsim/OnnxModel.hxx"
#include <atomic>
#include <chrono>
#include <random>
#include <thread>
namespace flashsim_bench {
/// Wall seconds per row of `model` at batch `batch`, `threads` threads each running `repeats` calls.
inline double SecondsPerRow(const std::string &path, const std::vector<std::string> &names,
                            const std::vector<long> &features, const std::string &output, long outputFeatures,
                            std::size_t batch, int repeats, int threads)
{
   std::vector<flashsim::TensorSpec> in, out{{output, outputFeatures}};
   for (std::size_t i = 0; i < names.size(); ++i)
      in.push_back({names[i], features[i]});
   auto model = flashsim::OnnxModel::Shared(path, in, out, flashsim::OnnxModel::Options{});
   std::mt19937 rng(3);
   std::normal_distribution<float> normal;
   std::vector<std::vector<float>> x(in.size());
   for (std::size_t i = 0; i < in.size(); ++i) {
      x[i].resize(batch * in[i].features);
      for (auto &v : x[i])
         v = names[i] == "t" ? 0.5f : normal(rng);
   }
   std::vector<const float *> ptr;
   for (auto &v : x)
      ptr.push_back(v.data());
   const auto work = [&] {
      std::vector<float> result(batch * outputFeatures);
      float *o[] = {result.data()};
      for (int r = 0; r < repeats; ++r)
         model->Run(batch, ptr.data(), o);
   };
   work(); // warm-up
   const auto start = std::chrono::steady_clock::now();
   std::vector<std::thread> pool;
   for (int t = 0; t < threads; ++t)
      pool.emplace_back(work);
   for (auto &t : pool)
      t.join();
   const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
   return seconds / (static_cast<double>(batch) * repeats * threads);
}
}
"""
_declared = False


def seconds_per_row(path, threads: int = 1, repeats: int = 20) -> float:
    """Wall seconds per row of the ONNX network at ``path`` at batch 1000 (``threads`` at once)."""
    global _declared
    import flashsim.rdf

    ROOT = flashsim.rdf.load()
    if not _declared:
        ROOT.gInterpreter.Declare(_CPP)
        _declared = True
    graph = onnx.load(str(path)).graph
    width = lambda v: v.type.tensor_type.shape.dim[1].dim_value  # noqa: E731
    return float(ROOT.flashsim_bench.SecondsPerRow(str(path), [i.name for i in graph.input],
                                                  [width(i) for i in graph.input], graph.output[0].name,
                                                  width(graph.output[0]), BATCH, repeats, threads))


def ceiling(networks, threads: int, events: int) -> dict:
    """Row 4 from the per-source usage of a cross-event run (flashsim.bench.bench_cross_event)."""
    seconds = 0.0
    per_row = {}
    for n in networks:
        for kind, rows in (("efficiency", n["candidates"]), ("velocity", n["row_evaluations"]),
                           ("labels", n["objects"])):
            path = n[kind]
            if not path or not rows:
                continue
            if path not in per_row:
                per_row[path] = seconds_per_row(path, threads)
            seconds += rows * per_row[path]
    objects = sum(n["objects"] for n in networks)
    return {"threads": threads, "events": events, "seconds": seconds, "objects_per_event": objects / events}
