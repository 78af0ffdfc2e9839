"""From PyTorch networks to the ONNX files of a model bundle."""

from flashsim.onnx_graphs.onnx_mlp import export_mlp

__all__ = ["export_mlp"]
