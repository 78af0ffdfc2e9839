#include "flashsim/OnnxModel.hxx"

#include "flashsim/Errors.hxx"
#include "flashsim/Internal/OnnxRuntimeLoader.hxx"

#include <onnxruntime_cxx_api.h>

#include <array>
#include <atomic>
#include <chrono>
#include <fstream>
#include <map>
#include <mutex>

#include <sys/stat.h>
#include <functional>
#include <mutex>
#include <sstream>
#include <stdexcept>

namespace flashsim {

namespace {

// Time spent in Run, over every model of the process (for the benchmark's ONNX Runtime share).
std::atomic<std::uint64_t> gTotalCalls{0};
std::atomic<std::uint64_t> gTotalNanoseconds{0};

// The process-wide environment. Deliberately never destroyed: ONNX Runtime's own static
// objects may be gone at exit, and destroying an Env after them crashes.
Ort::Env &Environment()
{
   static std::once_flag once;
   static Ort::Env *env = nullptr;
   std::call_once(once, [] {
      Ort::InitApi(&Internal::OnnxRuntimeApi());
      env = new Ort::Env(ORT_LOGGING_LEVEL_WARNING, "flashsim");
   });
   return *env;
}

std::string ShapeString(const std::vector<int64_t> &shape)
{
   std::ostringstream out;
   out << '[';
   for (std::size_t i = 0; i < shape.size(); ++i)
      out << (i ? ", " : "") << (shape[i] < 0 ? std::string("?") : std::to_string(shape[i]));
   out << ']';
   return out.str();
}

std::string NameList(const std::vector<TensorSpec> &specs)
{
   std::string names;
   for (const auto &spec : specs)
      names += (names.empty() ? "" : ", ") + spec.name;
   return names;
}

std::string ElementTypeName(ONNXTensorElementDataType type)
{
   switch (type) {
   case ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT:
      return "float32";
   case ONNX_TENSOR_ELEMENT_DATA_TYPE_DOUBLE:
      return "float64";
   case ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT16:
      return "float16";
   case ONNX_TENSOR_ELEMENT_DATA_TYPE_INT64:
      return "int64";
   case ONNX_TENSOR_ELEMENT_DATA_TYPE_INT32:
      return "int32";
   default:
      return "type code " + std::to_string(static_cast<int>(type));
   }
}

} // namespace

struct OnnxModel::Impl {
   std::string path;
   std::vector<TensorSpec> inputs;
   std::vector<TensorSpec> outputs;
   std::vector<const char *> inputNames;
   std::vector<const char *> outputNames;
   Ort::MemoryInfo memory{nullptr};
   Ort::Session session{nullptr};
   mutable std::atomic<std::uint64_t> calls{0};
   mutable std::atomic<std::uint64_t> nanoseconds{0};

