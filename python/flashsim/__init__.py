"""FlashSim-RDF: machine-learned fast simulation from generator level to NanoAOD.

The data flow, one subpackage per step::

    generate/  Pythia8 + FastJet -> gen-level tree in NanoAOD naming
    refsim/    reference (parametric) detector -> NanoAOD reco collections, the training truth
    transforms/ invertible per-variable preprocessing (fitted; applied in C++ too)
    models/    efficiency and flow-matching networks, the training loop
    export/    PyTorch -> lean ONNX graphs
    ode/       ODE solvers for flow-matching velocity fields (same as the C++ ones)
    bundle/    the model bundle: bundle.json + ONNX networks
    rdf/       the C++ plugin loaded into ROOT; adds simulated collections to an RDataFrame

``import flashsim`` is cheap: ROOT, torch, Pythia and ONNX Runtime are imported only by the
functions that need them.
"""

from flashsim._version import __version__
from flashsim.errors import (
    BundleError,
    FlashSimError,
    InputError,
    ModelError,
    RuntimeLibraryError,
    TrainingError,
)

__all__ = [
    "BundleError",
    "FlashSimError",
    "InputError",
    "ModelError",
    "RuntimeLibraryError",
    "TrainingError",
    "__version__",
]
