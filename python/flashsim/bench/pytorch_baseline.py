"""Row 3 of ``flashsim bench``: what a CMS FlashSim user runs today, on the same networks.

CMS FlashSim's public code reads the gen columns with RDataFrame into arrays, runs PyTorch on
batches of 10,000 objects and integrates the flow's ODE in Python with torch tensors; its
flow-matching models sample with adaptive dopri5 (torchdiffeq: one error norm over the whole
batch). This backend of the reference sampler (flashsim.train.reference_sampler) does exactly that:
the ONNX networks of the bundle rebuilt as torch modules (same weights, float32), fixed-step Euler,
midpoint, RK4 or batch-wide dopri5 in torch, every other stage as the sampler does it.
"""

import numpy as np

__all__ = ["TorchBackend", "torch_module"]

BATCH = 10_000  # CMS FlashSim's batch size


def torch_module(path):
    """The ONNX graph at ``path`` (Gemm, Sigmoid, Mul, Add, Concat: what flashsim exports) as a torch
    module taking the graph's inputs in order."""
    import onnx
    import torch
    from onnx import numpy_helper

    model = onnx.load(str(path))
    graph = model.graph
    weights = {i.name: torch.from_numpy(numpy_helper.to_array(i).copy()) for i in graph.initializer}
    inputs = [i.name for i in graph.input if i.name not in weights]
    output = graph.output[0].name
    nodes = []
    for node in graph.node:
        attributes = {a.name: onnx.helper.get_attribute_value(a) for a in node.attribute}
        if node.op_type not in ("Gemm", "Sigmoid", "Mul", "Add", "Concat"):
            raise ValueError(f"{path}: the PyTorch baseline does not know the ONNX operator {node.op_type}")
        nodes.append((node.op_type, list(node.input), node.output[0], attributes))

    class Rebuilt(torch.nn.Module):
        def forward(self, *feeds):
            values = dict(weights)
            values.update(zip(inputs, feeds, strict=True))
            for op, ins, out, attr in nodes:
                a = [values[n] for n in ins]
                if op == "Gemm":
                    w = a[1].T if attr.get("transB", 0) else a[1]
                    values[out] = torch.addmm(a[2], a[0], w) if len(a) > 2 else a[0] @ w
                elif op == "Sigmoid":
                    values[out] = torch.sigmoid(a[0])
                elif op == "Mul":
                    values[out] = a[0] * a[1]
                elif op == "Add":
                    values[out] = a[0] + a[1]
                else:
                    values[out] = torch.cat(a, dim=attr.get("axis", 1))
            return values[output]

    return Rebuilt().eval(), inputs


def _dopri5_batch(v, x, rtol, atol, max_steps=100_000):
    """Dormand-Prince from t = 0 to 1 with ONE error norm over the whole batch, as torchdiffeq."""
    import torch

    from flashsim.ode.steps import dormand_prince_step

    n = x.shape[0]
    k1 = v(torch.zeros(n, dtype=x.dtype), x)
    scale = atol + rtol * x.abs()
    d0, d1 = float((x / scale).pow(2).mean().sqrt()), float((k1 / scale).pow(2).mean().sqrt())
    h0 = 1e-6 if (d0 < 1e-5 or d1 < 1e-5) else 0.01 * d0 / d1
    k2 = v(torch.full((n,), h0, dtype=x.dtype), x + h0 * k1)
    d2 = float(((k2 - k1) / scale).pow(2).mean().sqrt()) / h0
    h = min(100 * h0, max(1e-6, h0 * 1e-3) if max(d1, d2) <= 1e-15 else (0.01 / max(d1, d2)) ** 0.2)
    t, steps, calls = 0.0, 0, 2
    while t < 1.0:
        steps += 1
        if steps > max_steps:
            raise RuntimeError(f"dopri5 needed more than {max_steps} steps")
        h = min(h, 1.0 - t)
        tt, hh = torch.full((n,), t, dtype=x.dtype), torch.full((n,), h, dtype=x.dtype)
        x_next, error, k7, c = dormand_prince_step(v, tt, hh, x, k1)
        calls += c
        err = float((error / (atol + rtol * torch.maximum(x.abs(), x_next.abs()))).pow(2).mean().sqrt())
        if err <= 1.0:
            x, k1, t = x_next, k7, t + h
        h *= min(10.0, max(0.2, 0.9 * err ** -0.2)) if err > 0 else 10.0
    return x, calls


class TorchBackend:
    """The networks as torch modules in batches of ``batch`` rows, the ODE in torch (reference_sampler backend)."""

    def __init__(self, batch: int = BATCH):
        self.batch, self._modules, self.velocity_calls, self.rows = batch, {}, 0, 0

    def _module(self, path):
        key = str(path)
        if key not in self._modules:
            self._modules[key] = torch_module(path)
        return self._modules[key]

    def predict(self, path, feeds: dict) -> np.ndarray:
        import torch

        module, inputs = self._module(path)
        n = len(next(iter(feeds.values())))
        tensors = [torch.from_numpy(np.ascontiguousarray(feeds[name], dtype=np.float32)) for name in inputs]
        with torch.no_grad():
            out = [module(*(t[i:i + self.batch] for t in tensors)) for i in range(0, max(n, 1), self.batch)]
        return torch.cat(out).numpy()

    def integrate(self, path, x0: np.ndarray, cond: np.ndarray, ode: dict) -> np.ndarray:
        import torch

        from flashsim.ode.steps import euler_step, midpoint_step, rk4_step

        module, _ = self._module(path)
        method = ode.get("method", "midpoint")
        out = []
        with torch.no_grad():
            for i in range(0, len(x0), self.batch):
                x = torch.from_numpy(x0[i:i + self.batch].astype(np.float32))
                c = torch.from_numpy(cond[i:i + self.batch])

                def v(t, x, c=c):
                    return module(x, t.to(torch.float32)[:, None], c)

                if method == "dopri5":
                    x, calls = _dopri5_batch(v, x, ode.get("rtol", 1e-5), ode.get("atol", 1e-5))
                else:
                    step = {"euler": euler_step, "midpoint": midpoint_step, "rk4": rk4_step}[method]
                    steps, calls = ode.get("steps", 20), 0
                    for k in range(steps):
                        x, c_ = step(lambda t, xx: v(torch.full((len(xx),), t), xx), k / steps, 1.0 / steps, x)
                        calls += c_
                self.velocity_calls += calls
                self.rows += len(x)
                out.append(x.numpy().astype(np.float64))
        return np.concatenate(out) if out else np.empty_like(x0)
