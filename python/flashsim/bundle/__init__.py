"""The model bundle: a directory with bundle.json and one ONNX file per network.

The C++ reader (cpp/src/Bundle.cxx) is the reference for what a manifest may contain; this
module writes and reads the same format from Python.
"""

from flashsim.bundle.manifest import FORMAT_VERSION, read_manifest, write_manifest
from flashsim.bundle.toy import write_toy_bundle

__all__ = ["FORMAT_VERSION", "read_manifest", "write_manifest", "write_toy_bundle"]