   // Compares the session's declared inputs or outputs with what the caller expects.
   void Check(const std::string &what, std::size_t count, const std::vector<TensorSpec> &expected,
              const std::function<std::string(std::size_t)> &nameAt,
              const std::function<Ort::TypeInfo(std::size_t)> &typeAt) const
   {
      const std::string where = "flashsim: ONNX model '" + path + "': ";
      if (count != expected.size())
         throw ModelError(where + "has " + std::to_string(count) + " " + what + "s, expected " +
                          std::to_string(expected.size()) + " (" + NameList(expected) + ")");
      for (std::size_t i = 0; i < count; ++i) {
         const std::string name = nameAt(i);
         const TensorSpec *spec = nullptr;
         for (const auto &candidate : expected)
            if (candidate.name == name)
               spec = &candidate;
         if (!spec)
            throw ModelError(where + what + " '" + name + "' is not one of the expected " + what + "s (" +
                             NameList(expected) + ")");
         const auto info = typeAt(i);
         if (info.GetONNXType() != ONNX_TYPE_TENSOR)
            throw ModelError(where + what + " '" + name + "' is not a tensor");
         const auto tensor = info.GetTensorTypeAndShapeInfo();
         const auto shape = tensor.GetShape();
         if (tensor.GetElementType() != ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT)
            throw ModelError(where + what + " '" + name + "' has element type " +
                             ElementTypeName(tensor.GetElementType()) + ", expected float32");
         if (shape.size() != 2)
            throw ModelError(where + what + " '" + name + "' has rank " + std::to_string(shape.size()) + " (shape " +
                             ShapeString(shape) + "), expected rank 2 [batch, " + std::to_string(spec->features) + "]");
         if (shape[0] >= 0)
            throw ModelError(where + what + " '" + name + "' has a fixed batch size " + std::to_string(shape[0]) +
                             ", expected a dynamic first dimension (export with a dynamic batch axis)");
         if (shape[1] != spec->features)
            throw ModelError(where + what + " '" + name + "' has " +
                             (shape[1] < 0 ? std::string("a dynamic number of") : std::to_string(shape[1])) +
                             " features, expected " + std::to_string(spec->features));
      }
   }
};

OnnxModel::OnnxModel(const std::string &path, std::vector<TensorSpec> inputs, std::vector<TensorSpec> outputs)
   : OnnxModel(path, std::move(inputs), std::move(outputs), Options{})
{
}

OnnxModel::OnnxModel(const std::string &path, std::vector<TensorSpec> inputs, std::vector<TensorSpec> outputs,
                     const Options &options)
   // ONNX Runtime is loaded before Impl exists: Impl's Ort members call the API when destroyed.
   : fImpl((Environment(), std::make_unique<Impl>()))
{
   auto &impl = *fImpl;
   impl.path = path;
   impl.inputs = std::move(inputs);
   impl.outputs = std::move(outputs);
   if (!std::ifstream(path).good())
      throw ModelError("flashsim: ONNX model file '" + path + "' does not exist or cannot be read");

   Ort::Env &env = Environment();
   Ort::SessionOptions sessionOptions;
   sessionOptions.SetIntraOpNumThreads(1);
   sessionOptions.SetInterOpNumThreads(1);
   sessionOptions.SetExecutionMode(ORT_SEQUENTIAL);
   sessionOptions.SetGraphOptimizationLevel(GraphOptimizationLevel::ORT_ENABLE_ALL);
   if (options.device == "cuda") {
      OrtCUDAProviderOptions cuda{};
      cuda.device_id = options.cudaDevice;
      try {
         sessionOptions.AppendExecutionProvider_CUDA(cuda);
      } catch (const Ort::Exception &err) {
         throw RuntimeLibraryError(
            "flashsim: ONNX model '" + path + "': --device cuda needs ONNX Runtime's CUDA execution provider, which " +
            OnnxRuntimeLibrary() +
            " does not have: pip install onnxruntime-gpu (it replaces onnxruntime, same module) "
            "on a machine with an NVIDIA GPU, CUDA and cuDNN, or point $FLASHSIM_ONNXRUNTIME_LIBRARY at a "
            "libonnxruntime.so built with CUDA (" +
            err.what() + ")");
      }
   } else if (options.device != "cpu") {
      throw InputError("flashsim: unknown device '" + options.device + "', expected cpu or cuda");
   }
   try {
      impl.session = Ort::Session(env, path.c_str(), sessionOptions);
   } catch (const Ort::Exception &err) {
      throw ModelError("flashsim: cannot load ONNX model '" + path + "': " + err.what());
   }

   Ort::AllocatorWithDefaultOptions allocator;
   impl.Check(
      "input", impl.session.GetInputCount(), impl.inputs,
      [&](std::size_t i) { return std::string(impl.session.GetInputNameAllocated(i, allocator).get()); },
      [&](std::size_t i) { return impl.session.GetInputTypeInfo(i); });
   impl.Check(
      "output", impl.session.GetOutputCount(), impl.outputs,
      [&](std::size_t i) { return std::string(impl.session.GetOutputNameAllocated(i, allocator).get()); },
      [&](std::size_t i) { return impl.session.GetOutputTypeInfo(i); });

   if (impl.inputs.size() > kMaxTensors || impl.outputs.size() > kMaxTensors)
      throw ModelError("flashsim: ONNX model '" + path + "': at most " + std::to_string(kMaxTensors) +
                       " inputs and outputs are supported");
   for (const auto &spec : impl.inputs)
      impl.inputNames.push_back(spec.name.c_str());
   for (const auto &spec : impl.outputs)
      impl.outputNames.push_back(spec.name.c_str());
   impl.memory = Ort::MemoryInfo::CreateCpu(OrtArenaAllocator, OrtMemTypeDefault);
}

OnnxModel::~OnnxModel() = default;

void OnnxModel::Run(std::size_t rows, const float *const *inputs, float *const *outputs) const
{
   if (rows == 0)
      return;
   const auto start = std::chrono::steady_clock::now();
   const auto &impl = *fImpl;
   // at most kMaxTensors inputs/outputs (checked at load): no allocation per call
   std::array<Ort::Value, kMaxTensors> in{Ort::Value{nullptr}, Ort::Value{nullptr}, Ort::Value{nullptr},
                                          Ort::Value{nullptr}};
   std::array<Ort::Value, kMaxTensors> out{Ort::Value{nullptr}, Ort::Value{nullptr}, Ort::Value{nullptr},
                                           Ort::Value{nullptr}};
   const auto batch = static_cast<int64_t>(rows);
   for (std::size_t i = 0; i < impl.inputs.size(); ++i) {
      const int64_t shape[2] = {batch, impl.inputs[i].features};
      // ONNX Runtime does not write its inputs; its API just lacks a const overload.
      in[i] = Ort::Value::CreateTensor<float>(impl.memory, const_cast<float *>(inputs[i]),
                                              rows * impl.inputs[i].features, shape, 2);
   }
   for (std::size_t j = 0; j < impl.outputs.size(); ++j) {
      const int64_t shape[2] = {batch, impl.outputs[j].features};
      out[j] = Ort::Value::CreateTensor<float>(impl.memory, outputs[j], rows * impl.outputs[j].features, shape, 2);
   }
   // Session::Run is const and thread-safe; the Ort C++ wrapper just does not mark it so.
   auto &session = const_cast<Ort::Session &>(impl.session);
   session.Run(Ort::RunOptions{nullptr}, impl.inputNames.data(), in.data(), impl.inputs.size(), impl.outputNames.data(),
               out.data(), impl.outputs.size());
   const auto elapsed = std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() - start);
   impl.calls.fetch_add(1, std::memory_order_relaxed);
   impl.nanoseconds.fetch_add(static_cast<std::uint64_t>(elapsed.count()), std::memory_order_relaxed);
   gTotalCalls.fetch_add(1, std::memory_order_relaxed);
   gTotalNanoseconds.fetch_add(static_cast<std::uint64_t>(elapsed.count()), std::memory_order_relaxed);
}

