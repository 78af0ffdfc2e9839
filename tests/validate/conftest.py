"""Small NanoAOD pairs for the validation tests: the reference detector against itself (same
file; another seed: the stand-in for "FlashSim vs reference") and against a distorted copy."""

import pytest


def distorted_copy(source, output, column="Jet_pt", factor=1.1):
    """A copy of ``source`` with ``column`` scaled (RDataFrame, one thread: same event order)."""
    import ROOT

    df = ROOT.RDataFrame("Events", str(source))
    df.Redefine(column, f"ROOT::RVecF({column} * {factor}f)").Snapshot("Events", str(output))
    return output


@pytest.fixture(scope="session")
def nano_pair(gen_file, tmp_path_factory):
    """Factory: ``nano_pair("ttbar", 300)`` -> dict of paths: ref (seed 1), other (seed 2) and
    distorted (seed 2 with Jet_pt x 1.1), all from the same gen events."""
    from flashsim.refsim.process_file import reference_detector

    cache = {}
    folder = tmp_path_factory.mktemp("nano")

    def make(process, events):
        key = (process, events)
        if key not in cache:
            gen = gen_file(process, events)
            paths = {"ref": folder / f"{process}_ref.root", "other": folder / f"{process}_other.root",
                     "distorted": folder / f"{process}_distorted.root"}
            reference_detector(str(gen), str(paths["ref"]), seed=1)
            reference_detector(str(gen), str(paths["other"]), seed=2)
            distorted_copy(paths["other"], paths["distorted"])
            cache[key] = paths
        return cache[key]

    return make
