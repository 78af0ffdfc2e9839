"""The efficiency network: p(a gen object is reconstructed | its conditioning)."""

import torch
from torch import nn

__all__ = ["EfficiencyNetwork"]


class EfficiencyNetwork(nn.Module):
    """MLP cond [n, c] -> logit [n, 1]; ``probability`` applies the sigmoid (what is exported).

    Args:
        n_conditioning: c, the number of conditioning variables.
        hidden: width of the hidden layers.
        layers: number of hidden layers.
    """

    def __init__(self, n_conditioning: int, hidden: int = 64, layers: int = 3):
        super().__init__()
        modules, width = [], n_conditioning
        for _ in range(layers):
            modules += [nn.Linear(width, hidden), nn.SiLU()]
            width = hidden
        modules.append(nn.Linear(width, 1))
        self.logits = nn.Sequential(*modules)
        self.n_conditioning = n_conditioning

    def forward(self, cond: torch.Tensor) -> torch.Tensor:
        """cond [n, c] -> logit [n, 1] (train with BCEWithLogitsLoss)."""
        return self.logits(cond)

    def probability(self, cond: torch.Tensor) -> torch.Tensor:
        return torch.sigmoid(self.logits(cond))

    def loss(self, cond: torch.Tensor, label: torch.Tensor) -> torch.Tensor:
        """Binary cross-entropy; label [n] in {0, 1}."""
        return nn.functional.binary_cross_entropy_with_logits(self.logits(cond)[:, 0], label)

    def export_onnx(self, path):
        """cond -> probability, as a lean ONNX graph."""
        from flashsim.onnx_graphs import export_mlp

        return export_mlp(nn.Sequential(*self.logits, nn.Sigmoid()), path, [("cond", self.n_conditioning)],
                          "probability")
