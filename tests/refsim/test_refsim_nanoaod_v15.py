"""The reference detector speaks CMS NanoAOD v15: every branch of its Events tree, the gen branches
carried through included, is a branch of a real v15 file (tests/data/nanoaod_v15_branches.tsv) with
the same ROOT type."""

from pathlib import Path

import pytest
import uproot
from refsim_testing import UPROOT_TYPENAMES

from flashsim.refsim.schema import COLLECTIONS, COUNTER_TYPE, SCALARS

V15 = Path(__file__).resolve().parents[1] / "data" / "nanoaod_v15_branches.tsv"


def _v15_types() -> dict:
    """branch -> uproot typename in the real v15 file ("float[]": a jagged float)."""
    lines = [line for line in V15.read_text().splitlines() if line and not line.startswith("#")]
    return dict(line.split("\t") for line in lines)


def _differences(ours: dict) -> tuple[list, dict]:
    """(branches v15 does not have, {branch: (our type, v15 type)} where the types differ)."""
    v15 = _v15_types()
    return sorted(set(ours) - set(v15)), {n: (t, v15[n]) for n, t in ours.items() if n in v15 and t != v15[n]}


def test_the_schema_is_v15():
    ours = {f"n{c}": UPROOT_TYPENAMES[COUNTER_TYPE] for c in COLLECTIONS}
    ours |= {f"{c}_{f}": UPROOT_TYPENAMES[t] + "[]" for c, fields in COLLECTIONS.items() for f, t, _ in fields}
    ours |= {name: UPROOT_TYPENAMES[t] for name, t, _ in SCALARS}
    missing, retyped = _differences(ours)
    assert not missing, f"not NanoAOD v15 branches: {missing}"
    assert not retyped, f"types differ from v15 (ours, v15): {retyped}"


@pytest.mark.parametrize("sample", ["ttbar_gen", "dy_gen"])
def test_every_branch_of_a_fullsim_output_is_v15(sample, request, full_file):
    with uproot.open(full_file(request.getfixturevalue(sample))) as f:
        ours = {b.name: b.typename for b in f["Events"].branches}
    assert {"nJet", "Jet_pt", "nGenPart", "PuppiMET_pt"} <= set(ours)
    missing, retyped = _differences(ours)
    assert not missing, f"not NanoAOD v15 branches: {missing}"
    assert not retyped, f"types differ from v15 (ours, v15): {retyped}"