std::shared_ptr<const OnnxModel> OnnxModel::Shared(const std::string &path, const std::vector<TensorSpec> &inputs,
                                                   const std::vector<TensorSpec> &outputs, const Options &options)
{
   static std::mutex mutex;
   static std::map<std::string, std::weak_ptr<const OnnxModel>> cache;
   std::string key = path + "|" + options.device + "|" + std::to_string(options.cudaDevice);
   struct stat info {};
   if (::stat(path.c_str(), &info) == 0)
      key += "|" + std::to_string(info.st_size) + "|" + std::to_string(info.st_mtim.tv_sec) + "." +
             std::to_string(info.st_mtim.tv_nsec);
   for (const auto &spec : inputs)
      key += "|i:" + spec.name + ":" + std::to_string(spec.features);
   for (const auto &spec : outputs)
      key += "|o:" + spec.name + ":" + std::to_string(spec.features);
   std::lock_guard<std::mutex> lock(mutex);
   if (auto model = cache[key].lock())
      return model;
   auto model = std::make_shared<const OnnxModel>(path, inputs, outputs, options);
   cache[key] = model;
   return model;
}

OnnxRuntimeUsage OnnxModel::Usage() const
{
   return {fImpl->calls.load(), 1e-9 * static_cast<double>(fImpl->nanoseconds.load())};
}

OnnxRuntimeUsage TotalOnnxRuntimeUsage()
{
   return {gTotalCalls.load(), 1e-9 * static_cast<double>(gTotalNanoseconds.load())};
}

void ResetOnnxRuntimeUsage()
{
   gTotalCalls = 0;
   gTotalNanoseconds = 0;
}

const std::string &OnnxModel::Path() const
{
   return fImpl->path;
}
const std::vector<TensorSpec> &OnnxModel::Inputs() const
{
   return fImpl->inputs;
}
const std::vector<TensorSpec> &OnnxModel::Outputs() const
{
   return fImpl->outputs;
}

} // namespace flashsim
