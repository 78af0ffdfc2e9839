"""Declarative, invertible per-variable preprocessing, fitted on training data.

A transform is a list of steps in the training direction (physical -> network), written into
bundle.json exactly as the C++ reader (cpp/src/VariableTransform.cxx) applies them: forward for
conditioning variables, backwards for targets. This module is the Python twin: it fits the
parameters, adds the training-time noise (dequantisation, spikes), and inverts for validation.

>>> import numpy as np
>>> t = Transform([{"op": "log"}, {"op": "standardize"}]).fit(np.array([1.0, 10.0, 100.0]))
>>> np.allclose(t.inverse(t.forward(np.array([5.0]))), 5.0)
True
"""

from flashsim.transforms.chain import OPS, Transform

__all__ = ["OPS", "Transform"]
