"""A small builder of lean ONNX graphs from PyTorch layers: one Gemm per Linear, Sigmoid+Mul
per SiLU. ONNX Runtime's cost per Run grows with the node count (SETUP-NOTES.md: a 152-node
export of a 115k-parameter net needed ~112 us per call at batch 1), and FlashSim calls its
networks once per event and ODE step, so they are written as the smallest graph that computes
them, straight from the weights, instead of through a general tracer."""

from pathlib import Path

__all__ = ["GraphBuilder"]

_OPSET = 17
_IR_VERSION = 8  # readable by ONNX Runtime >= 1.14


class GraphBuilder:
    def __init__(self, name: str):
        self.name = name
        self.nodes = []
        self.initializers = []

    def node(self, op: str, inputs, outputs, **attributes):
        from onnx import helper

        self.nodes.append(helper.make_node(op, list(inputs), list(outputs), **attributes))

    def linear(self, module, name: str, inputs: str, output: str):
        """y = x W^T + b of a torch.nn.Linear."""
        import numpy as np
        from onnx import numpy_helper

        weight = module.weight.detach().cpu().numpy().astype(np.float32)
        bias = module.bias.detach().cpu().numpy().astype(np.float32)
        self.initializers += [numpy_helper.from_array(weight, f"{name}_W"), numpy_helper.from_array(bias, f"{name}_b")]
        self.node("Gemm", [inputs, f"{name}_W", f"{name}_b"], [output], transB=1)

    def activation(self, kind: str, inputs: str, output: str):
        """SiLU (x sigmoid(x)), ReLU, Tanh, Sigmoid or Softmax (over the features)."""
        if kind == "SiLU":
            self.node("Sigmoid", [inputs], [f"{output}_sig"])
            self.node("Mul", [inputs, f"{output}_sig"], [output])
            return
        if kind == "Softmax":
            self.node("Softmax", [inputs], [output], axis=1)
            return
        op = {"ReLU": "Relu", "Tanh": "Tanh", "Sigmoid": "Sigmoid"}.get(kind)
        if op is None:
            raise TypeError(f"unsupported activation {kind}; expected SiLU, ReLU, Tanh, Sigmoid or Softmax")
        self.node(op, [inputs], [output])

    def save(self, path, inputs, outputs, producer: str = "flashsim") -> Path:
        """Writes the graph; inputs/outputs: (name, features), all [batch, features] float32."""
        import onnx
        from onnx import TensorProto, helper

        graph = helper.make_graph(
            self.nodes, self.name,
            [helper.make_tensor_value_info(n, TensorProto.FLOAT, ["batch", f]) for n, f in inputs],
            [helper.make_tensor_value_info(n, TensorProto.FLOAT, ["batch", f]) for n, f in outputs],
            self.initializers,
        )
        model = helper.make_model(graph, producer_name=producer, opset_imports=[helper.make_opsetid("", _OPSET)])
        model.ir_version = _IR_VERSION
        onnx.checker.check_model(model)
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        onnx.save(model, str(path))
        return path
