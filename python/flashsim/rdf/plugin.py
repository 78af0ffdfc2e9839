"""Finds the compiled plugin and loads it into ROOT, once per process (thread-safe)."""

import importlib.util
import os
import threading
import warnings
from dataclasses import dataclass
from pathlib import Path

from flashsim.errors import FlashSimError

__all__ = ["PluginPaths", "load", "onnxruntime_library", "plugin_paths"]

_lock = threading.Lock()
_loaded = False


@dataclass(frozen=True)
class PluginPaths:
    library: Path  # libflashsim.so
    include: Path  # folder holding flashsim/*.hxx


def plugin_paths() -> PluginPaths:
    """Where ``pip install`` put the library and headers (inside the flashsim package)."""
    package = Path(__file__).resolve().parent.parent
    paths = PluginPaths(package / "lib" / "libflashsim.so", package / "include")
    if not paths.library.is_file() or not (paths.include / "flashsim").is_dir():
        raise FlashSimError(
            f"the compiled FlashSim plugin is not installed next to {package} "
            f"(expected {paths.library} and {paths.include}/flashsim/); "
            "install the package with `pip install .` (or `make setup`), not from the source tree"
        )
    return paths


def onnxruntime_library() -> Path | None:
    """The ONNX Runtime shared library of the `onnxruntime` wheel, found without importing it."""
    override = os.environ.get("FLASHSIM_ONNXRUNTIME_LIBRARY")
    if override:
        return Path(override)
    spec = importlib.util.find_spec("onnxruntime")
    if spec is None or not spec.submodule_search_locations:
        return None
    capi = Path(spec.submodule_search_locations[0]) / "capi"
    candidates = sorted(capi.glob("libonnxruntime.so.1*"))
    return candidates[-1] if candidates else None


def load(paths: PluginPaths | None = None):
    """Loads libflashsim and declares its RDataFrame header to cling; returns ``ROOT``.

    Idempotent and thread-safe: the first caller does the work, the others wait for it.
    ``paths``: another copy of the library and headers (a Dask worker's shipped copy,
    flashsim.rdf.distributed); default the installed ones. The first load in a process wins:
    two copies of the library in one process would each keep their own ONNX Runtime state.
    """
    global _loaded
    with warnings.catch_warnings():
        # the PyPI wheel announces its alpha stage on every import; that one message only
        warnings.filterwarnings("ignore", r"\s*This distribution of ROOT is in alpha stage", UserWarning)
        import ROOT

    with _lock:
        if _loaded:
            return ROOT
        paths = paths or plugin_paths()
        if ROOT.gSystem.Load(str(paths.library)) < 0:
            raise FlashSimError(f"ROOT could not load the FlashSim plugin {paths.library}")
        ROOT.gInterpreter.AddIncludePath(str(paths.include))
        if not ROOT.gInterpreter.Declare('#include "flashsim/rdf/Simulate.hxx"'):
            raise FlashSimError(
                f"cling could not compile {paths.include}/flashsim/rdf/Simulate.hxx "
                "(see the messages above)"
            )
        runtime = onnxruntime_library()
        if runtime is not None:
            ROOT.flashsim.SetOnnxRuntimeLibrary(str(runtime))
        _loaded = True
    return ROOT
