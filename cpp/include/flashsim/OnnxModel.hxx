#ifndef FLASHSIM_ONNXMODEL_HXX
#define FLASHSIM_ONNXMODEL_HXX

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace flashsim {

/// A named float32 tensor of shape [batch, features].
struct TensorSpec {
   std::string name;
   std::int64_t features = 0;
};

/// Calls of OnnxModel::Run and the wall time spent in them.
struct OnnxRuntimeUsage {
   std::uint64_t calls = 0;
   double seconds = 0.0;
};

/// A thin, non-copyable wrapper over one ONNX Runtime session.
///
/// One OnnxModel is shared by all RDataFrame slots: Run() is thread-safe, and one session per
/// slot would copy the weights and the memory arena each time (cf. CMSSW's SessionCache).
/// Intra-op threads are 1, so RDataFrame's thread pool is the only parallelism. Everything that
/// can be wrong with the file (missing, corrupt, wrong input names, ranks, feature counts or
/// element types) is reported by the constructor, never inside the event loop.
/// ONNX Runtime itself is loaded at run time (see SetOnnxRuntimeLibrary).
class OnnxModel {
public:
   struct Options {
      std::string device = "cpu"; ///< "cpu" or "cuda" (needs onnxruntime-gpu)
      int cudaDevice = 0;
   };

   OnnxModel(const std::string &path, std::vector<TensorSpec> inputs, std::vector<TensorSpec> outputs);
   OnnxModel(const std::string &path, std::vector<TensorSpec> inputs, std::vector<TensorSpec> outputs,
             const Options &options);
   ~OnnxModel();
   OnnxModel(const OnnxModel &) = delete;
   OnnxModel &operator=(const OnnxModel &) = delete;

   /// Runs on `rows` rows. inputs[i] points at rows * Inputs()[i].features floats, in the order of
   /// Inputs(); outputs[j] at rows * Outputs()[j].features floats owned by the caller.
   void Run(std::size_t rows, const float *const *inputs, float *const *outputs) const;

   /// The session of this file and signature shared by every caller of the process (cached by
   /// path, device, file size and modification time): K oversampling passes or several graphs
   /// on one bundle load each network once.
   static std::shared_ptr<const OnnxModel> Shared(const std::string &path, const std::vector<TensorSpec> &inputs,
                                                  const std::vector<TensorSpec> &outputs, const Options &options);

   /// Calls and time of this model's Run (all threads together).
   OnnxRuntimeUsage Usage() const;
   static constexpr std::size_t kMaxTensors = 4;

   const std::string &Path() const;
   const std::vector<TensorSpec> &Inputs() const;
   const std::vector<TensorSpec> &Outputs() const;

private:
   struct Impl;
   std::unique_ptr<Impl> fImpl;
};

/// Chooses the ONNX Runtime shared library to dlopen (e.g. the one inside the `onnxruntime`
/// wheel: onnxruntime/capi/libonnxruntime.so.1.x.y). Without it, the search is:
/// $FLASHSIM_ONNXRUNTIME_LIBRARY, the wheel found when this library was built, then
/// libonnxruntime.so.1 on the loader's path. Must be called before the first model is loaded.
void SetOnnxRuntimeLibrary(const std::string &path);

/// The ONNX Runtime library in use, loading it if needed; throws with every place it tried.
std::string OnnxRuntimeLibrary();

/// Calls and time of Run over every model of the process since the last reset (benchmarks).
OnnxRuntimeUsage TotalOnnxRuntimeUsage();
void ResetOnnxRuntimeUsage();

} // namespace flashsim

#endif
