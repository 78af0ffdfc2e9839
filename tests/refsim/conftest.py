"""Shared samples for the reference-detector tests: real Pythia events through refsim."""

import pytest

TTBAR_EVENTS = 1000
DY_EVENTS = 400


@pytest.fixture(scope="session")
def ttbar_gen(gen_file):
    return gen_file("ttbar", TTBAR_EVENTS, jobs=2)


@pytest.fixture(scope="session")
def dy_gen(gen_file):
    return gen_file("dy", DY_EVENTS, jobs=2)


@pytest.fixture(scope="session")
def full_file(tmp_path_factory):
    """Factory: reference_detector(gen, seed, chunk_size) -> output path, cached."""
    from flashsim.refsim import reference_detector

    cache = {}
    folder = tmp_path_factory.mktemp("fullsim")

    def make(gen, seed=1, chunk_size=10_000):
        key = (str(gen), seed, chunk_size)
        if key not in cache:
            out = folder / f"full_{len(cache)}.root"
            reference_detector(str(gen), str(out), seed=seed, chunk_size=chunk_size)
            cache[key] = out
        return cache[key]

    return make


def _read(path):
    import uproot

    with uproot.open(path) as f:
        return f["Events"].arrays(library="ak")


@pytest.fixture(scope="session")
def ttbar(ttbar_gen, full_file):
    """Events (awkward record array) of the ttbar sample after refsim, seed 1."""
    return _read(full_file(ttbar_gen))


@pytest.fixture(scope="session")
def dy(dy_gen, full_file):
    return _read(full_file(dy_gen))

