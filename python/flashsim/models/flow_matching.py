"""Conditional flow matching with straight (optimal-transport) paths.

Lipman et al., "Flow Matching for Generative Modeling" (2023); Liu et al., "Flow straight and
fast" (2023). x0 ~ N(0, 1) at t = 0, data x1 at t = 1, x_t = (1 - t) x0 + t x1; the network
regresses the path's velocity x1 - x0. Sampling integrates dx/dt = v(x, t | cond) from t = 0
to 1 (flashsim.ode, or the C++ solvers).
"""

import torch

__all__ = ["flow_matching_loss", "sample"]


def flow_matching_loss(field, x1: torch.Tensor, cond: torch.Tensor, generator=None, weights=None,
                       x0: torch.Tensor | None = None) -> torch.Tensor:
    """Mean squared error of the velocity on random (x0, t); x1 [n, d], cond [n, c]. ``x0``: the noise
    paired with each x1 (reflow: the teacher's own pairs), drawn here when None.

    ``weights`` [d] (mean 1) weighs the variables' errors: the minimum (the conditional mean
    velocity) is the same, but the network's capacity goes where the weight is (e.g. the jet
    response among twenty attributes)."""
    if x0 is None:
        x0 = torch.randn(x1.shape, generator=generator, dtype=x1.dtype, device=x1.device)
    t = torch.rand((x1.shape[0], 1), generator=generator, dtype=x1.dtype, device=x1.device)
    xt = (1 - t) * x0 + t * x1
    squared = (field(xt, t, cond) - (x1 - x0)) ** 2
    return (squared if weights is None else squared * weights.to(squared)).mean()


@torch.no_grad()
def sample(field, noise: torch.Tensor, cond: torch.Tensor, method="midpoint", steps=20, rtol=1e-5, atol=1e-5):
    """Integrates the flow from ``noise`` [n, d] (t = 0) to t = 1 with the Python solvers."""
    from flashsim.ode import integrate

    def velocity(t, x, rows):  # t: the time of each row; rows: which rows of cond (None: all)
        return field(x, t[:, None].to(x.dtype), cond if rows is None else cond[rows])

    return integrate(velocity, noise, 0.0, 1.0, method=method, steps=steps, rtol=rtol, atol=atol).x
