"""Fixtures of tests/rdf: the toy bundle (flashsim.bundle.toy: PyTorch networks with fixed
random weights, exported to ONNX by the package's own exporter) and a small gen-level tree
(a real ROOT file in NanoAOD layout, with events of zero objects among them)."""

import pytest
from toy_gen import write_gen_tree

from flashsim.bundle.toy import write_toy_bundle


@pytest.fixture(scope="session")
def tiny_bundle(tmp_path_factory):
    return write_toy_bundle(tmp_path_factory.mktemp("tiny_bundle"))


@pytest.fixture(scope="session")
def gen_tree(tmp_path_factory):
    return write_gen_tree(tmp_path_factory.mktemp("gen") / "gen.root")
