"""Lean ONNX export of a torch.nn.Sequential MLP (see graph.py for why lean)."""

from collections.abc import Sequence

from flashsim.onnx_graphs.graph import GraphBuilder

__all__ = ["export_mlp"]


def export_mlp(layers, path, inputs: Sequence[tuple[str, int]], output: str):
    """Writes ``layers`` (a torch.nn.Sequential applied to the concatenated inputs) as ONNX.

    Args:
        layers: torch.nn.Sequential of Linear and activation (SiLU, ReLU, Tanh, Sigmoid) modules.
        path: the .onnx file to write.
        inputs: (name, features) of each input, concatenated along the feature axis in this
            order; every input and the output have a dynamic batch dimension: [batch, features].
        output: name of the output tensor.
    Returns:
        Path of the written file.
    """
    graph = GraphBuilder("flashsim_mlp")
    current = inputs[0][0]
    if len(inputs) > 1:
        current = "concatenated"
        graph.node("Concat", [name for name, _ in inputs], [current], axis=1)
    modules = list(layers)
    width = sum(features for _, features in inputs)
    for i, module in enumerate(modules):
        out = output if i == len(modules) - 1 else f"h{i}"
        kind = type(module).__name__
        if kind == "Linear":
            if module.in_features != width:
                raise ValueError(f"export_mlp: layer {i} expects {module.in_features} inputs, got {width}")
            graph.linear(module, f"l{i}", current, out)
            width = module.out_features
        else:
            graph.activation(kind, current, out)
        current = out
    return graph.save(path, inputs, [(output, width)])
