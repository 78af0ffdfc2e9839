"""ODE solvers for flow-matching velocity fields, twins of the C++ ones (cpp/.../OdeSolver.hxx).

Used at training time (validation samples from the PyTorch model) and held against the C++
solvers by tests/ode. Arrays may be NumPy or PyTorch: only arithmetic is used.
"""

from flashsim.ode.options import MAX_STEPS, METHODS, check_ode_options
from flashsim.ode.solver import OdeResult, OdeStepLimitError, integrate

__all__ = ["MAX_STEPS", "METHODS", "OdeResult", "OdeStepLimitError", "check_ode_options", "integrate"]
