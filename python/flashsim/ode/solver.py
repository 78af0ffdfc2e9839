"""The driver: fixed steps or per-row Dormand-Prince step-size control, as cpp/src/OdeSolver.cxx.

The field is called as ``field(t, x, rows)``: ``t`` the time of each row ([n], same array type
and dtype as x), ``x`` [n, d], ``rows`` None (all rows, in order) or the indices of the rows of
this call among those given to :func:`integrate` (dopri5 drops the rows that have finished).
"""

from dataclasses import dataclass
from typing import Any

from flashsim.ode.options import MAX_STEPS, METHODS, check_ode_options
from flashsim.ode.steps import dormand_prince_step, euler_step, midpoint_step, rk4_step

__all__ = ["MAX_STEPS", "METHODS", "OdeResult", "OdeStepLimitError", "integrate"]
_FIXED_STEPS = {"euler": euler_step, "midpoint": midpoint_step, "rk4": rk4_step, "distilled": euler_step}


class OdeStepLimitError(RuntimeError):
    """A row of dopri5 needed more than ``max_steps`` steps; ``row`` is its index."""

    def __init__(self, message: str, row: int):
        super().__init__(message)
        self.row = row


@dataclass
class OdeResult:
    """x at t1 ([n_objects, n_features]) and what it cost: ``nfe`` field calls (network calls),
    ``row_evaluations`` evaluations summed over the rows, ``max_row_evaluations`` the most of one row;
    for dopri5 ``accepted_steps``/``rejected_steps`` are the most of one row."""

    x: Any
    nfe: int
    accepted_steps: int
    rejected_steps: int = 0
    row_evaluations: int = 0
    max_row_evaluations: int = 0


def _backend(x):
    if hasattr(x, "numel"):  # torch, imported by the caller
        import torch

        return torch, (lambda n, v: torch.full((n,), v, dtype=x.dtype, device=x.device)), \
            (lambda idx: torch.as_tensor(idx, dtype=torch.long, device=x.device))
    import numpy as np

    return np, (lambda n, v: np.full(n, v, dtype=x.dtype)), (lambda idx: np.asarray(idx, dtype=np.int64))


def _numpy(a):
    """A NumPy float64 copy of a NumPy array or torch tensor (the step control runs in NumPy)."""
    import numpy as np

    return np.asarray(a.cpu() if hasattr(a, "cpu") else a, dtype=np.float64)


def _row_rms(lib, a):
    """RMS over the features of each row: [n, d] -> [n]. Summed feature by feature, in order, as the
    C++ does: the sum of a row never depends on the other rows (nor on a library's reduction order)."""
    total = a[:, 0] * a[:, 0]
    for j in range(1, a.shape[1]):
        total = total + a[:, j] * a[:, j]
    return lib.sqrt(total / a.shape[1])


