"""The conditional velocity field v(x, t | cond) of flow matching: a residual MLP.

As the CMS FlashSim flow-matching jet model (about 1e5 parameters by default): the inputs are
concatenated and embedded, go through residual blocks h <- h + W2 silu(W1 silu(h)), and are read
out linearly. Exported as one Gemm per Linear, Sigmoid+Mul per SiLU and one Add per block.
"""

import torch
from torch import nn

__all__ = ["VelocityField"]


class _ResidualBlock(nn.Module):
    def __init__(self, width: int):
        super().__init__()
        self.inner = nn.Linear(width, width)
        self.outer = nn.Linear(width, width)

    def forward(self, h):
        return h + self.outer(nn.functional.silu(self.inner(nn.functional.silu(h))))


class VelocityField(nn.Module):
    """x [n, d], t [n, 1], cond [n, c] -> velocity [n, d].

    Args:
        n_targets: d, the reco variables the flow generates.
        n_conditioning: c.
        hidden: width of the residual stream.
        blocks: number of residual blocks.
    """

    def __init__(self, n_targets: int, n_conditioning: int, hidden: int = 128, blocks: int = 3):
        super().__init__()
        self.n_targets, self.n_conditioning = n_targets, n_conditioning
        self.embed = nn.Linear(n_targets + 1 + n_conditioning, hidden)
        self.blocks = nn.ModuleList(_ResidualBlock(hidden) for _ in range(blocks))
        self.readout = nn.Linear(hidden, n_targets)

    def forward(self, x: torch.Tensor, t: torch.Tensor, cond: torch.Tensor) -> torch.Tensor:
        h = self.embed(torch.cat([x, t, cond], dim=1))
        for block in self.blocks:
            h = block(h)
        return self.readout(nn.functional.silu(h))

    @classmethod
    def from_onnx(cls, path) -> "VelocityField":
        """The field exported to ``path`` by :meth:`export_onnx` (its ``embed``, ``b<i>_inner``,
        ``b<i>_outer`` and ``readout`` weights), e.g. a bundle's network to distil or retrain."""
        import onnx
        from onnx import numpy_helper

        from flashsim.errors import ModelError

        try:
            weights = {i.name: numpy_helper.to_array(i) for i in onnx.load(str(path)).graph.initializer}
        except Exception as err:  # onnx raises protobuf's own errors for a corrupt file
            raise ModelError(f"{path}: not a readable ONNX file ({str(err).splitlines()[0]})") from None
        try:
            embed, readout = weights["embed_W"], weights["readout_W"]
            blocks = sum(1 for name in weights if name.startswith("b") and name.endswith("_inner_W"))
            field = cls(readout.shape[0], embed.shape[1] - 1 - readout.shape[0], hidden=embed.shape[0], blocks=blocks)
            layers = {"embed": field.embed, "readout": field.readout}
            for i, block in enumerate(field.blocks):
                layers.update({f"b{i}_inner": block.inner, f"b{i}_outer": block.outer})
            with torch.no_grad():
                for name, layer in layers.items():
                    layer.weight.copy_(torch.from_numpy(weights[f"{name}_W"].copy()))
                    layer.bias.copy_(torch.from_numpy(weights[f"{name}_b"].copy()))
        except (KeyError, RuntimeError, IndexError) as err:
            raise ModelError(f"{path}: not a velocity field exported by flashsim ({err})") from None
        return field.eval()

    def export_onnx(self, path):
        """x, t, cond -> velocity, as a lean ONNX graph (see flashsim.onnx_graphs.onnx_residual)."""
        from flashsim.onnx_graphs.onnx_residual import export_residual_mlp

        return export_residual_mlp(self, path)
