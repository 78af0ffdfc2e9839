"""One seed per sample: the seed derived from a gen file's generator provenance."""

import json
import shutil

import pytest
import uproot

from flashsim import InputError
from flashsim.generate.sample_seed import sample_identity, sample_seed
from flashsim.nanoaod import tnamed
from flashsim.refsim.process_file import SEED_SALT


def with_generator_seed(source, target, generator_seed):
    """A copy of ``source`` (same events) whose flashsim_generate record names another generator seed."""
    shutil.copy(source, target)
    with uproot.open(source) as f:
        record = json.loads(f["flashsim_generate"].member("fTitle"))
    record["seed"] = generator_seed
    with uproot.update(target) as f:
        f["flashsim_generate"] = tnamed("flashsim_generate", json.dumps(record, sort_keys=True))
    return target


@pytest.fixture(scope="module")
def samples(gen_file):
    """Two ttbar samples with the default run 1 and different generator seeds."""
    return gen_file("ttbar", 400, seed=5, jobs=2), gen_file("ttbar", 1000, jobs=2)


def test_different_samples_different_seeds(samples):
    a, b = samples
    assert sample_identity(a)["seed"] == 5 and sample_identity(b)["seed"] == 1
    assert sample_identity(a)["run"] == sample_identity(b)["run"] == 1
    assert sample_seed([a], "flashsim simulate") != sample_seed([b], "flashsim simulate")


def test_stable_order_free_and_per_tool(samples):
    a, b = samples
    seed = sample_seed([a], "flashsim simulate")
    assert 0 <= seed < 2**63
    assert seed == sample_seed([a], "flashsim simulate") == sample_seed([a, a], "flashsim simulate")
    assert sample_seed([a, b], "flashsim simulate") == sample_seed([b, a], "flashsim simulate")
    assert sample_seed([a], SEED_SALT) != seed


def test_only_the_generator_seed_changed_changes_the_seed(samples, tmp_path):
    a, _ = samples
    other = with_generator_seed(a, tmp_path / "other.root", 6)
    assert sample_seed([other], "flashsim simulate") != sample_seed([a], "flashsim simulate")


def test_a_file_without_provenance_asks_for_seed(tmp_path):
    path = tmp_path / "bare.root"
    with uproot.recreate(path) as f:
        f["Events"] = {"event": [1, 2]}
    with pytest.raises(InputError, match=r"bare.root: no generator provenance .*pass --seed"):
        sample_seed([path], "flashsim simulate")
