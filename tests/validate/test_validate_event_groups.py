"""Event groups: every missing-momentum group (MET, PuppiMET, RawPuppiMET, ...) is tested with GenMET
among the conditioning, the others (PV, Rho) with the pileup only."""

from pathlib import Path

import numpy as np
import pytest

from flashsim.validate.samples import branch_types, comparable_groups, is_missing_momentum
from flashsim.validate.two_sample_rows import event_test

NANO_V12 = Path(__file__).resolve().parents[1] / "data" / "nano_tt_v12.root"


def test_the_missing_momentum_groups_of_a_real_file():
    types = branch_types(NANO_V12)
    groups = [g for g, info in comparable_groups(types, types).items() if info["kind"] == "event"]
    met = {g for g in groups if is_missing_momentum(g)}
    assert {"MET", "PuppiMET", "RawPuppiMET", "ChsMET", "DeepMETResolutionTune"} <= met
    assert not {"PV", "Rho", "HLT", "Flag"} & met and {"PV", "Rho"} <= set(groups)
    assert not is_missing_momentum("GenMET") and not is_missing_momentum("FiducialMET")


@pytest.mark.parametrize("group, conditioning", [("MET", 3), ("PuppiMET", 3), ("PV", 1)])
def test_genmet_conditions_the_missing_momentum_only(group, conditioning):
    rng = np.random.default_rng(0)
    n = 120
    variables = [f"{group}_pt", f"{group}_phi"]

    def columns():
        return {name: rng.normal(size=n) for name in variables + ["GenMET_pt", "GenMET_phi", "Pileup_nPU"]}

    events = np.arange(n)
    result = event_test(columns(), columns(), variables, events, events, seed=0)
    assert result["features"] == len(variables) + conditioning
