"""A small reference-detector sample and a tiny bundle trained on it (seconds), shared by the
training tests."""

import pytest

TINY = {"efficiency": {"hidden": 16, "depth": 1, "epochs": 2, "batch_size": 512},
        "velocity_field": {"hidden": 16, "depth": 1, "epochs": 2, "batch_size": 512},
        "max_rows": 4000, "leave_out_sparse": True, "progress": False, "threads": 1,
        "ode": {"method": "midpoint", "steps": 4}}


@pytest.fixture
def tiny_config():
    """The tiny training settings (a fresh copy to change)."""
    return dict(TINY)


@pytest.fixture(scope="session")
def train_sample(gen_file, tmp_path_factory):
    """(gen file, full file): 400 ttbar events through the reference detector."""
    from flashsim.refsim import reference_detector

    gen = gen_file("ttbar", 400, seed=5, jobs=2)
    full = tmp_path_factory.mktemp("train") / "full.root"
    reference_detector(gen, full, seed=5)
    return gen, full


@pytest.fixture(scope="session")
def tiny_bundle(train_sample, tmp_path_factory):
    from flashsim.train.config import load_config
    from flashsim.train.pipeline import train_bundle

    out = tmp_path_factory.mktemp("bundle") / "tiny"
    train_bundle([train_sample[1]], out, load_config(dict(TINY)), command="pytest", log=lambda *a: None)
    return out
