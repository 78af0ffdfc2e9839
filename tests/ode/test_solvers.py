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
        ({"method": "rk4", "steps": 0}, "steps must be >= 1"),
        ({"method": "dopri5", "rtol": 0.0}, "rtol > 0"),
    ],
)
def test_bad_options(kwargs, message):
    with pytest.raises(ValueError, match=message):
        integrate(linear_field, X0, **kwargs)


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
