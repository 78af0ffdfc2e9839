"""Lean ONNX export of flashsim.models.VelocityField: Gemm per Linear, Sigmoid+Mul per SiLU,
one Add per residual block (25 nodes for the default 3 blocks)."""

from pathlib import Path

from flashsim.onnx_graphs.graph import GraphBuilder

__all__ = ["export_residual_mlp"]


def export_residual_mlp(field, path) -> Path:
    graph = GraphBuilder("flashsim_velocity_field")
    graph.node("Concat", ["x", "t", "cond"], ["input"], axis=1)
    graph.linear(field.embed, "embed", "input", "h0")
    h = "h0"
    for i, block in enumerate(field.blocks):
        graph.activation("SiLU", h, f"b{i}_a")
        graph.linear(block.inner, f"b{i}_inner", f"b{i}_a", f"b{i}_z")
        graph.activation("SiLU", f"b{i}_z", f"b{i}_az")
        graph.linear(block.outer, f"b{i}_outer", f"b{i}_az", f"b{i}_dz")
        graph.node("Add", [h, f"b{i}_dz"], [f"h{i + 1}"])
        h = f"h{i + 1}"
    graph.activation("SiLU", h, "out_a")
    graph.linear(field.readout, "readout", "out_a", "velocity")
    d, c = field.n_targets, field.n_conditioning
    return graph.save(path, [("x", d), ("t", 1), ("cond", c)], [("velocity", d)])
