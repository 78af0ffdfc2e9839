"""Fixtures shared by several test folders (one folder per package: tests/<module>/)."""

import pytest


@pytest.fixture(scope="session")
def gen_file(tmp_path_factory):
    """Factory of small gen-level files, cached for the session.

    ``gen_file("ttbar", 200)`` -> Path of a file made by ``flashsim.generate.generate`` with
    seed 1 (other keyword arguments are passed on: seed, jobs, run, events_per_lumi, pileup...).
    The same arguments return the same file; each new combination costs a Pythia run.
    """
    cache = {}
    folder = tmp_path_factory.mktemp("gen")

    def make(process: str, events: int, **kwargs):
        from flashsim.generate import generate

        kwargs.setdefault("seed", 1)
        kwargs.setdefault("progress", False)
        key = (process, events, tuple(sorted(kwargs.items())))
        if key not in cache:
            name = f"{process}_{events}_{len(cache)}.root"
            cache[key] = generate(process, events, output=folder / name, **kwargs)
        return cache[key]

    return make


@pytest.fixture(scope="session")
def ROOT():
    """ROOT with the FlashSim plugin loaded (libflashsim + its RDataFrame header)."""
    import flashsim.rdf

    return flashsim.rdf.load()
