#ifndef FLASHSIM_INTERNAL_ONNXRUNTIMELOADER_HXX
#define FLASHSIM_INTERNAL_ONNXRUNTIMELOADER_HXX

#include <string>

struct OrtApi;

namespace flashsim {
namespace Internal {

/// dlopens ONNX Runtime once per process and returns its C API (the version of our headers).
/// The wheel's library versions its symbols (VERS_1.32.0), so it cannot be linked at build time
/// against other headers; the C API is backward compatible, so older headers drive it fine.
const OrtApi &OnnxRuntimeApi();

} // namespace Internal
} // namespace flashsim

#endif
