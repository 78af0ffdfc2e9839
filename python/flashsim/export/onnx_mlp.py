"""A lean ONNX export of MLPs: one Gemm per Linear, one node per activation.

ONNX Runtime's cost per Run grows with the number of graph nodes (SETUP-NOTES.md: a 152-node
export of a 115k-parameter net needed ~112 us per call at batch 1), so the networks FlashSim runs
once per event and ODE step are written as the smallest graph that computes them, straight
from the PyTorch weights, instead of through a general tracer.
"""

from collections.abc import Sequence
from pathlib import Path

__all__ = ["export_mlp"]

_OPSET = 17


def _activation_nodes(helper, module, name, inputs, output):
    kind = type(module).__name__
    if kind == "SiLU":  # x * sigmoid(x)
        return [
            helper.make_node("Sigmoid", [inputs], [f"{name}_sig"]),
            helper.make_node("Mul", [inputs, f"{name}_sig"], [output]),
        ]
    op = {"ReLU": "Relu", "Tanh": "Tanh", "Sigmoid": "Sigmoid"}.get(kind)
    if op is None:
        raise TypeError(f"export_mlp: unsupported layer {kind}; expected Linear, SiLU, ReLU, Tanh, Sigmoid")
    return [helper.make_node(op, [inputs], [output])]


def export_mlp(
    layers,
    path,
    inputs: Sequence[tuple[str, int]],
    output: str,
    producer: str = "flashsim",
):
    """Writes ``layers`` (a torch.nn.Sequential applied to the concatenated inputs) as ONNX.

    Args:
        layers: torch.nn.Sequential of Linear and activation modules.
        path: the .onnx file to write.
        inputs: (name, features) of each input, concatenated along the feature axis in this
            order; every input and the output have a dynamic batch dimension: [batch, features].
        output: name of the output tensor.
    Returns:
        Path of the written file.
    """
    import numpy as np
    import onnx
    from onnx import TensorProto, helper, numpy_helper

    nodes, initializers = [], []
    current = inputs[0][0]
    if len(inputs) > 1:
        current = "concatenated"
        nodes.append(helper.make_node("Concat", [name for name, _ in inputs], [current], axis=1))
    modules = list(layers)
    width = sum(features for _, features in inputs)
    for i, module in enumerate(modules):
        last = i == len(modules) - 1
        out = output if last else f"h{i}"
        if type(module).__name__ == "Linear":
            if module.in_features != width:
                raise ValueError(f"export_mlp: layer {i} expects {module.in_features} inputs, got {width}")
            weight = module.weight.detach().cpu().numpy().astype(np.float32)
            bias = module.bias.detach().cpu().numpy().astype(np.float32)
            initializers += [numpy_helper.from_array(weight, f"W{i}"), numpy_helper.from_array(bias, f"b{i}")]
            nodes.append(helper.make_node("Gemm", [current, f"W{i}", f"b{i}"], [out], transB=1))
            width = module.out_features
        else:
            nodes += _activation_nodes(helper, module, f"a{i}", current, out)
        current = out

    graph = helper.make_graph(
        nodes,
        "flashsim_mlp",
        [helper.make_tensor_value_info(name, TensorProto.FLOAT, ["batch", n]) for name, n in inputs],
        [helper.make_tensor_value_info(output, TensorProto.FLOAT, ["batch", width])],
        initializers,
    )
    model = helper.make_model(graph, producer_name=producer, opset_imports=[helper.make_opsetid("", _OPSET)])
    model.ir_version = 8  # readable by ONNX Runtime >= 1.14
    onnx.checker.check_model(model)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    onnx.save(model, str(path))
    return path
