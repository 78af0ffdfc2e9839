"""--device cuda on a machine whose ONNX Runtime has no CUDA execution provider: a typed
RuntimeLibraryError naming what to install, before any event loop, nothing written."""

import pytest

from flashsim import RuntimeLibraryError
from flashsim.bundle import default_bundle


def test_cuda_without_its_provider_is_a_runtime_library_error(ROOT, gen_file, tmp_path):
    import onnxruntime

    import flashsim.rdf

    if "CUDAExecutionProvider" in onnxruntime.get_available_providers():
        pytest.skip("this ONNX Runtime has the CUDA execution provider: the error path cannot be reached here")
    gen = gen_file("ttbar", 20, seed=3)
    with pytest.raises(RuntimeLibraryError, match="pip install onnxruntime-gpu.*FLASHSIM_ONNXRUNTIME_LIBRARY"):
        flashsim.rdf.simulate(ROOT.RDataFrame("Events", str(gen)), default_bundle(), seed=1, device="cuda")
    out = tmp_path / "nano.root"
    with pytest.raises(RuntimeLibraryError, match="CUDA execution provider"):
        flashsim.rdf.simulate_file(gen, out, seed=1, device="cuda", progress=False)
    assert not out.exists() and not list(tmp_path.iterdir())
