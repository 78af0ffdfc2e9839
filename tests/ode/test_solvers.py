"""ODE solvers: convergence order, tolerance, and the C++ solvers held against the Python ones."""

import numpy as np
import pytest

from flashsim.ode import METHODS, integrate

# dx/dt = A x: a damped rotation, exact solution x(t) = expm(A t) x0.
A = np.array([[-0.3, 2.0], [-2.0, -0.3]])
X0 = np.array([[1.0, 0.5], [-0.2, 2.0], [0.7, -1.1]])  # [n_objects=3, n_features=2]
T1 = 1.5


def exact():
    from scipy.linalg import expm

    return X0 @ expm(A * T1).T


def linear_field(t, x, rows):
    return x @ A.T


CPP_LINEAR = r"""
#include "flashsim/OdeSolver.hxx"
#include <cmath>
#include <vector>
namespace flashsim_test {
struct OdeRun { std::vector<double> x; int nfe; int accepted; int rejected; long long rowEvaluations; int maxRow; };
inline OdeRun IntegrateLinear(const std::vector<double> &a, std::vector<double> x, double t1,
                              const std::string &method, int steps, double rtol, double atol)
{
   flashsim::OdeOptions options;
   options.method = flashsim::ParseOdeMethod(method);
   options.steps = steps;
   options.rtol = rtol;
   options.atol = atol;
   // row r of the stiff variant (stiffness[r] != 1) turns faster: per-row dopri5 steps it on its own
   const flashsim::VelocityField v = [&a](const double *, const double *in, double *out, std::size_t rows,
                                          const std::size_t *) {
      for (std::size_t r = 0; r < rows; ++r) {
         out[2 * r] = a[0] * in[2 * r] + a[1] * in[2 * r + 1];
         out[2 * r + 1] = a[2] * in[2 * r] + a[3] * in[2 * r + 1];
      }
   };
   const auto result = flashsim::Integrate(v, x.data(), x.size() / 2, 2, 0.0, t1, options);
   return {x, result.nfe, result.acceptedSteps, result.rejectedSteps, result.rowEvaluations, result.maxRowEvaluations};
}

/// dx/dt = -k_r (x - sin t) per row, k_r = stiffness[which[r]]: rows of different stiffness.
inline OdeRun IntegrateStiff(const std::vector<double> &stiffness, std::vector<double> x, double rtol,
                             int maxSteps)
{
   flashsim::OdeOptions options;
   options.method = flashsim::OdeMethod::kDormandPrince;
   options.rtol = options.atol = rtol;
   options.maxSteps = maxSteps;
   const flashsim::VelocityField v = [&stiffness](const double *t, const double *in, double *out, std::size_t rows,
                                                  const std::size_t *which) {
      for (std::size_t r = 0; r < rows; ++r)
         out[r] = -stiffness[which ? which[r] : r] * (in[r] - std::sin(t[r]));
   };
   const auto result = flashsim::Integrate(v, x.data(), x.size(), 1, 0.0, 1.0, options);
   return {x, result.nfe, result.acceptedSteps, result.rejectedSteps, result.rowEvaluations, result.maxRowEvaluations};
}

/// dopri5 on the polynomial field of coupled_field() (tests below): feature 0 of a row is its
/// stiffness k (constant), feature j >= 1 follows -k (x_j - 0.1 j t) - 0.3 x_j x_{j+1}.
inline OdeRun IntegrateCoupled(std::vector<double> x, std::size_t dim, double rtol, double atol)
{
   flashsim::OdeOptions options;
   options.method = flashsim::OdeMethod::kDormandPrince;
   options.rtol = rtol;
   options.atol = atol;
   const flashsim::VelocityField v = [dim](const double *t, const double *in, double *out, std::size_t rows,
                                           const std::size_t *) {
      for (std::size_t r = 0; r < rows; ++r) {
         const double *xr = in + r * dim;
         out[r * dim] = 0.0;
         for (std::size_t j = 1; j < dim; ++j) {
            const std::size_t n = j % (dim - 1) + 1;
            out[r * dim + j] = -xr[0] * (xr[j] - t[r] * (0.1 * j)) - 0.3 * xr[j] * xr[n];
         }
      }
   };
   const auto result = flashsim::Integrate(v, x.data(), x.size() / dim, dim, 0.0, 1.0, options);
   return {x, result.nfe, result.acceptedSteps, result.rejectedSteps, result.rowEvaluations, result.maxRowEvaluations};
}
}
"""


@pytest.fixture(scope="module")
def cpp_integrate(ROOT):
    ROOT.gInterpreter.Declare(CPP_LINEAR)

    def run(method, steps=20, rtol=1e-5, atol=1e-5):
        out = ROOT.flashsim_test.IntegrateLinear(
            list(A.ravel()), list(X0.ravel()), T1, method, steps, rtol, atol
        )
        return np.array(list(out.x)).reshape(X0.shape), out.nfe, out.accepted, out.rejected

    return run


