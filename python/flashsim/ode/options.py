"""The ODE settings' checks, once for Python; cpp/src/OdeSolver.cxx (``OdeOptions::Validate``,
``ParseOdeMethod``) makes the same checks with the same messages for C++ (tests/ode hold them
together). Used by ``integrate``, ``flashsim.rdf.simulate(ode=...)`` and ``flashsim simulate``."""

from flashsim.errors import InputError

__all__ = ["MAX_STEPS", "METHODS", "check_ode_options"]

MAX_STEPS = 100_000  # fixed steps per object at most (and dopri5's step limit): beyond it a run would not end
# distilled: a bundle's few-step student networks (velocity_field.distilled), Euler at the steps each was
# distilled for (flashsim.models.distillation); flashsim.ode.integrate takes it as Euler at ``steps``
METHODS = ("euler", "midpoint", "rk4", "dopri5", "distilled")
OPTION_KEYS = ("method", "steps", "rtol", "atol")


def check_ode_options(ode: dict) -> dict:
    """``ode`` (keys among method, steps, rtol, atol; method default midpoint) checked: returns it.

    Raises:
        InputError: an unknown key or method, fixed steps that are not an integer in [1, MAX_STEPS],
            dopri5 tolerances that are not > 0.
    """
    unknown = set(ode) - set(OPTION_KEYS)
    if unknown:
        raise InputError(f"unknown ODE option(s) {sorted(unknown)}; expected {', '.join(OPTION_KEYS)}")
    method = ode.get("method", "midpoint")
    if method not in METHODS:
        raise InputError(f"unknown ODE method '{method}', expected one of {', '.join(METHODS)}")
    if method == "dopri5":
        rtol, atol = ode.get("rtol", 1e-5), ode.get("atol", 1e-5)
        if not (_number(rtol) and _number(atol) and rtol > 0 and atol > 0):
            raise InputError(f"dopri5 needs rtol > 0 and atol > 0, got rtol={rtol:g} atol={atol:g}"
                             if _number(rtol) and _number(atol) else
                             f"dopri5 needs rtol > 0 and atol > 0, got rtol={rtol!r} atol={atol!r}")
    elif "steps" in ode:
        steps = ode["steps"]
        if isinstance(steps, bool) or not isinstance(steps, int) or not 1 <= steps <= MAX_STEPS:
            raise InputError(f"ODE steps must be an integer in [1, {MAX_STEPS}] for {method}, got {steps}")
    return ode


def _number(value) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)
