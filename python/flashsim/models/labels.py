"""The label head: p(configuration of the discrete branches | flow output x, conditioning).

Flags, working points and small enumerations (Muon_tightId, Jet_puId, Photon_mvaID_WP80, ...)
are in NanoAOD mostly sharp functions of continuous quantities (WP80 = mvaID above a threshold)
or of hidden ones. A dequantised flow smears such rules; a classifier that sees the generated
continuous variables learns them as rules. The discrete branches of a source are drawn jointly,
as one categorical variable over the configurations seen in training (:func:`configurations`).
"""

import numpy as np
import torch
from torch import nn

__all__ = ["LabelNetwork", "configurations"]


class LabelNetwork(nn.Module):
    """MLP x [n, d], cond [n, c] -> logits [n, classes] (exported as such: the softmax is taken in
    double precision where the class is drawn, which keeps the ONNX parity check on the logits)."""

    def __init__(self, n_targets: int, n_conditioning: int, classes: int, hidden: int = 128, layers: int = 3):
        super().__init__()
        modules, width = [], n_targets + n_conditioning
        for _ in range(layers):
            modules += [nn.Linear(width, hidden), nn.SiLU()]
            width = hidden
        modules.append(nn.Linear(width, classes))
        self.logits = nn.Sequential(*modules)
        self.n_targets, self.n_conditioning, self.classes = n_targets, n_conditioning, classes

    def forward(self, x: torch.Tensor, cond: torch.Tensor) -> torch.Tensor:
        return self.logits(torch.cat([x, cond], dim=1))

    def probability(self, x: torch.Tensor, cond: torch.Tensor) -> torch.Tensor:
        return torch.softmax(self.forward(x, cond), dim=1)

    def loss(self, x: torch.Tensor, cond: torch.Tensor, label: torch.Tensor) -> torch.Tensor:
        """Cross-entropy; label [n] class indices."""
        return nn.functional.cross_entropy(self.forward(x, cond), label)

    def export_onnx(self, path):
        """x, cond -> logits [n, classes], as a lean ONNX graph."""
        from flashsim.onnx_graphs import export_mlp

        return export_mlp(self.logits, path, [("x", self.n_targets), ("cond", self.n_conditioning)], "logits")


def configurations(values: np.ndarray, max_classes: int):
    """The joint configurations of discrete branches and each row's class.

    Args:
        values: [rows, branches] observed values.
        max_classes: keep at most this many configurations, the most frequent; a rarer row is
            given the kept configuration that differs from it in the fewest branches (then the
            most frequent of those), so no row is dropped.
    Returns:
        (table [classes, branches], classes [rows] int64, fraction of rows moved to another configuration).
    """
    values = np.asarray(values, dtype=np.float64)
    unique, inverse, counts = np.unique(values, axis=0, return_inverse=True, return_counts=True)
    inverse = inverse.reshape(-1)
    order = np.argsort(-counts, kind="stable")
    kept = order[:max_classes]
    table = unique[kept]
    position = np.full(len(unique), -1, dtype=np.int64)
    position[kept] = np.arange(len(kept))
    for u in order[max_classes:]:  # nearest kept configuration; ties: the more frequent (earlier)
        position[u] = int(np.argmin((table != unique[u]).sum(axis=1)))
    moved = float(counts[order[max_classes:]].sum() / max(1, len(values)))
    return table, position[inverse], moved
