"""Typed errors. Each message names the file, column or variable and what was expected."""

__all__ = ["BundleError", "FlashSimError", "InputError", "ModelError", "RuntimeLibraryError", "TrainingError"]


class FlashSimError(Exception):
    """Base of every error FlashSim raises on purpose; the CLI prints its message and exits 2."""


class InputError(FlashSimError, ValueError):
    """Bad user input: a file, tree, column, type or option that is missing or wrong."""


class BundleError(FlashSimError, ValueError):
    """A model bundle (bundle.json + ONNX files) that is missing, malformed or inconsistent."""


class ModelError(BundleError):
    """An ONNX network that is missing, corrupt, or has other inputs/outputs than the manifest says."""


class RuntimeLibraryError(FlashSimError, RuntimeError):
    """The ONNX Runtime shared library cannot be found or loaded."""


class TrainingError(FlashSimError, RuntimeError):
    """A training that cannot go on (e.g. a NaN loss): stopped instead of exporting garbage."""