def python_integrate(method, steps=20, rtol=1e-5, atol=1e-5):
    result = integrate(linear_field, X0, 0.0, T1, method=method, steps=steps, rtol=rtol, atol=atol)
    return result.x, result.nfe, result.accepted_steps, result.rejected_steps


@pytest.fixture(params=["python", "cpp"])
def solver(request, cpp_integrate):
    return python_integrate if request.param == "python" else cpp_integrate


@pytest.mark.parametrize(("method", "order"), [("euler", 1), ("midpoint", 2), ("rk4", 4)])
def test_convergence_order(solver, method, order):
    steps = np.array([16, 32, 64, 128])
    errors = [np.abs(solver(method, steps=int(n))[0] - exact()).max() for n in steps]
    slope = -np.polyfit(np.log(steps), np.log(errors), 1)[0]
    assert slope == pytest.approx(order, abs=0.15), f"{method}: errors {errors}"


@pytest.mark.parametrize("method", ["euler", "midpoint", "rk4"])
def test_fixed_step_cost(solver, method):
    nfe_per_step = {"euler": 1, "midpoint": 2, "rk4": 4}[method]
    _, nfe, accepted, _ = solver(method, steps=10)
    assert (nfe, accepted) == (10 * nfe_per_step, 10)


@pytest.mark.parametrize("tol", [1e-4, 1e-6, 1e-8])
def test_dopri5_meets_tolerance(solver, tol):
    x, nfe, accepted, rejected = solver("dopri5", rtol=tol, atol=tol)
    error = np.abs(x - exact()).max()
    # the global error of a tolerance-controlled solver stays within a small multiple of tol
    assert error < 10 * tol * np.abs(exact()).max()
    assert 2 + 6 * accepted <= nfe <= 2 + 6 * (accepted + rejected) * len(X0)


def test_dopri5_tighter_tolerance_costs_more(solver):
    assert solver("dopri5", rtol=1e-8, atol=1e-8)[1] > solver("dopri5", rtol=1e-4, atol=1e-4)[1]


@pytest.mark.parametrize("method", METHODS)
def test_cpp_matches_python(cpp_integrate, method):
    x_cpp, nfe_cpp, acc_cpp, rej_cpp = cpp_integrate(method, steps=13, rtol=1e-6, atol=1e-7)
    x_py, nfe_py, acc_py, rej_py = python_integrate(method, steps=13, rtol=1e-6, atol=1e-7)
    assert (nfe_cpp, acc_cpp, rej_cpp) == (nfe_py, acc_py, rej_py)
    np.testing.assert_allclose(x_cpp, x_py, rtol=1e-12, atol=1e-14)


def test_python_solver_accepts_torch_tensors():
    import torch
    a = torch.tensor(A)
    result = integrate(lambda t, x, rows: x @ a.T, torch.tensor(X0), 0.0, T1, method="dopri5", rtol=1e-7, atol=1e-7)
    np.testing.assert_allclose(result.x.numpy(), exact(), atol=1e-5)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"method": "heun"}, "unknown ODE method 'heun'"),
        ({"method": "rk4", "steps": 0}, r"ODE steps must be an integer in \[1, 100000\] for rk4, got 0"),
        ({"method": "dopri5", "rtol": 0.0}, "rtol > 0"),
    ],
)
def test_bad_options(kwargs, message):
    with pytest.raises(ValueError, match=message):
        integrate(linear_field, X0, **kwargs)


@pytest.mark.parametrize("ode", [
    {"method": "heun"},
    {"method": "rk4", "steps": 0},
    {"method": "euler", "steps": 100_001},
    {"method": "midpoint", "steps": -3},
    {"method": "dopri5", "rtol": 0.0, "atol": 1e-5},
    {"method": "dopri5", "rtol": 1e-5, "atol": -2e-7},
])
def test_python_and_cpp_checks_say_the_same(ROOT, ode):
    """One rule per language: flashsim.ode.check_ode_options and C++ OdeOptions::Validate /
    ParseOdeMethod refuse the same settings with the same message."""
    from flashsim.errors import InputError
    from flashsim.ode import check_ode_options

    with pytest.raises(InputError) as python_error:
        check_ode_options(ode)
    with pytest.raises(Exception) as cpp_error:  # noqa: PT011 (cppyy's type for std::invalid_argument)
        options = ROOT.flashsim.OdeOptions()
        options.method = ROOT.flashsim.ParseOdeMethod(ode["method"])
        options.steps = ode.get("steps", 20)
        options.rtol, options.atol = ode.get("rtol", 1e-5), ode.get("atol", 1e-5)
        options.Validate()
    cpp_message = str(cpp_error.value).split("flashsim: ", 1)[1].strip()
    assert cpp_message == str(python_error.value)


