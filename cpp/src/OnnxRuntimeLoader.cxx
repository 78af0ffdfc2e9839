#include "flashsim/Internal/OnnxRuntimeLoader.hxx"

#include "flashsim/Errors.hxx"
#include "flashsim/OnnxModel.hxx"

#include <onnxruntime_c_api.h>

#include <dlfcn.h>

#include <cstdlib>
#include <mutex>
#include <stdexcept>
#include <vector>

#ifndef FLASHSIM_DEFAULT_ORT_LIBRARY
#define FLASHSIM_DEFAULT_ORT_LIBRARY ""
#endif

namespace flashsim {

namespace {
std::mutex gLoaderMutex;
std::string gRequestedPath;
std::string gLoadedPath;
const OrtApi *gApi = nullptr;

const OrtApi &LoadLocked()
{
   if (gApi)
      return *gApi;
   // A library the user names is the only candidate: falling back to another would hide the mistake.
   std::vector<std::string> candidates;
   const char *env = std::getenv("FLASHSIM_ONNXRUNTIME_LIBRARY");
   if (!gRequestedPath.empty()) {
      candidates.push_back(gRequestedPath);
   } else if (env && *env) {
      candidates.emplace_back(env);
   } else {
      if (const std::string built = FLASHSIM_DEFAULT_ORT_LIBRARY; !built.empty())
         candidates.push_back(built);
      candidates.emplace_back("libonnxruntime.so.1");
      candidates.emplace_back("libonnxruntime.so");
   }

   std::string tried;
   for (const auto &path : candidates) {
      void *handle = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
      if (!handle) {
         const char *why = dlerror();
         tried += "\n  " + path + ": " + (why ? why : "not loadable");
         continue;
      }
      using GetApiBase = const OrtApiBase *(*)();
      auto getApiBase = reinterpret_cast<GetApiBase>(dlsym(handle, "OrtGetApiBase"));
      if (!getApiBase) {
         tried += "\n  " + path + ": no symbol OrtGetApiBase (not an ONNX Runtime library)";
         continue;
      }
      const OrtApi *api = getApiBase()->GetApi(ORT_API_VERSION);
      if (!api) {
         tried += "\n  " + path + ": ONNX Runtime " + getApiBase()->GetVersionString() +
                  " is older than the C API version " + std::to_string(ORT_API_VERSION) + " this plugin needs";
         continue;
      }
      gApi = api;
      gLoadedPath = path;
      return *gApi; // the handle stays open for the life of the process
   }
   throw RuntimeLibraryError("flashsim: cannot load the ONNX Runtime library; tried:" + tried +
                             "\nInstall it (pip install onnxruntime) or give its path with "
                             "flashsim::SetOnnxRuntimeLibrary / $FLASHSIM_ONNXRUNTIME_LIBRARY");
}
} // namespace

void SetOnnxRuntimeLibrary(const std::string &path)
{
   std::lock_guard<std::mutex> lock(gLoaderMutex);
   if (gApi && path != gLoadedPath)
      throw RuntimeLibraryError("flashsim: ONNX Runtime is already loaded from '" + gLoadedPath +
                                "'; cannot switch to '" + path + "' in the same process");
   gRequestedPath = path;
}

std::string OnnxRuntimeLibrary()
{
   std::lock_guard<std::mutex> lock(gLoaderMutex);
   LoadLocked();
   return gLoadedPath;
}

namespace Internal {
const OrtApi &OnnxRuntimeApi()
{
   std::lock_guard<std::mutex> lock(gLoaderMutex);
   return LoadLocked();
}
} // namespace Internal

} // namespace flashsim
