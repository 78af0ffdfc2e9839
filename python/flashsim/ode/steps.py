"""One step of each method; the driver (step-size control) is in solver.py.

Each step takes a velocity field ``v(t, x) -> dx/dt`` on a batch ``x: [n_objects, n_features]``
and returns the new x with the number of field calls, exactly as the C++ steps
(cpp/src/RungeKuttaSteps.cxx, DormandPrinceStep.cxx) compute them. The fixed steps take one time
``t`` (a number: the driver hands the field a per-row array of it); :func:`dormand_prince_step`
takes the per-row ``t`` and ``h`` ([n] arrays) of per-row step-size control.
"""

__all__ = ["DORMAND_PRINCE", "dormand_prince_step", "euler_step", "midpoint_step", "rk4_step"]


def euler_step(v, t, h, x):
    return x + h * v(t, x), 1


def midpoint_step(v, t, h, x):
    k1 = v(t, x)
    k2 = v(t + 0.5 * h, x + 0.5 * h * k1)
    return x + h * k2, 2


def rk4_step(v, t, h, x):
    k1 = v(t, x)
    k2 = v(t + 0.5 * h, x + 0.5 * h * k1)
    k3 = v(t + 0.5 * h, x + 0.5 * h * k2)
    k4 = v(t + h, x + h * k3)
    return x + h / 6.0 * (k1 + 2.0 * k2 + 2.0 * k3 + k4), 4


# Dormand & Prince (1980), the tableau of Hairer, Norsett & Wanner, Solving ODEs I, II.5.
DORMAND_PRINCE = {
    "c": (1 / 5, 3 / 10, 4 / 5, 8 / 9),
    "a": (
        (1 / 5,),
        (3 / 40, 9 / 40),
        (44 / 45, -56 / 15, 32 / 9),
        (19372 / 6561, -25360 / 2187, 64448 / 6561, -212 / 729),
        (9017 / 3168, -355 / 33, 46732 / 5247, 49 / 176, -5103 / 18656),
    ),
    "b": (35 / 384, 0.0, 500 / 1113, 125 / 192, -2187 / 6784, 11 / 84),
    "e": (71 / 57600, 0.0, -71 / 16695, 71 / 1920, -17253 / 339200, 22 / 525, -1 / 40),
}


def dormand_prince_step(v, t, h, x, k1):
    """One 5(4) step, first same as last, every row with its own t and h ([n] arrays; v(t, x) then
    takes per-row times).

    Args:
        k1: v(t, x), from the previous accepted step.
    Returns:
        (x_next [5th order], error estimate, v(t + h, x_next), number of evaluations = 6)
    """
    a, c, b, e = DORMAND_PRINCE["a"], DORMAND_PRINCE["c"], DORMAND_PRINCE["b"], DORMAND_PRINCE["e"]
    hr = h[:, None]
    k2 = v(t + c[0] * h, x + hr * (a[0][0] * k1))
    k3 = v(t + c[1] * h, x + hr * (a[1][0] * k1 + a[1][1] * k2))
    k4 = v(t + c[2] * h, x + hr * (a[2][0] * k1 + a[2][1] * k2 + a[2][2] * k3))
    k5 = v(t + c[3] * h, x + hr * (a[3][0] * k1 + a[3][1] * k2 + a[3][2] * k3 + a[3][3] * k4))
    k6 = v(
        t + h,
        x + hr * (a[4][0] * k1 + a[4][1] * k2 + a[4][2] * k3 + a[4][3] * k4 + a[4][4] * k5),
    )
    x_next = x + hr * (b[0] * k1 + b[2] * k3 + b[3] * k4 + b[4] * k5 + b[5] * k6)
    k7 = v(t + h, x_next)
    error = hr * (e[0] * k1 + e[2] * k3 + e[3] * k4 + e[4] * k5 + e[5] * k6 + e[6] * k7)
    return x_next, error, k7, 6