def test_cpp_bad_method(cpp_integrate):
    with pytest.raises(Exception, match="unknown ODE method 'heun'"):
        cpp_integrate("heun")


STIFFNESS = np.array([1.0, 30.0, 3.0, 200.0, 0.5])
Y0 = np.array([0.3, -1.0, 2.0, 0.1, 1.5])


def stiff_field(t, x, rows):
    k = STIFFNESS if rows is None else STIFFNESS[rows]
    return -k[:, None] * (x - np.sin(t)[:, None])


def test_dopri5_steps_every_row_on_its_own(ROOT, cpp_integrate):
    """Rows of different stiffness take different numbers of steps, and a row's result is the same
    alone and inside the batch: bit for bit in C++ and in Python, C++ and Python to 1e-12."""
    stiff = ROOT.flashsim_test.IntegrateStiff
    batch = stiff(list(STIFFNESS), list(Y0), 1e-6, 100000)
    python = integrate(stiff_field, Y0[:, None], method="dopri5", rtol=1e-6, atol=1e-6)
    evaluations = []
    for r in range(len(Y0)):
        alone = stiff([STIFFNESS[r]], [Y0[r]], 1e-6, 100000)
        assert alone.x[0] == batch.x[r]  # bit-identical
        evaluations.append(alone.maxRow)
        one = integrate(lambda t, x, rows, r=r: -STIFFNESS[r] * (x - np.sin(t)[:, None]), Y0[r:r + 1, None],
                        method="dopri5", rtol=1e-6, atol=1e-6)
        assert one.x[0, 0] == python.x[r, 0]
        assert one.x[0, 0] == pytest.approx(alone.x[0], rel=1e-12, abs=1e-14)
    assert len(set(evaluations)) > 2, evaluations  # the stiff rows needed more steps
    assert batch.maxRow == max(evaluations) == python.max_row_evaluations
    assert batch.rowEvaluations == sum(evaluations) == python.row_evaluations
    assert batch.nfe == max(evaluations) == python.nfe  # one call per stage for the rows still running


def test_dopri5_step_limit_names_the_row(ROOT):
    from flashsim.ode import OdeStepLimitError

    with pytest.raises(Exception, match="more than 20 steps for row 3"):
        ROOT.flashsim_test.IntegrateStiff([1.0, 1.0, 1.0, 1e5, 1.0], [0.0] * 5, 1e-6, 20)
    with pytest.raises(OdeStepLimitError, match="more than 20 steps for row 3") as err:
        integrate(lambda t, x, rows: -np.array([1.0, 1.0, 1.0, 1e5, 1.0])[rows if rows is not None else slice(None),
                                                                          None] * x,
                  np.ones((5, 1)), method="dopri5", rtol=1e-6, atol=1e-6, max_steps=20)
    assert err.value.row == 3


def elementwise_linear_field(t, x, rows):
    """x @ A.T written out as the C++ test field computes it (BLAS may fuse or reorder)."""
    return np.stack([A[0, 0] * x[:, 0] + A[0, 1] * x[:, 1], A[1, 0] * x[:, 0] + A[1, 1] * x[:, 1]], axis=1)


def previous_fixed_steps(method, steps):
    """The fixed-step solvers as they were with one scalar t for the whole batch."""
    v = elementwise_linear_field
    x, h = X0.copy(), T1 / steps
    for i in range(steps):
        t = i * h
        if method == "euler":
            x = x + h * v(t, x, None)
        elif method == "midpoint":
            x = x + h * v(t + 0.5 * h, x + 0.5 * h * v(t, x, None), None)
        else:
            k1 = v(t, x, None)
            k2 = v(t + 0.5 * h, x + 0.5 * h * k1, None)
            k3 = v(t + 0.5 * h, x + 0.5 * h * k2, None)
            k4 = v(t + h, x + h * k3, None)
            x = x + h / 6.0 * (k1 + 2.0 * k2 + 2.0 * k3 + k4)
    return x


@pytest.mark.parametrize("method", ["euler", "midpoint", "rk4"])
def test_fixed_steps_unchanged(ROOT, cpp_integrate, method):
    """Per-row times change nothing in the arithmetic of the fixed steps: bit for bit the same in
    C++ and Python, and as with one scalar t; every row costs the same."""
    expected = previous_fixed_steps(method, 13)
    seen = []

    def field(t, x, rows):
        seen.append((t.shape, t.dtype, rows, float(t.min()) == float(t.max())))
        return elementwise_linear_field(t, x, rows)

    result = integrate(field, X0, 0.0, T1, method=method, steps=13)
    np.testing.assert_array_equal(result.x, expected)
    assert set(seen) == {((len(X0),), X0.dtype, None, True)}
    per_step = {"euler": 1, "midpoint": 2, "rk4": 4}[method]
    assert (result.nfe, result.max_row_evaluations, result.row_evaluations) == (
        13 * per_step, 13 * per_step, 13 * per_step * len(X0))
    out = ROOT.flashsim_test.IntegrateLinear(list(A.ravel()), list(X0.ravel()), T1, method, 13, 1e-5, 1e-5)
    np.testing.assert_array_equal(np.array(list(out.x)).reshape(X0.shape), expected)
    assert (out.nfe, out.maxRow, out.rowEvaluations) == (13 * per_step, 13 * per_step, 13 * per_step * len(X0))


