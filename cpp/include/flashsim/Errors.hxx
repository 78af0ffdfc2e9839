#ifndef FLASHSIM_ERRORS_HXX
#define FLASHSIM_ERRORS_HXX

// Typed errors, raised before the event loop. Python maps them to flashsim.InputError,
// flashsim.BundleError, flashsim.ModelError and flashsim.RuntimeLibraryError.

#include <stdexcept>
#include <string>

namespace flashsim {

/// A column, type or option of the user's input that is missing or wrong.
struct InputError : std::invalid_argument {
   explicit InputError(const std::string &what) : std::invalid_argument(what) {}
};

/// A bundle manifest that is missing, malformed or inconsistent.
struct BundleError : std::invalid_argument {
   explicit BundleError(const std::string &what) : std::invalid_argument(what) {}
};

/// An ONNX model file that is missing, corrupt or has the wrong inputs/outputs.
struct ModelError : std::invalid_argument {
   explicit ModelError(const std::string &what) : std::invalid_argument(what) {}
};

/// The ONNX Runtime shared library cannot be found or loaded.
struct RuntimeLibraryError : std::runtime_error {
   explicit RuntimeLibraryError(const std::string &what) : std::runtime_error(what) {}
};

} // namespace flashsim

#endif
