"""The model bundle: a directory with bundle.json and one ONNX file per network.

The C++ reader (cpp/src/Bundle.cxx) is the reference for what a manifest may contain; this
module writes and reads the same format from Python. The default bundle, trained by
``flashsim train`` on the reference detector, ships inside the package (``default/``):
:func:`default_bundle` gives its path.
"""

from pathlib import Path

from flashsim.bundle.manifest import FORMAT_VERSION, read_manifest, write_manifest
from flashsim.bundle.toy import write_toy_bundle
from flashsim.errors import BundleError

__all__ = ["DEFAULT_BUNDLE_DIR", "FORMAT_VERSION", "default_bundle", "read_manifest", "write_manifest",
           "write_toy_bundle"]

# Installed with the package: scikit-build-core's wheel.packages copies every file of
# python/flashsim (json and onnx included), so a bundle trained into this folder ships as is.
DEFAULT_BUNDLE_DIR = Path(__file__).resolve().parent / "default"


def default_bundle() -> Path:
    """The directory of the default bundle shipped with the package.

    Raises:
        BundleError: when no default bundle is installed (before the first training).
    """
    if not (DEFAULT_BUNDLE_DIR / "bundle.json").is_file():
        raise BundleError(
            f"no default bundle installed (expected {DEFAULT_BUNDLE_DIR}/bundle.json); "
            "train one with flashsim train or pass --bundle"
        )
    return DEFAULT_BUNDLE_DIR