def _dormand_prince(v, x, t0, t1, rtol, atol, max_steps):
    import numpy as np

    lib, full, index = _backend(x)
    n = x.shape[0]
    x = x.clone() if hasattr(x, "clone") else x.copy()
    k1 = v(full(n, t0), x, None)
    # initial step per row (Hairer, Norsett & Wanner II.4)
    scale = atol + rtol * abs(x)
    d0, d1 = _row_rms(lib, x / scale), _row_rms(lib, k1 / scale)
    small = (d0 < 1e-5) | (d1 < 1e-5)
    h0 = lib.where(small, full(n, 1e-6), 0.01 * d0 / lib.where(small, full(n, 1.0), d1))
    k2 = v(t0 + h0, x + h0[:, None] * k1, None)
    d2 = _row_rms(lib, (k2 - k1) / scale) / h0
    dmax = lib.maximum(d1, d2)
    tiny = dmax <= 1e-15
    h1 = lib.where(tiny, lib.maximum(full(n, 1e-6), h0 * 1e-3), (0.01 / lib.where(tiny, full(n, 1.0), dmax)) ** 0.2)
    h = lib.minimum(100.0 * h0, h1)
    t = full(n, t0)
    accepted = np.zeros(n, dtype=np.int64)
    rejected = np.zeros(n, dtype=np.int64)
    last_rejected = np.zeros(n, dtype=bool)
    evaluations = np.full(n, 2, dtype=np.int64)
    nfe = 2
    active = np.arange(n)
    while len(active):
        over = active[accepted[active] + rejected[active] >= max_steps]
        if len(over):
            row = int(over[0])
            raise OdeStepLimitError(f"dopri5 needed more than {max_steps} steps for row {row} (rtol={rtol}, "
                                    f"atol={atol}); loosen the tolerances or raise max_steps", row)
        a = index(active)
        ta, ha = t[a], h[a]
        last = ta + ha >= t1
        ha = lib.where(last, t1 - ta, ha)
        h[a] = ha
        rows = None if len(active) == n else a
        x_next, error, k7, calls = dormand_prince_step(lambda tt, xx, rows=rows: v(tt, xx, rows), ta, ha, x[a], k1[a])
        nfe += calls
        evaluations[active] += calls
        err = _row_rms(lib, error / (atol + rtol * lib.maximum(abs(x[a]), abs(x_next))))
        ok = err <= 1.0  # as x: indexes x, k1, t
        err_np = _numpy(err)
        ok_np = err_np <= 1.0
        # accepted rows: new x, FSAL, t; step factor (capped at 1 after a rejection)
        with np.errstate(divide="ignore"):
            grow = np.where(err_np == 0.0, 10.0, np.clip(0.9 * err_np ** -0.2, 0.2, 10.0))
            shrink = np.maximum(0.2, 0.9 * err_np ** -0.2)
        grow = np.where(last_rejected[active], np.minimum(1.0, grow), grow)
        factor = np.where(ok_np, grow, shrink)
        x[a[ok]] = x_next[ok]
        k1[a[ok]] = k7[ok]
        t_new = lib.where(last, full(len(active), t1), ta + ha)
        t[a] = lib.where(ok, t_new, ta)
        h[a] = ha * (lib.as_tensor(factor, dtype=x.dtype, device=x.device) if hasattr(x, "numel") else factor)
        accepted[active] += ok_np
        rejected[active] += ~ok_np
        last_rejected[active] = ~ok_np
        active = active[~(ok_np & ~(_numpy(t[a]) < t1))]
    return OdeResult(x, nfe, int(accepted.max(initial=0)), int(rejected.max(initial=0)), int(evaluations.sum()),
                     int(evaluations.max(initial=0)))


def integrate(
    field, x, t0=0.0, t1=1.0, *, method="midpoint", steps=20, rtol=1e-5, atol=1e-5, max_steps=100000
):
    """Integrate dx/dt = field(t, x, rows) from t0 to t1, every row on its own.

    Args:
        field: callable (t: [n] per-row times, x: [n, d], rows: None or [n] indices) -> dx/dt [n, d].
        x: [n, d] NumPy array or torch tensor at t0 (not modified).
        method: "euler", "midpoint", "rk4" (fixed ``steps``) or "dopri5" (``rtol``, ``atol``; the
            error of each row controls that row's step); "distilled" is Euler (``field`` a few-step
            student, ``steps`` those it was distilled for).
    Returns:
        OdeResult with x at t1 and the number of field calls (nfe) and row evaluations.

    >>> import numpy as np
    >>> integrate(lambda t, x, rows: -x, np.ones((1, 1)), method="rk4", steps=10).x.round(6)
    array([[0.367879]])
    """
    check_ode_options({"method": method, "steps": steps, "rtol": rtol, "atol": atol})
    if not t1 > t0:
        raise ValueError(f"ODE interval must have t1 > t0, got t0={t0} t1={t1}")
    if x.shape[0] == 0 or x.shape[1] == 0:  # nothing to integrate: no field call (as the C++)
        return OdeResult(x, 0, 0, 0)
    if method == "dopri5":
        return _dormand_prince(field, x, float(t0), float(t1), rtol, atol, max_steps)
    _, full, _ = _backend(x)
    step = _FIXED_STEPS[method]
    h = (t1 - t0) / steps
    n = x.shape[0]
    nfe = 0
    for i in range(steps):
        x, calls = step(lambda t, xx: field(full(n, t), xx, None), t0 + i * h, h, x)
        nfe += calls
    return OdeResult(x, nfe, steps, 0, n * nfe, nfe)