DIM = 9  # more features than numpy's pairwise summation block: the per-row norms must not depend on it
COUPLED_X0 = np.concatenate([np.array([[0.5], [40.0], [3.0], [0.1], [12.0], [1.0]]),
                             np.cos(1.7 * np.arange(6 * (DIM - 1))).reshape(6, DIM - 1)], axis=1)


def coupled_field(t, x, rows):
    """Row-wise and polynomial (bit-identical in any batch with NumPy and torch alike)."""
    out = x * 0.0
    for j in range(1, x.shape[1]):
        n = j % (x.shape[1] - 1) + 1
        out[:, j] = -x[:, 0] * (x[:, j] - t * (0.1 * j)) - 0.3 * x[:, j] * x[:, n]
    return out


@pytest.mark.parametrize("array", ["numpy", "torch"])
def test_dopri5_row_alone_is_the_row_in_a_batch(ROOT, cpp_integrate, array):
    """Many features, rows of different stiffness: each row of a batch is bit for bit the row
    integrated alone, in C++ and in Python (NumPy, torch); C++ and Python agree to 1e-12."""
    wrap = (lambda a: a) if array == "numpy" else __import__("torch").tensor
    kwargs = {"method": "dopri5", "rtol": 1e-7, "atol": 1e-8}
    batch = integrate(coupled_field, wrap(COUPLED_X0), **kwargs)
    cpp_batch = ROOT.flashsim_test.IntegrateCoupled(list(COUPLED_X0.ravel()), DIM, 1e-7, 1e-8)
    cpp_x = np.array(list(cpp_batch.x)).reshape(COUPLED_X0.shape)
    evaluations = []
    for r in range(len(COUPLED_X0)):
        alone = integrate(coupled_field, wrap(COUPLED_X0[r:r + 1]), **kwargs)
        assert (np.asarray(alone.x) == np.asarray(batch.x)[r:r + 1]).all(), r
        cpp_alone = ROOT.flashsim_test.IntegrateCoupled(list(COUPLED_X0[r]), DIM, 1e-7, 1e-8)
        assert list(cpp_alone.x) == list(cpp_x[r]), r
        assert cpp_alone.maxRow == alone.max_row_evaluations
        evaluations.append(alone.max_row_evaluations)
    np.testing.assert_allclose(np.asarray(batch.x), cpp_x, rtol=1e-12, atol=1e-14)
    assert len(set(evaluations)) >= 4, evaluations  # the rows took their own numbers of steps
    assert batch.nfe == cpp_batch.nfe == max(evaluations) == batch.max_row_evaluations
    assert batch.row_evaluations == cpp_batch.rowEvaluations == sum(evaluations)


def test_dopri5_field_sees_only_unfinished_rows():
    """Finished rows drop out: later calls get fewer rows, the indices of the rows still running."""
    calls = []

    def field(t, x, rows):
        calls.append(None if rows is None else list(rows))
        return stiff_field(t, x, rows)

    result = integrate(field, Y0[:, None], method="dopri5", rtol=1e-6, atol=1e-6)
    assert calls[0] is None and calls[1] is None  # k1 and the initial-step probe, all rows
    shrunk = [c for c in calls if c is not None]
    assert shrunk, "every row finished at the same call"
    assert all(c == sorted(c) and len(c) < len(Y0) for c in shrunk)
    assert shrunk[-1] == [int(np.argmax(STIFFNESS))]  # the stiffest row runs longest
    assert len(calls) == result.nfe


def test_cpp_step_limit_error_type(ROOT):
    with pytest.raises(ROOT.flashsim.OdeStepLimitError) as err:
        ROOT.flashsim_test.IntegrateStiff([1.0, 1e5, 1.0], [0.0] * 3, 1e-6, 20)
    assert err.value.row == 1
    assert "rtol=" in str(err.value) and "atol=" in str(err.value) and "maxSteps" in str(err.value)


def test_empty_batch():
    for method in METHODS:
        result = integrate(linear_field, np.zeros((0, 2)), method=method)
        assert (result.nfe, result.row_evaluations, result.x.shape) == (0, 0, (0, 2))
