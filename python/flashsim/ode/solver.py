"""The driver: fixed steps or Dormand-Prince step-size control, as cpp/src/OdeSolver.cxx."""

from dataclasses import dataclass
from typing import Any

from flashsim.ode.steps import dormand_prince_step, euler_step, midpoint_step, rk4_step

__all__ = ["MAX_STEPS", "METHODS", "OdeResult", "integrate"]

MAX_STEPS = 100_000  # fixed steps per object at most: beyond it a run would not end (checked by rdf/)
METHODS = ("euler", "midpoint", "rk4", "dopri5")
_FIXED_STEPS = {"euler": euler_step, "midpoint": midpoint_step, "rk4": rk4_step}


@dataclass
class OdeResult:
    """x at t1 ([n_objects, n_features]) and what it cost."""

    x: Any
    nfe: int
    accepted_steps: int
    rejected_steps: int = 0


def _rms(a):
    return float(((a * a).sum() / a.numel() if hasattr(a, "numel") else (a * a).mean()) ** 0.5)


def _abs_max(a, b):
    if hasattr(a, "numel"):  # torch, imported by the caller
        return a.abs().maximum(b.abs())
    import numpy as np

    return np.maximum(np.abs(a), np.abs(b))


def _initial_step(v, t0, x, k1, rtol, atol):
    """Hairer, Norsett & Wanner II.4; one extra evaluation."""
    scale = atol + rtol * abs(x)
    d0 = _rms(x / scale)
    d1 = _rms(k1 / scale)
    h0 = 1e-6 if (d0 < 1e-5 or d1 < 1e-5) else 0.01 * d0 / d1
    k2 = v(t0 + h0, x + h0 * k1)
    d2 = _rms((k2 - k1) / scale) / h0
    dmax = max(d1, d2)
    h1 = max(1e-6, h0 * 1e-3) if dmax <= 1e-15 else (0.01 / dmax) ** (1.0 / 5.0)
    return min(100.0 * h0, h1)


def _dormand_prince(v, x, t0, t1, rtol, atol, max_steps):
    k1 = v(t0, x)
    nfe = 1
    h = _initial_step(v, t0, x, k1, rtol, atol)
    nfe += 1
    t, accepted, rejected, last_rejected = t0, 0, 0, False
    while t < t1:
        if accepted + rejected >= max_steps:
            raise RuntimeError(
                f"dopri5 needed more than {max_steps} steps (rtol={rtol}, atol={atol}); "
                "loosen the tolerances or raise max_steps"
            )
        last = t + h >= t1
        if last:
            h = t1 - t
        x_next, error, k7, n = dormand_prince_step(v, t, h, x, k1)
        nfe += n
        err = _rms(error / (atol + rtol * _abs_max(x, x_next)))
        if err <= 1.0:
            x, k1 = x_next, k7
            t = t1 if last else t + h
            accepted += 1
            factor = 10.0 if err == 0.0 else min(10.0, max(0.2, 0.9 * err**-0.2))
            if last_rejected:
                factor = min(1.0, factor)
            h *= factor
            last_rejected = False
        else:
            rejected += 1
            h *= max(0.2, 0.9 * err**-0.2)
            last_rejected = True
    return OdeResult(x, nfe, accepted, rejected)


def integrate(
    field, x, t0=0.0, t1=1.0, *, method="midpoint", steps=20, rtol=1e-5, atol=1e-5, max_steps=100000
):
    """Integrate dx/dt = field(t, x) from t0 to t1.

    Args:
        field: callable (t: float, x: [n, d]) -> dx/dt [n, d]; evaluated on the whole batch.
        x: [n, d] NumPy array or torch tensor at t0 (not modified).
        method: "euler", "midpoint", "rk4" (fixed ``steps``) or "dopri5" (``rtol``, ``atol``).
    Returns:
        OdeResult with x at t1 and the number of field evaluations (nfe).

    >>> import numpy as np
    >>> integrate(lambda t, x: -x, np.ones((1, 1)), method="rk4", steps=10).x.round(6)
    array([[0.367879]])
    """
    if method not in METHODS:
        raise ValueError(f"unknown ODE method {method!r}, expected one of {', '.join(METHODS)}")
    if not t1 > t0:
        raise ValueError(f"ODE interval must have t1 > t0, got t0={t0} t1={t1}")
    if method == "dopri5":
        if not (rtol > 0 and atol > 0):
            raise ValueError(f"dopri5 needs rtol > 0 and atol > 0, got rtol={rtol} atol={atol}")
        return _dormand_prince(field, x, float(t0), float(t1), rtol, atol, max_steps)
    if steps < 1:
        raise ValueError(f"ODE steps must be >= 1 for {method}, got {steps}")
    step = _FIXED_STEPS[method]
    h = (t1 - t0) / steps
    nfe = 0
    for i in range(steps):
        x, n = step(field, t0 + i * h, h, x)
        nfe += n
    return OdeResult(x, nfe, steps)
